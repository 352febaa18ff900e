// Package drr is deficit round robin (sch_drr.c, after Shreedhar and
// Varghese): classes, each with a child qdisc (pfifo by default) and a
// quantum of bytes, served in turn; a class sends while its deficit covers
// its head packet, and earns another quantum when it does not.
//
// Flow of a packet:
//
//	Enqueue: classify (skb->priority naming one of drr's classes, else the
//	qdisc's filters) -> the class's qdisc -> a class that was not active
//	joins the tail of the active list with a full quantum of deficit.
//	Dequeue: peek the head class's packet; if the deficit covers it, send
//	it (the class leaves the list when empty), else add a quantum and move
//	the class to the tail.
package drr

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is drr.
var Kind = &sched.Kind{
	ID:     "drr",
	New:    func(q *sched.Qdisc) sched.Discipline { return &drr{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Classful         = (*drr)(nil)
	_ sched.ClassChanger     = (*drr)(nil)
	_ sched.ClassDeleter     = (*drr)(nil)
	_ sched.ClassStatsDumper = (*drr)(nil)
	_ sched.QlenNotifier     = (*drr)(nil)
	_ sched.BlockOwner       = (*drr)(nil)
	_ sched.FilterBinder     = (*drr)(nil)
	_ sched.Destroyer        = (*drr)(nil)
	_ sched.ClassBlockWalker = (*drr)(nil)
)

type drr struct {
	q       *sched.Qdisc
	classes *sched.ClassHash[*class]
	block   *sched.Block
	// active is the sentinel of the circular list of classes with
	// packets (struct list_head active).
	active class
}

// Init makes the qdisc's filter block and empty class table (drr_init_qdisc);
// drr takes no options.
func (d *drr) Init(_ *nl.Attr, _ *sched.Ext) error {
	d.block = d.q.Dev().Net().GetBlock(0, d.q)
	d.classes = sched.NewClassHash[*class]()
	d.active.prev, d.active.next = &d.active, &d.active
	return nil
}

// classify picks p's class, or nil with the verdict enqueue returns
// (drr_classify): a priority naming one of our classes wins, then the
// filters.
func (d *drr) classify(p *pkt.Packet) (*class, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if (prio ^ d.q.Handle).Maj() == 0 {
		if cl, ok := d.classes.Find(prio); ok {
			return cl, 0
		}
	}
	var res sched.Result
	v := d.block.Classify(p, &res)
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
	cl, _ := d.classes.Find(res.ClassID)
	return cl, sched.Success | sched.Bypass
}

// Enqueue queues p in its class's qdisc. A class joins the active list
// only if it is not on it: a child that enqueues more than once per call
// (netem's duplicates reaching the root again) must not link it twice.
func (d *drr) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	cl, v := d.classify(p)
	if cl == nil {
		if v&sched.Bypass != 0 {
			d.q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	if v = sched.Enqueue(cl.leaf, p); v != sched.Success {
		if v.IsDrop() {
			cl.drops++
			d.q.Qstats.Drops++
		}
		return v
	}
	if !cl.isActive() {
		d.pushActive(cl)
		cl.deficit = cl.quantum
	}
	d.q.Qstats.Backlog += n
	d.q.QLen++
	return sched.Success
}

// Dequeue serves the head of the active list (drr_dequeue).
func (d *drr) Dequeue() *pkt.Packet {
	for {
		cl := d.active.next
		if cl == &d.active {
			return nil
		}
		p := cl.leaf.Peek()
		if p == nil {
			// A child that is not work-conserving
			// (qdisc_warn_nonwc): nothing this round.
			return nil
		}
		if n := p.PktLen; n <= cl.deficit {
			cl.deficit -= n
			if p = cl.leaf.DequeuePeeked(); p == nil {
				return nil
			}
			if cl.leaf.QLen == 0 {
				cl.unlink()
			}
			cl.bstats.Update(p)
			d.q.Bstats.Update(p)
			d.q.Qstats.Backlog -= p.PktLen
			d.q.QLen--
			return p
		}
		cl.deficit += cl.quantum
		cl.unlink()
		d.pushActive(cl)
	}
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (d *drr) Peek() *pkt.Packet { return d.q.PeekDequeued() }

// Reset empties every class and the active list (drr_reset_qdisc).
func (d *drr) Reset() {
	if d.classes == nil {
		return
	}
	d.classes.Walk(func(_ tc.Handle, cl *class) bool {
		if cl.leaf.QLen != 0 {
			cl.unlink()
		}
		cl.leaf.Reset()
		return true
	})
}

// Destroy releases the filter block, then the classes (drr_destroy_qdisc).
func (d *drr) Destroy() {
	d.q.Dev().Net().PutBlock(d.block)
	if d.classes == nil {
		return
	}
	d.classes.Walk(func(_ tc.Handle, cl *class) bool {
		cl.destroy()
		return true
	})
}

// QlenNotify takes a class whose qdisc emptied outside a dequeue off the
// active list; it may come more than once (drr_qlen_notify).
func (d *drr) QlenNotify(c sched.Class) { c.(*class).unlink() }

func (d *drr) pushActive(cl *class) {
	last := d.active.prev
	cl.prev, cl.next = last, &d.active
	last.next = cl
	d.active.prev = cl
}
