// Package skbmod rewrites a frame's Ethernet header (act_skbmod.c):
// destination and source addresses and ethertype, or a swap of the two
// addresses, or the IP header's ECN field to congestion experienced.
package skbmod

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is skbmod.
var Kind = &sched.ActionKind{ID: "skbmod", Type: TCA_ID_SKBMOD, Init: initSkbmod, Syntax: Syntax}

type params struct {
	flags          uint64
	ethDst, ethSrc [6]byte
	ethType        uint16
}

type skbmod struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*skbmod)(nil)

// Act rewrites p (tcf_skbmod_act). A drop verdict counts an overlimit.
func (s *skbmod) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	action := a.Control()
	if action == sched.ActShot {
		a.IncOverlimits()
		return sched.ActShot
	}
	pr := s.p.Load()
	if pr.flags == SKBMOD_F_ECN {
		switch actutil.Protocol(p, true) {
		case actutil.EthPIP, actutil.EthPIPv6:
			setCE(p)
		}
		return action
	}
	if !actutil.DevIsEther(p) || len(p.Data) < actutil.EthHLen {
		return action
	}
	d := p.Data
	if pr.flags&SKBMOD_F_DMAC != 0 {
		copy(d[0:6], pr.ethDst[:])
	}
	if pr.flags&SKBMOD_F_SMAC != 0 {
		copy(d[6:12], pr.ethSrc[:])
	}
	if pr.flags&SKBMOD_F_ETYPE != 0 {
		binary.BigEndian.PutUint16(d[12:], pr.ethType)
	}
	if pr.flags&SKBMOD_F_SWAPMAC != 0 {
		var tmp [6]byte
		copy(tmp[:], d[0:6])
		copy(d[0:6], d[6:12])
		copy(d[6:12], tmp[:])
	}
	return action
}

// setCE is INET_ECN_set_ce: an ECN-capable packet becomes congestion
// experienced, the IPv4 checksum following.
func setCE(p *pkt.Packet) {
	off := actutil.NetworkOffset(p)
	switch actutil.Protocol(p, true) {
	case actutil.EthPIP:
		if off+20 > len(p.Data) {
			return
		}
		h := p.Data[off:]
		ecn := h[1] & 3
		if ecn == 0 || ecn == 3 {
			return
		}
		old := binary.BigEndian.Uint16(h[0:])
		h[1] |= 3
		actutil.Replace2(h[10:12], old, binary.BigEndian.Uint16(h[0:]))
	case actutil.EthPIPv6:
		if off+40 > len(p.Data) {
			return
		}
		h := p.Data[off:]
		ecn := (h[1] >> 4) & 3
		if ecn == 0 || ecn == 3 {
			return
		}
		h[1] |= 3 << 4
	}
}

// Dump writes the parameters (tcf_skbmod_dump).
func (s *skbmod) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := s.p.Load()
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint64(opt[24:], pr.flags)
	b.Put(TCA_SKBMOD_PARMS, opt)
	if pr.flags&SKBMOD_F_DMAC != 0 {
		b.Put(TCA_SKBMOD_DMAC, pr.ethDst[:])
	}
	if pr.flags&SKBMOD_F_SMAC != 0 {
		b.Put(TCA_SKBMOD_SMAC, pr.ethSrc[:])
	}
	if pr.flags&SKBMOD_F_ETYPE != 0 {
		b.PutU16(TCA_SKBMOD_ETYPE, pr.ethType)
	}
	actutil.PutTm(b, TCA_SKBMOD_TM, a)
	return nil
}
