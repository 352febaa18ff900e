// Package hfsc is the hierarchical fair service curve scheduler
// (sch_hfsc.c, after Stoica, Zhang and Ng, SIGCOMM '97, by way of ALTQ).
// Classes form a tree under a root class (the qdisc's own id); leaves hold
// packets. A class may have a real-time curve (rt): a guarantee of service
// over time with a delay bound, served by earliest deadline among the
// classes whose eligible time has come; a link-sharing curve (ls): its
// share of what real time leaves, served by smallest virtual time down the
// tree; and an upper-limit curve (ul) that caps link sharing by a fit time.
//
// Flow of a packet:
//
//	Enqueue: classify (skb->priority naming a leaf, the filters of the
//	root and of inner classes, else the default class) -> the leaf's qdisc
//	-> a leaf that becomes backlogged gets its eligible time and deadline
//	(rt) and joins its parents' virtual-time trees (ls).
//	Dequeue: the eligible rt class with the earliest deadline; else the
//	leaf reached by smallest fit virtual time from the root; else arm the
//	watchdog for the next eligible or fit time. The packet is charged to
//	the class's curves and its ancestors' virtual times.
//
// Times are psched ticks (64 ns) as in the kernel; the curve arithmetic is
// the kernel's fixed point (curve.go).
package hfsc

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is hfsc.
var Kind = &sched.Kind{
	ID:     "hfsc",
	New:    func(q *sched.Qdisc) sched.Discipline { return &hfsc{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Classful         = (*hfsc)(nil)
	_ sched.ClassChanger     = (*hfsc)(nil)
	_ sched.ClassDeleter     = (*hfsc)(nil)
	_ sched.ClassStatsDumper = (*hfsc)(nil)
	_ sched.QlenNotifier     = (*hfsc)(nil)
	_ sched.BlockOwner       = (*hfsc)(nil)
	_ sched.FilterBinder     = (*hfsc)(nil)
	_ sched.ClassBlockWalker = (*hfsc)(nil)
	_ sched.Changer          = (*hfsc)(nil)
	_ sched.Dumper           = (*hfsc)(nil)
	_ sched.Destroyer        = (*hfsc)(nil)
)

// hfsc is struct hfsc_sched.
type hfsc struct {
	q        *sched.Qdisc
	defcls   uint16
	root     class
	classes  *sched.ClassHash[*class]
	eligible tree // backlogged rt classes by eligible time
	wd       *sched.Watchdog

	// blockUsers are the classes whose filter block was handed out: with
	// the root, the only blocks that can hold filters.
	blockUsers []*class
}

// now is psched_get_time: the clock in ticks.
func (h *hfsc) now() uint64 { return uint64(h.q.Now()) >> pschedShift }

// Init reads the default class and makes the root class, with a pfifo of
// its own (hfsc_init_qdisc).
func (h *hfsc) Init(opt *nl.Attr, _ *sched.Ext) error {
	h.wd = h.q.NewWatchdog()
	h.eligible.aug = augD
	if opt == nil || len(opt.Data) < qoptLen {
		return syscall.EINVAL
	}
	o, _ := DecodeQopt(opt.Data)
	h.defcls = o.DefCls
	h.classes = sched.NewClassHash[*class]()
	h.root.init(h, h.q.Handle)
	h.root.block = h.q.Dev().Net().GetBlock(0, h.q)
	h.root.leaf = h.newLeaf(h.q.Handle)
	h.classes.Insert(h.root.id, &h.root)
	h.classes.Grow()
	return nil
}

// newLeaf makes a class's pfifo, in the device's hash but hidden, or noop.
func (h *hfsc) newLeaf(id tc.Handle) *sched.Qdisc {
	q := h.q.Dev().CreateDefault(h.q.Queue(), fifo.PFIFO, id, nil)
	if q == nil {
		return sched.NoopQdisc()
	}
	h.q.Dev().HashAdd(q, true)
	return q
}

// Change sets the default class (hfsc_change_qdisc).
func (h *hfsc) Change(opt *nl.Attr, _ *sched.Ext) error {
	if opt == nil || len(opt.Data) < qoptLen {
		return syscall.EINVAL
	}
	o, _ := DecodeQopt(opt.Data)
	h.defcls = o.DefCls
	return nil
}

// Dump writes tc_hfsc_qopt.
func (h *hfsc) Dump(b *nl.Builder) error {
	b.Put(sched.TCA_OPTIONS, Qopt{DefCls: h.defcls}.Append(make([]byte, 0, qoptLen)))
	return nil
}

// maxHops bounds classification through inner classes' filters, which
// only point downwards unless classes moved since the filters bound.
const maxHops = 1 << 16

// classify picks p's leaf, or nil with the verdict enqueue returns
// (hfsc_classify).
func (h *hfsc) classify(p *pkt.Packet) (*class, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if (prio ^ h.q.Handle).Maj() == 0 {
		if cl := h.find(prio); cl != nil && cl.level == 0 {
			return cl, 0
		}
	}
	const verdict = sched.Success | sched.Bypass
	head := &h.root
	for hops := 0; hops < maxHops; hops++ {
		var res sched.Result
		v := head.block.Classify(p, &res)
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
			if cl = h.find(res.ClassID); cl == nil {
				break // the filter named no class
			}
			if cl.level >= head.level {
				break // filters may only point downwards
			}
		}
		if cl.level == 0 {
			return cl, 0
		}
		head = cl // on to the inner class's filters
	}
	cl := h.find(tc.Make(uint32(h.q.Handle), uint32(h.defcls)))
	if cl == nil || cl.level > 0 {
		return nil, verdict
	}
	return cl, 0
}

// Enqueue queues p in its leaf. A leaf that was empty and is in neither
// the eligible tree nor a vt tree starts a backlog period; the test keeps a
// child that enqueues more than once per call (netem's duplicates) from
// inserting the class twice.
func (h *hfsc) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	cl, v := h.classify(p)
	if cl == nil {
		if v&sched.Bypass != 0 {
			h.q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	first := cl.leaf.QLen == 0
	if v = sched.Enqueue(cl.leaf, p); v != sched.Success {
		if v.IsDrop() {
			cl.drops++
			h.q.Qstats.Drops++
		}
		return v
	}
	h.q.Qstats.Backlog += n
	h.q.QLen++
	if first && !cl.inElOrVtTree() {
		if cl.flags&hasRSC != 0 {
			h.initED(cl, n)
		}
		if cl.flags&hasFSC != 0 {
			h.initVF(cl, n)
		}
		// Isolate the head so that a head drop before the first
		// dequeue cannot invalidate the deadline.
		if cl.flags&hasRSC != 0 {
			cl.leaf.Peek()
		}
	}
	return sched.Success
}

// Dequeue sends by real-time criteria when a class is eligible, else by
// link sharing; with neither, the watchdog waits for the next eligible or
// fit time (hfsc_dequeue).
func (h *hfsc) Dequeue() *pkt.Packet {
	if h.q.QLen == 0 {
		return nil
	}
	cur := h.now()
	realtime := true
	cl := h.minDeadline(cur)
	if cl == nil {
		realtime = false
		if cl = h.root.minVT(cur); cl == nil {
			h.q.Qstats.Overlimits++
			h.scheduleWatchdog()
			return nil
		}
	}
	p := cl.leaf.DequeuePeeked()
	if p == nil {
		return nil // a child that is not work-conserving
	}
	cl.bstats.Update(p)
	h.updateVF(cl, p.PktLen)
	if realtime {
		cl.cumul += uint64(p.PktLen)
	}
	if cl.flags&hasRSC != 0 {
		if cl.leaf.QLen != 0 {
			next := peekLen(cl.leaf)
			// The peek may have emptied the queue (netem, codel).
			if cl.leaf.QLen != 0 {
				if realtime {
					h.updateED(cl, next)
				} else {
					cl.updateD(next)
				}
			}
		} else {
			h.eltreeRemove(cl) // the class becomes passive
		}
	}
	h.q.Bstats.Update(p)
	h.q.Qstats.Backlog -= p.PktLen
	h.q.QLen--
	return p
}

// scheduleWatchdog arms the watchdog for the earliest eligible time or the
// root's earliest fit time (hfsc_schedule_watchdog).
func (h *hfsc) scheduleWatchdog() {
	var next uint64
	if n := h.eligible.first(); n != nil {
		next = n.cl.e
	}
	if cf := h.root.cfmin; cf != 0 && (next == 0 || next > cf) {
		next = cf
	}
	if next != 0 {
		h.wd.ScheduleNs(int64(next << pschedShift))
	}
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (h *hfsc) Peek() *pkt.Packet { return h.q.PeekDequeued() }

// peekLen is qdisc_peek_len.
func peekLen(q *sched.Qdisc) uint32 {
	if p := q.Peek(); p != nil {
		return p.PktLen
	}
	return 0
}

// Reset empties every class and forgets all times (hfsc_reset_qdisc).
// Unlike the kernel, which leaves the classes' eligible-tree links as
// they were (so that a class backlogged at the reset looks queued ever
// after), the links are cleared too.
func (h *hfsc) Reset() {
	if h.classes == nil {
		return
	}
	h.classes.Walk(func(_ tc.Handle, cl *class) bool {
		cl.reset()
		return true
	})
	h.eligible.clear()
	h.wd.Cancel()
}

// Destroy releases the blocks first, then the classes (hfsc_destroy_qdisc).
func (h *hfsc) Destroy() {
	if h.wd != nil {
		h.wd.Cancel()
	}
	if h.classes == nil {
		return
	}
	h.classes.Walk(func(_ tc.Handle, cl *class) bool {
		h.q.Dev().Net().PutBlock(cl.block)
		cl.block = nil
		return true
	})
	h.classes.Walk(func(_ tc.Handle, cl *class) bool {
		cl.destroy()
		return true
	})
}
