// Package matchall is the matchall classifier: one filter per proto that
// matches every packet, giving it a class and running its actions
// (cls_matchall.c). With no offload device here, a filter that asks to skip
// software (skip_sw) cannot be placed anywhere and is refused.
package matchall

import (
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is matchall.
var Kind = &sched.ClassifierKind{
	ID:     "matchall",
	New:    func(tp *sched.Proto) sched.Classifier { return &mall{tp: tp} },
	Syntax: Syntax,
}

// head is the one filter of a matchall proto (struct cls_mall_head).
type head struct {
	res      sched.Result
	handle   uint32
	flags    uint32
	exts     sched.Exts
	hits     atomic.Uint64 // packets matched (tc_matchall_pcnt.rhit)
	deleting bool
}

type mall struct {
	tp   *sched.Proto
	head *head
}

var (
	_ sched.Classifier  = (*mall)(nil)
	_ sched.ClassBinder = (*mall)(nil)
)

// Classify matches everything, unless the filter lives in hardware only.
func (m *mall) Classify(p *pkt.Packet, res *sched.Result) int {
	h := m.head
	if h == nil || h.flags&FlagSkipSW != 0 {
		return sched.ActUnspec
	}
	*res = h.res
	h.hits.Add(1)
	return h.exts.Exec(p, res)
}

// Get finds the filter by handle.
func (m *mall) Get(handle uint32) sched.Filter {
	if h := m.head; h != nil && h.handle == handle {
		return h
	}
	return nil
}

// Change creates the proto's one filter; a matchall filter never changes
// (mall_change). As in the kernel, it returns the previous head (none) as
// the filter to notify, so the notification names no handle.
func (m *mall) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	if m.head != nil {
		return nil, syscall.EEXIST
	}
	c, tb, err := Decode(req.Options.Data)
	if err != nil {
		return nil, err
	}
	if !flagsValid(c.Flags) {
		return nil, syscall.EINVAL
	}
	h := &head{handle: req.Handle, flags: c.Flags, exts: sched.NewExts(TCA_MATCHALL_ACT, 0)}
	if h.handle == 0 {
		h.handle = 1
	}
	if err := h.exts.ValidateEx(m.tp, tb, req.Rate, req.Flags, h.flags, req.Ext); err != nil {
		return nil, err
	}
	bound := false
	if c.HasClassID {
		h.res.ClassID = c.ClassID
		m.tp.BindFilter(&h.res, req.Base)
		bound = true
	}
	if h.flags&FlagSkipHW == 0 {
		// Offload: no device here offloads, so a filter that must
		// live in hardware has nowhere to go (tc_setup_cb_add with
		// nooffloaddevcnt set and err_stop).
		if h.flags&FlagSkipSW != 0 {
			if bound {
				m.tp.UnbindFilter(&h.res)
			}
			h.exts.Destroy()
			return nil, syscall.EOPNOTSUPP
		}
	}
	if h.flags&FlagInHW == 0 {
		h.flags |= FlagNotInHW
	}
	m.head = h
	return nil, nil
}

// Delete marks the filter gone; the proto goes with it (mall_delete).
func (m *mall) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	m.head.deleting = true
	return true, nil
}

// Walk visits the filter, if any.
func (m *mall) Walk(fn func(fh sched.Filter) bool) {
	if h := m.head; h != nil && !h.deleting {
		fn(h)
	}
}

// Dump writes the filter: handle, class, flags, hit counter, actions
// (mall_dump).
func (m *mall) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	h, _ := fh.(*head)
	if h == nil {
		return nil
	}
	t.Handle = tc.Handle(h.handle)
	b.Nest(sched.TCA_OPTIONS)
	c := Config{ClassID: h.res.ClassID, HasClassID: h.res.ClassID != 0, Flags: h.flags}
	c.encode(b, h.hits.Load())
	if err := h.exts.Dump(b); err != nil {
		return err
	}
	b.EndNest()
	return h.exts.DumpStats(b)
}

// Destroy lets go of the class and the actions (mall_destroy).
func (m *mall) Destroy(*sched.Ext) {
	h := m.head
	if h == nil {
		return
	}
	m.tp.UnbindFilter(&h.res)
	h.exts.Destroy()
}

// BindClass follows the creation and deletion of the class it names.
func (m *mall) BindClass(fh sched.Filter, classid tc.Handle, c sched.Class, base tc.Handle) {
	if h, _ := fh.(*head); h != nil {
		m.tp.RebindClass(&h.res, classid, c, base)
	}
}
