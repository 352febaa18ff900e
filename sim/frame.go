package sim

// Frames: every packet the simulator sends is a real Ethernet II frame
// with an IPv4 or IPv6 header and a UDP or TCP header, so that classifiers
// (u32 offsets, flower keys) match exactly as on a kernel. A flow builds
// its header once (a template) and each packet copies it and patches the
// lengths, the IPv4 identification and checksum, and the TCP fields. The
// transport checksums are left zero, as a NIC with checksum offload would
// fill them: nothing on the path verifies them, and summing every payload
// would cost more than the rest of a hop.

import (
	"encoding/binary"
	"net/netip"

	"github.com/netsched/netsched/pkt"
)

// Header lengths and protocol numbers.
const (
	ethLen  = 14
	ipv4Len = 20
	ipv6Len = 40
	udpLen  = 8
	tcpLen  = 20

	ethIPv4 = 0x0800
	ethIPv6 = 0x86DD

	protoTCP = 6
	protoUDP = 17

	maxHdr = ethLen + ipv6Len + tcpLen
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
	tcpECE = 0x40
	tcpCWR = 0x80
)

// ECN codepoints (the low two bits of the TOS / traffic class).
const (
	ecnNotECT = 0
	ecnECT1   = 1
	ecnECT0   = 2
	ecnCE     = 3
)

// header is the template of one direction of a flow.
type header struct {
	v6    bool
	proto uint8
	tos   uint8
	src   netip.Addr
	dst   netip.Addr
	sport uint16
	dport uint16
	// priority and mark are SO_PRIORITY and SO_MARK of the socket.
	priority uint32
	mark     uint32
	hash     uint32 // the socket's flow hash (sk_txhash)
	tmpl     [maxHdr]byte
	n        int    // header bytes (Ethernet to the end of L4)
	l4       int    // offset of the transport header
	sum      uint32 // IPv4: ones' complement sum of the fixed fields
	id       uint16 // IPv4 identification of the next packet
}

// init fills the template; the MAC addresses are set by setMAC.
func (h *header) init() {
	b := h.tmpl[:]
	if h.v6 {
		binary.BigEndian.PutUint16(b[12:], ethIPv6)
		ip := b[ethLen:]
		ip[0] = 0x60 | h.tos>>4
		ip[1] = h.tos << 4
		ip[6] = h.proto
		ip[7] = 64
		s, d := h.src.As16(), h.dst.As16()
		copy(ip[8:], s[:])
		copy(ip[24:], d[:])
		h.l4 = ethLen + ipv6Len
	} else {
		binary.BigEndian.PutUint16(b[12:], ethIPv4)
		ip := b[ethLen:]
		ip[0] = 0x45
		ip[1] = h.tos
		binary.BigEndian.PutUint16(ip[6:], 0x4000) // DF, as a TCP or UDP socket with PMTU discovery
		ip[8] = 64
		ip[9] = h.proto
		s, d := h.src.As4(), h.dst.As4()
		copy(ip[12:], s[:])
		copy(ip[16:], d[:])
		h.l4 = ethLen + ipv4Len
		var sum uint32
		for i := 0; i < ipv4Len; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		h.sum = sum
	}
	l4 := b[h.l4:]
	binary.BigEndian.PutUint16(l4[0:], h.sport)
	binary.BigEndian.PutUint16(l4[2:], h.dport)
	if h.proto == protoTCP {
		l4[12] = 5 << 4 // data offset: 20 bytes, no options
		h.n = h.l4 + tcpLen
	} else {
		h.n = h.l4 + udpLen
	}
	h.hash = flowHash(h)
}

// setMAC writes the link addresses (source: our device, destination: the
// other end of its cable).
func (h *header) setMAC(src, dst [6]byte) {
	copy(h.tmpl[0:6], dst[:])
	copy(h.tmpl[6:12], src[:])
}

