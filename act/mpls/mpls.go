// Package mpls pushes, pops and modifies MPLS label stack entries, and
// decrements their TTL (act_mpls.c); mac_push puts an entry in front of
// the Ethernet header itself.
package mpls

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is mpls.
var Kind = &sched.ActionKind{ID: "mpls", Type: TCA_ID_MPLS, Init: initMpls, Offload: true, Syntax: Syntax}

// Label stack entry fields (MPLS_LS_*).
const (
	lsLabelMask  = 0xFFFFF000
	lsLabelShift = 12
	lsTCMask     = 0x00000E00
	lsTCShift    = 9
	lsSMask      = 0x00000100
	lsSShift     = 8
	lsTTLMask    = 0x000000FF
	lsTTLShift   = 0
)

// Values meaning "not set" (ACT_MPLS_*_NOT_SET).
const (
	labelNotSet = 0xFFFFFFFF
	tcNotSet    = 0xFF
	bosNotSet   = 0xFF
)

type params struct {
	action int32
	label  uint32
	tc     uint8
	ttl    uint8
	bos    uint8
	proto  uint16 // host order
}

type mpls struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*mpls)(nil)

// lse builds an entry from lse (0 for a new one) and the parameters
// (tcf_mpls_get_lse).
func (p *params) lse(old uint32, setBos bool) uint32 {
	n := old
	if p.label != labelNotSet {
		n = n&^lsLabelMask | p.label<<lsLabelShift
	}
	if p.ttl != 0 {
		n = n&^lsTTLMask | uint32(p.ttl)<<lsTTLShift
	}
	if p.tc != tcNotSet {
		n = n&^lsTCMask | uint32(p.tc)<<lsTCShift
	}
	if p.bos != bosNotSet {
		n = n&^lsSMask | uint32(p.bos)<<lsSShift
	} else if setBos {
		n |= 1 << lsSShift
	}
	return n
}

// Act edits the label stack (tcf_mpls_act).
func (m *mpls) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	macLen := actutil.NetworkOffset(p)
	ret := a.Control()
	pr := m.p.Load()
	ok := true
	switch pr.action {
	case TCA_MPLS_ACT_POP:
		ok = Pop(p, pr.proto, macLen, actutil.DevIsEther(p))
	case TCA_MPLS_ACT_PUSH:
		l := pr.lse(0, !actutil.IsMPLS(actutil.Protocol(p, true)))
		ok = Push(p, l, pr.proto, macLen, actutil.DevIsEther(p))
	case TCA_MPLS_ACT_MAC_PUSH:
		if actutil.TagPresent(p) {
			// The accelerated tag goes into the frame first.
			actutil.Insert(p, 12, actutil.VLANHLen)
			binary.BigEndian.PutUint16(p.Data[12:], p.VLANProto)
			binary.BigEndian.PutUint16(p.Data[14:], p.VLANTCI)
			p.Protocol = p.VLANProto
			p.VLANTCI, p.VLANProto = 0, 0
		}
		l := pr.lse(0, macLen != 0 || !actutil.IsMPLS(p.Protocol))
		ok = Push(p, l, pr.proto, 0, false)
	case TCA_MPLS_ACT_MODIFY:
		noff := actutil.NetworkOffset(p)
		if noff+actutil.MPLSHLen > len(p.Data) {
			ok = false
			break
		}
		ok = updateLSE(p, pr.lse(binary.BigEndian.Uint32(p.Data[noff:]), false))
	case TCA_MPLS_ACT_DEC_TTL:
		ok = decTTL(p)
	}
	if !ok {
		a.IncDrops()
		return sched.ActShot
	}
	return ret
}

// Push is skb_mpls_push: an entry between the MAC header (macLen bytes)
// and what followed it; the ethertype becomes proto.
func Push(p *pkt.Packet, lse uint32, proto uint16, macLen int, ethernet bool) bool {
	if !actutil.IsMPLS(proto) || macLen > len(p.Data) {
		return false
	}
	actutil.Insert(p, macLen, actutil.MPLSHLen)
	binary.BigEndian.PutUint32(p.Data[macLen:], lse)
	p.Network = int16(macLen)
	p.MACLen = int16(macLen)
	if ethernet && macLen >= actutil.EthHLen {
		binary.BigEndian.PutUint16(p.Data[macLen-2:], proto)
	}
	p.Protocol = proto
	return true
}

// Pop is skb_mpls_pop: the top entry goes; the ethertype becomes next.
func Pop(p *pkt.Packet, next uint16, macLen int, ethernet bool) bool {
	if !actutil.IsMPLS(p.Protocol) {
		return true
	}
	if macLen+actutil.MPLSHLen > len(p.Data) {
		return false
	}
	actutil.Remove(p, macLen, actutil.MPLSHLen)
	p.Network = int16(macLen)
	if ethernet && macLen >= actutil.EthHLen {
		binary.BigEndian.PutUint16(p.Data[macLen-2:], next)
	}
	p.Protocol = next
	return true
}

// updateLSE is skb_mpls_update_lse.
func updateLSE(p *pkt.Packet, lse uint32) bool {
	noff := actutil.NetworkOffset(p)
	if !actutil.IsMPLS(p.Protocol) || noff+actutil.MPLSHLen > len(p.Data) {
		return false
	}
	binary.BigEndian.PutUint32(p.Data[noff:], lse)
	return true
}

// decTTL is skb_mpls_dec_ttl: a TTL reaching 0 drops the packet.
func decTTL(p *pkt.Packet) bool {
	noff := actutil.NetworkOffset(p)
	if !actutil.IsMPLS(p.Protocol) || noff+actutil.MPLSHLen > len(p.Data) {
		return false
	}
	lse := binary.BigEndian.Uint32(p.Data[noff:])
	ttl := (lse & lsTTLMask) >> lsTTLShift
	ttl--
	if ttl == 0 || ttl > 0xff {
		return false
	}
	return updateLSE(p, lse&^lsTTLMask|ttl<<lsTTLShift)
}

// Dump writes the parameters (tcf_mpls_dump).
func (m *mpls) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := m.p.Load()
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint32(opt[20:], uint32(pr.action))
	b.Put(TCA_MPLS_PARMS, opt)
	if pr.label != labelNotSet {
		b.PutU32(TCA_MPLS_LABEL, pr.label)
	}
	if pr.tc != tcNotSet {
		b.PutU8(TCA_MPLS_TC, pr.tc)
	}
	if pr.ttl != 0 {
		b.PutU8(TCA_MPLS_TTL, pr.ttl)
	}
	if pr.bos != bosNotSet {
		b.PutU8(TCA_MPLS_BOS, pr.bos)
	}
	var be [2]byte
	binary.BigEndian.PutUint16(be[:], pr.proto)
	b.Put(TCA_MPLS_PROTO, be[:])
	actutil.PutTm(b, TCA_MPLS_TM, a)
	return nil
}
