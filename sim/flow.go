package sim

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// flow is one source of traffic between two hosts: its headers in both
// directions, the ports they leave by, what each end saw, and its
// protocol machine.
type flow struct {
	s                *Sim
	id               uint32
	name             string
	group            string // the traffic entry's name
	kind             string
	spec             *TrafficSpec
	src              *host
	dst              *host
	fwd              header // src -> dst
	rev              header // dst -> src
	fwdPort, revPort *port
	start, stop      int64

	rx rxStats
	tx txStats

	tcp *tcpConn
	udp *udpSource
	rr  *reqResp
	pc  *replay

	series     []float64 // received bits per second per sample
	goodSeries []float64
	cwnd       []float64
	lastBytes  uint64
	lastGood   uint64
}

// toDst handles a packet that reached the destination host; false means
// it was not for this flow's socket.
func (f *flow) toDst(p *pkt.Packet, ip ipInfo) bool {
	if ip.proto != f.fwd.proto && f.kind != "pcap" {
		return false
	}
	switch f.kind {
	case "tcp":
		tcp := p.Data[ip.l4:]
		if len(tcp) < tcpLen || binary.BigEndian.Uint16(tcp[2:]) != f.fwd.dport {
			return false
		}
		f.recordRx(p)
		f.tcp.onSegment(p, ip, tcp)
	case "reqresp":
		f.rr.onRequest(p, ip)
	default:
		f.recordRx(p)
		f.deliver(uint64(max(ip.end-ip.l4-udpLen, 0)))
	}
	return true
}

// toSrc handles a packet that came back to the source host.
func (f *flow) toSrc(p *pkt.Packet, ip ipInfo) bool {
	if ip.proto != f.rev.proto {
		return false
	}
	switch f.kind {
	case "tcp":
		tcp := p.Data[ip.l4:]
		if len(tcp) < tcpLen || binary.BigEndian.Uint16(tcp[2:]) != f.rev.dport {
			return false
		}
		f.tcp.onAck(tcp)
	case "reqresp":
		f.recordRx(p)
		f.deliver(uint64(max(ip.end-ip.l4-udpLen, 0)))
		f.rr.onResponse(p, ip)
	default:
		return false
	}
	return true
}

// recordRx counts an arriving data packet: rate, one-way delay, IPDV and
// reordering.
func (f *flow) recordRx(p *pkt.Packet) {
	now := f.s.clk.Now()
	r := &f.rx
	if r.packets == 0 {
		r.first = now
	}
	r.packets++
	r.bytes += uint64(len(p.Data))
	r.last = now
	if p.Seq < r.maxSeq {
		r.reordered++
	} else {
		r.maxSeq = p.Seq
	}
	if now < f.s.warmup {
		return
	}
	r.wPackets++
	r.wBytes += uint64(len(p.Data))
	d := now - p.Sent
	r.delay.add(d)
	if r.haveLast {
		x := d - r.lastDelay
		if x < 0 {
			x = -x
		}
		r.ipdvSum += x
		r.ipdvN++
	}
	r.lastDelay, r.haveLast = d, true
}

// deliver counts payload bytes handed to the application in order.
func (f *flow) deliver(n uint64) {
	f.rx.good += n
	if f.s.clk.Now() >= f.s.warmup {
		f.rx.wGood += n
	}
}

// sendUDP sends one UDP datagram of size frame bytes with header h on pt.
func (f *flow) sendUDP(h *header, pt *port, size int, seq uint64, fill func(b []byte)) {
	s := f.s
	p := s.pool.Get()
	udp := h.write(p, size, h.tos)
	if fill != nil {
		fill(udp[udpLen:])
	}
	p.Flow = f.id
	p.Seq = seq
	p.Sent = s.clk.Now()
	if h == &f.fwd {
		f.tx.packets++
		f.tx.bytes += uint64(len(p.Data))
	}
	if v := pt.h.output(pt, p); v.Code() != sched.Success && h == &f.fwd {
		f.tx.localDrops++
	}
}

// udpSource sends datagrams: at a constant rate (cbr), with exponential
// gaps (poisson), or at a constant rate in on periods separated by off
// periods (onoff).
type udpSource struct {
	f       *flow
	kind    string
	size    int
	gap     float64 // ns, mean
	next    float64 // ns
	on, off float64 // mean ns
	expDist bool
	onUntil float64
	rng     *rand.Rand
	timer   clock.Timer
	seq     uint64
	// phase delays the first packet: the flows of one traffic entry
	// start spread over one gap rather than in lockstep.
	phase float64
}

