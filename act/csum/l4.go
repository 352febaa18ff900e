package csum

import (
	"encoding/binary"

	"github.com/netsched/netsched/act/actutil"
)

// IP protocol numbers.
const (
	ipprotoICMP    = 1
	ipprotoIGMP    = 2
	ipprotoTCP     = 6
	ipprotoUDP     = 17
	ipprotoUDPLite = 136
	ipprotoSCTP    = 132
	ipprotoICMPv6  = 58
)

// nextLayer is tcf_csum_skb_nextlayer: the header after ihl bytes of the
// network header, if the packet holds the whole datagram of ipl bytes and
// at least jhl bytes of that header.
func nextLayer(d []byte, noff, ihl, ipl, jhl int) []byte {
	if noff+ipl > len(d) || ipl < ihl+jhl {
		return nil
	}
	return d[noff+ihl : noff+ipl]
}

// ipv4 is tcf_csum_ipv4; false drops the packet.
func ipv4(d []byte, noff int, flags uint32) bool {
	if noff+20 > len(d) {
		return false
	}
	h := d[noff:]
	ihl := int(h[0]&0xf) * 4
	ipl := int(binary.BigEndian.Uint16(h[2:]))
	proto := h[9]
	if binary.BigEndian.Uint16(h[6:])&0x1fff != 0 {
		proto = 0 // a fragment after the first
	}
	pseudo := func(l4len int, p uint8) uint32 {
		return actutil.Sum(h[12:20]) + uint32(p) + uint32(l4len)
	}
	switch proto {
	case ipprotoICMP, ipprotoIGMP:
		bit := uint32(TCA_CSUM_UPDATE_FLAG_ICMP)
		if proto == ipprotoIGMP {
			bit = TCA_CSUM_UPDATE_FLAG_IGMP
		}
		if flags&bit != 0 {
			l4 := nextLayer(d, noff, ihl, ipl, 8)
			if l4 == nil {
				return false
			}
			l4[2], l4[3] = 0, 0
			binary.BigEndian.PutUint16(l4[2:], ^actutil.Checksum(l4, 0))
		}
	case ipprotoTCP:
		if flags&TCA_CSUM_UPDATE_FLAG_TCP != 0 {
			l4 := nextLayer(d, noff, ihl, ipl, 20)
			if l4 == nil {
				return false
			}
			l4[16], l4[17] = 0, 0
			binary.BigEndian.PutUint16(l4[16:], ^actutil.Checksum(l4, pseudo(len(l4), ipprotoTCP)))
		}
	case ipprotoUDP, ipprotoUDPLite:
		lite := proto == ipprotoUDPLite
		bit := uint32(TCA_CSUM_UPDATE_FLAG_UDP)
		if lite {
			bit = TCA_CSUM_UPDATE_FLAG_UDPLITE
		}
		if flags&bit != 0 {
			l4 := nextLayer(d, noff, ihl, ipl, 8)
			if l4 == nil {
				return false
			}
			if lite || binary.BigEndian.Uint16(l4[6:]) != 0 {
				udp(l4, ipl-ihl, lite, func(n int) uint32 { return pseudo(n, proto) })
			}
		}
	case ipprotoSCTP:
		if flags&TCA_CSUM_UPDATE_FLAG_SCTP != 0 {
			l4 := nextLayer(d, noff, ihl, ipl, 12)
			if l4 == nil {
				return false
			}
			sctp(l4)
		}
	}
	if flags&TCA_CSUM_UPDATE_FLAG_IPV4HDR != 0 {
		actutil.IPv4HeaderChecksum(h)
	}
	return true
}

// udp recomputes a UDP or UDP-Lite checksum over l4 (the datagram of n
// bytes); an obscure length leaves it alone.
func udp(l4 []byte, n int, lite bool, pseudo func(int) uint32) {
	ul := int(binary.BigEndian.Uint16(l4[4:]))
	l4[6], l4[7] = 0, 0
	var cover int
	switch {
	case lite && ul == 0:
		cover = n
	case lite && ul >= 8 && ul <= n:
		cover = ul
	case !lite && ul == n:
		cover = ul
	default:
		return
	}
	// The pseudo header carries the UDP length field (the covered length
	// for UDP, the datagram's for UDP-Lite over IPv6; ul as the kernel
	// passes it).
	c := ^actutil.Checksum(l4[:cover], pseudo(ul))
	if c == 0 {
		c = 0xffff // CSUM_MANGLED_0
	}
	binary.BigEndian.PutUint16(l4[6:], c)
}

