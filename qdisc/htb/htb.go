// Package htb is the hierarchical token bucket (sch_htb.c): a tree of
// classes, each with a guaranteed rate and a ceiling, where a class that
// has used its rate may borrow its ancestors' unused rate up to its ceil.
// Leaves hold the packets (each in a child qdisc, pfifo by default); inner
// classes only lend.
//
// Flow of a packet:
//
//	Enqueue: classify (skb->priority naming a class, the filters of the
//	qdisc and of inner classes, else the default class, else the direct
//	queue) -> the leaf's qdisc -> the leaf becomes active at its priority.
//	Dequeue: the direct queue first; then, level by level from the leaves
//	up, apply due mode changes from the level's event queue and serve the
//	level's row of classes that may send, lowest priority number first,
//	round robin by class id with a deficit per leaf (DRR); the packet is
//	charged to the leaf and its ancestors, whose modes may change. When
//	nothing may send, a watchdog wakes the queue at the next event.
//
// The kernel's rbtrees become an intrusive red-black tree for rows and
// feeds (ordered by class id, as the DRR order depends on it) and a heap
// for event queues; nothing allocates per packet.
package htb

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is htb.
var Kind = &sched.Kind{
	ID:     "htb",
	New:    func(q *sched.Qdisc) sched.Discipline { return &htb{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Classful         = (*htb)(nil)
	_ sched.ClassChanger     = (*htb)(nil)
	_ sched.ClassDeleter     = (*htb)(nil)
	_ sched.ClassStatsDumper = (*htb)(nil)
	_ sched.QlenNotifier     = (*htb)(nil)
	_ sched.BlockOwner       = (*htb)(nil)
	_ sched.FilterBinder     = (*htb)(nil)
	_ sched.Dumper           = (*htb)(nil)
	_ sched.Destroyer        = (*htb)(nil)
	_ sched.ClassBlockWalker = (*htb)(nil)
)

// prioState is one priority of a row or of an inner class's feed (struct
// htb_prio): the classes active there, and the DRR pointer. When the
// class the pointer is on leaves a feed, its id is kept so that the round
// resumes from the next id.
type prioState struct {
	tree      rbTree
	ptr       *rbNode
	lastPtrID tc.Handle
}

// level is one level of the hierarchy (struct htb_level): its event queue
// and its rows, one per priority, of classes that may send.
type level struct {
	wait waitQueue
	prio [NumPrio]prioState
}

type htb struct {
	q       *sched.Qdisc
	classes *sched.ClassHash[*class]
	defcls  uint32 // minor of the default class
	r2q     int32  // rate to quantum divisor
	block   *sched.Block

	directQlen uint32
	direct     pkt.List // unshaped packets (X:0 or no class)
	directPkts uint32
	overlimits uint32

	wd  *sched.Watchdog
	now int64 // cached dequeue time

	nearEv  [MaxDepth]int64  // time of each level's next event
	rowMask [MaxDepth]uint32 // priorities with a non-empty row
	levels  [MaxDepth]level

	// defClass caches the class the default id names, so that
	// classification does not look it up per packet.
	defClass *class

	// index finds classes by minor (the hash keeps the dump order).
	index classIndex

	// blockUsers are the classes whose filter block was handed out: only
	// their blocks can hold filters.
	blockUsers []*class
}

// direct is the HTB_DIRECT verdict of classification.
var direct = &class{}

// Init starts an htb from TCA_HTB_INIT (htb_init). The parser gets no
// extack: errors carry no text, except offload's.
func (h *htb) Init(opt *nl.Attr, _ *sched.Ext) error {
	h.wd = h.q.NewWatchdog()
	if opt == nil {
		return syscall.EINVAL
	}
	h.block = sched.NewBlock(h.q)
	c, err := parseQdiscConfig(opt)
	if err != nil {
		return err
	}
	if c.offload {
		if h.q.Parent != tc.Root {
			return sched.Err(syscall.EOPNOTSUPP, "HTB must be the root qdisc to use offload")
		}
		// No netsched device offloads htb (no ndo_setup_tc).
		return sched.Err(syscall.EOPNOTSUPP, "hw-tc-offload ethtool feature flag must be on")
	}
	h.classes = sched.NewClassHash[*class]()
	if c.directQlen != nil {
		h.directQlen = *c.directQlen
	} else {
		h.directQlen = h.q.Dev().Link().TxQueueLen()
	}
	g := c.glob
	h.r2q = int32(g.Rate2Quantum)
	if h.r2q < 1 {
		h.r2q = 1
	}
	h.defcls = g.DefCls
	return nil
}

// Dump writes TCA_HTB_INIT and TCA_HTB_DIRECT_QLEN, and publishes the
// overlimit count in the qdisc's statistics first, as htb_dump does.
func (h *htb) Dump(b *nl.Builder) error {
	h.q.Qstats.Overlimits = h.overlimits
	g := Glob{Version: kernelVer, Rate2Quantum: uint32(h.r2q), DefCls: h.defcls, DirectPkts: h.directPkts}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_HTB_INIT, g.Append(make([]byte, 0, globLen)))
	b.PutU32(TCA_HTB_DIRECT_QLEN, h.directQlen)
	b.EndNest()
	return nil
}

// defaultID is the class unclassified packets go to.
func (h *htb) defaultID() tc.Handle { return tc.Make(uint32(h.q.Handle), h.defcls) }

// classify picks the leaf for p, direct, or nil with the verdict when an
// action took or dropped it (htb_classify).
func (h *htb) classify(p *pkt.Packet) (*class, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if prio == h.q.Handle {
		return direct, 0 // X:0 selects the direct queue
	}
	blk := h.block
	if cl := h.lookup(prio); cl != nil {
		if cl.level == 0 {
			return cl, 0
		}
		// An inner class: its own filters decide.
		blk = cl.block
	}
	verdict := sched.Success | sched.Bypass
	for hops := 0; blk != nil; {
		var res sched.Result
		v := blk.Classify(p, &res)
		if v < 0 {
			break
		}
		switch v {
		case sched.ActQueued, sched.ActStolen, sched.ActTrap:
			return nil, sched.Success | sched.Stolen
		case sched.ActShot:
			return nil, verdict
		}
		cl, _ := res.Class.(*class)
		if cl == nil {
			if res.ClassID == h.q.Handle {
				return direct, 0
			}
			if cl = h.lookup(res.ClassID); cl == nil {
				break // the filter named no class
			}
		}
		if cl.level == 0 {
			return cl, 0
		}
		if hops++; hops > MaxDepth {
			// "htb: classify loop detected, dropping packet"
			return nil, verdict
		}
		blk = cl.block
	}
	if cl := h.defClass; cl != nil && cl.level == 0 {
		return cl, 0
	}
	return direct, 0
}

// Enqueue classifies p and queues it in its leaf, or in the direct queue.
func (h *htb) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	cl, v := h.classify(p)
	switch {
	case cl == direct:
		if uint32(h.direct.Len) >= h.directQlen {
			return h.q.Drop(p)
		}
		h.direct.PushBack(p)
		h.directPkts++
	case cl == nil:
		if v&sched.Bypass != 0 {
			h.q.Qstats.Drops++
		}
		p.Free()
		return v
	default:
		if v = sched.Enqueue(cl.leaf, p); v != sched.Success {
			if v.IsDrop() {
				h.q.Qstats.Drops++
				cl.drops++
			}
			return v
		}
		h.activate(cl)
	}
	h.q.Qstats.Backlog += n
	h.q.QLen++
	return sched.Success
}

