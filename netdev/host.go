package netdev

// The host stack: the little of an IPv4 host that pinging through the
// qdiscs needs. Flow of a ping:
//
//	Pinger.Send: route (route.go) -> echo request frame (frame.go)
//	  -> output: NOARP device or lo: Device.Transmit at once;
//	             ARP device: neighbour lookup (neigh.go), an ARP request
//	             first and the echo queued until the reply comes
//	  -> qdiscs -> driver (veth: the peer's Receive; lo: its own Receive)
//	Device.Receive -> World backlog (netif_rx) -> softirq goroutine, under
//	  the control lock -> Host.input: ARP requests for our addresses get a
//	  reply, ARP replies resolve neighbours, echo requests to our addresses
//	  get an echo reply, echo replies go to the Pinger that waits for them.
//
// Received packets are processed later and elsewhere, as the kernel's
// netif_rx defers them to the softirq: a driver's Xmit runs under a qdisc
// root lock, and answering at once on the same device (lo, or a veth that
// loops back) would take that lock again.

import (
	"net/netip"
	"sync"

	"github.com/netsched/netsched/pkt"
)

// rxItem is a packet waiting in the backlog with the device it came in on.
type rxItem struct {
	dev *Device
	p   *pkt.Packet
}

// backlog is the world's receive queue (softnet_data's input queue).
type backlog struct {
	mu      sync.Mutex // guards q and running
	q       []rxItem
	running bool
}

// netifRx queues p for the host stack of d's namespace. Without a control
// lock (World.Lock) there is no host stack and the packet is freed.
func (w *World) netifRx(d *Device, p *pkt.Packet) {
	if w.Lock == nil {
		p.Free()
		return
	}
	b := &w.rx
	b.mu.Lock()
	b.q = append(b.q, rxItem{d, p})
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go w.softirq()
	}
}

// softirq drains the backlog under the control lock, then ends; the next
// packet starts it again.
func (w *World) softirq() {
	for {
		b := &w.rx
		b.mu.Lock()
		batch := b.q
		b.q = nil
		if len(batch) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		w.Lock.Lock()
		for _, it := range batch {
			if it.dev.dead {
				it.p.Free()
				continue
			}
			it.dev.ns.Host().input(it.dev, it.p)
		}
		w.Lock.Unlock()
	}
}

// Host is one namespace's host stack. It is used under the control lock.
type Host struct {
	ns      *Namespace
	neigh   map[neighKey]*neighbour
	pingers map[uint16]*Pinger
	nextID  uint16
	ipID    uint16 // IPv4 identification of the packets we send
}

// Host returns the namespace's host stack, creating it on first use.
func (ns *Namespace) Host() *Host {
	if ns.host == nil {
		ns.host = &Host{ns: ns, neigh: map[neighKey]*neighbour{}, pingers: map[uint16]*Pinger{},
			nextID: 0x1d3c}
	}
	return ns.host
}

// IsLocal reports whether a is an address of an up device of the
// namespace: a destination the local routing table holds (RTN_LOCAL).
func (ns *Namespace) IsLocal(a netip.Addr) bool { return ns.localDev(a) != nil }

// localDev returns the up device that holds a, or nil.
func (ns *Namespace) localDev(a netip.Addr) *Device {
	for _, d := range ns.devs {
		if !d.IsUp() {
			continue
		}
		for _, x := range d.addrs {
			if x.Prefix.Addr() == a {
				return d
			}
		}
	}
	return nil
}

// input is the receive path of the host stack (netif_receive_skb up to
// ip_rcv and arp_rcv): frames for other hosts are ignored, as are
// fragments and anything but ARP and ICMP echo.
func (h *Host) input(d *Device, p *pkt.Packet) {
	defer p.Free()
	b := p.Data
	if len(b) < ethHdrLen {
		return
	}
	dst := [6]byte(b[0:6])
	if d.kind != kindLoopback && dst != d.addr && dst[0]&1 == 0 {
		return // PACKET_OTHERHOST
	}
	switch uint16(b[12])<<8 | uint16(b[13]) {
	case EthPARP:
		if a, ok := parseARP(b[ethHdrLen:]); ok {
			h.arpInput(d, a)
		}
	case EthPIP:
		h.ipInput(d, b[ethHdrLen:])
	}
}

