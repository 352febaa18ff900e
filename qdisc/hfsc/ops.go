package hfsc

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// ChangeClass creates a class (c nil) under its parent, or changes a
// class's curves (hfsc_change_class). The kernel parses without an
// extack, so refusals carry no text; an rt-only parent that gets a child
// is given its rt curve for link sharing, with a warning.
func (h *hfsc) ChangeClass(req *sched.ClassChange, c sched.Class, ext *sched.Ext) (sched.Class, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	o, err := decodeClassOptions(req.Options)
	if err != nil {
		return nil, err
	}
	clk := h.q.Dev().Net().Clock
	parentID := req.ParentID
	if c != nil {
		cl := c.(*class)
		if parentID != 0 {
			if cl.parent != nil && cl.parent.id != parentID {
				return nil, syscall.EINVAL
			}
			if cl.parent == nil && parentID != tc.Root {
				return nil, syscall.EINVAL
			}
		}
		cur := h.now()
		if req.Rate != nil {
			est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, cl.est)
			if err != nil {
				return nil, err
			}
			cl.est = est
		}
		oldFlags := cl.flags
		if o.rsc != nil {
			cl.changeRSC(o.rsc, cur)
		}
		if o.fsc != nil {
			cl.changeFSC(o.fsc)
		}
		if o.usc != nil {
			cl.changeUSC(o.usc, cur)
		}
		var n uint32
		if cl.leaf.QLen != 0 {
			n = peekLen(cl.leaf)
		}
		// The peek may have emptied the queue (netem, codel).
		if cl.leaf.QLen != 0 {
			if cl.flags&hasRSC != 0 {
				if oldFlags&hasRSC != 0 {
					h.updateED(cl, n)
				} else {
					h.initED(cl, n)
				}
			}
			if cl.flags&hasFSC != 0 {
				if oldFlags&hasFSC != 0 {
					h.updateVF(cl, 0)
				} else {
					h.initVF(cl, n)
				}
			}
		}
		return cl, nil
	}

	if parentID == tc.Root {
		return nil, syscall.EEXIST
	}
	parent := &h.root
	if parentID != 0 {
		if parent = h.find(parentID); parent == nil {
			return nil, syscall.ENOENT
		}
	}
	id := req.ClassID
	if id == 0 || (id^h.q.Handle).Maj() != 0 {
		return nil, syscall.EINVAL
	}
	if h.find(id) != nil {
		return nil, syscall.EEXIST
	}
	if o.rsc == nil && o.fsc == nil {
		return nil, syscall.EINVAL
	}
	cl := &class{}
	cl.init(h, id)
	cl.block = h.q.Dev().Net().GetBlock(0, h.q)
	if req.Rate != nil {
		est, err := sched.NewEstimator(clk, &cl.bstats, req.Rate.Data, nil)
		if err != nil {
			h.q.Dev().Net().PutBlock(cl.block)
			return nil, err
		}
		cl.est = est
	}
	if o.rsc != nil {
		cl.changeRSC(o.rsc, 0)
	}
	if o.fsc != nil {
		cl.changeFSC(o.fsc)
	}
	if o.usc != nil {
		cl.changeUSC(o.usc, 0)
	}
	cl.parent = parent
	cl.leaf = h.newLeaf(id)
	if parent.flags&hasFSC == 0 && parent != &h.root {
		ext.Warn("Forced curve change on parent 'rt' to 'sc'")
		parent.upgradeRT()
	}
	h.classes.Insert(id, cl)
	parent.addChild(cl)
	if parent.level == 0 {
		// The parent becomes inner: its packets go.
		parent.leaf.PurgeQueue()
	}
	cl.raiseLevels()
	h.classes.Grow()
	return cl, nil
}

// DeleteClass removes a leaf no filter points at; the root stays
// (hfsc_delete_class).
func (h *hfsc) DeleteClass(c sched.Class, _ *sched.Ext) error {
	cl := c.(*class)
	if cl.level > 0 || cl.filterCnt > 0 || cl == &h.root {
		return sched.Err(syscall.EBUSY, "HFSC class in use")
	}
	cl.parent.removeChild(cl)
	cl.parent.adjustLevels()
	// The purge reaches QlenNotify, which takes the class out of the
	// trees while it can still be found.
	cl.leaf.PurgeQueue()
	h.classes.Remove(cl.id)
	h.forgetBlockUser(cl)
	cl.destroy()
	return nil
}

// Find returns the class with that id; the root's is the qdisc's handle.
func (h *hfsc) Find(classid tc.Handle) sched.Class {
	if cl := h.find(classid); cl != nil {
		return cl
	}
	return nil
}