// Dequeue sends direct packets first, then serves the levels from the
// leaves up (htb_dequeue). When nothing may send, the watchdog is set for
// the earliest event.
func (h *htb) Dequeue() *pkt.Packet {
	if p := h.direct.PopFront(); p != nil {
		return h.sent(p)
	}
	if h.q.QLen == 0 {
		return nil
	}
	h.now = h.q.Now()
	nextEvent := h.now + 5e9
	for lv := 0; lv < MaxDepth; lv++ {
		event := h.nearEv[lv]
		if h.now >= event {
			event = h.doEvents(lv)
			if event == 0 {
				event = h.now + 1e9
			}
			h.nearEv[lv] = event
		}
		nextEvent = min(nextEvent, event)
		for m := h.rowMask[lv]; m != 0; m &= m - 1 {
			prio := lowestBit(m)
			if p := h.dequeueTree(prio, lv); p != nil {
				return h.sent(p)
			}
		}
	}
	// All due events were applied, so the next one is in the future.
	h.wd.ScheduleNs(nextEvent)
	return nil
}

func (h *htb) sent(p *pkt.Packet) *pkt.Packet {
	h.q.Bstats.Update(p)
	h.q.Qstats.Backlog -= p.PktLen
	h.q.QLen--
	return p
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (h *htb) Peek() *pkt.Packet { return h.q.PeekDequeued() }

// Reset empties every leaf and the direct queue and forgets all activity
// (htb_reset); configuration, tokens and statistics stay.
func (h *htb) Reset() {
	if h.classes == nil {
		return
	}
	h.classes.Walk(func(_ tc.Handle, cl *class) bool {
		if cl.level > 0 {
			cl.inner = &innerState{}
		} else if cl.leaf != nil {
			cl.leaf.Reset()
		}
		cl.prioActivity = 0
		cl.cmode = canSend
		for i := range cl.node {
			cl.node[i] = rbNode{cl: cl}
		}
		return true
	})
	h.wd.Cancel()
	purge(&h.direct)
	for i := range h.levels {
		h.levels[i].wait.clear()
		h.levels[i].prio = [NumPrio]prioState{}
	}
	h.rowMask = [MaxDepth]uint32{}
}

// Destroy releases the classes, their qdiscs and estimators (htb_destroy).
// The qdisc's filters go first, then the classes' (filters unbind from
// classes that must still exist), then the classes.
func (h *htb) Destroy() {
	if h.wd != nil {
		h.wd.Cancel()
	}
	n := h.q.Dev().Net()
	n.PutBlock(h.block)
	h.block = nil
	if h.classes != nil {
		h.classes.Walk(func(_ tc.Handle, cl *class) bool {
			n.PutBlock(cl.block)
			cl.block = nil
			return true
		})
		h.classes.Walk(func(_ tc.Handle, cl *class) bool {
			cl.destroy(n)
			return true
		})
	}
	purge(&h.direct)
}

// QlenNotify deactivates a leaf whose qdisc became empty outside a
// dequeue (htb_qlen_notify).
func (h *htb) QlenNotify(c sched.Class) { h.deactivate(c.(*class)) }

// Block gives the filter block of a class, or of the qdisc for nil.
func (h *htb) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c == nil {
		return h.block, nil
	}
	cl := c.(*class)
	if cl.blockUser < 0 {
		cl.blockUser = len(h.blockUsers)
		h.blockUsers = append(h.blockUsers, cl)
	}
	return cl.block, nil
}

