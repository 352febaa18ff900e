package qfq

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// class is struct qfq_class.
type class struct {
	id      tc.Handle
	leaf    *sched.Qdisc
	agg     *agg
	deficit int32 // DRR deficit within the aggregate (bytes)

	bstats    sched.BasicStats
	drops     uint32 // counted, never dumped
	est       *sched.Estimator
	filterCnt int

	// prev and next link the class into its aggregate's active list;
	// next is nil while it is off it.
	prev, next *class
}

func (cl *class) isActive() bool { return cl.next != nil }

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

// ChangeClass creates a class (c nil) or moves it to the aggregate of its
// new weight and lmax (qfq_change_class). A weight is normalized to what
// ONE_FP/weight can express; the sum of weights may not pass 65536.
func (s *qfq) ChangeClass(req *sched.ClassChange, c sched.Class, _ *sched.Ext) (sched.Class, error) {
	if req.Options == nil {
		return nil, sched.Err(syscall.EINVAL, "sch_qfq: missing options")
	}
	tb, err := sched.ParseNestedDeprecated(req.Options, TCA_QFQ_MAX, policy)
	if err != nil {
		return nil, err
	}
	weight := uint32(1)
	if a := tb.Get(TCA_QFQ_WEIGHT); a != nil {
		weight = a.U32()
	}
	var lmax uint32
	if a := tb.Get(TCA_QFQ_LMAX); a != nil {
		lmax = a.U32()
	} else {
		// The MTU is the user's to set.
		l := s.q.Dev().Link()
		if lmax = l.MTU() + l.HardHeaderLen(); lmax < MinLmax || lmax > MaxLmax {
			return nil, sched.Err(syscall.EINVAL, "sch_qfq: MTU size out of bounds for qfq")
		}
	}
	weight = uint32(oneFP / (oneFP / uint64(weight)))

	var cl *class
	var oldWeight uint32
	if c != nil {
		cl = c.(*class)
		oldWeight = cl.agg.classWeight
		if lmax == cl.agg.lmax && weight == oldWeight {
			return cl, nil
		}
	}
	deltaW := int32(weight) - int32(oldWeight)
	if s.wsum+uint32(deltaW) > MaxWSum {
		return nil, sched.Errorf(syscall.EINVAL, "sch_qfq: total weight out of range (%d + %d)", deltaW, s.wsum)
	}
	clk := s.q.Dev().Net().Clock
	existing := cl != nil
	if existing {
		if req.Rate != nil {
			est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, cl.est)
			if err != nil {
				return nil, err
			}
			cl.est = est
		}
	} else {
		cl = &class{id: req.ClassID, deficit: int32(lmax)}
		cl.leaf = s.q.Dev().CreateDefault(s.q.Queue(), fifo.PFIFO, req.ClassID, nil)
		if cl.leaf == nil {
			cl.leaf = sched.NoopQdisc()
		}
		if req.Rate != nil {
			est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, nil)
			if err != nil {
				cl.leaf.Put()
				return nil, err
			}
			cl.est = est
		}
		if !cl.leaf.IsNoop() {
			s.q.Dev().HashAdd(cl.leaf, true)
		}
	}
	a := s.findAgg(lmax, weight)
	if a == nil {
		a = s.newAgg(lmax, weight)
	}
	if existing {
		s.deactRmFromAgg(cl)
	} else {
		s.classes.Insert(cl.id, cl)
	}
	s.addToAgg(a, cl)
	s.classes.Grow()
	return cl, nil
}

// DeleteClass removes a class no filter points at (qfq_delete_class).
func (s *qfq) DeleteClass(c sched.Class, _ *sched.Ext) error {
	cl := c.(*class)
	if cl.filterCnt > 0 {
		return sched.Err(syscall.EBUSY, "sch_qfq: QFQ class in use")
	}
	cl.leaf.PurgeQueue()
	s.classes.Remove(cl.id)
	s.rmFromAgg(cl)
	cl.destroy()
	return nil
}

// Find returns the class with that id.
func (s *qfq) Find(classid tc.Handle) sched.Class {
	if s.classes == nil {
		return nil
	}
	if cl, ok := s.classes.Find(classid); ok {
		return cl
	}
	return nil
}

// Leaf returns the class's qdisc.
func (s *qfq) Leaf(c sched.Class) *sched.Qdisc { return c.(*class).leaf }

// Graft puts new (nil: a fresh pfifo, or noop) on the class and returns the
// old qdisc, purged (qfq_graft_class).
func (s *qfq) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	cl := c.(*class)
	if new == nil {
		if new = s.q.Dev().CreateDefault(s.q.Queue(), fifo.PFIFO, cl.id, nil); new == nil {
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

// Walk visits the classes in hash order.
func (s *qfq) Walk(fn func(c sched.Class) bool) {
	if s.classes == nil {
		return
	}
	s.classes.Walk(func(_ tc.Handle, cl *class) bool { return fn(cl) })
}

// DumpClass writes the weight and lmax of the class's aggregate
// (qfq_dump_class).
func (s *qfq) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	cl := c.(*class)
	m.Parent = tc.Root
	m.Handle = cl.id
	m.Info = uint32(cl.leaf.Handle)
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_QFQ_WEIGHT, cl.agg.classWeight)
	b.PutU32(TCA_QFQ_LMAX, cl.agg.lmax)
	b.EndNest()
	return nil
}

// DumpClassStats writes the class's counters, its qdisc's queue, and
// weight and lmax as xstats (qfq_dump_class_stats).
func (s *qfq) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	cl := c.(*class)
	x := Xstats{Weight: cl.agg.classWeight, Lmax: cl.agg.lmax}
	d.Basic(&cl.bstats)
	d.RateEst(cl.est)
	d.Queue(cl.leaf.QLen, &cl.leaf.Qstats)
	d.App(x.Append(make([]byte, 0, xstatsLen)))
	return nil
}

// Block gives the qdisc's filter block; classes have none (and no message
// says so).
func (s *qfq) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return s.block, nil
}

// BindFilter counts a filter pointing at a class (qfq_bind_tcf).
func (s *qfq) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class {
	cl, ok := s.classes.Find(classid)
	if !ok {
		return nil
	}
	cl.filterCnt++
	return cl
}

// UnbindFilter releases what BindFilter counted.
func (s *qfq) UnbindFilter(c sched.Class) {
	if cl, ok := c.(*class); ok && cl != nil {
		cl.filterCnt--
	}
}

// WalkBlockClasses visits no class: classes have no filter blocks, so
// binding filters after a class change has nothing to walk.
func (s *qfq) WalkBlockClasses(func(c sched.Class) bool) {}
