// Package choke is the choke qdisc (sch_choke.c): CHOKe (CHOose and Keep
// for responsive flows, CHOose and Kill for unresponsive ones; Pan,
// Prabhakar and Psounis, 2000), RED in packets (package aqm's RED) plus a
// flow match: once the average is above min, an arriving packet is
// compared with one drawn at random from the queue, and if both belong to
// the same flow, both are dropped.
//
// The queue is a ring of packets in which drops leave holes, so that a
// random pick costs nothing; the head and tail skip holes.
package choke

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// MaxQueue bounds the limit (CHOKE_MAX_QUEUE).
const MaxQueue = 128*1024 - 1

// Kind is choke.
var Kind = &sched.Kind{
	ID:     "choke",
	New:    func(q *sched.Qdisc) sched.Discipline { return &choke{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*choke)(nil)
	_ sched.Dumper      = (*choke)(nil)
	_ sched.StatsDumper = (*choke)(nil)
)

// Cb slots of a queued packet: whether its flow digest is computed, and
// the digest (the kernel's choke_skb_cb).
const (
	cbValid   = 0
	cbDigest0 = 1
	cbDigest1 = 2
)

type choke struct {
	q     *sched.Qdisc
	limit uint32 // packets
	flags uint8
	parms aqm.REDParms
	vars  aqm.REDVars
	stats struct {
		aqm.REDStats
		Matched uint32
	}
	head, tail uint32
	mask       uint32
	tab        []*pkt.Packet
	rnd        aqm.Rand
}

// length counts ring slots in use, holes included (choke_len).
func (c *choke) length() uint32 { return (c.tail - c.head) & c.mask }

// zapHeadHoles moves the head over holes (choke_zap_head_holes).
func (c *choke) zapHeadHoles() {
	for {
		c.head = (c.head + 1) & c.mask
		if c.head == c.tail || c.tab[c.head] != nil {
			return
		}
	}
}

// zapTailHoles moves the tail back over holes (choke_zap_tail_holes).
func (c *choke) zapTailHoles() {
	for {
		c.tail = (c.tail - 1) & c.mask
		if c.head == c.tail || c.tab[c.tail] != nil {
			return
		}
	}
}

// dropAt drops the packet at idx, leaving a hole (choke_drop_by_idx).
func (c *choke) dropAt(idx uint32) {
	q := c.q
	p := c.tab[idx]
	c.tab[idx] = nil
	if idx == c.head {
		c.zapHeadHoles()
	}
	if idx == c.tail {
		c.zapTailHoles()
	}
	q.QLen--
	q.Qstats.Backlog -= p.PktLen
	q.TreeReduceBacklog(1, int(p.PktLen))
	q.Drop(p)
}

// digest returns the packet's flow digest, computing it once.
func digest(p *pkt.Packet) (uint64, uint64) {
	if p.Cb[cbValid] == 0 {
		var k inet.Keys
		inet.Dissect(p, &k)
		d := k.Digest()
		p.Cb[cbValid], p.Cb[cbDigest0], p.Cb[cbDigest1] = 1, d[0], d[1]
	}
	return p.Cb[cbDigest0], p.Cb[cbDigest1]
}

// matchFlow reports whether two packets are of one flow: same protocol,
// addresses and ports (choke_match_flow).
func matchFlow(a, b *pkt.Packet) bool {
	if a.Protocol != b.Protocol {
		return false
	}
	a0, a1 := digest(a)
	b0, b1 := digest(b)
	return a0 == b0 && a1 == b1
}

// peekRandom picks a random queued packet, trying three times to miss the
// holes before settling for the head (choke_peek_random).
func (c *choke) peekRandom() (*pkt.Packet, uint32) {
	var idx uint32
	for retries := 3; retries > 0; retries-- {
		idx = (c.head + c.rnd.Below(c.length())) & c.mask
		if p := c.tab[idx]; p != nil {
			return p, idx
		}
	}
	return c.tab[c.head], c.head
}

// Enqueue is choke_enqueue.
func (c *choke) Enqueue(p *pkt.Packet) sched.Verdict {
	q := c.q
	par := &c.parms
	p.Cb[cbValid] = 0
	c.vars.QAvg = par.QAvg(&c.vars, q.Now(), uint32(q.QLen))
	if c.vars.Idle {
		c.vars.EndIdle()
	}
	if c.vars.QAvg <= uint64(par.QthMin) {
		c.vars.QCount = -1
	} else {
		// Draw a queued packet at random: same flow, both go.
		if c.head != c.tail {
			if o, idx := c.peekRandom(); matchFlow(o, p) {
				c.stats.Matched++
				c.dropAt(idx)
				q.Drop(p)
				return sched.CN
			}
		}
		if c.vars.QAvg > uint64(par.QthMax) {
			// Above max: always mark or drop.
			c.vars.QCount = -1
			q.Qstats.Overlimits++
			if c.flags&aqm.REDHarddrop != 0 || c.flags&aqm.REDECN == 0 || !inet.SetCE(p) {
				c.stats.ForcedDrop++
				q.Drop(p)
				return sched.CN
			}
			c.stats.ForcedMark++
		} else if c.vars.QCount++; c.vars.QCount != 0 {
			if par.MarkProbability(&c.vars, c.vars.QAvg) {
				c.vars.QCount = 0
				c.vars.QR = par.Random(&c.rnd)
				q.Qstats.Overlimits++
				if c.flags&aqm.REDECN == 0 || !inet.SetCE(p) {
					c.stats.ProbDrop++
					q.Drop(p)
					return sched.CN
				}
				c.stats.ProbMark++
			}
		} else {
			c.vars.QR = par.Random(&c.rnd)
		}
	}
	if uint32(q.QLen) < c.limit {
		c.tab[c.tail] = p
		c.tail = (c.tail + 1) & c.mask
		q.QLen++
		q.Qstats.Backlog += p.PktLen
		return sched.Success
	}
	c.stats.PDrop++
	return q.Drop(p)
}

// Dequeue takes the head; an empty queue starts an idle period.
func (c *choke) Dequeue() *pkt.Packet {
	q := c.q
	if c.head == c.tail {
		if !c.vars.Idle {
			c.vars.StartIdle(q.Now())
		}
		return nil
	}
	p := c.tab[c.head]
	c.tab[c.head] = nil
	c.zapHeadHoles()
	q.QLen--
	q.Qstats.Backlog -= p.PktLen
	q.Bstats.Update(p)
	return p
}

func (c *choke) Peek() *pkt.Packet {
	if c.head != c.tail {
		return c.tab[c.head]
	}
	return nil
}

// Reset drops every queued packet (counted, as rtnl_qdisc_drop does) and
// forgets the average.
func (c *choke) Reset() {
	q := c.q
	for c.head != c.tail {
		p := c.tab[c.head]
		c.head = (c.head + 1) & c.mask
		if p == nil {
			continue
		}
		q.Qstats.Drops++
		p.Free()
	}
	clear(c.tab)
	c.head, c.tail = 0, 0
	c.vars.Restart()
	q.QLen = 0
	q.Qstats.Backlog = 0
}

// Init is choke_change: choke needs options.
func (c *choke) Init(opt *nl.Attr, ext *sched.Ext) error {
	c.rnd = aqm.NewRand(aqm.Seed(c.q))
	return c.Change(opt, ext)
}

// Change applies options; a new limit resizes the ring, dropping what no
// longer fits (choke_change).
func (c *choke) Change(opt *nl.Attr, _ *sched.Ext) error {
	if opt == nil {
		return errInval
	}
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	ctl := o.parms
	if !aqm.REDCheckParams(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.ScellLog, o.stab) {
		return errInval
	}
	if ctl.Limit > MaxQueue {
		return errInval
	}
	mask := roundupPow2(ctl.Limit+1) - 1
	if mask != c.mask || c.tab == nil {
		ntab := make([]*pkt.Packet, mask+1)
		q := c.q
		if c.tab != nil {
			oqlen := q.QLen
			var tail, dropped uint32
			for c.head != c.tail {
				p := c.tab[c.head]
				c.head = (c.head + 1) & c.mask
				if p == nil {
					continue
				}
				if tail < mask {
					ntab[tail] = p
					tail++
					continue
				}
				dropped += p.PktLen
				q.Qstats.Backlog -= p.PktLen
				q.QLen--
				q.Qstats.Drops++
				p.Free()
			}
			q.TreeReduceBacklog(oqlen-q.QLen, int(dropped))
			c.head, c.tail = 0, tail
		}
		c.mask, c.tab = mask, ntab
	}
	c.flags = ctl.Flags
	c.limit = ctl.Limit
	c.parms.Set(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.Plog, ctl.ScellLog, o.stab, o.maxP)
	c.vars.SetVars()
	if c.head == c.tail {
		c.vars.EndIdle()
	}
	return nil
}

func roundupPow2(x uint32) uint32 {
	p := uint32(1)
	for p < x {
		p <<= 1
	}
	return p
}

func (c *choke) Dump(b *nl.Builder) error {
	o := aqm.REDQopt{
		Limit:    c.limit,
		Flags:    c.flags,
		QthMin:   c.parms.QthMin >> c.parms.Wlog,
		QthMax:   c.parms.QthMax >> c.parms.Wlog,
		Wlog:     c.parms.Wlog,
		Plog:     c.parms.Plog,
		ScellLog: c.parms.ScellLog,
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_CHOKE_PARMS, o.Encode())
	b.PutU32(TCA_CHOKE_MAX_P, c.parms.MaxP)
	b.EndNest()
	return nil
}

func (c *choke) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		Early:   c.stats.ProbDrop + c.stats.ForcedDrop,
		Marked:  c.stats.ProbMark + c.stats.ForcedMark,
		PDrop:   c.stats.PDrop,
		Matched: c.stats.Matched,
	}
	d.App(x.Encode())
	return nil
}
