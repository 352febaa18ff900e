// Package fw is the fw classifier (cls_fw.c): a filter per firewall mark,
// found by the packet's mark under the proto's mask, giving a class and
// running actions. A proto with no filter yet classifies the old way: a
// mark that names a class of the qdisc is that class.
package fw

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is fw.
var Kind = &sched.ClassifierKind{
	ID:     "fw",
	New:    func(tp *sched.Proto) sched.Classifier { return &fw{tp: tp} },
	Syntax: Syntax,
}

// TCA_FW_* attributes inside TCA_OPTIONS.
const (
	TCA_FW_UNSPEC = iota
	TCA_FW_CLASSID
	TCA_FW_POLICE
	TCA_FW_INDEV
	TCA_FW_ACT
	TCA_FW_MASK
	TCA_FW_MAX = TCA_FW_MASK
)

const htSize = 256

type filter struct {
	id      uint32
	res     sched.Result
	ifindex int32
	exts    sched.Exts
}

// head is struct fw_head: made by the first filter, with the proto's mask.
type head struct {
	mask uint32
	ht   [htSize][]*filter
}

type fw struct {
	tp   *sched.Proto
	head *head
}

var (
	_ sched.Classifier  = (*fw)(nil)
	_ sched.ClassBinder = (*fw)(nil)
)

func hash(h uint32) uint32 {
	h ^= h >> 16
	h ^= h >> 8
	return h % htSize
}

// Classify is fw_classify.
func (f *fw) Classify(p *pkt.Packet, res *sched.Result) int {
	id := p.Mark
	h := f.head
	if h == nil {
		// The old method: the mark is a class of the qdisc.
		q := f.tp.Qdisc()
		if id != 0 && q != nil && (tc.Handle(id).Major() == 0 || tc.Handle(id^uint32(q.Handle)).Major() == 0) {
			res.ClassID = tc.Handle(id)
			res.Class = nil
			return sched.ActOK
		}
		return sched.ActUnspec
	}
	id &= h.mask
	for _, x := range h.ht[hash(id)] {
		if x.id != id {
			continue
		}
		*res = x.res
		if !sched.MatchIndev(p, x.ifindex) {
			continue
		}
		if r := x.exts.Exec(p, res); r >= 0 {
			return r
		}
	}
	return sched.ActUnspec
}

// Get is fw_get.
func (f *fw) Get(handle uint32) sched.Filter {
	if f.head == nil {
		return nil
	}
	for _, x := range f.head.ht[hash(handle)] {
		if x.id == handle {
			return x
		}
	}
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_FW_CLASSID: {Type: nl.U32},
	TCA_FW_INDEV:   {Type: nl.String, Len: 17},
	TCA_FW_MASK:    {Type: nl.U32},
}

// Change is fw_change.
func (f *fw) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	handle := req.Handle
	if req.Options == nil {
		if handle != 0 {
			return nil, syscall.EINVAL
		}
		return nil, nil // the old method
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_FW_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	if old, _ := fh.(*filter); old != nil {
		if old.id != handle && handle != 0 {
			return nil, syscall.EINVAL
		}
		n := &filter{id: old.id, ifindex: old.ifindex, exts: sched.NewExts(TCA_FW_ACT, TCA_FW_POLICE)}
		if err := f.setParms(n, tb, req); err != nil {
			n.exts.Destroy()
			return nil, err
		}
		b := f.head.ht[hash(n.id)]
		for i, x := range b {
			if x == old {
				b[i] = n
			}
		}
		f.tp.UnbindFilter(&old.res)
		old.exts.Destroy()
		return n, nil
	}
	if handle == 0 {
		return nil, syscall.EINVAL
	}
	if f.head == nil {
		mask := uint32(0xFFFFFFFF)
		if a := tb.Get(TCA_FW_MASK); a != nil {
			mask = a.U32()
		}
		f.head = &head{mask: mask}
	}
	n := &filter{id: handle, exts: sched.NewExts(TCA_FW_ACT, TCA_FW_POLICE)}
	if err := f.setParms(n, tb, req); err != nil {
		n.exts.Destroy()
		return nil, err
	}
	h := hash(handle)
	f.head.ht[h] = append([]*filter{n}, f.head.ht[h]...)
	return n, nil
}

// setParms is fw_set_parms.
func (f *fw) setParms(n *filter, tb nl.Attrs, req *sched.FilterChange) error {
	if err := n.exts.Validate(f.tp, tb, req.Rate, req.Flags, req.Ext); err != nil {
		return err
	}
	if a := tb.Get(TCA_FW_INDEV); a != nil {
		i, err := sched.ChangeIndev(f.tp.Net(), a)
		if err != nil {
			return err
		}
		n.ifindex = i
	}
	if a := tb.Get(TCA_FW_MASK); a != nil {
		if a.U32() != f.head.mask {
			return syscall.EINVAL
		}
	} else if f.head.mask != 0xFFFFFFFF {
		return syscall.EINVAL
	}
	if a := tb.Get(TCA_FW_CLASSID); a != nil {
		n.res.ClassID = tc.Handle(a.U32())
		f.tp.BindFilter(&n.res, req.Base)
	}
	return nil
}

// Delete is fw_delete: the proto goes with its last filter.
func (f *fw) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	x, _ := fh.(*filter)
	if f.head == nil || x == nil {
		return false, syscall.EINVAL
	}
	h := hash(x.id)
	for i, y := range f.head.ht[h] {
		if y == x {
			f.head.ht[h] = append(f.head.ht[h][:i:i], f.head.ht[h][i+1:]...)
			f.tp.UnbindFilter(&x.res)
			x.exts.Destroy()
			break
		}
	}
	for _, b := range f.head.ht {
		if len(b) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// Walk is fw_walk: bucket by bucket.
func (f *fw) Walk(fn func(fh sched.Filter) bool) {
	if f.head == nil {
		return
	}
	for _, b := range f.head.ht {
		for _, x := range b {
			if !fn(x) {
				return
			}
		}
	}
}

// Dump is fw_dump: no options for a filter with neither class nor actions.
func (f *fw) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	x, _ := fh.(*filter)
	if x == nil {
		return nil
	}
	t.Handle = tc.Handle(x.id)
	if x.res.ClassID == 0 && !x.exts.HasActions() {
		return nil
	}
	b.Nest(sched.TCA_OPTIONS)
	if x.res.ClassID != 0 {
		b.PutU32(TCA_FW_CLASSID, uint32(x.res.ClassID))
	}
	if x.ifindex != 0 {
		if name := f.tp.Net().DeviceName(x.ifindex); name != "" {
			b.PutString(TCA_FW_INDEV, name)
		}
	}
	if f.head.mask != 0xFFFFFFFF {
		b.PutU32(TCA_FW_MASK, f.head.mask)
	}
	if err := x.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	b.EndNest()
	return x.exts.DumpStats(b)
}

// Destroy is fw_destroy.
func (f *fw) Destroy(*sched.Ext) {
	if f.head == nil {
		return
	}
	for h := range f.head.ht {
		for _, x := range f.head.ht[h] {
			f.tp.UnbindFilter(&x.res)
			x.exts.Destroy()
		}
		f.head.ht[h] = nil
	}
}

// BindClass is fw_bind_class.
func (f *fw) BindClass(fh sched.Filter, classid tc.Handle, c sched.Class, base tc.Handle) {
	if x, _ := fh.(*filter); x != nil {
		f.tp.RebindClass(&x.res, classid, c, base)
	}
}