// Leaf returns a leaf's qdisc; inner classes have none.
func (h *hfsc) Leaf(c sched.Class) *sched.Qdisc {
	if cl := c.(*class); cl.level == 0 {
		return cl.leaf
	}
	return nil
}

// Graft puts new (nil: a fresh pfifo, or noop) on a leaf and returns the
// old qdisc, purged (hfsc_graft_class).
func (h *hfsc) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	cl := c.(*class)
	if cl.level > 0 {
		return nil, syscall.EINVAL
	}
	if new == nil {
		if new = h.q.Dev().CreateDefault(h.q.Queue(), fifo.PFIFO, cl.id, nil); new == nil {
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

// Walk visits the classes, the root among them, in hash order.
func (h *hfsc) Walk(fn func(c sched.Class) bool) {
	if h.classes == nil {
		return
	}
	h.classes.Walk(func(_ tc.Handle, cl *class) bool { return fn(cl) })
}

// DumpClass writes the curves the class has (hfsc_dump_class).
func (h *hfsc) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	cl := c.(*class)
	m.Parent = tc.Root
	if cl.parent != nil {
		m.Parent = cl.parent.id
	}
	m.Handle = cl.id
	if cl.level == 0 {
		m.Info = uint32(cl.leaf.Handle)
	}
	b.Nest(sched.TCA_OPTIONS)
	for _, x := range []struct {
		flag uint8
		attr uint16
		sc   *internalSC
	}{{hasRSC, TCA_HFSC_RSC, &cl.rsc}, {hasFSC, TCA_HFSC_FSC, &cl.fsc}, {hasUSC, TCA_HFSC_USC, &cl.usc}} {
		if cl.flags&x.flag != 0 {
			b.Put(x.attr, x.sc.external().Append(make([]byte, 0, scLen)))
		}
	}
	b.EndNest()
	return nil
}

// DumpClassStats writes the class's counters with its leaf's queue, and
// level, period and work as xstats (hfsc_dump_class_stats).
func (h *hfsc) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	cl := c.(*class)
	qs := sched.QueueStats{Backlog: cl.leaf.Backlog(), Drops: cl.drops}
	x := Xstats{Level: cl.level, Period: cl.vtperiod, Work: cl.total, RTWork: cl.cumul}
	d.Basic(&cl.bstats)
	d.RateEst(cl.est)
	d.Queue(cl.leaf.QLen, &qs)
	d.App(x.Append(make([]byte, 0, xstatsLen)))
	return nil
}

// QlenNotify makes a class whose qdisc emptied outside a dequeue passive;
// it may come more than once (hfsc_qlen_notify).
func (h *hfsc) QlenNotify(c sched.Class) {
	cl := c.(*class)
	if cl.nactive != 0 {
		h.updateVF(cl, 0)
	}
	if cl.flags&hasRSC != 0 {
		h.eltreeRemove(cl)
	}
}

// Block gives a class's filter block; the qdisc's is the root class's.
func (h *hfsc) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	cl := &h.root
	if c != nil {
		cl = c.(*class)
	}
	if cl != &h.root && cl.blockUser < 0 {
		cl.blockUser = len(h.blockUsers)
		h.blockUsers = append(h.blockUsers, cl)
	}
	return cl.block, nil
}

// WalkBlockClasses visits the root and the classes whose blocks were handed
// out: the only ones whose blocks may hold filters.
func (h *hfsc) WalkBlockClasses(fn func(c sched.Class) bool) {
	if h.classes == nil || !fn(&h.root) {
		return
	}
	for _, cl := range h.blockUsers {
		if !fn(cl) {
			return
		}
	}
}

func (h *hfsc) forgetBlockUser(cl *class) {
	i := cl.blockUser
	if i < 0 {
		return
	}
	last := len(h.blockUsers) - 1
	h.blockUsers[i] = h.blockUsers[last]
	h.blockUsers[i].blockUser = i
	h.blockUsers[last] = nil
	h.blockUsers = h.blockUsers[:last]
	cl.blockUser = -1
}

// BindFilter counts a filter pointing at a class. A filter in a class's
// block may only point below that class (hfsc_bind_tcf).
func (h *hfsc) BindFilter(parent tc.Handle, classid tc.Handle) sched.Class {
	cl := h.find(classid)
	if cl == nil {
		return nil
	}
	if parent != 0 {
		if p := h.find(parent); p != nil && p.level <= cl.level {
			return nil
		}
	}
	cl.filterCnt++
	return cl
}

// UnbindFilter releases what BindFilter counted.
func (h *hfsc) UnbindFilter(c sched.Class) {
	if cl, ok := c.(*class); ok && cl != nil {
		cl.filterCnt--
	}
}
