package ets

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Find returns the band with that minor (ets_class_find).
func (e *ets) Find(classid tc.Handle) sched.Class {
	i := int(classid.Minor())
	if i < 1 || i > e.nbands {
		return nil
	}
	return band(i)
}

func (e *ets) class(c sched.Class) *class { return &e.classes[int(c.(band))-1] }

// Leaf returns the band's qdisc.
func (e *ets) Leaf(c sched.Class) *sched.Qdisc { return e.class(c).leaf }

// Graft puts new in the band; nil puts a fresh hidden pfifo there, or noop
// (ets_class_graft). The old qdisc is purged.
func (e *ets) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	cl := e.class(c)
	if new == nil {
		new = e.q.Dev().CreateDefault(e.q.Queue(), fifo.PFIFO, e.classID(cl.idx), nil)
		if new == nil {
			new = sched.NoopQdisc()
		} else {
			e.q.Dev().HashAdd(new, true)
		}
	}
	old := cl.leaf
	cl.leaf = new
	if old != nil {
		old.PurgeQueue()
	}
	return old, nil
}

// Walk visits the bands in order.
func (e *ets) Walk(fn func(c sched.Class) bool) {
	for i := 1; i <= e.nbands; i++ {
		if !fn(band(i)) {
			return
		}
	}
}

// DumpClass writes a sharing band's quantum; strict bands have no options
// (ets_class_dump).
func (e *ets) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	cl := e.class(c)
	m.Parent = tc.Root
	m.Handle = e.classID(cl.idx)
	m.Info = uint32(cl.leaf.Handle)
	b.Nest(sched.TCA_OPTIONS)
	if !e.isStrict(cl.idx) {
		b.PutU32(TCA_ETS_QUANTA_BAND, cl.quantum)
	}
	b.EndNest()
	return nil
}

// DumpClassStats reports the band's qdisc's counters (ets_class_dump_stats).
func (e *ets) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	leaf := e.class(c).leaf
	d.Basic(&leaf.Bstats)
	d.Queue(leaf.QLen, &leaf.Qstats)
	return nil
}

// ChangeClass changes a sharing band's quantum; bands come and go only
// with the qdisc's options (ets_class_change).
func (e *ets) ChangeClass(req *sched.ClassChange, c sched.Class, _ *sched.Ext) (sched.Class, error) {
	if c == nil {
		return nil, sched.Err(syscall.EOPNOTSUPP, "Fine-grained class addition and removal is not supported")
	}
	if req.Options == nil {
		return nil, sched.Err(syscall.EINVAL, "ETS options are required for this operation")
	}
	tb, err := parseNested(req.Options, classPolicy)
	if err != nil {
		return nil, err
	}
	a := tb.Get(TCA_ETS_QUANTA_BAND)
	if a == nil {
		return c, nil // nothing to configure
	}
	cl := e.class(c)
	if e.isStrict(cl.idx) {
		return nil, sched.Err(syscall.EINVAL, "Strict bands do not have a configurable quantum")
	}
	cl.quantum = clampQuantum(a.U32())
	return c, nil
}

// Block gives the qdisc's filter block; bands have none.
func (e *ets) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, sched.Err(syscall.EINVAL, "ETS classid must be zero")
	}
	return e.block, nil
}

// BindFilter finds the band a filter names; nothing is counted.
func (e *ets) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class { return e.Find(classid) }

// UnbindFilter has nothing to release.
func (e *ets) UnbindFilter(sched.Class) {}

// WalkBlockClasses visits no class: classes have no filter blocks, so
// binding filters after a class change has nothing to walk.
func (e *ets) WalkBlockClasses(func(c sched.Class) bool) {}
