// Package basic is the basic classifier (cls_basic.c): a list of filters,
// each an ematch tree (empty: match all) with a class and actions, tried
// newest first.
package basic

import (
	"encoding/binary"
	"math"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is basic.
var Kind = &sched.ClassifierKind{
	ID:     "basic",
	New:    func(tp *sched.Proto) sched.Classifier { return &basic{tp: tp, ids: map[uint32]struct{}{}} },
	Syntax: Syntax,
}

// TCA_BASIC_* attributes inside TCA_OPTIONS.
const (
	TCA_BASIC_UNSPEC = iota
	TCA_BASIC_CLASSID
	TCA_BASIC_EMATCHES
	TCA_BASIC_ACT
	TCA_BASIC_POLICE
	TCA_BASIC_PCNT
	TCA_BASIC_PAD
	TCA_BASIC_MAX = TCA_BASIC_PAD
)

type filter struct {
	handle     uint32
	exts       sched.Exts
	tree       *ematch.Tree
	res        sched.Result
	rcnt, rhit atomic.Uint64 // struct tc_basic_pcnt
}

type basic struct {
	tp    *sched.Proto
	flist []*filter // newest first
	ids   map[uint32]struct{}
}

var (
	_ sched.Classifier  = (*basic)(nil)
	_ sched.ClassBinder = (*basic)(nil)
)

// Classify is basic_classify.
func (c *basic) Classify(p *pkt.Packet, res *sched.Result) int {
	for _, f := range c.flist {
		f.rcnt.Add(1)
		if !f.tree.Match(p) {
			continue
		}
		f.rhit.Add(1)
		*res = f.res
		if r := f.exts.Exec(p, res); r >= 0 {
			return r
		}
	}
	return sched.ActUnspec
}

// Get is basic_get.
func (c *basic) Get(handle uint32) sched.Filter {
	for _, f := range c.flist {
		if f.handle == handle {
			return f
		}
	}
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_BASIC_CLASSID:  {Type: nl.U32},
	TCA_BASIC_EMATCHES: {Type: nl.Nested},
}

// Change is basic_change.
func (c *basic) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_BASIC_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	old, _ := fh.(*filter)
	handle := req.Handle
	if old != nil && handle != 0 && old.handle != handle {
		return nil, syscall.EINVAL
	}
	switch {
	case handle == 0:
		h := uint32(1)
		for ; h <= math.MaxInt32; h++ {
			if _, used := c.ids[h]; !used {
				break
			}
		}
		if h > math.MaxInt32 {
			return nil, syscall.ENOSPC
		}
		handle = h
		c.ids[h] = struct{}{}
	case old == nil:
		if _, used := c.ids[handle]; used {
			return nil, syscall.ENOSPC
		}
		c.ids[handle] = struct{}{}
	}
	n := &filter{handle: handle, exts: sched.NewExts(TCA_BASIC_ACT, TCA_BASIC_POLICE)}
	if err := c.setParms(n, tb, req); err != nil {
		n.exts.Destroy()
		if old == nil {
			delete(c.ids, handle)
		}
		return nil, err
	}
	if old != nil {
		for i, x := range c.flist {
			if x == old {
				c.flist[i] = n
			}
		}
		c.tp.UnbindFilter(&old.res)
		old.exts.Destroy()
		return n, nil
	}
	c.flist = append([]*filter{n}, c.flist...)
	return n, nil
}

func (c *basic) setParms(n *filter, tb nl.Attrs, req *sched.FilterChange) error {
	if err := n.exts.Validate(c.tp, tb, req.Rate, req.Flags, req.Ext); err != nil {
		return err
	}
	t, err := ematch.Validate(tb.Get(TCA_BASIC_EMATCHES))
	if err != nil {
		return err
	}
	n.tree = t
	if a := tb.Get(TCA_BASIC_CLASSID); a != nil {
		n.res.ClassID = tc.Handle(a.U32())
		c.tp.BindFilter(&n.res, req.Base)
	}
	return nil
}

// Delete is basic_delete.
func (c *basic) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	f, _ := fh.(*filter)
	for i, x := range c.flist {
		if x == f {
			c.flist = append(c.flist[:i:i], c.flist[i+1:]...)
			c.tp.UnbindFilter(&f.res)
			delete(c.ids, f.handle)
			f.exts.Destroy()
			break
		}
	}
	return len(c.flist) == 0, nil
}

// Walk lists the filters newest first.
func (c *basic) Walk(fn func(fh sched.Filter) bool) {
	for _, f := range c.flist {
		if !fn(f) {
			return
		}
	}
}

// Dump is basic_dump.
func (c *basic) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	f, _ := fh.(*filter)
	if f == nil {
		return nil
	}
	t.Handle = tc.Handle(f.handle)
	b.Nest(sched.TCA_OPTIONS)
	if f.res.ClassID != 0 {
		b.PutU32(TCA_BASIC_CLASSID, uint32(f.res.ClassID))
	}
	var pc [16]byte
	binary.NativeEndian.PutUint64(pc[0:], f.rcnt.Load())
	binary.NativeEndian.PutUint64(pc[8:], f.rhit.Load())
	b.Put(TCA_BASIC_PCNT, pc[:])
	if err := f.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	f.tree.Dump(b, TCA_BASIC_EMATCHES)
	b.EndNest()
	return f.exts.DumpStats(b)
}

// Destroy is basic_destroy.
func (c *basic) Destroy(*sched.Ext) {
	for _, f := range c.flist {
		c.tp.UnbindFilter(&f.res)
		f.exts.Destroy()
	}
	c.flist = nil
}

// BindClass is basic_bind_class.
func (c *basic) BindClass(fh sched.Filter, classid tc.Handle, cl sched.Class, base tc.Handle) {
	if f, _ := fh.(*filter); f != nil {
		c.tp.RebindClass(&f.res, classid, cl, base)
	}
}
