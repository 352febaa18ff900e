package schedtest

import (
	"encoding/binary"
	"net/netip"

	"github.com/netsched/netsched/pkt"
)

// Packet is a frame to build for classifier and data-path tests: IPv4 or
// IPv6 (by the addresses) over Ethernet, carrying TCP, UDP or ICMP, with
// an optional VLAN tag, either accelerated (in the packet's metadata, as
// a receiving driver leaves it) or in the frame.
type Packet struct {
	Src, Dst     netip.Addr
	Proto        uint8 // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6; others: no header
	SPort, DPort uint16
	TCPFlags     uint8
	ICMPType     uint8
	ICMPCode     uint8
	TOS, TTL     uint8  // TTL 0: 64
	Frag         uint16 // IPv4 flags and fragment offset field
	VLAN         uint16 // TCI; 0: untagged
	VLANInFrame  bool   // put the tag in the frame, not in the metadata
	DstMAC       [6]byte
	SrcMAC       [6]byte
	Size         int // frame length; 0: headers only
	Mark         uint32
	Priority     uint32
	InIfindex    int32
	// CgroupClassID and RouteClassID are the sender's net_cls class and
	// the realms of the route taken (pkt.Packet's fields).
	CgroupClassID uint32
	RouteClassID  uint32
}

// Build fills p with the frame and sets its header offsets and metadata.
func (s *Packet) Build(p *pkt.Packet) {
	l4 := 0
	switch s.Proto {
	case 6:
		l4 = 20
	case 17:
		l4 = 8
	case 1, 58:
		l4 = 8
	}
	v6 := s.Src.Is6() && !s.Src.Is4In6()
	l3 := 20
	etype := uint16(0x0800)
	if v6 {
		l3, etype = 40, 0x86DD
	}
	l2 := 14
	if s.VLAN != 0 && s.VLANInFrame {
		l2 += 4
	}
	n := l2 + l3 + l4
	if s.Size > n {
		n = s.Size
	}
	p.SetLen(n)
	d := p.Data
	for i := range d {
		d[i] = 0
	}
	copy(d[0:6], s.DstMAC[:])
	copy(d[6:12], s.SrcMAC[:])
	o := 12
	if s.VLAN != 0 && s.VLANInFrame {
		binary.BigEndian.PutUint16(d[o:], 0x8100)
		binary.BigEndian.PutUint16(d[o+2:], s.VLAN)
		o += 4
	}
	binary.BigEndian.PutUint16(d[o:], etype)
	ip := d[l2:]
	ttl := s.TTL
	if ttl == 0 {
		ttl = 64
	}
	if v6 {
		binary.BigEndian.PutUint32(ip[0:], 6<<28|uint32(s.TOS)<<20)
		binary.BigEndian.PutUint16(ip[4:], uint16(n-l2-40))
		ip[6], ip[7] = s.Proto, ttl
		src, dst := s.Src.As16(), s.Dst.As16()
		copy(ip[8:], src[:])
		copy(ip[24:], dst[:])
	} else {
		ip[0], ip[1] = 0x45, s.TOS
		binary.BigEndian.PutUint16(ip[2:], uint16(n-l2))
		binary.BigEndian.PutUint16(ip[6:], s.Frag)
		ip[8], ip[9] = ttl, s.Proto
		src, dst := s.Src.As4(), s.Dst.As4()
		copy(ip[12:], src[:])
		copy(ip[16:], dst[:])
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	}
	t := ip[l3:]
	switch s.Proto {
	case 6:
		binary.BigEndian.PutUint16(t[0:], s.SPort)
		binary.BigEndian.PutUint16(t[2:], s.DPort)
		t[12] = 5 << 4
		t[13] = s.TCPFlags
	case 17:
		binary.BigEndian.PutUint16(t[0:], s.SPort)
		binary.BigEndian.PutUint16(t[2:], s.DPort)
		binary.BigEndian.PutUint16(t[4:], uint16(n-l2-l3))
	case 1, 58:
		t[0], t[1] = s.ICMPType, s.ICMPCode
	}
	p.Protocol = etype
	p.VLANTCI, p.VLANProto = 0, 0
	if s.VLAN != 0 {
		if s.VLANInFrame {
			p.Protocol = 0x8100
		} else {
			p.VLANTCI, p.VLANProto = s.VLAN, 0x8100
		}
	}
	p.MACLen = 14
	p.Network = int16(l2)
	if s.VLAN != 0 && s.VLANInFrame {
		// The network header is the tag's, as for an untagged-by-none
		// frame the kernel has not pulled the tag from.
		p.MACLen = 14
		p.Network = 14
	}
	p.Transport = int16(l2 + l3)
	p.Mark, p.Priority, p.InIfindex = s.Mark, s.Priority, s.InIfindex
	p.CgroupClassID, p.RouteClassID = s.CgroupClassID, s.RouteClassID
	p.PktLen = uint32(n)
}
