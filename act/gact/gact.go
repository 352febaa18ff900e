// Package gact is the generic action (act_gact.c): a fixed control verdict
// (pass, drop, reclassify, continue, pipe, goto chain, jump, trap), or,
// with random, a second verdict chosen for one packet in pval, either at
// random (netrand) or every pval-th packet (determ). The random choice
// draws from the namespace's seeded source, so runs repeat.
package gact

import (
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is gact.
var Kind = &sched.ActionKind{ID: "gact", Type: TCA_ID_GACT, Init: initGact, Offload: true, Syntax: Syntax}

// prob is the random part (struct tc_gact_p as the kernel keeps it).
type prob struct {
	ptype   uint16
	pval    uint16 // at least 1
	paction int32
}

// gact is the kind's part of an action.
type gact struct {
	prob    atomic.Pointer[prob] // nil: no random part
	packets atomic.Uint32        // determ's packet count
}

var _ sched.ActionOps = (*gact)(nil)

// Act returns the verdict, counting the packet and a drop for drop.
func (g *gact) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	action := int32(a.Control())
	if pr := g.prob.Load(); pr != nil && pr.ptype != 0 {
		switch pr.ptype {
		case PGACT_NETRAND:
			if a.Random(uint32(pr.pval)) == 0 {
				action = pr.paction
			}
		case PGACT_DETERM:
			if g.packets.Add(1)%uint32(pr.pval) == 0 {
				action = pr.paction
			}
		}
	}
	a.UpdateBstats(p)
	if action == actutil.Shot {
		a.IncDrops()
	}
	a.LastUse()
	return int(action)
}

// Dump writes TCA_GACT_PARMS, TCA_GACT_PROB when random, TCA_GACT_TM.
func (g *gact) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	parms := a.Parms(bind, ref)
	b.Put(TCA_GACT_PARMS, parms[:])
	if pr := g.prob.Load(); pr != nil && pr.ptype != 0 {
		b.Put(TCA_GACT_PROB, Prob{Ptype: pr.ptype, Pval: pr.pval, Paction: pr.paction}.Encode())
	}
	actutil.PutTm(b, TCA_GACT_TM, a)
	return nil
}
