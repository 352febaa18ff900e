package netdev

// The frames the host stack (host.go) sends and reads: Ethernet II with
// ARP for IPv4 over Ethernet, and IPv4 carrying ICMP echo. They are four
// fixed layouts, so they are written and read here with encoding/binary
// rather than through a packet library such as gopacket: that would add a
// dependency and an allocation per layer for nothing we need, and the
// byte counts the qdiscs see must be exactly the kernel's (a 98-byte frame
// for ping's default 56 bytes of data), which is easiest to see when every
// byte is laid out by hand. None of this is on the qdisc data path.

import (
	"encoding/binary"
	"net/netip"
)

// EtherTypes and protocol numbers.
const (
	EthPIP  = 0x0800
	EthPARP = 0x0806

	ethHdrLen  = 14
	arpLen     = 28 // ARP for IPv4 over Ethernet
	ipv4HdrLen = 20
	icmpHdrLen = 8

	ipProtoICMP = 1

	icmpEchoReply   = 0
	icmpEchoRequest = 8

	arpRequest = 1
	arpReply   = 2

	ipDF      = 0x4000
	ipMF      = 0x2000
	ipOffMask = 0x1fff

	defaultTTL = 64
)

var broadcastMAC = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// EchoFrameLen is the length of the Ethernet frame that carries an ICMP
// echo with datalen bytes of data: 14 + 20 + 8 + datalen (98 for ping's
// default 56).
func EchoFrameLen(datalen int) int { return ethHdrLen + ipv4HdrLen + icmpHdrLen + datalen }

// putEth writes an Ethernet II header at b[0:14].
func putEth(b []byte, dst, src [6]byte, typ uint16) {
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	binary.BigEndian.PutUint16(b[12:], typ)
}

// csum is the Internet checksum (RFC 1071) of b.
func csum(b []byte) uint16 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// ipv4Hdr is the part of an IPv4 header the stack fills or reads.
type ipv4Hdr struct {
	tos      uint8
	totalLen uint16
	id       uint16
	frag     uint16 // flags and fragment offset
	ttl      uint8
	proto    uint8
	src, dst netip.Addr
}

// putIPv4 writes a 20-byte IPv4 header with its checksum at b[0:20].
func putIPv4(b []byte, h ipv4Hdr) {
	b[0] = 0x45
	b[1] = h.tos
	binary.BigEndian.PutUint16(b[2:], h.totalLen)
	binary.BigEndian.PutUint16(b[4:], h.id)
	binary.BigEndian.PutUint16(b[6:], h.frag)
	b[8] = h.ttl
	b[9] = h.proto
	b[10], b[11] = 0, 0
	s, d := h.src.As4(), h.dst.As4()
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	binary.BigEndian.PutUint16(b[10:], csum(b[:ipv4HdrLen]))
}

// parseIPv4 reads the IPv4 header at the start of b and returns it with
// its header length; ok is false for anything that is not a sane IPv4
// header whose total length fits in b.
func parseIPv4(b []byte) (h ipv4Hdr, ihl int, ok bool) {
	if len(b) < ipv4HdrLen || b[0]>>4 != 4 {
		return h, 0, false
	}
	ihl = int(b[0]&0x0f) * 4
	h.totalLen = binary.BigEndian.Uint16(b[2:])
	if ihl < ipv4HdrLen || int(h.totalLen) < ihl || int(h.totalLen) > len(b) {
		return h, 0, false
	}
	h.tos = b[1]
	h.id = binary.BigEndian.Uint16(b[4:])
	h.frag = binary.BigEndian.Uint16(b[6:])
	h.ttl = b[8]
	h.proto = b[9]
	h.src = netip.AddrFrom4([4]byte(b[12:16]))
	h.dst = netip.AddrFrom4([4]byte(b[16:20]))
	return h, ihl, true
}

// arpPkt is an ARP message for IPv4 over Ethernet.
type arpPkt struct {
	op       uint16
	sha, tha [6]byte
	spa, tpa netip.Addr
}

// putARP writes the 28-byte ARP message at b[0:28].
func putARP(b []byte, a arpPkt) {
	binary.BigEndian.PutUint16(b[0:], ARPHRD_ETHER)
	binary.BigEndian.PutUint16(b[2:], EthPIP)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], a.op)
	copy(b[8:14], a.sha[:])
	spa, tpa := a.spa.As4(), a.tpa.As4()
	copy(b[14:18], spa[:])
	copy(b[18:24], a.tha[:])
	copy(b[24:28], tpa[:])
}

// parseARP reads an ARP message for IPv4 over Ethernet.
func parseARP(b []byte) (a arpPkt, ok bool) {
	if len(b) < arpLen || binary.BigEndian.Uint16(b[0:]) != ARPHRD_ETHER ||
		binary.BigEndian.Uint16(b[2:]) != EthPIP || b[4] != 6 || b[5] != 4 {
		return a, false
	}
	a.op = binary.BigEndian.Uint16(b[6:])
	copy(a.sha[:], b[8:14])
	a.spa = netip.AddrFrom4([4]byte(b[14:18]))
	copy(a.tha[:], b[18:24])
	a.tpa = netip.AddrFrom4([4]byte(b[24:28]))
	return a, true
}

// putICMPEcho writes an ICMP echo header over b (whose data after the
// 8-byte header is already in place) and its checksum.
func putICMPEcho(b []byte, typ uint8, id, seq uint16) {
	b[0], b[1] = typ, 0
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	binary.BigEndian.PutUint16(b[2:], csum(b))
}

// TOS2Priority is rt_tos2priority: the skb priority a socket's IP_TOS
// gives the packets it sends (ip_tos2prio over the four TOS bits).
func TOS2Priority(tos uint8) uint32 {
	const (
		besteffort      = 0
		bulk            = 2
		interactiveBulk = 4
		interactive     = 6
	)
	table := [16]uint32{
		besteffort, besteffort, besteffort, besteffort,
		bulk, bulk, bulk, bulk,
		interactive, interactive, interactive, interactive,
		interactiveBulk, interactiveBulk, interactiveBulk, interactiveBulk,
	}
	return table[(tos&0x1e)>>1]
}
