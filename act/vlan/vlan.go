// Package vlan pushes, pops and modifies VLAN tags, and pushes or pops the
// Ethernet header itself (act_vlan.c). As in the kernel, the outer tag is
// kept as the packet's accelerated tag (VLANTCI, VLANProto) and only tags
// under it are in the frame's bytes.
package vlan

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is vlan.
var Kind = &sched.ActionKind{ID: "vlan", Type: TCA_ID_VLAN, Init: initVlan, Offload: true, Syntax: Syntax}

const (
	vidMask    = 0x0fff
	prioMask   = 0xe000
	prioShift  = 13
	macAddrLen = 12 // destination and source
)

type params struct {
	action     int32
	vid        uint16
	proto      uint16 // host order
	prio       uint8
	prioExists bool
	dst, src   [6]byte
}

type vlan struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*vlan)(nil)

// Act edits the tags (tcf_vlan_act).
func (v *vlan) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	action := a.Control()
	pr := v.p.Load()
	var ok bool
	switch pr.action {
	case TCA_VLAN_ACT_POP:
		ok = Pop(p)
	case TCA_VLAN_ACT_PUSH:
		ok = Push(p, pr.proto, pr.vid|uint16(pr.prio)<<prioShift)
	case TCA_VLAN_ACT_MODIFY:
		ok = modify(p, pr)
	case TCA_VLAN_ACT_POP_ETH:
		ok = popEth(p)
	case TCA_VLAN_ACT_PUSH_ETH:
		ok = pushEth(p, pr.dst, pr.src)
	}
	if !ok {
		a.IncDrops()
		return sched.ActShot
	}
	return action
}

// payloadPop removes the VLAN header in the frame (__skb_vlan_pop) and
// returns its TCI; the frame's ethertype becomes the one under it.
func payloadPop(p *pkt.Packet) (uint16, bool) {
	if len(p.Data) < actutil.EthHLen+actutil.VLANHLen {
		return 0, false
	}
	tci := binary.BigEndian.Uint16(p.Data[14:])
	inner := binary.BigEndian.Uint16(p.Data[16:])
	actutil.Remove(p, macAddrLen, actutil.VLANHLen)
	binary.BigEndian.PutUint16(p.Data[12:], inner)
	p.Protocol = inner
	if p.MACLen >= actutil.VLANHLen {
		p.MACLen -= actutil.VLANHLen
	}
	if p.Network >= 0 && int(p.Network) < int(p.MACLen) {
		p.Network = p.MACLen
	}
	return tci, true
}

// insertTag puts a VLAN header into the frame after the addresses
// (__vlan_insert_tag).
func insertTag(p *pkt.Packet, proto, tci uint16) bool {
	if len(p.Data) < macAddrLen {
		return false
	}
	actutil.Insert(p, macAddrLen, actutil.VLANHLen)
	binary.BigEndian.PutUint16(p.Data[12:], proto)
	binary.BigEndian.PutUint16(p.Data[14:], tci)
	p.MACLen += actutil.VLANHLen
	return true
}

// Pop is skb_vlan_pop: the accelerated tag goes (or, without one, the
// frame's outer tag), and the next tag in the frame becomes the
// accelerated one.
func Pop(p *pkt.Packet) bool {
	if actutil.TagPresent(p) {
		p.VLANTCI, p.VLANProto = 0, 0
	} else {
		if !actutil.IsVLAN(p.Protocol) {
			return true
		}
		if _, ok := payloadPop(p); !ok {
			return false
		}
	}
	if !actutil.IsVLAN(p.Protocol) {
		return true
	}
	proto := p.Protocol
	tci, ok := payloadPop(p)
	if !ok {
		return false
	}
	p.VLANTCI, p.VLANProto = tci, proto
	return true
}

// Push is skb_vlan_push: an accelerated tag already there moves into the
// frame, and the new tag is the accelerated one.
func Push(p *pkt.Packet, proto, tci uint16) bool {
	if actutil.TagPresent(p) {
		if !insertTag(p, p.VLANProto, p.VLANTCI) {
			return false
		}
		p.Protocol = p.VLANProto
	}
	p.VLANTCI, p.VLANProto = tci, proto
	return true
}

// modify replaces the VID (and priority) of the outer tag; an untagged
// packet is left alone.
func modify(p *pkt.Packet, pr *params) bool {
	var tci uint16
	switch {
	case actutil.TagPresent(p):
		tci = p.VLANTCI
		p.VLANTCI, p.VLANProto = 0, 0
	case actutil.IsVLAN(p.Protocol):
		var ok bool
		if tci, ok = payloadPop(p); !ok {
			return false
		}
	default:
		return true
	}
	tci = tci&^vidMask | pr.vid
	if pr.prioExists {
		tci = tci&^prioMask | uint16(pr.prio)<<prioShift
	}
	p.VLANTCI, p.VLANProto = tci, pr.proto
	return true
}

// popEth is skb_eth_pop: the Ethernet header goes.
func popEth(p *pkt.Packet) bool {
	if len(p.Data) < actutil.EthHLen || actutil.TagPresent(p) || actutil.IsVLAN(p.Protocol) ||
		actutil.NetworkOffset(p) < actutil.EthHLen {
		return false
	}
	actutil.Remove(p, 0, actutil.EthHLen)
	p.MACLen = 0
	return true
}

// pushEth is skb_eth_push: an Ethernet header on a packet without one.
func pushEth(p *pkt.Packet, dst, src [6]byte) bool {
	if actutil.NetworkOffset(p) != 0 || actutil.TagPresent(p) {
		return false
	}
	actutil.Insert(p, 0, actutil.EthHLen)
	copy(p.Data[0:], dst[:])
	copy(p.Data[6:], src[:])
	binary.BigEndian.PutUint16(p.Data[12:], p.Protocol)
	p.MACLen = actutil.EthHLen
	return true
}

// Dump writes the parameters (tcf_vlan_dump).
func (v *vlan) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := v.p.Load()
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint32(opt[20:], uint32(pr.action))
	b.Put(TCA_VLAN_PARMS, opt)
	if pr.action == TCA_VLAN_ACT_PUSH || pr.action == TCA_VLAN_ACT_MODIFY {
		b.PutU16(TCA_VLAN_PUSH_VLAN_ID, pr.vid)
		var be [2]byte
		binary.BigEndian.PutUint16(be[:], pr.proto)
		b.Put(TCA_VLAN_PUSH_VLAN_PROTOCOL, be[:])
		if pr.prioExists {
			b.PutU8(TCA_VLAN_PUSH_VLAN_PRIORITY, pr.prio)
		}
	}
	if pr.action == TCA_VLAN_ACT_PUSH_ETH {
		b.Put(TCA_VLAN_PUSH_ETH_DST, pr.dst[:])
		b.Put(TCA_VLAN_PUSH_ETH_SRC, pr.src[:])
	}
	actutil.PutTm(b, TCA_VLAN_TM, a)
	return nil
}
