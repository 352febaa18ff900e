// Package codel is the codel qdisc (sch_codel.c): one FIFO managed by
// CoDel (RFC 8289), which keeps the standing queue's sojourn time near a
// target by dropping, or ECN-marking, packets at the head at a rate set by
// its control law (package aqm holds the law, shared with fq_codel).
//
// Flow of a packet: Enqueue stamps it and appends it unless the queue
// holds limit packets. Dequeue hands the head to CoDel, which may drop a
// few packets first; the drops are reported to the parents after the
// dequeue, as the kernel does.
package codel

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// DefaultLimit is DEFAULT_CODEL_LIMIT, in packets.
const DefaultLimit = 1000

// Kind is codel.
var Kind = &sched.Kind{
	ID:     "codel",
	New:    func(q *sched.Qdisc) sched.Discipline { return &codel{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*codel)(nil)
	_ sched.Dumper      = (*codel)(nil)
	_ sched.StatsDumper = (*codel)(nil)
	_ aqm.CodelQueue    = (*codel)(nil)
)

type codel struct {
	q             *sched.Qdisc
	limit         uint32 // packets (sch->limit)
	params        aqm.CodelParams
	vars          aqm.CodelVars
	stats         aqm.CodelStats
	dropOverlimit uint32
}

// Init sets the defaults, with CoDel's MTU from the device, then applies
// the options (codel_init).
func (c *codel) Init(opt *nl.Attr, ext *sched.Ext) error {
	c.limit = DefaultLimit
	c.params.Init()
	c.vars = aqm.CodelVars{}
	c.stats = aqm.CodelStats{}
	c.params.MTU = min(max(aqm.PschedMTU(c.q), 256), 1<<20)
	if opt != nil {
		return c.Change(opt, ext)
	}
	return nil
}

// Change applies options and drops from the head what the new limit does
// not hold (codel_change).
func (c *codel) Change(opt *nl.Attr, _ *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if o.target != nil {
		c.params.Target = aqm.CodelFromUs(*o.target)
	}
	if o.ceThreshold != nil {
		c.params.CEThreshold = aqm.CodelFromUs(*o.ceThreshold)
	}
	if o.interval != nil {
		c.params.Interval = aqm.CodelFromUs(*o.interval)
	}
	if o.limit != nil {
		c.limit = *o.limit
	}
	if o.ecn != nil {
		c.params.ECN = *o.ecn != 0
	}
	q := c.q
	var n, bytes int
	for uint32(q.QLen) > c.limit {
		p := q.DequeueInternal(true)
		if p == nil {
			break
		}
		n++
		bytes += int(p.PktLen)
		q.Qstats.Drops++
		p.Free()
	}
	q.TreeReduceBacklog(n, bytes)
	return nil
}

// Enqueue stamps the packet with its arrival time and queues it, or drops
// it at the limit.
func (c *codel) Enqueue(p *pkt.Packet) sched.Verdict {
	q := c.q
	if uint32(q.QLen) < c.limit {
		p.Tstamp = q.Now()
		return q.EnqueueTail(p)
	}
	c.dropOverlimit++
	return q.Drop(p)
}

// CodelDequeue takes the head for CoDel (dequeue_func).
func (c *codel) CodelDequeue(*aqm.CodelVars) *pkt.Packet {
	q := c.q
	p := q.List.PopFront()
	if p != nil {
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
	}
	return p
}

// CodelDrop drops a packet CoDel chose (drop_func).
func (c *codel) CodelDrop(p *pkt.Packet) {
	c.q.Qstats.Drops++
	p.Free()
}

func (c *codel) dequeue() *pkt.Packet {
	q := c.q
	p := aqm.CodelDequeue(c, aqm.CodelNow(q.Now()), &q.Qstats.Backlog, &c.params, &c.vars, &c.stats)
	if p != nil {
		q.Bstats.Update(p)
	}
	return p
}

// reportDrops tells the parents of the packets CoDel dropped during a
// dequeue (codel_dequeue_drop).
func (c *codel) reportDrops() {
	if c.stats.DropCount != 0 {
		c.q.TreeReduceBacklog(int(c.stats.DropCount), int(c.stats.DropLen))
		c.stats.DropCount, c.stats.DropLen = 0, 0
	}
}

func (c *codel) Dequeue() *pkt.Packet {
	p := c.dequeue()
	c.reportDrops()
	return p
}

// Peek dequeues and holds the packet, reporting drops after it is held
// (codel_peek).
func (c *codel) Peek() *pkt.Packet {
	if p := c.q.Peeked(); p != nil {
		return p
	}
	p := c.dequeue()
	if p != nil {
		c.q.HoldPeeked(p)
	}
	c.reportDrops()
	return p
}

func (c *codel) Reset() {
	c.q.ResetList()
	c.vars = aqm.CodelVars{}
}

func (c *codel) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_CODEL_TARGET, c.params.Target.Us())
	b.PutU32(TCA_CODEL_LIMIT, c.limit)
	b.PutU32(TCA_CODEL_INTERVAL, c.params.Interval.Us())
	b.PutU32(TCA_CODEL_ECN, b2u(c.params.ECN))
	if c.params.CEThreshold != aqm.CodelDisabledThreshold {
		b.PutU32(TCA_CODEL_CE_THRESHOLD, c.params.CEThreshold.Us())
	}
	b.EndNest()
	return nil
}

func (c *codel) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		MaxPacket:     c.stats.MaxPacket,
		Count:         c.vars.Count,
		LastCount:     c.vars.LastCount,
		DropOverlimit: c.dropOverlimit,
		LDelay:        c.vars.LDelay.Us(),
		Dropping:      b2u(c.vars.Dropping),
		ECNMark:       c.stats.ECNMark,
		CEMark:        c.stats.CEMark,
	}
	if c.vars.Dropping {
		x.DropNext = aqm.CodelDelta(c.vars.DropNext, aqm.CodelNow(c.q.Now()))
	}
	d.App(x.Encode())
	return nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
