package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// noop is the builtin qdisc of a device that is down or has nothing
// attached: it drops whatever it is given (noop_qdisc). There is one, shared
// and never written to.
type noop struct{}

func (noop) Init(*nl.Attr, *Ext) error { return nil }
func (noop) Enqueue(p *pkt.Packet) Verdict {
	p.Free()
	return CN
}
func (noop) Dequeue() *pkt.Packet { return nil }
func (noop) Peek() *pkt.Packet    { return nil }
func (noop) Reset()               {}

var noopKind = &Kind{ID: "noop", New: func(*Qdisc) Discipline { return noop{} }}

var noopQdisc = &Qdisc{Discipline: noop{}, kind: noopKind, Flags: Builtin, refcnt: 1}

// noqueue is the qdisc of virtual devices: the root hands packets straight to
// the driver (noqueue_qdisc_ops, whose init clears enqueue). Below a class
// it is refused ("Cannot assign noqueue to a class").
type noqueue struct{ noop }

// NoQueue is the noqueue kind. It is registered like any kind (tc can name
// it); the core uses it for devices with IFF_NO_QUEUE.
var NoQueue = &Kind{
	ID:    "noqueue",
	Flags: KindNoQueue,
	New:   func(*Qdisc) Discipline { return noqueue{} },
}
