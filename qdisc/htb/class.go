package htb

import (
	"math"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// class is one htb class (struct htb_class). Times are in ns.
type class struct {
	id       tc.Handle
	parent   *class
	level    int // 0 for leaves; an inner class is one below its parent
	children int

	rate, ceil sched.RateCfg
	buffer     int64 // rate bucket depth, as time at rate
	cbuffer    int64 // ceil bucket depth, as time at ceil
	mbuffer    int64 // bound of debt and of the time credited at once
	prio       uint32
	quantum    int32 // DRR quantum; kept when the class becomes inner

	block     *sched.Block
	filterCnt int // filters pointing here (qdisc_class_in_use)
	blockUser int // index in htb.blockUsers, -1 if not there
	est       *sched.Estimator

	bstats                 sched.BasicStats
	lends, borrows, giants uint32
	drops, overlimits      uint32

	tokens, ctokens int64
	tc              int64 // checkpoint time

	// Leaf state.
	deficit [MaxDepth]int32
	leaf    *sched.Qdisc
	// Inner state: nil for a leaf. Allocated when a leaf gets its first
	// child, which is the kernel's memset of the leaf/inner union.
	inner *innerState

	pqKey        int64  // time of the next mode change
	pqSeq        uint64 // arrival in the event queue, for ties
	pqIndex      int    // position in the event queue, -1 if not queued
	prioActivity uint32 // priorities the class is active at
	cmode        mode
	node         [NumPrio]rbNode // in a row or a parent's feed, per priority
}

type innerState struct {
	prio [NumPrio]prioState // feeds: active children, per priority
}

func newClass(id tc.Handle) *class {
	cl := &class{id: id, pqIndex: -1, blockUser: -1}
	for i := range cl.node {
		cl.node[i].cl = cl
	}
	return cl
}

// destroy releases what the class holds (htb_destroy_class): its qdisc,
// its estimator, and its filter block with the filters in it.
func (cl *class) destroy(n *sched.Net) {
	if cl.level == 0 && cl.leaf != nil {
		cl.leaf.Put()
	}
	if cl.est != nil {
		cl.est.Stop()
		cl.est = nil
	}
	n.PutBlock(cl.block)
	cl.block = nil
}

func (h *htb) find(id tc.Handle) *class { return h.lookup(id) }

// Find returns the class with that id.
func (h *htb) Find(classid tc.Handle) sched.Class {
	if cl := h.find(classid); cl != nil {
		return cl
	}
	return nil
}

// Leaf returns a leaf's qdisc; inner classes have none.
func (h *htb) Leaf(c sched.Class) *sched.Qdisc {
	cl := c.(*class)
	if cl.level != 0 {
		return nil
	}
	return cl.leaf
}

// Graft puts new (nil: a fresh pfifo) on a leaf and returns the old qdisc,
// purged (htb_graft). Inner classes take no qdisc.
func (h *htb) Graft(c sched.Class, new *sched.Qdisc, ext *sched.Ext) (*sched.Qdisc, error) {
	cl := c.(*class)
	if cl.level != 0 {
		return nil, syscall.EINVAL
	}
	if new == nil {
		if new = h.newLeafQdisc(cl.id, ext); new == nil {
			return nil, syscall.ENOBUFS
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
func (h *htb) Walk(fn func(c sched.Class) bool) {
	if h.classes == nil {
		return
	}
	h.classes.Walk(func(_ tc.Handle, cl *class) bool { return fn(cl) })
}

// DumpClass writes TCA_HTB_PARMS and the 64-bit rates that do not fit it
// (htb_dump_class).
func (h *htb) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	cl := c.(*class)
	m.Parent = tc.Root
	if cl.parent != nil {
		m.Parent = cl.parent.id
	}
	m.Handle = cl.id
	if cl.level == 0 && cl.leaf != nil {
		m.Info = uint32(cl.leaf.Handle)
	}
	o := Opt{
		Rate:    cl.rate.Spec(),
		Ceil:    cl.ceil.Spec(),
		Buffer:  uint32(sched.NsToTicks(cl.buffer)),
		CBuffer: uint32(sched.NsToTicks(cl.cbuffer)),
		Quantum: uint32(cl.quantum),
		Prio:    cl.prio,
		Level:   uint32(cl.level),
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_HTB_PARMS, o.Append(make([]byte, 0, optLen)))
	if cl.rate.BytesPerSec >= 1<<32 {
		b.PutU64(TCA_HTB_RATE64, cl.rate.BytesPerSec)
	}
	if cl.ceil.BytesPerSec >= 1<<32 {
		b.PutU64(TCA_HTB_CEIL64, cl.ceil.BytesPerSec)
	}
	b.EndNest()
	return nil
}

// DumpClassStats writes a class's counters, its leaf's queue, and the
// htb xstats with tokens in ticks (htb_dump_class_stats).
func (h *htb) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	cl := c.(*class)
	qs := sched.QueueStats{Drops: cl.drops, Overlimits: cl.overlimits}
	qlen := 0
	if cl.level == 0 && cl.leaf != nil {
		qlen = cl.leaf.QLen
		qs.Backlog = cl.leaf.Backlog()
	}
	x := Xstats{
		Lends:   cl.lends,
		Borrows: cl.borrows,
		Giants:  cl.giants,
		Tokens:  clamp32(sched.NsToTicks(cl.tokens)),
		CTokens: clamp32(sched.NsToTicks(cl.ctokens)),
	}
	d.Basic(&cl.bstats)
	d.RateEst(cl.est)
	d.Queue(qlen, &qs)
	d.App(x.Append(make([]byte, 0, xstatsLen)))
	return nil
}

func clamp32(v int64) int32 {
	return int32(max(math.MinInt32, min(v, math.MaxInt32)))
}
