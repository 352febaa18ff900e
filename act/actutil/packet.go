package actutil

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Packet helpers for the actions that edit frames: the kernel's skb
// helpers as our packet model has them. A packet's Data starts at the MAC
// header in every hook; Network and Transport are offsets into Data.

// EtherTypes (host order).
const (
	EthPIP     = 0x0800
	EthPIPv6   = 0x86DD
	EthP8021Q  = 0x8100
	EthP8021AD = 0x88A8
	EthPMPLSUC = 0x8847
	EthPMPLSMC = 0x8848
	EthHLen    = 14
	VLANHLen   = 4
	MPLSHLen   = 4
)

// IsVLAN is eth_type_vlan.
func IsVLAN(proto uint16) bool { return proto == EthP8021Q || proto == EthP8021AD }

// IsMPLS is eth_p_mpls.
func IsMPLS(proto uint16) bool { return proto == EthPMPLSUC || proto == EthPMPLSMC }

// TagPresent is skb_vlan_tag_present: an accelerated VLAN tag.
func TagPresent(p *pkt.Packet) bool { return p.VLANProto != 0 }

// Dev is the device the packet is on (skb->dev), or nil.
func Dev(p *pkt.Packet) *sched.Dev {
	d, _ := p.Dev.(*sched.Dev)
	return d
}

// Protocol is skb_protocol: the accelerated tag's protocol when there is
// one and skipVLAN is false; with skipVLAN, the protocol under any VLAN
// headers in the payload (vlan_get_protocol).
func Protocol(p *pkt.Packet, skipVLAN bool) uint16 {
	if !skipVLAN {
		if TagPresent(p) {
			return p.VLANProto
		}
		return p.Protocol
	}
	proto := p.Protocol
	off := int(p.Network)
	if off < 0 {
		off = int(p.MACLen)
	}
	for IsVLAN(proto) {
		if off+VLANHLen > len(p.Data) {
			return 0
		}
		proto = binary.BigEndian.Uint16(p.Data[off+2:])
		off += VLANHLen
	}
	return proto
}

// NetworkOffset is skb_network_offset, the MAC length when unknown.
func NetworkOffset(p *pkt.Packet) int {
	if p.Network >= 0 {
		return int(p.Network)
	}
	return int(p.MACLen)
}

// Insert opens n bytes at off in the frame, moving what follows; the
// header offsets at or after off move with it.
func Insert(p *pkt.Packet, off, n int) {
	l := len(p.Data)
	p.SetLen(l + n)
	copy(p.Data[off+n:], p.Data[off:l])
	for i := off; i < off+n; i++ {
		p.Data[i] = 0
	}
	if int(p.Network) >= off {
		p.Network += int16(n)
	}
	if int(p.Transport) >= off {
		p.Transport += int16(n)
	}
}

// Remove takes n bytes out of the frame at off; the header offsets after
// off move back.
func Remove(p *pkt.Packet, off, n int) {
	copy(p.Data[off:], p.Data[off+n:])
	p.Data = p.Data[:len(p.Data)-n]
	if int(p.Network) >= off+n {
		p.Network -= int16(n)
	} else if int(p.Network) > off {
		p.Network = int16(off)
	}
	if int(p.Transport) >= off+n {
		p.Transport -= int16(n)
	} else if int(p.Transport) > off {
		p.Transport = int16(off)
	}
}

// Checksum is csum_partial followed by the fold: the ones' complement sum
// of b added to initial, folded to 16 bits (not complemented).
func Checksum(b []byte, initial uint32) uint16 {
	s := uint64(initial)
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// Sum is the unfolded ones' complement sum of b (csum_partial), for
// pseudo-headers.
func Sum(b []byte) uint32 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// IPv4HeaderChecksum recomputes an IPv4 header's checksum (ip_send_check).
func IPv4HeaderChecksum(h []byte) {
	ihl := int(h[0]&0xf) * 4
	if ihl > len(h) || ihl < 20 {
		return
	}
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], ^Checksum(h[:ihl], 0))
}

// Replace4 updates the checksum at c for a 32-bit field changing from old
// to new (csum_replace4, RFC 1624).
func Replace4(c []byte, old, new uint32) {
	sum := uint32(^binary.BigEndian.Uint16(c))
	sum += uint32(^uint16(old>>16)) + uint32(^uint16(old))
	sum += uint32(uint16(new>>16)) + uint32(uint16(new))
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(c, ^uint16(sum))
}

// Replace2 updates the checksum at c for a 16-bit field change
// (csum_replace2).
func Replace2(c []byte, old, new uint16) {
	sum := uint32(^binary.BigEndian.Uint16(c)) + uint32(^old) + uint32(new)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(c, ^uint16(sum))
}

// arphrdEther is ARPHRD_ETHER.
const arphrdEther = 1

// DevIsEther reports whether the packet's device is an Ethernet one
// (skb->dev && skb->dev->type == ARPHRD_ETHER); loopback is not.
func DevIsEther(p *pkt.Packet) bool {
	d := Dev(p)
	if d == nil {
		return false
	}
	t, ok := d.Link().(interface{ Type() uint16 })
	return ok && t.Type() == arphrdEther
}
