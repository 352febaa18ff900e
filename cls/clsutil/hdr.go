// Package clsutil holds what every classifier needs and none owns: the
// header walk that reads a frame's layers once and allocation-free (the
// parts of the kernel's flow dissector that classifiers use), the
// TCA_CLS_FLAGS_* rules, and the number parsing of tc's words.
package clsutil

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
)

// EtherTypes the header walk knows (host order).
const (
	EthIPv4    = 0x0800
	EthARP     = 0x0806
	EthRARP    = 0x8035
	EthIPv6    = 0x86DD
	EthVLAN    = 0x8100 // 802.1Q
	EthQinQ    = 0x88A8 // 802.1ad
	EthMPLSUC  = 0x8847
	EthMPLSMC  = 0x8848
	EthCAN     = 0x000C
	EthAll     = 0x0003
	MaxVLANs   = 2 // the dissector keeps the outer two tags (vlan, cvlan)
	MaxMPLS    = 7 // FLOW_DIS_MPLS_MAX
	ethHdrLen  = 14
	vlanHdrLen = 4
)

// Fragment flags (FLOW_DIS_*).
const (
	FragIsFragment = 1 << 0 // FLOW_DIS_IS_FRAGMENT
	FragFirst      = 1 << 1 // FLOW_DIS_FIRST_FRAG
)

// VLAN is one tag: its TPID and TCI.
type VLAN struct {
	TPID uint16
	TCI  uint16
}

// ID is the tag's VLAN id.
func (v VLAN) ID() uint16 { return v.TCI & 0x0fff }

// Prio is the tag's priority code point.
func (v VLAN) Prio() uint8 { return uint8(v.TCI >> 13) }

// Headers are the layers of one frame as the flow dissector sees them
// (skb_flow_dissect with flags 0): offsets into Data (-1 where a layer is
// absent) and the fields classifiers match on. Multi-byte fields are in
// host order; addresses are as on the wire.
type Headers struct {
	HasEth         bool
	EthDst, EthSrc [6]byte
	VLANs          [MaxVLANs]VLAN
	NumVLANs       int
	// NProto is the network protocol after the VLAN tags (EtherType).
	NProto uint16
	// Net and Trans are the offsets of the network and transport headers.
	Net, Trans int

	IPVer    uint8 // 4 or 6, 0 for neither
	IPProto  uint8
	Src, Dst [16]byte // IPv4 addresses in the first four bytes
	TOS, TTL uint8
	Label    uint32 // IPv6 flow label
	Frag     uint8  // FragIsFragment, FragFirst

	HasPorts       bool
	SPort, DPort   uint16
	TCPFlags       uint16 // 12 bits, as key_tcp keeps them
	HasICMP        bool
	ICMPType       uint8
	ICMPCode       uint8
	HasARP         bool
	ARPOp          uint8
	ARPSip, ARPTip [4]byte
	ARPSha, ARPTha [6]byte
	MPLS           [MaxMPLS]uint32 // label stack entries as on the wire
	NumMPLS        int
}

// NetworkOffset is where the network header of p starts: p.Network when
// set, else after the MAC header.
func NetworkOffset(p *pkt.Packet) int {
	if p.Network >= 0 {
		return int(p.Network)
	}
	if p.MACLen > 0 {
		return int(p.MACLen)
	}
	return ethHdrLen
}

// TransportOffset is where the transport header of p starts: p.Transport
// when set, else the network header (as the receive path resets it).
func TransportOffset(p *pkt.Packet) int {
	if p.Transport >= 0 {
		return int(p.Transport)
	}
	return NetworkOffset(p)
}

// Protocol is skb->protocol: p.Protocol, or the frame's EtherType when
// unset.
func Protocol(p *pkt.Packet) uint16 {
	if p.Protocol != 0 {
		return p.Protocol
	}
	if len(p.Data) >= ethHdrLen {
		return binary.BigEndian.Uint16(p.Data[12:])
	}
	return 0
}

// Parse walks p's headers into h. It never allocates; what it cannot read
// (a short frame, an unknown protocol) leaves the rest zero, as the
// dissector stops there.
func Parse(p *pkt.Packet, h *Headers) {
	*h = Headers{Net: -1, Trans: -1}
	d := p.Data
	if len(d) >= ethHdrLen {
		h.HasEth = true
		copy(h.EthDst[:], d[0:6])
		copy(h.EthSrc[:], d[6:12])
	}
	if p.VLANTCI != 0 || p.VLANProto != 0 {
		h.VLANs[0] = VLAN{TPID: p.VLANProto, TCI: p.VLANTCI}
		h.NumVLANs = 1
	}
	nh := NetworkOffset(p)
	proto := Protocol(p)
	for (proto == EthVLAN || proto == EthQinQ) && nh+vlanHdrLen <= len(d) {
		if h.NumVLANs < MaxVLANs {
			h.VLANs[h.NumVLANs] = VLAN{TPID: proto, TCI: binary.BigEndian.Uint16(d[nh:])}
			h.NumVLANs++
		}
		proto = binary.BigEndian.Uint16(d[nh+2:])
		nh += vlanHdrLen
	}
	h.NProto = proto
	if nh > len(d) {
		return
	}
	h.Net = nh
	switch proto {
	case EthIPv4:
		h.parseIPv4(d, nh, p)
	case EthIPv6:
		h.parseIPv6(d, nh, p)
	case EthARP, EthRARP:
		h.parseARP(d[nh:])
	case EthMPLSUC, EthMPLSMC:
		for o := nh; o+4 <= len(d) && h.NumMPLS < MaxMPLS; o += 4 {
			lse := binary.BigEndian.Uint32(d[o:])
			h.MPLS[h.NumMPLS] = lse
			h.NumMPLS++
			if lse&0x100 != 0 { // bottom of stack
				break
			}
		}
	}
}

