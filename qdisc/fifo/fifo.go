// Package fifo holds the three first-in first-out qdiscs: pfifo (a limit in
// packets), bfifo (a limit in bytes) and pfifo_head_drop (a limit in
// packets that drops the oldest packet to make room), as sch_fifo.c.
package fifo

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

type mode uint8

const (
	packets mode = iota
	bytes
	headDrop
)

// fifo is one instance; limit is in packets or bytes by mode.
type fifo struct {
	q     *sched.Qdisc
	mode  mode
	limit uint32
}

var (
	_ sched.Changer = (*fifo)(nil)
	_ sched.Dumper  = (*fifo)(nil)
)

func newKind(id string, m mode, syn syntax) *sched.Kind {
	return &sched.Kind{
		ID:     id,
		New:    func(q *sched.Qdisc) sched.Discipline { return &fifo{q: q, mode: m} },
		Syntax: syn,
	}
}

// The kinds.
var (
	PFIFO         = newKind("pfifo", packets, syntax{id: "pfifo"})
	BFIFO         = newKind("bfifo", bytes, syntax{id: "bfifo", bytes: true})
	PFIFOHeadDrop = newKind("pfifo_head_drop", headDrop, syntax{id: "pfifo_head_drop"})
)

func (f *fifo) Enqueue(p *pkt.Packet) sched.Verdict {
	q := f.q
	switch f.mode {
	case bytes:
		if q.Backlog()+p.PktLen <= f.limit {
			return q.EnqueueTail(p)
		}
		return q.Drop(p)
	case headDrop:
		if f.limit == 0 {
			return q.Drop(p)
		}
		if uint32(q.QLen) < f.limit {
			return q.EnqueueTail(p)
		}
		// Full: the oldest packet makes room, and the parents learn
		// that bytes left without a dequeue.
		prev := q.Backlog()
		q.DropHead()
		q.EnqueueTail(p)
		q.TreeReduceBacklog(0, int(prev)-int(q.Backlog()))
		return sched.CN
	default:
		if uint32(q.QLen) < f.limit {
			return q.EnqueueTail(p)
		}
		return q.Drop(p)
	}
}

func (f *fifo) Dequeue() *pkt.Packet { return f.q.DequeueHead() }
func (f *fifo) Peek() *pkt.Packet    { return f.q.PeekHead() }
func (f *fifo) Reset()               { f.q.ResetList() }

// Init sets the limit: from the options, or the device's txqueuelen (times
// its MTU and header for bfifo), as __fifo_init does.
func (f *fifo) Init(opt *nl.Attr, _ *sched.Ext) error {
	if opt == nil {
		link := f.q.Dev().Link()
		limit := link.TxQueueLen()
		if f.mode == bytes {
			limit *= link.MTU() + link.HardHeaderLen()
		}
		f.limit = limit
		return nil
	}
	c, err := decode(opt.Data)
	if err != nil {
		return err
	}
	f.limit = c.Limit
	return nil
}

// Change is Init with new options, as in the kernel.
func (f *fifo) Change(opt *nl.Attr, ext *sched.Ext) error { return f.Init(opt, ext) }

func (f *fifo) Dump(b *nl.Builder) error {
	b.Put(sched.TCA_OPTIONS, encode(Config{Limit: f.limit}))
	return nil
}

// Limit returns the limit, in packets or bytes.
func Limit(q *sched.Qdisc) uint32 { return q.Discipline.(*fifo).limit }
