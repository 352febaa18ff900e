package netdev

import (
	"net/netip"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// ARP parameters: the kernel's defaults (neigh_parms of arp_tbl).
const (
	arpRetransNs    = 1_000_000_000 // retrans_time: 1 s between probes
	arpMcastProbes  = 3             // mcast_solicit: broadcast probes before failing
	arpUnresQBytes  = 212992        // unres_qlen_bytes: what waits for a reply
	arpFrameLen     = ethHdrLen + arpLen
	neighIncomplete = 1
	neighReachable  = 2
)

type neighKey struct {
	ifindex int32
	ip      netip.Addr
}

// neighbour is an ARP cache entry (struct neighbour) on one device:
// incomplete while probes go out, reachable once a reply came. Entries
// never age: a test's lifetime is far shorter than reachable_time.
type neighbour struct {
	dev    *Device
	ip     netip.Addr
	state  int
	mac    [6]byte
	probes int
	queue  pkt.List // packets waiting for resolution (arp_queue)
	qbytes int
	timer  clock.Timer
}

// neighOutput sends an IPv4 packet to nexthop on d (neigh_output): at
// once on devices without ARP, else once the neighbour is resolved. The
// error is what sendmsg would report: ENOBUFS when the qdisc dropped the
// packet (NET_XMIT_DROP); a congestion notice or a packet that waits for
// ARP is a success.
func (h *Host) neighOutput(d *Device, nexthop netip.Addr, p *pkt.Packet) error {
	if d.flags&(IFF_NOARP|IFF_LOOPBACK) != 0 {
		// arp_constructor: NUD_NOARP, the destination is the device's
		// own address (zero for lo).
		putEth(p.Data, d.addr, d.addr, EthPIP)
		return xmitErr(d.Transmit(p))
	}
	k := neighKey{d.index, nexthop}
	n := h.neigh[k]
	if n != nil && n.state == neighReachable {
		putEth(p.Data, n.mac, d.addr, EthPIP)
		return xmitErr(d.Transmit(p))
	}
	if n == nil {
		n = &neighbour{dev: d, ip: nexthop, state: neighIncomplete}
		n.timer = h.ns.Net.Clock.NewTimer(func() { h.neighTimer(n) })
		h.neigh[k] = n
	}
	// __neigh_event_send: queue, dropping the oldest beyond the limit.
	p.Next = nil
	n.queue.PushBack(p)
	n.qbytes += len(p.Data)
	for n.qbytes > arpUnresQBytes && n.queue.Head != nil {
		old := n.queue.PopFront()
		n.qbytes -= len(old.Data)
		old.Free()
	}
	if n.probes == 0 {
		h.solicit(n, p)
		n.timer.Reset(h.ns.Net.Clock.Now() + arpRetransNs)
	}
	return nil
}

// xmitErr maps a transmit verdict to sendmsg's errno (net_xmit_errno).
func xmitErr(v sched.Verdict) error {
	if v.Code() == sched.Dropped {
		return errNoBufs
	}
	return nil
}

// neighTimer is neigh_timer_handler for an incomplete entry: another probe,
// or failure after mcast_solicit probes, which frees what waited.
func (h *Host) neighTimer(n *neighbour) {
	if n.state != neighIncomplete || n.dev.dead {
		return
	}
	if n.probes >= arpMcastProbes {
		for p := n.queue.PopFront(); p != nil; p = n.queue.PopFront() {
			p.Free()
		}
		n.qbytes = 0
		// A failed entry is as good as none: the next packet starts
		// resolving again.
		delete(h.neigh, neighKey{n.dev.index, n.ip})
		return
	}
	h.solicit(n, n.queue.Head)
	n.timer.Reset(h.ns.Net.Clock.Now() + arpRetransNs)
}

// solicit broadcasts an ARP request for n (arp_solicit). The sender
// address is the waiting packet's source when it is ours (arp_announce 0),
// else the device's choice.
func (h *Host) solicit(n *neighbour, waiting *pkt.Packet) {
	n.probes++
	d := n.dev
	var spa netip.Addr
	if waiting != nil && len(waiting.Data) >= ethHdrLen+ipv4HdrLen {
		if ip, _, ok := parseIPv4(waiting.Data[ethHdrLen:]); ok && h.ns.IsLocal(ip.src) {
			spa = ip.src
		}
	}
	if !spa.IsValid() {
		spa = h.selectSource(d, n.ip)
	}
	h.sendARP(d, arpPkt{op: arpRequest, sha: d.addr, spa: spa, tpa: n.ip}, broadcastMAC)
}

// sendARP transmits an ARP message on d to the link address dst.
func (h *Host) sendARP(d *Device, a arpPkt, dst [6]byte) {
	p := h.ns.Pool().Get()
	p.SetLen(arpFrameLen)
	putEth(p.Data, dst, d.addr, EthPARP)
	putARP(p.Data[ethHdrLen:], a)
	p.Protocol = EthPARP
	p.MACLen = ethHdrLen
	p.Network = ethHdrLen
	d.Transmit(p)
}

// arpInput is arp_process: a request for one of our addresses is
// answered and teaches us the sender; a reply completes an entry we were
// resolving, and sends what waited on it.
func (h *Host) arpInput(d *Device, a arpPkt) {
	if d.flags&IFF_NOARP != 0 || a.tpa.IsMulticast() || a.tpa.IsLoopback() {
		return
	}
	// A sender claiming one of our addresses is a martian source.
	if a.spa.IsValid() && !a.spa.IsUnspecified() && h.ns.IsLocal(a.spa) {
		return
	}
	switch a.op {
	case arpRequest:
		if !h.ns.IsLocal(a.tpa) || a.spa.IsUnspecified() {
			return
		}
		h.learn(d, a.spa, a.sha, true)
		h.sendARP(d, arpPkt{op: arpReply, sha: d.addr, spa: a.tpa, tha: a.sha, tpa: a.spa}, a.sha)
	case arpReply:
		h.learn(d, a.spa, a.sha, false)
	}
}

// learn records that ip is at mac on d (neigh_update); create is false
// for replies, which only update entries we already have.
func (h *Host) learn(d *Device, ip netip.Addr, mac [6]byte, create bool) {
	k := neighKey{d.index, ip}
	n := h.neigh[k]
	if n == nil {
		if !create {
			return
		}
		n = &neighbour{dev: d, ip: ip}
		h.neigh[k] = n
	}
	n.mac = mac
	n.state = neighReachable
	if n.timer != nil {
		n.timer.Stop()
	}
	for p := n.queue.PopFront(); p != nil; p = n.queue.PopFront() {
		putEth(p.Data, mac, d.addr, EthPIP)
		d.Transmit(p)
	}
	n.qbytes = 0
}