// write makes p a frame of size bytes with this header; the bytes after
// the header are zeroed. It returns the transport header.
func (h *header) write(p *pkt.Packet, size int, tos uint8) []byte {
	if size < h.n {
		size = h.n
	}
	p.SetLen(size)
	d := p.Data
	copy(d, h.tmpl[:h.n])
	clear(d[h.n:])
	ip := d[ethLen:]
	if h.v6 {
		binary.BigEndian.PutUint16(ip[4:], uint16(size-ethLen-ipv6Len))
		if tos != h.tos {
			ip[0] = 0x60 | tos>>4
			ip[1] = tos << 4
		}
		p.Protocol = ethIPv6
	} else {
		tot := uint16(size - ethLen)
		binary.BigEndian.PutUint16(ip[2:], tot)
		h.id++
		binary.BigEndian.PutUint16(ip[4:], h.id)
		sum := h.sum
		if tos != h.tos {
			ip[1] = tos
			sum = sum - uint32(h.tos) + uint32(tos)
		}
		sum += uint32(tot) + uint32(h.id)
		sum = sum&0xffff + sum>>16
		sum = sum&0xffff + sum>>16
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		p.Protocol = ethIPv4
	}
	l4 := d[h.l4:]
	if h.proto == protoUDP {
		binary.BigEndian.PutUint16(l4[4:], uint16(size-h.l4))
	}
	p.MACLen = ethLen
	p.Network = ethLen
	p.Transport = int16(h.l4)
	p.Priority = h.priority
	p.Mark = h.mark
	p.Hash = h.hash
	return l4
}

// flowHash is the socket's flow hash: a mix of the 5-tuple (the kernel
// draws sk_txhash at random; a function of the tuple keeps runs repeatable
// and spreads flows the same way).
func flowHash(h *header) uint32 {
	x := uint64(h.proto)<<32 | uint64(h.sport)<<16 | uint64(h.dport)
	for _, a := range [2]netip.Addr{h.src, h.dst} {
		b := a.As16()
		x ^= binary.BigEndian.Uint64(b[0:])
		x = mix64(x)
		x ^= binary.BigEndian.Uint64(b[8:])
		x = mix64(x)
	}
	if v := uint32(x >> 32); v != 0 {
		return v
	}
	return 1
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// ipInfo is what the stack reads of a received IP packet.
type ipInfo struct {
	v6    bool
	proto uint8
	ecn   uint8
	l4    int // offset of the transport header in the frame
	end   int // end of the IP packet in the frame
}

// parseIP reads the IP header of frame b (after Ethernet). ok is false
// for anything but a sane IPv4 or IPv6 packet.
func parseIP(b []byte) (ipInfo, bool) {
	if len(b) < ethLen+ipv4Len {
		return ipInfo{}, false
	}
	switch binary.BigEndian.Uint16(b[12:]) {
	case ethIPv4:
		ip := b[ethLen:]
		ihl := int(ip[0]&0x0f) * 4
		tot := int(binary.BigEndian.Uint16(ip[2:]))
		if ip[0]>>4 != 4 || ihl < ipv4Len || tot < ihl || tot > len(ip) {
			return ipInfo{}, false
		}
		return ipInfo{proto: ip[9], ecn: ip[1] & 3, l4: ethLen + ihl, end: ethLen + tot}, true
	case ethIPv6:
		if len(b) < ethLen+ipv6Len {
			return ipInfo{}, false
		}
		ip := b[ethLen:]
		pl := int(binary.BigEndian.Uint16(ip[4:]))
		if ip[0]>>4 != 6 || ipv6Len+pl > len(ip) {
			return ipInfo{}, false
		}
		return ipInfo{v6: true, proto: ip[6], ecn: (ip[1] >> 4) & 3, l4: ethLen + ipv6Len, end: ethLen + ipv6Len + pl}, true
	}
	return ipInfo{}, false
}

// dstAddr returns the destination address of an IP frame that parseIP
// accepted.
func dstAddr(b []byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte(b[ethLen+24 : ethLen+40]))
	}
	return netip.AddrFrom4([4]byte(b[ethLen+16 : ethLen+20]))
}
