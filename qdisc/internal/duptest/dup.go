// Package duptest is a test qdisc that does what netem's duplicate does to
// its parents: for each packet it queues, it hands a copy to the root of
// its tree, from inside its own enqueue. The classful kinds' guards
// against that reentrant enqueue (a class must not be activated twice) are
// tested with it, since netem itself is not built in yet.
package duptest

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/std"
)

// Kind is "dup": a fifo that duplicates every packet once to the root.
var Kind = &sched.Kind{
	ID:  "dup",
	New: func(q *sched.Qdisc) sched.Discipline { return &dup{q: q} },
}

type dup struct {
	q *sched.Qdisc
	// inDup keeps a duplicate from being duplicated again, as netem
	// clears q->duplicate around its call.
	inDup bool
}

func (d *dup) Init(*nl.Attr, *sched.Ext) error { return nil }

// Enqueue sends a copy of p through the root's enqueue, then queues p,
// in netem's order: the parent's enqueue sees this qdisc empty before the
// call and not after.
func (d *dup) Enqueue(p *pkt.Packet) sched.Verdict {
	if !d.inDup {
		d.inDup = true
		c := p.Clone()
		root := d.q.Root()
		if v := root.Discipline.Enqueue(c); v != sched.Success {
			_ = v // counted by the root as a drop, if it was one
		}
		d.inDup = false
	}
	d.q.EnqueueTail(p)
	return sched.Success
}

func (d *dup) Dequeue() *pkt.Packet { return d.q.DequeueHead() }
func (d *dup) Peek() *pkt.Packet    { return d.q.PeekHead() }
func (d *dup) Reset()               { d.q.ResetList() }

// Registry is the built-in kinds and dup.
func Registry() *sched.Registry {
	r := std.Registry()
	r.AddQdisc(Kind)
	return r
}