// WalkBlockClasses visits the classes whose blocks may hold filters, so
// that rebinding filters after a class change does not visit every class.
func (h *htb) WalkBlockClasses(fn func(c sched.Class) bool) {
	for _, cl := range h.blockUsers {
		if !fn(cl) {
			return
		}
	}
}

// forgetBlockUser drops a deleted class from blockUsers.
func (h *htb) forgetBlockUser(cl *class) {
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

// BindFilter counts a filter that points at a class: such a class cannot be
// deleted (htb_bind_filter).
func (h *htb) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class {
	cl := h.find(classid)
	if cl == nil {
		return nil
	}
	cl.filterCnt++
	return cl
}

// UnbindFilter releases what BindFilter counted.
func (h *htb) UnbindFilter(c sched.Class) {
	if cl, ok := c.(*class); ok && cl != nil {
		cl.filterCnt--
	}
}

// newLeafQdisc makes a class's default qdisc: a pfifo under parent, or nil.
func (h *htb) newLeafQdisc(parent tc.Handle, ext *sched.Ext) *sched.Qdisc {
	return h.q.Dev().CreateDefault(h.q.Queue(), fifo.PFIFO, parent, ext)
}

// purge frees every packet of l.
func purge(l *pkt.List) {
	for p := l.PopFront(); p != nil; p = l.PopFront() {
		p.Free()
	}
}
