package drr

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// class is one drr class (struct drr_class).
type class struct {
	id      tc.Handle
	quantum uint32 // bytes
	deficit uint32 // bytes
	leaf    *sched.Qdisc

	bstats    sched.BasicStats
	drops     uint32 // cl->qstats.drops: counted, never dumped
	est       *sched.Estimator
	filterCnt int // filters bound here (qdisc_class_in_use)

	// prev and next link the class into the active list; next is nil
	// while it is off the list (list_empty(&cl->alist)).
	prev, next *class
}

func (cl *class) isActive() bool { return cl.next != nil }

// unlink is list_del_init: harmless on a class off the list.
func (cl *class) unlink() {
	if cl.next == nil {
		return
	}
	cl.prev.next = cl.next
	cl.next.prev = cl.prev
	cl.prev, cl.next = nil, nil
}

func (cl *class) destroy() {
	if cl.est != nil {
		cl.est.Stop()
		cl.est = nil
	}
	cl.leaf.Put()
}

// psched_mtu is the device's MTU plus its link header.
func (d *drr) pschedMTU() uint32 {
	l := d.q.Dev().Link()
	return l.MTU() + l.HardHeaderLen()
}

// ChangeClass creates a class (c nil) or changes its quantum and estimator
// (drr_change_class).
func (d *drr) ChangeClass(req *sched.ClassChange, c sched.Class, ext *sched.Ext) (sched.Class, error) {
	if req.Options == nil {
		return nil, sched.Err(syscall.EINVAL, "DRR options are required for this operation")
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_DRR_MAX, policy)
	if err != nil {
		return nil, err
	}
	var quantum uint32
	qa := tb.Get(TCA_DRR_QUANTUM)
	if qa != nil {
		if quantum = qa.U32(); quantum == 0 {
			return nil, sched.Err(syscall.EINVAL, "Specified DRR quantum cannot be zero")
		}
		quantum = clampQuantum(quantum)
	} else {
		quantum = clampQuantum(d.pschedMTU())
	}
	clk := d.q.Dev().Net().Clock
	if c != nil {
		cl := c.(*class)
		if req.Rate != nil {
			est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, cl.est)
			if err != nil {
				return nil, sched.Err(sched.ErrnoOf(err), "Failed to replace estimator")
			}
			cl.est = est
		}
		if qa != nil {
			cl.quantum = quantum
		}
		return cl, nil
	}
	cl := &class{id: req.ClassID, quantum: quantum}
	cl.leaf = d.q.Dev().CreateDefault(d.q.Queue(), fifo.PFIFO, req.ClassID, nil)
	if cl.leaf == nil {
		cl.leaf = sched.NoopQdisc()
	} else {
		d.q.Dev().HashAdd(cl.leaf, true)
	}
	if req.Rate != nil {
		est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, nil)
		if err != nil {
			cl.leaf.Put()
			return nil, sched.Err(sched.ErrnoOf(err), "Failed to replace estimator")
		}
		cl.est = est
	}
	d.classes.Insert(cl.id, cl)
	d.classes.Grow()
	return cl, nil
}

// DeleteClass removes a class no filter points at (drr_delete_class).
func (d *drr) DeleteClass(c sched.Class, _ *sched.Ext) error {
	cl := c.(*class)
	if cl.filterCnt > 0 {
		return sched.Err(syscall.EBUSY, "DRR class is in use")
	}
	// The purge reaches QlenNotify, which takes the class off the
	// active list while it can still be found.
	cl.leaf.PurgeQueue()
	d.classes.Remove(cl.id)
	cl.destroy()
	return nil
}

// Find returns the class with that id.
func (d *drr) Find(classid tc.Handle) sched.Class {
	if d.classes == nil {
		return nil
	}
	if cl, ok := d.classes.Find(classid); ok {
		return cl
	}
	return nil
}

// Leaf returns the class's qdisc.
func (d *drr) Leaf(c sched.Class) *sched.Qdisc { return c.(*class).leaf }

// Graft puts new (nil: a fresh pfifo, or noop) on the class and returns the
// old qdisc, purged (drr_graft_class, qdisc_replace).
func (d *drr) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	cl := c.(*class)
	if new == nil {
		if new = d.q.Dev().CreateDefault(d.q.Queue(), fifo.PFIFO, cl.id, nil); new == nil {
			new = sched.NoopQdisc()
		}
	}
	old := cl.leaf
	cl.leaf = new
	if old != nil {
		old.PurgeQueue()
	}
	return old, nil
}

// Walk visits the classes in hash order, the order tc shows them in.
func (d *drr) Walk(fn func(c sched.Class) bool) {
	if d.classes == nil {
		return
	}
	d.classes.Walk(func(_ tc.Handle, cl *class) bool { return fn(cl) })
}

// DumpClass writes TCA_DRR_QUANTUM; every class is a root (drr_dump_class).
func (d *drr) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	cl := c.(*class)
	m.Parent = tc.Root
	m.Handle = cl.id
	m.Info = uint32(cl.leaf.Handle)
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_DRR_QUANTUM, cl.quantum)
	b.EndNest()
	return nil
}

// DumpClassStats writes the class's counters, its qdisc's queue, and the
// deficit while the class has packets (drr_dump_class_stats).
func (d *drr) DumpClassStats(c sched.Class, sd *sched.StatsDump) error {
	cl := c.(*class)
	qlen := cl.leaf.QLen
	var x Xstats
	if qlen != 0 {
		x.Deficit = cl.deficit
	}
	sd.Basic(&cl.bstats)
	sd.RateEst(cl.est)
	sd.Queue(qlen, &cl.leaf.Qstats)
	sd.App(x.Append(make([]byte, 0, xstatsLen)))
	return nil
}

// Block gives the qdisc's filter block; classes have none.
func (d *drr) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, sched.Err(syscall.EINVAL, "DRR classid must be zero")
	}
	return d.block, nil
}

// BindFilter counts a filter pointing at a class (drr_bind_tcf).
func (d *drr) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class {
	cl, ok := d.classes.Find(classid)
	if !ok {
		return nil
	}
	cl.filterCnt++
	return cl
}

// UnbindFilter releases what BindFilter counted.
func (d *drr) UnbindFilter(c sched.Class) {
	if cl, ok := c.(*class); ok && cl != nil {
		cl.filterCnt--
	}
}

// WalkBlockClasses visits no class: classes have no filter blocks, so
// binding filters after a class change has nothing to walk.
func (d *drr) WalkBlockClasses(func(c sched.Class) bool) {}
