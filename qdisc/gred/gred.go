// Package gred is the gred qdisc (sch_gred.c): Generic RED, up to 16
// virtual queues (drop precedences) in one FIFO, each with its own RED
// parameters (package aqm's RED), chosen by the low bits of the packet's
// tc_index. In grio mode a VQ's average adds those of higher-priority VQs
// (RIO); when two VQs share a priority, all share one average (WRED).
//
// Flow of a packet: Enqueue picks the VQ (the default one for unknown
// indexes; with no default VQ, packets pass up to the qdisc's limit),
// updates its average, lets RED pass, mark or drop, and appends within the
// VQ's byte limit. Dequeue takes the head and charges its VQ.
package gred

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// GRED limits (MAX_DPs, GRED_DEF_PRIO).
const (
	MaxDPs  = 16
	DefPrio = MaxDPs / 2
	vqMask  = MaxDPs - 1
	// VQFlags are the RED flags a VQ may have (GRED_VQ_RED_FLAGS).
	VQFlags = aqm.REDECN | aqm.REDHarddrop
)

// Kind is gred.
var Kind = &sched.Kind{
	ID:     "gred",
	New:    func(q *sched.Qdisc) sched.Discipline { return &gred{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer = (*gred)(nil)
	_ sched.Dumper  = (*gred)(nil)
)

// vq is one virtual queue (struct gred_sched_data).
type vq struct {
	limit     uint32 // bytes
	dp        uint32
	redFlags  uint32
	bytesin   uint64
	packetsin uint32
	backlog   uint32
	prio      uint8
	parms     aqm.REDParms
	vars      aqm.REDVars
	stats     aqm.REDStats
}

type gred struct {
	q        *sched.Qdisc
	tab      [MaxDPs]*vq
	wred     bool // all VQs share wredSet's average
	rio      bool // grio: priorities add averages
	redFlags uint32
	dps      uint32
	def      uint32
	limit    uint32 // bytes (sch->limit)
	wredSet  aqm.REDVars
	rnd      aqm.Rand
}

// backlog is the backlog RED averages for q: the whole qdisc's in WRED
// mode, the VQ's own otherwise (gred_backlog).
func (g *gred) backlog(v *vq) uint32 {
	if g.wred {
		return g.q.Backlog()
	}
	return v.backlog
}

func (g *gred) loadWred(v *vq) {
	v.vars.QAvg, v.vars.QIdleStart, v.vars.Idle = g.wredSet.QAvg, g.wredSet.QIdleStart, g.wredSet.Idle
}

func (g *gred) storeWred(v *vq) {
	g.wredSet.QAvg, g.wredSet.QIdleStart, g.wredSet.Idle = v.vars.QAvg, v.vars.QIdleStart, v.vars.Idle
}

// wredCheck reports whether two VQs share a priority (gred_wred_mode_check).
func (g *gred) wredCheck() bool {
	for i := uint32(0); i < g.dps; i++ {
		if g.tab[i] == nil {
			continue
		}
		for n := i + 1; n < g.dps; n++ {
			if g.tab[n] != nil && g.tab[n].prio == g.tab[i].prio {
				return true
			}
		}
	}
	return false
}

// Enqueue is gred_enqueue.
func (g *gred) Enqueue(p *pkt.Packet) sched.Verdict {
	q := g.q
	dp := uint32(p.TCIndex & vqMask)
	var v *vq
	if dp < g.dps {
		v = g.tab[dp]
	}
	if v == nil {
		dp = g.def
		v = g.tab[dp]
		if v == nil {
			// No default VQ: pass untouched up to the limit.
			if q.Backlog()+p.PktLen <= g.limit {
				return q.EnqueueTail(p)
			}
			return q.Drop(p)
		}
		// Fix the index so that dequeue finds the VQ again.
		p.TCIndex = p.TCIndex&^vqMask | uint16(dp)
	}
	// In RIO mode the averages of the VQs of higher priority add up.
	var qavg uint64
	if !g.wred && g.rio {
		for i := uint32(0); i < g.dps; i++ {
			if o := g.tab[i]; o != nil && o.prio < v.prio && !o.vars.Idle {
				qavg += o.vars.QAvg
			}
		}
	}
	v.packetsin++
	v.bytesin += uint64(p.PktLen)
	if g.wred {
		g.loadWred(v)
	}
	now := q.Now()
	v.vars.QAvg = v.parms.QAvg(&v.vars, now, g.backlog(v))
	if v.vars.Idle {
		v.vars.EndIdle()
	}
	if g.wred {
		g.storeWred(v)
	}
	switch v.parms.Action(&v.vars, v.vars.QAvg+qavg, &g.rnd) {
	case aqm.REDActionProb:
		q.Qstats.Overlimits++
		if v.redFlags&aqm.REDECN == 0 || !inet.SetCE(p) {
			v.stats.ProbDrop++
			q.Drop(p)
			return sched.CN
		}
		v.stats.ProbMark++
	case aqm.REDActionHard:
		q.Qstats.Overlimits++
		if v.redFlags&aqm.REDHarddrop != 0 || v.redFlags&aqm.REDECN == 0 || !inet.SetCE(p) {
			v.stats.ForcedDrop++
			q.Drop(p)
			return sched.CN
		}
		v.stats.ForcedMark++
	}
	if g.backlog(v)+p.PktLen <= v.limit {
		v.backlog += p.PktLen
		return q.EnqueueTail(p)
	}
	v.stats.PDrop++
	return q.Drop(p)
}

// Dequeue takes the head and charges its VQ, which goes idle when empty
// (gred_dequeue).
func (g *gred) Dequeue() *pkt.Packet {
	q := g.q
	p := q.DequeueHead()
	if p == nil {
		return nil
	}
	dp := uint32(p.TCIndex & vqMask)
	if dp < g.dps && g.tab[dp] != nil {
		v := g.tab[dp]
		v.backlog -= p.PktLen
		if g.wred {
			if q.Backlog() == 0 {
				g.wredSet.StartIdle(q.Now())
			}
		} else if v.backlog == 0 {
			v.vars.StartIdle(q.Now())
		}
	}
	// Otherwise the kernel warns that it cannot relocate the VQ and the
	// backlog is off.
	return p
}

func (g *gred) Peek() *pkt.Packet { return g.q.PeekHead() }

func (g *gred) Reset() {
	g.q.ResetList()
	for i := uint32(0); i < g.dps; i++ {
		if v := g.tab[i]; v != nil {
			v.vars.Restart()
			v.backlog = 0
		}
	}
}
