// Package skbedit edits a packet's metadata (act_skbedit.c): priority
// (or the priority from the IP header's DS field), mark under a mask, TX
// queue mapping (optionally spread by flow hash over a range) and packet
// type.
package skbedit

import (
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is skbedit.
var Kind = &sched.ActionKind{ID: "skbedit", Type: TCA_ID_SKBEDIT, Init: initSkbedit, Offload: true, Syntax: Syntax}

// params are struct tcf_skbedit_params.
type params struct {
	flags        uint32
	priority     uint32
	mark, mask   uint32
	queueMapping uint16
	mappingMod   uint16
	ptype        uint16
}

type skbedit struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*skbedit)(nil)

// Act edits p (tcf_skbedit_act).
func (s *skbedit) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	pr := s.p.Load()
	action := a.Control()
	if pr.flags&SKBEDIT_F_PRIORITY != 0 {
		p.Priority = pr.priority
	}
	if pr.flags&SKBEDIT_F_INHERITDSFIELD != 0 {
		off := actutil.NetworkOffset(p)
		switch actutil.Protocol(p, true) {
		case actutil.EthPIP:
			if off+20 > len(p.Data) {
				a.IncDrops()
				return sched.ActShot
			}
			p.Priority = uint32(p.Data[off+1] >> 2)
		case actutil.EthPIPv6:
			if off+40 > len(p.Data) {
				a.IncDrops()
				return sched.ActShot
			}
			ds := (p.Data[off]<<4 | p.Data[off+1]>>4)
			p.Priority = uint32(ds >> 2)
		}
	}
	if pr.flags&SKBEDIT_F_QUEUE_MAPPING != 0 {
		if d := actutil.Dev(p); d != nil && d.Link().RealNumTxQueues() > int(pr.queueMapping) {
			qm := pr.queueMapping
			if pr.flags&SKBEDIT_F_TXQ_SKBHASH != 0 {
				qm += uint16(p.Hash % uint32(pr.mappingMod))
			}
			if int(qm) >= d.Link().RealNumTxQueues() {
				qm = 0 // netdev_cap_txqueue
			}
			p.QueueMapping = qm
		}
	}
	if pr.flags&SKBEDIT_F_MARK != 0 {
		p.Mark = p.Mark&^pr.mask | pr.mark&pr.mask
	}
	if pr.flags&SKBEDIT_F_PTYPE != 0 {
		p.PktType = uint8(pr.ptype)
	}
	return action
}

// Dump writes the parameters set (tcf_skbedit_dump).
func (s *skbedit) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := s.p.Load()
	parms := a.Parms(bind, ref)
	b.Put(TCA_SKBEDIT_PARMS, parms[:])
	if pr.flags&SKBEDIT_F_PRIORITY != 0 {
		b.PutU32(TCA_SKBEDIT_PRIORITY, pr.priority)
	}
	if pr.flags&SKBEDIT_F_QUEUE_MAPPING != 0 {
		b.PutU16(TCA_SKBEDIT_QUEUE_MAPPING, pr.queueMapping)
	}
	if pr.flags&SKBEDIT_F_MARK != 0 {
		b.PutU32(TCA_SKBEDIT_MARK, pr.mark)
	}
	if pr.flags&SKBEDIT_F_PTYPE != 0 {
		b.PutU16(TCA_SKBEDIT_PTYPE, pr.ptype)
	}
	if pr.flags&SKBEDIT_F_MASK != 0 {
		b.PutU32(TCA_SKBEDIT_MASK, pr.mask)
	}
	var pure uint64
	if pr.flags&SKBEDIT_F_INHERITDSFIELD != 0 {
		pure |= SKBEDIT_F_INHERITDSFIELD
	}
	if pr.flags&SKBEDIT_F_TXQ_SKBHASH != 0 {
		b.PutU16(TCA_SKBEDIT_QUEUE_MAPPING_MAX, pr.queueMapping+pr.mappingMod-1)
		pure |= SKBEDIT_F_TXQ_SKBHASH
	}
	if pure != 0 {
		b.PutU64(TCA_SKBEDIT_FLAGS, pure)
	}
	actutil.PutTm(b, TCA_SKBEDIT_TM, a)
	return nil
}
