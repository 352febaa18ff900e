// Package qfq is Quick Fair Queueing Plus (sch_qfq.c; Checconi, Rizzo,
// Valente; QFQ+ by Valente): weighted fair queueing with O(1) cost per
// packet. Classes of equal weight and maximum packet length (lmax) form
// aggregates; each aggregate has virtual start and finish times S and F,
// and lives in one of 25 groups by its slot size (about lmax·classes /
// weight, a power of two). Groups are ready or blocked, eligible or not,
// kept in four bitmaps; the scheduler serves the aggregate with the lowest
// finish time among the eligible ones, and the classes of an aggregate
// share its budget by deficit round robin.
//
// Flow of a packet:
//
//	Enqueue: classify (skb->priority naming a class, else the filters) ->
//	move the class to a bigger aggregate if the packet exceeds its lmax ->
//	the class's qdisc -> a class that becomes active joins its aggregate's
//	list; an aggregate that becomes active gets timestamps and a slot.
//	Dequeue: serve the aggregate in service while its budget covers the
//	next packet; else charge it, reschedule it and choose the next one
//	(lowest ready eligible group, front slot). V advances by len/wsum.
package qfq

import (
	"math/bits"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is qfq.
var Kind = &sched.Kind{
	ID:     "qfq",
	New:    func(q *sched.Qdisc) sched.Discipline { return &qfq{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Classful         = (*qfq)(nil)
	_ sched.ClassChanger     = (*qfq)(nil)
	_ sched.ClassDeleter     = (*qfq)(nil)
	_ sched.ClassStatsDumper = (*qfq)(nil)
	_ sched.QlenNotifier     = (*qfq)(nil)
	_ sched.BlockOwner       = (*qfq)(nil)
	_ sched.FilterBinder     = (*qfq)(nil)
	_ sched.Destroyer        = (*qfq)(nil)
	_ sched.ClassBlockWalker = (*qfq)(nil)
)

// qfq is struct qfq_sched.
type qfq struct {
	q       *sched.Qdisc
	block   *sched.Block
	classes *sched.ClassHash[*class]

	oldV, V uint64 // precise virtual times
	inServ  *agg   // aggregate in service
	wsum    uint32 // sum of the weights
	iwsum   uint32 // ONE_FP / wsum

	bitmaps       [numStates]uint64
	groups        [MaxIndex + 1]group
	minSlotShift  uint32 // the bit of group 0 in the bitmaps
	maxAggClasses uint32
	nonfull       *agg // aggregates with room for more classes
}

// Init sizes the groups for the device's queue length (qfq_init_qdisc):
// an aggregate holds up to min(txqueuelen+1, 8) classes, rounded down to a
// power of two.
func (s *qfq) Init(_ *nl.Attr, _ *sched.Ext) error {
	s.block = s.q.Dev().Net().GetBlock(0, s.q)
	s.classes = sched.NewClassHash[*class]()
	maxClasses := min(uint64(s.q.Dev().Link().TxQueueLen())+1, MaxAggClasses)
	shift := uint32(bits.Len64(maxClasses) - 1)
	s.maxAggClasses = 1 << shift
	s.minSlotShift = fracBits + MTUShift + shift - MaxIndex
	for i := range s.groups {
		s.groups[i].index = uint32(i)
		s.groups[i].slotShift = s.minSlotShift + uint32(i)
	}
	return nil
}

// classify picks p's class, or nil with the verdict enqueue returns
// (qfq_classify).
func (s *qfq) classify(p *pkt.Packet) (*class, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if (prio ^ s.q.Handle).Maj() == 0 {
		if cl, ok := s.classes.Find(prio); ok {
			return cl, 0
		}
	}
	var res sched.Result
	v := s.block.Classify(p, &res)
	if v < 0 {
		return nil, sched.Success | sched.Bypass
	}
	switch v {
	case sched.ActQueued, sched.ActStolen, sched.ActTrap:
		return nil, sched.Success | sched.Stolen
	case sched.ActShot:
		return nil, sched.Success | sched.Bypass
	}
	if cl, ok := res.Class.(*class); ok && cl != nil {
		return cl, 0
	}
	cl, _ := s.classes.Find(res.ClassID)
	return cl, sched.Success | sched.Bypass
}

// Enqueue queues p in its class (qfq_enqueue). The class is counted as
// sending here, at enqueue, as the kernel counts it. A class already
// active only moves to the tail of its aggregate when p became its head
// and its deficit cannot cover it, which is what a child enqueueing more
// than once per call (netem's duplicates) can bring about.
func (s *qfq) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	cl, v := s.classify(p)
	if cl == nil {
		if v&sched.Bypass != 0 {
			s.q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	if cl.agg.lmax < n {
		if err := s.changeAgg(cl, cl.agg.classWeight, n); err != nil {
			cl.drops++
			return s.q.Drop(p)
		}
	}
	if v = sched.Enqueue(cl.leaf, p); v != sched.Success {
		if v.IsDrop() {
			cl.drops++
			s.q.Qstats.Drops++
		}
		return v
	}
	cl.bstats.Bytes += uint64(n)
	cl.bstats.Packets++
	s.q.Qstats.Backlog += n
	s.q.QLen++

	a := cl.agg
	if cl.isActive() {
		if p == cl.leaf.Peek() && a.firstActive() == cl && uint32(cl.deficit) < n {
			cl.unlink()
			a.pushActive(cl)
		}
		return sched.Success
	}
	cl.deficit = int32(a.lmax)
	a.pushActive(cl)
	if a.firstActive() != cl || s.inServ == a {
		return sched.Success
	}
	s.activate(a, onEnqueue)
	return sched.Success
}

// peekLen is qdisc_peek_len.
func peekLen(q *sched.Qdisc) uint32 {
	if p := q.Peek(); p != nil {
		return p.PktLen
	}
	return 0
}

// peekHead returns the head packet of the aggregate's first active class.
func (a *agg) peekHead() (*class, *pkt.Packet) {
	cl := a.active.next
	return cl, cl.leaf.Peek()
}

// dequeueFrom sends the head packet of cl, which moves to the tail of the
// aggregate's list when its deficit no longer covers its next packet
// (agg_dequeue).
func (a *agg) dequeueFrom(cl *class, n uint32) *pkt.Packet {
	p := cl.leaf.DequeuePeeked()
	if p == nil {
		return nil
	}
	cl.deficit -= int32(n)
	if cl.leaf.QLen == 0 {
		cl.unlink()
	} else if uint32(cl.deficit) < peekLen(cl.leaf) {
		cl.deficit += int32(a.lmax)
		cl.unlink()
		a.pushActive(cl)
	}
	return p
}

// Dequeue serves the aggregate in service while its budget covers its
// next packet, then chooses the next (qfq_dequeue).
func (s *qfq) Dequeue() *pkt.Packet {
	a := s.inServ
	if a == nil {
		return nil
	}
	var cl *class
	var p *pkt.Packet
	var n uint32 // next packet's length; 0: nothing active in a
	if a.firstActive() != nil {
		if cl, p = a.peekHead(); p != nil {
			n = p.PktLen
		}
	}
	if n == 0 || a.budget < n {
		a.chargeActualService()
		a.initialBudget, a.budget = a.budgetmax, a.budgetmax
		if a.firstActive() != nil {
			// Still active: reschedule.
			s.updateTimestamps(a, onRequeue)
			s.schedule(a)
		} else if s.q.QLen == 0 {
			s.inServ = nil
			return nil
		}
		a = s.chooseNext()
		s.inServ = a
		if a == nil {
			return nil
		}
		if cl, p = a.peekHead(); p != nil {
			n = p.PktLen
		}
	}
	if p == nil {
		return nil // a child that is not work-conserving
	}
	s.q.QLen--
	if p = a.dequeueFrom(cl, n); p == nil {
		s.q.QLen++
		return nil
	}
	s.q.Qstats.Backlog -= p.PktLen
	s.q.Bstats.Update(p)
	// lmax may have been lowered below a queued packet's size.
	if a.budget < n {
		a.budget = 0
	} else {
		a.budget -= n
	}
	s.V += uint64(n) * uint64(s.iwsum)
	return p
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (s *qfq) Peek() *pkt.Packet { return s.q.PeekDequeued() }

// Reset empties the classes and deschedules everything (qfq_reset_qdisc).
func (s *qfq) Reset() {
	if s.classes == nil {
		return
	}
	s.classes.Walk(func(_ tc.Handle, cl *class) bool {
		if cl.isActive() {
			s.deactivateClass(cl)
		}
		cl.leaf.Reset()
		return true
	})
}

// Destroy releases the block and the classes (qfq_destroy_qdisc).
func (s *qfq) Destroy() {
	s.q.Dev().Net().PutBlock(s.block)
	if s.classes == nil {
		return
	}
	s.classes.Walk(func(_ tc.Handle, cl *class) bool {
		s.rmFromAgg(cl)
		cl.destroy()
		return true
	})
}

// QlenNotify deactivates a class whose qdisc emptied outside a dequeue
// (qfq_qlen_notify).
func (s *qfq) QlenNotify(c sched.Class) {
	if cl := c.(*class); cl.isActive() {
		s.deactivateClass(cl)
	}
}
