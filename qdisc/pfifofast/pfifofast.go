// Package pfifofast is pfifo_fast, the default qdisc of a queueing device:
// three FIFO bands picked by the packet's priority through a fixed map,
// dequeued strictly in band order, each band holding up to txqueuelen
// packets (sch_generic.c).
package pfifofast

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/sched"
)

const bands = 3

// prio2band maps skb->priority & 15 to a band.
var prio2band = [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}

type pfifoFast struct {
	q    *sched.Qdisc
	band [bands]pkt.List
	cap  int // per band: txqueuelen when created
}

var (
	_ sched.TxQueueLenChanger = (*pfifoFast)(nil)
	_ sched.Dumper            = (*pfifoFast)(nil)
)

// Kind is pfifo_fast. Its tc face is prio's: tc parses and prints it with
// the prio syntax, and the kernel ignores the options.
var Kind = &sched.Kind{
	ID:     "pfifo_fast",
	New:    func(q *sched.Qdisc) sched.Discipline { return &pfifoFast{q: q} },
	Syntax: syntax{},
}

// Init sizes the bands from the device's txqueuelen; a device with a
// txqueuelen of 0 cannot have one (EINVAL). Options are ignored, as in the
// kernel.
func (f *pfifoFast) Init(*nl.Attr, *sched.Ext) error {
	n := f.q.Dev().Link().TxQueueLen()
	if n == 0 {
		return syscall.EINVAL
	}
	f.cap = int(n)
	return nil
}

func (f *pfifoFast) Enqueue(p *pkt.Packet) sched.Verdict {
	b := &f.band[prio2band[p.Priority&15]]
	if b.Len >= f.cap {
		return f.q.Drop(p)
	}
	b.PushBack(p)
	f.q.QLen++
	f.q.Qstats.Backlog += p.PktLen
	return sched.Success
}

func (f *pfifoFast) Dequeue() *pkt.Packet {
	for i := range f.band {
		if p := f.band[i].PopFront(); p != nil {
			f.q.QLen--
			f.q.Qstats.Backlog -= p.PktLen
			f.q.Bstats.Update(p)
			return p
		}
	}
	return nil
}

func (f *pfifoFast) Peek() *pkt.Packet {
	for i := range f.band {
		if p := f.band[i].Head; p != nil {
			return p
		}
	}
	return nil
}

func (f *pfifoFast) Reset() {
	for i := range f.band {
		for p := f.band[i].PopFront(); p != nil; p = f.band[i].PopFront() {
			p.Free()
		}
	}
	f.q.QLen = 0
	f.q.Qstats.Backlog = 0
}

// ChangeTxQueueLen resizes the bands (pfifo_fast_change_tx_queue_len);
// packets beyond the new size stay until dequeued.
func (f *pfifoFast) ChangeTxQueueLen(n uint32) error {
	if n == 0 {
		return syscall.EINVAL
	}
	f.cap = int(n)
	return nil
}

func (f *pfifoFast) Dump(b *nl.Builder) error {
	c := prio.Config{Bands: bands, Priomap: prio2band}
	b.Put(sched.TCA_OPTIONS, c.Encode())
	return nil
}