// ipInput is ip_rcv for packets to this host, ICMP echo only.
func (h *Host) ipInput(d *Device, b []byte) {
	ip, ihl, ok := parseIPv4(b)
	if !ok || ip.proto != ipProtoICMP || ip.frag&(ipMF|ipOffMask) != 0 {
		return
	}
	if !h.ns.IsLocal(ip.dst) {
		return
	}
	// A packet from one of our own addresses that did not come through
	// lo is a martian (fib_validate_source); as is one from nowhere.
	if !ip.src.IsValid() || ip.src.IsUnspecified() || ip.src.IsMulticast() ||
		(d.kind != kindLoopback && h.ns.IsLocal(ip.src)) {
		return
	}
	icmp := b[ihl:ip.totalLen]
	if len(icmp) < icmpHdrLen || csum(icmp) != 0 {
		return
	}
	id := uint16(icmp[4])<<8 | uint16(icmp[5])
	seq := uint16(icmp[6])<<8 | uint16(icmp[7])
	switch icmp[0] {
	case icmpEchoRequest:
		h.echoReply(ip, icmp, id, seq)
	case icmpEchoReply:
		if pg := h.pingers[id]; pg != nil {
			pg.deliver(EchoReply{Seq: seq, From: ip.src, Bytes: len(icmp), TTL: ip.ttl,
				At: h.ns.Net.Clock.Now()})
		}
	}
}

// echoReply answers an echo request (icmp_echo and icmp_reply): the data
// goes back from the address it was sent to, with the request's TOS.
func (h *Host) echoReply(req ipv4Hdr, icmp []byte, id, seq uint16) {
	rt, err := h.Route(req.src, nil)
	if err != nil {
		return
	}
	p := h.ns.Pool().Get()
	n := EchoFrameLen(len(icmp) - icmpHdrLen)
	p.SetLen(n)
	copy(p.Data[ethHdrLen+ipv4HdrLen:], icmp)
	putICMPEcho(p.Data[ethHdrLen+ipv4HdrLen:], icmpEchoReply, id, seq)
	h.ipOutput(p, rt, req.dst, req.tos)
}

// ipOutput fills the IPv4 header of p (whose ICMP part is in place) and
// sends it by route rt from src (ip_local_out); the result is the
// device's answer, as sendmsg reports it.
func (h *Host) ipOutput(p *pkt.Packet, rt Route, src netip.Addr, tos uint8) error {
	h.ipID++
	hdr := ipv4Hdr{tos: tos, totalLen: uint16(len(p.Data) - ethHdrLen),
		id: h.ipID, frag: ipDF, ttl: defaultTTL, proto: ipProtoICMP, src: src, dst: rt.Dst}
	mtu := int(rt.Dev.MTU())
	if int(hdr.totalLen) <= mtu || mtu < ipv4HdrLen+8 {
		putIPv4(p.Data[ethHdrLen:], hdr)
		h.setMeta(p, tos)
		p.RouteClassID = rt.Realms
		return h.neighOutput(rt.Dev, rt.Dst, p)
	}
	// Larger than the MTU: ping's sockets allow local fragmentation
	// (IP_PMTUDISC_WANT), so the datagram leaves in fragments without DF
	// (ip_fragment). Our input does not reassemble them.
	defer p.Free()
	payload := p.Data[ethHdrLen+ipv4HdrLen:]
	chunk := (mtu - ipv4HdrLen) &^ 7
	var err error
	for off := 0; off < len(payload); off += chunk {
		n := min(chunk, len(payload)-off)
		f := h.ns.Pool().Get()
		f.SetLen(ethHdrLen + ipv4HdrLen + n)
		copy(f.Data[ethHdrLen+ipv4HdrLen:], payload[off:off+n])
		fh := hdr
		fh.totalLen = uint16(ipv4HdrLen + n)
		fh.frag = uint16(off / 8)
		if off+n < len(payload) {
			fh.frag |= ipMF
		}
		putIPv4(f.Data[ethHdrLen:], fh)
		h.setMeta(f, tos)
		f.RouteClassID = rt.Realms
		if e := h.neighOutput(rt.Dev, rt.Dst, f); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// setMeta sets the skb fields of an IPv4 packet the host sends: the
// priority follows the TOS as for a socket with IP_TOS set.
func (h *Host) setMeta(p *pkt.Packet, tos uint8) {
	p.Protocol = EthPIP
	p.MACLen = ethHdrLen
	p.Network = ethHdrLen
	p.Transport = ethHdrLen + ipv4HdrLen
	p.Priority = TOS2Priority(tos)
}