func (u *udpSource) begin() {
	u.next = float64(u.f.start) + u.phase
	if u.kind == "onoff" {
		u.onUntil = u.next + u.draw(u.on)
	}
	u.timer = u.f.s.clk.NewTimer(u.fire)
	u.timer.Reset(int64(u.next))
}

func (u *udpSource) draw(mean float64) float64 {
	if u.expDist {
		return u.rng.ExpFloat64() * mean
	}
	return mean
}

func (u *udpSource) fire() {
	f := u.f
	u.seq++
	f.sendUDP(&f.fwd, f.fwdPort, u.size, u.seq, nil)
	switch u.kind {
	case "poisson":
		u.next += u.rng.ExpFloat64() * u.gap
	default:
		u.next += u.gap
	}
	if u.kind == "onoff" && u.next >= u.onUntil {
		start := u.onUntil + u.draw(u.off)
		u.next = start
		u.onUntil = start + u.draw(u.on)
	}
	if at := int64(u.next); at < f.stop {
		u.timer.Reset(at)
	}
}

// reqResp is a request/response client (at the source) and server (at
// the destination): a request datagram every interval, answered by
// response datagrams of up to an MTU each. The payload carries the
// transaction id and the response's packet count, as a real protocol
// would.
type reqResp struct {
	f        *flow
	reqSize  int // frame bytes of a request
	respLen  int // response payload bytes
	maxPay   int // payload bytes per response datagram
	interval float64
	poisson  bool
	timeout  int64
	rng      *rand.Rand
	timer    clock.Timer
	next     float64
	nextID   uint64
	slots    [512]rrSlot
	done     uint64
	failed   uint64
	latency  histogram
	sent     uint64
}

type rrSlot struct {
	id    uint64
	start int64
	got   uint32
	need  uint32
	open  bool
}

func (r *reqResp) begin() {
	r.next = float64(r.f.start)
	r.timer = r.f.s.clk.NewTimer(r.fire)
	r.timer.Reset(r.f.start)
}

func (r *reqResp) fire() {
	f := r.f
	now := f.s.clk.Now()
	r.nextID++
	sl := &r.slots[r.nextID%uint64(len(r.slots))]
	if sl.open {
		r.failed++ // never answered in time
	}
	need := uint32((r.respLen + r.maxPay - 1) / r.maxPay)
	*sl = rrSlot{id: r.nextID, start: now, need: max(need, 1), open: true}
	r.sent++
	id := r.nextID
	f.sendUDP(&f.fwd, f.fwdPort, r.reqSize, id, func(b []byte) {
		if len(b) >= 12 {
			binary.BigEndian.PutUint64(b, id)
			binary.BigEndian.PutUint32(b[8:], uint32(r.respLen))
		}
	})
	if r.poisson {
		r.next += r.rng.ExpFloat64() * r.interval
	} else {
		r.next += r.interval
	}
	if at := int64(r.next); at < f.stop {
		r.timer.Reset(at)
	}
}

// onRequest is the server: it answers with the response's datagrams.
func (r *reqResp) onRequest(p *pkt.Packet, ip ipInfo) {
	f := r.f
	pay := p.Data[ip.l4+udpLen : ip.end]
	if len(pay) < 12 {
		return
	}
	id := binary.BigEndian.Uint64(pay)
	left := int(binary.BigEndian.Uint32(pay[8:]))
	hdr := f.rev.n
	for i := 0; left > 0 || i == 0; i++ {
		n := min(left, r.maxPay)
		left -= n
		f.sendUDP(&f.rev, f.revPort, hdr+max(n, 12), id, func(b []byte) {
			binary.BigEndian.PutUint64(b, id)
			binary.BigEndian.PutUint32(b[8:], uint32(i))
		})
	}
}

// onResponse is the client: a transaction is done when all of its
// datagrams are in; a late answer is a failure.
func (r *reqResp) onResponse(p *pkt.Packet, ip ipInfo) {
	pay := p.Data[ip.l4+udpLen : ip.end]
	if len(pay) < 12 {
		return
	}
	id := binary.BigEndian.Uint64(pay)
	sl := &r.slots[id%uint64(len(r.slots))]
	if !sl.open || sl.id != id {
		return
	}
	sl.got++
	if sl.got < sl.need {
		return
	}
	sl.open = false
	now := r.f.s.clk.Now()
	d := now - sl.start
	if d > r.timeout {
		r.failed++
		return
	}
	r.done++
	if sl.start >= r.f.s.warmup {
		r.latency.add(d)
	}
}

// finish counts transactions still open and past their timeout as failed.
func (r *reqResp) finish(now int64) {
	for i := range r.slots {
		if sl := &r.slots[i]; sl.open && now-sl.start > r.timeout {
			sl.open = false
			r.failed++
		}
	}
}
