// Package inet reads and writes what the scheduler sees of IP headers: the
// DS field, ECN marking (INET_ECN_set_ce), and the flow dissector's keys
// and hashes (skb_get_hash, skb_get_hash_perturb). It works on the bytes of
// a pkt.Packet at its Network and Transport offsets and allocates nothing.
package inet

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
)

// EtherTypes the dissector knows.
const (
	ProtoIPv4 = 0x0800
	ProtoIPv6 = 0x86DD
)

// ECN codepoints (INET_ECN_*).
const (
	ECNNotECT = 0
	ECNECT1   = 1
	ECNECT0   = 2
	ECNCE     = 3
	ECNMask   = 3
)

// network returns the network header, or nil when the packet has none of
// the needed length.
func network(p *pkt.Packet, need int) []byte {
	off := int(p.Network)
	if off < 0 {
		off = int(p.MACLen)
	}
	if off < 0 || off+need > len(p.Data) {
		return nil
	}
	return p.Data[off:]
}

// DSField is skb_get_dsfield: the TOS byte of IPv4 or the traffic class
// of IPv6; ok is false for other packets.
func DSField(p *pkt.Packet) (ds uint8, ok bool) {
	switch p.Protocol {
	case ProtoIPv4:
		if h := network(p, 20); h != nil {
			return h[1], true
		}
	case ProtoIPv6:
		if h := network(p, 40); h != nil {
			return h[0]<<4 | h[1]>>4, true
		}
	}
	return 0, false
}

// SetCE is INET_ECN_set_ce: an ECN-capable packet gets the CE codepoint
// (IPv4's header checksum follows, incrementally as the kernel updates
// it) and the answer is true; a packet that is not ECN-capable, or not IP,
// is left alone and the answer is false. A packet already CE answers true.
func SetCE(p *pkt.Packet) bool {
	switch p.Protocol {
	case ProtoIPv4:
		h := network(p, 20)
		if h == nil {
			return false
		}
		ecn := h[1] & ECNMask
		switch ecn {
		case ECNNotECT:
			return false
		case ECNCE:
			return true
		}
		old := binary.BigEndian.Uint16(h[0:2])
		h[1] |= ECNCE
		nw := binary.BigEndian.Uint16(h[0:2])
		// RFC 1624: HC' = ~(~HC + ~m + m').
		sum := uint32(^binary.BigEndian.Uint16(h[10:12])) + uint32(^old) + uint32(nw)
		sum = sum&0xffff + sum>>16
		sum = sum&0xffff + sum>>16
		binary.BigEndian.PutUint16(h[10:12], ^uint16(sum))
		return true
	case ProtoIPv6:
		h := network(p, 40)
		if h == nil {
			return false
		}
		ecn := (h[1] >> 4) & ECNMask
		switch ecn {
		case ECNNotECT:
			return false
		case ECNCE:
			return true
		}
		h[1] |= ECNCE << 4
		return true
	}
	return false
}

// ECN returns the packet's ECN codepoint (ECNNotECT for non-IP packets).
func ECN(p *pkt.Packet) uint8 {
	ds, ok := DSField(p)
	if !ok {
		return ECNNotECT
	}
	return ds & ECNMask
}