func (h *Headers) parseIPv4(d []byte, nh int, p *pkt.Packet) {
	ip := d[nh:]
	if len(ip) < 20 {
		return
	}
	ihl := int(ip[0]&0x0f) * 4
	if ihl < 20 || len(ip) < ihl {
		return
	}
	h.IPVer = 4
	h.TOS, h.TTL, h.IPProto = ip[1], ip[8], ip[9]
	copy(h.Src[:4], ip[12:16])
	copy(h.Dst[:4], ip[16:20])
	frag := binary.BigEndian.Uint16(ip[6:])
	if frag&0x3fff != 0 {
		h.Frag = FragIsFragment
		if frag&0x1fff != 0 {
			return
		}
		// The first fragment: flags 0 do not parse its ports
		// (FLOW_DISSECTOR_F_PARSE_1ST_FRAG unset).
		h.Frag |= FragFirst
		return
	}
	h.transport(d, nh+ihl)
}

// IPv6 extension headers the dissector steps over.
const (
	ip6Hop      = 0
	ip6Routing  = 43
	ip6Fragment = 44
	ip6Dest     = 60
)

func (h *Headers) parseIPv6(d []byte, nh int, p *pkt.Packet) {
	ip := d[nh:]
	if len(ip) < 40 {
		return
	}
	h.IPVer = 6
	h.Label = binary.BigEndian.Uint32(ip[0:4]) & 0x000fffff
	h.TOS = ip[0]<<4 | ip[1]>>4
	h.TTL = ip[7]
	copy(h.Src[:], ip[8:24])
	copy(h.Dst[:], ip[24:40])
	next, off := ip[6], nh+40
	for {
		switch next {
		case ip6Hop, ip6Routing, ip6Dest:
			if off+8 > len(d) {
				h.IPProto = next
				return
			}
			next, off = d[off], off+(int(d[off+1])+1)*8
			continue
		case ip6Fragment:
			if off+8 > len(d) {
				h.IPProto = next
				return
			}
			fo := binary.BigEndian.Uint16(d[off+2:])
			next = d[off]
			off += 8
			h.Frag = FragIsFragment
			if fo&0xfff8 != 0 {
				h.IPProto = next
				return
			}
			h.Frag |= FragFirst
			h.IPProto = next
			return
		}
		break
	}
	h.IPProto = next
	h.transport(d, off)
}

// transport reads the transport header at off (ports, TCP flags, ICMP).
func (h *Headers) transport(d []byte, off int) {
	if off > len(d) {
		return
	}
	h.Trans = off
	l4 := d[off:]
	switch h.IPProto {
	case 6, 17, 33, 132, 136: // TCP, UDP, DCCP, SCTP, UDP-Lite
		if len(l4) >= 4 {
			h.HasPorts = true
			h.SPort = binary.BigEndian.Uint16(l4[0:])
			h.DPort = binary.BigEndian.Uint16(l4[2:])
		}
		if h.IPProto == 6 && len(l4) >= 14 {
			h.TCPFlags = binary.BigEndian.Uint16(l4[12:]) & 0x0fff
		}
	case 1, 58: // ICMP, ICMPv6
		if len(l4) >= 2 {
			h.HasICMP = true
			h.ICMPType, h.ICMPCode = l4[0], l4[1]
		}
	}
}

func (h *Headers) parseARP(a []byte) {
	if len(a) < 28 {
		return
	}
	op := binary.BigEndian.Uint16(a[6:])
	if binary.BigEndian.Uint16(a[0:]) != 1 || binary.BigEndian.Uint16(a[2:]) != EthIPv4 ||
		a[4] != 6 || a[5] != 4 || (op != 1 && op != 2) {
		return
	}
	h.HasARP = true
	h.ARPOp = uint8(op)
	copy(h.ARPSha[:], a[8:14])
	copy(h.ARPSip[:], a[14:18])
	copy(h.ARPTha[:], a[18:24])
	copy(h.ARPTip[:], a[24:28])
}

// Load returns n bytes of p at offset off from the start of its frame, or
// nil when they are not all there (skb_header_pointer).
func Load(p *pkt.Packet, off, n int) []byte {
	if off < 0 || off+n > len(p.Data) {
		return nil
	}
	return p.Data[off : off+n]
}
