package sim

// The host stack: the part of an IP host and router that the simulator
// needs, deterministic and allocation-free.
//
// Flow of a received frame (Device.Receive has run the ingress qdisc):
//
//	port.receive: a new packet on the wire side (metadata cleared, as a
//	  NIC makes a new skb) -> Device.Receive -> host.deliver
//	host.deliver: not IPv4/IPv6 -> dropped
//	  to one of our addresses or local prefixes -> the flow's endpoint
//	    (TCP sender or receiver, UDP sink, request/response)
//	  else, forwarding on -> TTL/hop limit, route (longest prefix),
//	    Ethernet addresses of the next cable, skb priority from the TOS
//	    (ip_forward) -> Device.Transmit of the output device
//	  else -> dropped
//
// Links are point to point, so the next hop's link address is always the
// peer device's: no ARP or neighbour discovery.

import (
	"encoding/binary"
	"net/netip"
	"sort"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// host is one namespace with its stack.
type host struct {
	s       *Sim
	name    string
	index   int
	ns      *netdev.Namespace
	ports   []*port
	byIndex []*port // by ifindex
	forward bool
	spec    *HostSpec

	local     []netip.Addr
	localNets []netip.Prefix
	routes    []route

	// Counters of packets the stack dropped.
	noRoute, ttlExceeded, notLocal, noSocket, notIP uint64
}

// route sends a prefix out of a port.
type route struct {
	prefix netip.Prefix
	port   *port
}

// port is a device of a host and its end of a cable.
type port struct {
	h     *host
	dev   *netdev.Device
	name  string
	mac   [6]byte
	peer  *port
	out   *wire // the direction we send on
	addrs []netip.Prefix
	end   *EndSpec
}

// receive takes a frame off the cable: a new packet for the stack, as a
// NIC builds a new skb, keeping only the bytes, the hash (the RSS hash of
// the same tuple) and the simulator's own bookkeeping.
func (pt *port) receive(p *pkt.Packet) {
	p.Priority, p.Mark, p.TCIndex, p.QueueMapping = 0, 0, 0, 0
	p.Tstamp, p.TimeToSend = 0, 0
	p.VLANTCI, p.VLANProto = 0, 0
	p.MACLen = ethLen
	p.Network = ethLen
	p.Transport = -1
	if len(p.Data) >= ethLen {
		p.Protocol = binary.BigEndian.Uint16(p.Data[12:])
		if len(p.Data) > ethLen && p.Protocol == ethIPv4 {
			p.Transport = ethLen + int16(p.Data[ethLen]&0x0f)*4
		} else if p.Protocol == ethIPv6 {
			p.Transport = ethLen + ipv6Len
		}
	}
	pt.dev.Receive(p)
}

// isLocal reports whether a is ours.
func (h *host) isLocal(a netip.Addr) bool {
	for _, x := range h.local {
		if x == a {
			return true
		}
	}
	for _, n := range h.localNets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// lookup is the longest-prefix match of dst (routes are sorted by prefix
// length, longest first).
func (h *host) lookup(dst netip.Addr) *port {
	for i := range h.routes {
		if h.routes[i].prefix.Contains(dst) {
			return h.routes[i].port
		}
	}
	return nil
}

func (h *host) addRoute(pfx netip.Prefix, pt *port) {
	pfx = pfx.Masked()
	for _, r := range h.routes {
		if r.prefix == pfx {
			return // the first route for a prefix wins
		}
	}
	h.routes = append(h.routes, route{pfx, pt})
	sort.SliceStable(h.routes, func(i, j int) bool { return h.routes[i].prefix.Bits() > h.routes[j].prefix.Bits() })
}

// output sends a packet the host made on port pt.
func (h *host) output(pt *port, p *pkt.Packet) sched.Verdict {
	p.Tstamp = h.s.clk.Now()
	return pt.dev.Transmit(p)
}

// deliver is the namespace's Deliver: a frame for the stack.
func (h *host) deliver(d *netdev.Device, p *pkt.Packet) {
	ip, ok := parseIP(p.Data)
	if !ok {
		h.notIP++
		p.Free()
		return
	}
	dst := dstAddr(p.Data, ip.v6)
	if h.isLocal(dst) {
		h.localIn(p, ip)
		return
	}
	if !h.forward {
		h.notLocal++
		p.Free()
		return
	}
	out := h.lookup(dst)
	if out == nil {
		h.noRoute++
		p.Free()
		return
	}
	b := p.Data
	if ip.v6 {
		if b[ethLen+7] <= 1 {
			h.ttlExceeded++
			p.Free()
			return
		}
		b[ethLen+7]--
	} else {
		if b[ethLen+8] <= 1 {
			h.ttlExceeded++
			p.Free()
			return
		}
		b[ethLen+8]--
		// RFC 1624's incremental update, as ip_decrease_ttl.
		c := uint32(binary.BigEndian.Uint16(b[ethLen+10:])) + 0x0100
		c += c >> 16
		binary.BigEndian.PutUint16(b[ethLen+10:], uint16(c))
		p.Priority = netdev.TOS2Priority(b[ethLen+1])
	}
	copy(b[0:6], out.peer.mac[:])
	copy(b[6:12], out.mac[:])
	h.output(out, p)
}

// localIn hands a packet for this host to its flow.
func (h *host) localIn(p *pkt.Packet, ip ipInfo) {
	s := h.s
	id := p.Flow
	if id == 0 || int(id) >= len(s.flows) {
		h.noSocket++
		p.Free()
		return
	}
	f := s.flows[id]
	switch {
	case f.dst == h && f.toDst(p, ip):
	case f.src == h && f.toSrc(p, ip):
	default:
		h.noSocket++
	}
	p.Free()
}