// sctp writes the CRC32c of an SCTP packet.
func sctp(l4 []byte) {
	l4[8], l4[9], l4[10], l4[11] = 0, 0, 0, 0
	binary.LittleEndian.PutUint32(l4[8:], crc32c(l4))
}

// ipv6 is tcf_csum_ipv6: through the extension headers to the transport
// header; a fragment or an unknown header is left alone.
func ipv6(d []byte, noff int, flags uint32) bool {
	const hl0 = 40
	if noff+hl0 > len(d) {
		return false
	}
	h := d[noff:]
	pl := int(binary.BigEndian.Uint16(h[4:]))
	next := h[6]
	hl := hl0
	pseudo := func(n int, proto uint8) uint32 {
		return actutil.Sum(h[8:40]) + uint32(n) + uint32(proto)
	}
	for {
		switch next {
		case 44: // fragment
			return true
		case 43, 0, 60: // routing, hop-by-hop, destination options
			if noff+hl+8 > len(d) {
				return false
			}
			xh := d[noff+hl:]
			ixhl := (int(xh[1]) + 1) * 8
			if noff+hl+ixhl > len(d) {
				return false
			}
			if next == 0 {
				if jumbo, ok := hopJumbo(xh[:ixhl]); !ok {
					return false
				} else if jumbo >= 0 {
					pl = jumbo
				}
			}
			next = xh[0]
			hl += ixhl
		case ipprotoICMPv6:
			if flags&TCA_CSUM_UPDATE_FLAG_ICMP != 0 {
				l4 := nextLayer(d, noff, hl, pl+hl0, 8)
				if l4 == nil {
					return false
				}
				l4[2], l4[3] = 0, 0
				binary.BigEndian.PutUint16(l4[2:], ^actutil.Checksum(l4, pseudo(len(l4), ipprotoICMPv6)))
			}
			return true
		case ipprotoTCP:
			if flags&TCA_CSUM_UPDATE_FLAG_TCP != 0 {
				l4 := nextLayer(d, noff, hl, pl+hl0, 20)
				if l4 == nil {
					return false
				}
				l4[16], l4[17] = 0, 0
				binary.BigEndian.PutUint16(l4[16:], ^actutil.Checksum(l4, pseudo(len(l4), ipprotoTCP)))
			}
			return true
		case ipprotoUDP, ipprotoUDPLite:
			lite := next == ipprotoUDPLite
			bit := uint32(TCA_CSUM_UPDATE_FLAG_UDP)
			if lite {
				bit = TCA_CSUM_UPDATE_FLAG_UDPLITE
			}
			if flags&bit != 0 {
				l4 := nextLayer(d, noff, hl, pl+hl0, 8)
				if l4 == nil {
					return false
				}
				proto := next
				udp(l4, len(l4), lite, func(n int) uint32 { return pseudo(n, proto) })
			}
			return true
		case ipprotoSCTP:
			if flags&TCA_CSUM_UPDATE_FLAG_SCTP != 0 {
				l4 := nextLayer(d, noff, hl, pl+hl0, 12)
				if l4 == nil {
					return false
				}
				sctp(l4)
			}
			return true
		default:
			return true
		}
		if noff+hl+1 > len(d) {
			return true
		}
	}
}

// hopJumbo reads a jumbo payload length from hop-by-hop options
// (tcf_csum_ipv6_hopopts): -1 without one, ok false when it is malformed.
func hopJumbo(xh []byte) (int, bool) {
	off, l := 2, len(xh)-2
	for l > 1 {
		switch xh[off] {
		case 0: // pad1
			off++
			l--
			continue
		case 0xc2: // jumbo
			optlen := int(xh[off+1]) + 2
			if optlen != 6 || l < 6 || off&3 != 2 {
				return 0, false
			}
			return int(binary.BigEndian.Uint32(xh[off+2:])), true
		default:
			optlen := int(xh[off+1]) + 2
			if optlen > l {
				return -1, true
			}
			off += optlen
			l -= optlen
		}
	}
	return -1, true
}
