// Package ets is Enhanced Transmission Selection (sch_ets.c, 802.1Qaz):
// prio and drr in one qdisc. Of its bands (classes 1..bands, which exist
// with the qdisc and change only with it), the first `strict` are served
// in strict priority order; the rest share what is left by deficit round
// robin, each with its quantum.
//
// Flow of a packet:
//
//	Enqueue: classify (skb->priority naming a band of this qdisc, the
//	filters, else the priority map) -> the band's qdisc -> a sharing band
//	that was not active joins the tail of the active list with a quantum
//	of deficit.
//	Dequeue: the strict bands in order; then the head of the active list,
//	as drr serves it.
package ets

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is ets.
var Kind = &sched.Kind{
	ID:     "ets",
	New:    func(q *sched.Qdisc) sched.Discipline { return &ets{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Classful         = (*ets)(nil)
	_ sched.ClassChanger     = (*ets)(nil)
	_ sched.ClassStatsDumper = (*ets)(nil)
	_ sched.QlenNotifier     = (*ets)(nil)
	_ sched.BlockOwner       = (*ets)(nil)
	_ sched.FilterBinder     = (*ets)(nil)
	_ sched.Changer          = (*ets)(nil)
	_ sched.Dumper           = (*ets)(nil)
	_ sched.Destroyer        = (*ets)(nil)
	_ sched.ClassBlockWalker = (*ets)(nil)
)

// band is a class: its number, 1-based as the minor of its class id.
type band int

// class is one band's state (struct ets_class).
type class struct {
	idx     int // band number, 0-based
	leaf    *sched.Qdisc
	quantum uint32 // bytes; 0 for a strict band
	deficit uint32
	drops   uint32 // counted, never dumped: stats come from the band's qdisc
	// prev and next link the band into the active list; next is nil
	// while it is off it.
	prev, next *class
}

type ets struct {
	q        *sched.Qdisc
	block    *sched.Block
	nbands   int
	nstrict  int
	prio2bnd [PrioMax + 1]uint8
	classes  [MaxBands]class
	active   class // sentinel of the circular active list
}

func (cl *class) isActive() bool { return cl.next != nil }

// unlink is list_del_init.
func (cl *class) unlink() {
	if cl.next == nil {
		return
	}
	cl.prev.next = cl.next
	cl.next.prev = cl.prev
	cl.prev, cl.next = nil, nil
}

func (e *ets) pushActive(cl *class) {
	last := e.active.prev
	cl.prev, cl.next = last, &e.active
	last.next = cl
	e.active.prev = cl
}

func (e *ets) isStrict(i int) bool { return i < e.nstrict }

// Init needs options (ets_qdisc_init).
func (e *ets) Init(opt *nl.Attr, ext *sched.Ext) error {
	e.active.prev, e.active.next = &e.active, &e.active
	for i := range e.classes {
		e.classes[i].idx = i
	}
	if opt == nil {
		return syscall.EINVAL
	}
	e.block = e.q.Dev().Net().GetBlock(0, e.q)
	return e.change(opt, ext)
}

// Change takes new options in place (ets_qdisc_change).
func (e *ets) Change(opt *nl.Attr, ext *sched.Ext) error { return e.change(opt, ext) }

func (e *ets) pschedMTU() uint32 {
	l := e.q.Dev().Link()
	return l.MTU() + l.HardHeaderLen()
}

// change applies a configuration: new bands get pfifo children (hidden
// from dumps), dropped bands are flushed and released, bands turning from
// strict to sharing join the active list if they hold packets.
func (e *ets) change(opt *nl.Attr, ext *sched.Ext) error {
	c, err := DecodeConfig(opt, e.pschedMTU())
	if err != nil {
		return err
	}
	old := e.nbands
	var made [MaxBands]*sched.Qdisc
	// Make every new qdisc before changing anything.
	for i := old; i < c.Bands; i++ {
		made[i] = e.q.Dev().CreateDefault(e.q.Queue(), fifo.PFIFO, e.classID(i), ext)
		if made[i] == nil {
			for j := old; j < i; j++ {
				made[j].Put()
			}
			return syscall.ENOMEM
		}
	}
	for i := c.Bands; i < old; i++ {
		e.classes[i].unlink()
		e.classes[i].leaf.PurgeQueue()
	}
	e.nbands = c.Bands
	for i := c.Strict; i < e.nstrict; i++ {
		if cl := &e.classes[i]; cl.leaf.QLen != 0 {
			e.pushActive(cl)
			cl.deficit = c.Quanta[i]
		}
	}
	for i := e.nstrict; i < c.Strict; i++ {
		e.classes[i].unlink()
	}
	e.nstrict = c.Strict
	e.prio2bnd = c.Priomap
	for i := 0; i < e.nbands; i++ {
		e.classes[i].quantum = c.Quanta[i]
	}
	for i := old; i < e.nbands; i++ {
		e.classes[i].leaf = made[i]
		e.q.Dev().HashAdd(made[i], true)
	}
	for i := e.nbands; i < old; i++ {
		cl := &e.classes[i]
		cl.leaf.Put()
		*cl = class{idx: i}
	}
	return nil
}

func (e *ets) classID(i int) tc.Handle { return tc.Make(uint32(e.q.Handle), uint32(i+1)) }

// classify picks p's band, or nil with the verdict enqueue returns
// (ets_classify).
func (e *ets) classify(p *pkt.Packet) (*class, sched.Verdict) {
	b := tc.Handle(p.Priority)
	if b.Maj() != e.q.Handle {
		var res sched.Result
		v := e.block.Classify(p, &res)
		switch v {
		case sched.ActStolen, sched.ActQueued, sched.ActTrap:
			return nil, sched.Success | sched.Stolen
		case sched.ActShot:
			return nil, sched.Success | sched.Bypass
		}
		if v < 0 {
			if b.Maj() != 0 {
				b = 0
			}
			return &e.classes[e.prio2bnd[b&PrioMax]], 0
		}
		b = res.ClassID
	}
	i := int(b.Minor()) - 1
	if i < 0 || i >= e.nbands {
		return &e.classes[e.prio2bnd[0]], 0
	}
	return &e.classes[i], 0
}

// Enqueue queues p in its band. A sharing band joins the active list only
// if it is not on it already (a child may enqueue more than once per call).
func (e *ets) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	cl, v := e.classify(p)
	if cl == nil {
		if v&sched.Bypass != 0 {
			e.q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	if v = sched.Enqueue(cl.leaf, p); v != sched.Success {
		if v.IsDrop() {
			cl.drops++
			e.q.Qstats.Drops++
		}
		return v
	}
	if !cl.isActive() && !e.isStrict(cl.idx) {
		e.pushActive(cl)
		cl.deficit = cl.quantum
	}
	e.q.Qstats.Backlog += n
	e.q.QLen++
	return sched.Success
}

func (e *ets) sent(p *pkt.Packet) *pkt.Packet {
	e.q.Bstats.Update(p)
	e.q.Qstats.Backlog -= p.PktLen
	e.q.QLen--
	return p
}

// Dequeue serves the strict bands in order, then the sharing bands by
// deficit round robin (ets_qdisc_dequeue).
func (e *ets) Dequeue() *pkt.Packet {
	for {
		for i := 0; i < e.nstrict; i++ {
			if p := e.classes[i].leaf.DequeuePeeked(); p != nil {
				return e.sent(p)
			}
		}
		cl := e.active.next
		if cl == &e.active {
			return nil
		}
		p := cl.leaf.Peek()
		if p == nil {
			return nil // a child that is not work-conserving
		}
		if n := p.PktLen; n <= cl.deficit {
			cl.deficit -= n
			if p = cl.leaf.DequeuePeeked(); p == nil {
				return nil
			}
			if cl.leaf.QLen == 0 {
				cl.unlink()
			}
			return e.sent(p)
		}
		cl.deficit += cl.quantum
		cl.unlink()
		e.pushActive(cl)
	}
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (e *ets) Peek() *pkt.Packet { return e.q.PeekDequeued() }

// Reset empties the bands and the active list (ets_qdisc_reset).
func (e *ets) Reset() {
	for i := e.nstrict; i < e.nbands; i++ {
		if e.classes[i].leaf.QLen != 0 {
			e.classes[i].unlink()
		}
	}
	for i := 0; i < e.nbands; i++ {
		e.classes[i].leaf.Reset()
	}
}

// Destroy releases the block and the bands' qdiscs.
func (e *ets) Destroy() {
	e.q.Dev().Net().PutBlock(e.block)
	for i := 0; i < e.nbands; i++ {
		e.classes[i].leaf.Put()
	}
}

// Dump writes the options (ets_qdisc_dump).
func (e *ets) Dump(b *nl.Builder) error {
	c := Config{Bands: e.nbands, Strict: e.nstrict, Priomap: e.prio2bnd}
	for i := 0; i < e.nbands; i++ {
		c.Quanta[i] = e.classes[i].quantum
	}
	c.Encode(b)
	return nil
}

// QlenNotify takes a sharing band whose qdisc emptied off the active list
// (ets_class_qlen_notify: only while the qdisc itself has packets).
func (e *ets) QlenNotify(c sched.Class) {
	i := int(c.(band)) - 1
	if !e.isStrict(i) && e.q.QLen != 0 {
		e.classes[i].unlink()
	}
}
