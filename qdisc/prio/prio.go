// Package prio is the prio qdisc: up to 16 bands, each a child qdisc,
// served in strict order; a packet's band comes from filters, from a
// priority naming one of prio's classes, or from the priority map
// (sch_prio.c).
package prio

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

type prioQdisc struct {
	q        *sched.Qdisc
	bands    int
	prio2bnd [16]uint8
	queues   [MaxBands]*sched.Qdisc
	block    *sched.Block
}

// band is a class: its number, 1-based as the minor of its class id.
type band int

var (
	_ sched.Classful         = (*prioQdisc)(nil)
	_ sched.ClassStatsDumper = (*prioQdisc)(nil)
	_ sched.Changer          = (*prioQdisc)(nil)
	_ sched.BlockOwner       = (*prioQdisc)(nil)
	_ sched.FilterBinder     = (*prioQdisc)(nil)
	_ sched.Destroyer        = (*prioQdisc)(nil)
)

// Kind is prio.
var Kind = &sched.Kind{
	ID:     "prio",
	New:    func(q *sched.Qdisc) sched.Discipline { return &prioQdisc{q: q} },
	Syntax: Syntax,
}

// Init needs options (tc always sends them).
func (p *prioQdisc) Init(opt *nl.Attr, ext *sched.Ext) error {
	for i := range p.queues {
		p.queues[i] = sched.NoopQdisc()
	}
	if opt == nil {
		return errInval
	}
	p.block = p.q.Dev().Net().GetBlock(0, p.q)
	return p.tune(opt, ext)
}

func (p *prioQdisc) Change(opt *nl.Attr, ext *sched.Ext) error { return p.tune(opt, ext) }

// tune applies options: new bands get pfifo children (hidden from dumps),
// dropped bands are flushed and released (prio_tune).
func (p *prioQdisc) tune(opt *nl.Attr, ext *sched.Ext) error {
	c, err := Decode(opt.Data)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	old := p.bands
	var made [MaxBands]*sched.Qdisc
	for i := old; i < int(c.Bands); i++ {
		made[i] = p.q.Dev().CreateDefault(p.q.Queue(), fifo.PFIFO, tc.Make(uint32(p.q.Handle), uint32(i+1)), ext)
		if made[i] == nil {
			for j := old; j < i; j++ {
				made[j].Put()
			}
			return errNoMem
		}
	}
	p.bands = int(c.Bands)
	p.prio2bnd = c.Priomap
	for i := p.bands; i < old; i++ {
		p.queues[i].PurgeQueue()
	}
	for i := old; i < p.bands; i++ {
		p.queues[i] = made[i]
		p.q.Dev().HashAdd(made[i], true)
	}
	for i := p.bands; i < old; i++ {
		p.queues[i].Put()
		p.queues[i] = sched.NoopQdisc()
	}
	return nil
}

// classify picks the band's child for p, or nil when an action took or
// dropped it (prio_classify).
func (p *prioQdisc) classify(pk *pkt.Packet) (*sched.Qdisc, sched.Verdict) {
	b := tc.Handle(pk.Priority)
	if b.Maj() != p.q.Handle {
		var res sched.Result
		v := p.block.Classify(pk, &res)
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
			return p.queues[p.prio2bnd[b&15]], 0
		}
		b = res.ClassID
	}
	i := int(b.Minor()) - 1
	if i < 0 || i >= p.bands {
		return p.queues[p.prio2bnd[0]], 0
	}
	return p.queues[i], 0
}

func (p *prioQdisc) Enqueue(pk *pkt.Packet) sched.Verdict {
	child, v := p.classify(pk)
	if child == nil {
		if v&sched.Bypass != 0 {
			p.q.Qstats.Drops++
		}
		pk.Free()
		return v
	}
	n := pk.PktLen
	v = sched.Enqueue(child, pk)
	if v == sched.Success {
		p.q.Qstats.Backlog += n
		p.q.QLen++
		return sched.Success
	}
	if v.IsDrop() {
		p.q.Qstats.Drops++
	}
	return v
}

func (p *prioQdisc) Peek() *pkt.Packet {
	for i := 0; i < p.bands; i++ {
		if pk := p.queues[i].Peek(); pk != nil {
			return pk
		}
	}
	return nil
}

func (p *prioQdisc) Dequeue() *pkt.Packet {
	for i := 0; i < p.bands; i++ {
		if pk := p.queues[i].DequeuePeeked(); pk != nil {
			p.q.Bstats.Update(pk)
			p.q.Qstats.Backlog -= pk.PktLen
			p.q.QLen--
			return pk
		}
	}
	return nil
}

func (p *prioQdisc) Reset() {
	for i := 0; i < p.bands; i++ {
		p.queues[i].Reset()
	}
}

func (p *prioQdisc) Destroy() {
	p.q.Dev().Net().PutBlock(p.block)
	for i := 0; i < p.bands; i++ {
		p.queues[i].Put()
	}
}

func (p *prioQdisc) Dump(b *nl.Builder) error {
	c := Config{Bands: int32(p.bands), Priomap: p.prio2bnd}
	b.Put(sched.TCA_OPTIONS, c.Encode())
	return nil
}

func (p *prioQdisc) Find(classid tc.Handle) sched.Class {
	i := int(classid.Minor())
	if i-1 < 0 || i-1 >= p.bands {
		return nil
	}
	return band(i)
}

func (p *prioQdisc) Leaf(c sched.Class) *sched.Qdisc { return p.queues[c.(band)-1] }

// Graft puts new in the band; nil puts a fresh hidden pfifo there, or noop
// if that cannot be made (prio_graft).
func (p *prioQdisc) Graft(c sched.Class, new *sched.Qdisc, ext *sched.Ext) (*sched.Qdisc, error) {
	i := int(c.(band))
	if new == nil {
		new = p.q.Dev().CreateDefault(p.q.Queue(), fifo.PFIFO, tc.Make(uint32(p.q.Handle), uint32(i)), ext)
		if new == nil {
			new = sched.NoopQdisc()
		} else {
			p.q.Dev().HashAdd(new, true)
		}
	}
	old := p.queues[i-1]
	p.queues[i-1] = new
	old.PurgeQueue()
	return old, nil
}

func (p *prioQdisc) Walk(fn func(c sched.Class) bool) {
	for i := 1; i <= p.bands; i++ {
		if !fn(band(i)) {
			return
		}
	}
}

func (p *prioQdisc) DumpClass(c sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	i := int(c.(band))
	m.Handle |= tc.Handle(i)
	m.Info = uint32(p.queues[i-1].Handle)
	return nil
}

func (p *prioQdisc) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	cq := p.queues[int(c.(band))-1]
	d.Basic(&cq.Bstats)
	d.Queue(cq.QLen, &cq.Qstats)
	return nil
}

// Block gives the qdisc's filter block; classes have none.
func (p *prioQdisc) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return p.block, nil
}

func (p *prioQdisc) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class { return p.Find(classid) }
func (p *prioQdisc) UnbindFilter(sched.Class)                              {}
