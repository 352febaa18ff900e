package sim

// TCP: one bulk connection per flow, sender at the flow's source and
// receiver at its destination, exchanging real segments.
//
// Flow of a connection:
//
//	open: SYN (RTO 1 s, backed off) -> SYN-ACK -> established
//	send: while flight < min(cwnd, rwnd): a segment of up to MSS bytes
//	  (ECT(0) when ECN is on, CWR once after a reduction)
//	receive (tcp_rcv.go): in order -> ACK every second segment or after
//	  the delayed-ACK timer; out of order -> kept as a span, duplicate
//	  ACK at once; CE -> ECE on every ACK until CWR
//	ACK: new data acked -> slow start or congestion avoidance (cc.go),
//	  RTT sample (one timed segment, Karn) -> RFC 6298 RTO
//	  SACK blocks -> the scoreboard; a hole known lost -> SACK recovery
//	  (sack.go, RFC 6675); without SACK, three duplicates -> fast
//	  retransmit, NewReno recovery (RFC 6582)
//	  ECE -> one reduction per window, CWR on the next segment
//	RTO -> ssthresh, cwnd 1, go back to the first unacked byte, back off
//
// Sequence numbers are kept as 64-bit offsets from the first data byte
// and written to the wire modulo 2^32 after the ISS; the window scale is
// taken as agreed (7) rather than carried in SYN options.

import (
	"encoding/binary"
	"math"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/sched"
)

const (
	tcpInitialRTO = 1_000_000_000       // RFC 6298: 1 s before the first sample
	tcpMaxRTO     = 120_000_000_000     // Linux TCP_RTO_MAX
	tcpDelAck     = 40_000_000          // Linux's delayed-ACK timeout (TCP_DELACK_MIN)
	tcpWScale     = 7                   // window scale both ends are taken to use
	tcpInitCwnd   = 10                  // RFC 6928, Linux's TCP_INIT_CWND
	tcpMaxSpans   = 64                  // out-of-order spans the receiver keeps
	tcpISS        = uint32(0x1000_0000) // initial sequence numbers (fixed: runs repeat)
	tcpIRS        = uint32(0x2000_0000)
)

const (
	tcpClosed = iota
	tcpSynSent
	tcpEstablished
	tcpDone
)

// tcpConn is both ends of one connection.
type tcpConn struct {
	s *Sim
	f *flow

	// Sender.
	state     int
	mss       uint32
	limit     uint64 // bytes to send; MaxUint64: unlimited
	sndUna    uint64
	sndNxt    uint64
	sndMax    uint64
	cwnd      uint32 // segments
	cwndCnt   uint32
	cwndClamp uint32
	ssthresh  uint32
	rwnd      uint64 // bytes the receiver advertises
	cc        congestion
	ecn       bool

	dupAcks     int
	inRecovery  bool
	partialSeen bool   // a partial ACK came in this recovery (Impatient RTO)
	recover     uint64 // NewReno: sndMax when recovery started
	ackedBytes  uint64 // bytes acked not yet counted as whole segments

	// ECN sender state: a reduction waits until ecnRecover is acked;
	// sendCWR marks the next data segment.
	ecnRecover uint64
	sendCWR    bool

	// RTT (RFC 6298) with one timed segment at a time.
	srtt, rttvar, rto int64
	minRTT            int64
	timing            bool
	timedSeq          uint64
	timedAt           int64
	backoff           int
	rtoAt             int64 // when the retransmission timer expires; 0: off
	rtoTimer          clock.Timer
	minRTO            int64
	synSentAt         int64

	// TCP small queues: bytes of our segments in the sending host's
	// qdiscs; past the limit the socket waits for them to leave.
	tsqBytes     int64
	tsqThrottled bool
	tsqT         clock.Timer

	// Congestion window validation (RFC 7661, tcp_is_cwnd_limited): the
	// window grows only while it limits the sender. Per round trip (until
	// winMark is acked): the most segments out, and whether the window
	// stopped the sender.
	winMark     uint64
	maxOut      uint32
	cwndLimited bool

	// SACK: the scoreboard of what the receiver holds above sndUna and
	// the highest byte resent in this recovery (RFC 6675's HighRxt).
	sack    bool
	sacked  spanSet
	highRxt uint64
	opt     [40]byte // TCP options of the segment being built

	// Receiver.
	rcvNxt     uint64
	ooo        spanSet // out-of-order data
	lastSeg    uint64  // the latest segment's start, for the first SACK block
	unacked    int     // in-order segments not yet acknowledged
	delackAt   int64   // 0: no delayed ACK pending
	delackOn   bool
	delack     clock.Timer
	echoECE    bool
	rcvStarted bool

	st tcpStats
}

// span is a block of out-of-order data [start, end).
type span struct{ start, end uint64 }

// tcpStats are the sender's counters.
type tcpStats struct {
	segments, retrans, fastRetrans, timeouts, ecnReductions, localDrops uint64
	acksSent, acksRcvd                                                  uint64
	done                                                                int64 // when the last byte was acked (0: not yet)
}

func newTCP(s *Sim, f *flow, o *tcpOptions) *tcpConn {
	c := &tcpConn{s: s, f: f, mss: o.mss, limit: o.bytes, rwnd: o.rwnd, cc: o.cc, ecn: o.ecn,
		cwnd: tcpInitCwnd, ssthresh: math.MaxUint32, rto: tcpInitialRTO, minRTO: o.minRTO,
		delackOn: o.delack, sack: o.sack}
	c.cwndClamp = uint32(min(o.rwnd/uint64(o.mss)+1, math.MaxUint32))
	c.rtoTimer = s.clk.NewTimer(c.onRTOTimer)
	c.delack = s.clk.NewTimer(c.onDelack)
	c.tsqT = s.clk.NewTimer(c.trySend)
	return c
}

// tcpOptions are a TCP traffic spec's settings.
type tcpOptions struct {
	mss    uint32
	bytes  uint64
	rwnd   uint64
	cc     congestion
	ecn    bool
	sack   bool
	delack bool
	minRTO int64
}

// open sends the SYN.
func (c *tcpConn) open() {
	c.state = tcpSynSent
	c.synSentAt = c.s.clk.Now()
	c.sendSyn()
}

func (c *tcpConn) sendSyn() {
	flags := uint8(tcpSYN)
	if c.ecn {
		flags |= tcpECE | tcpCWR // ECN-setup SYN
	}
	c.segment(&c.f.fwd, c.f.fwdPort, tcpISS, 0, flags, 0, 0, 0, false)
	c.armRTO(c.s.clk.Now() + c.rto)
}

// segment builds and sends one TCP segment of payload bytes on port
// with header h and optLen bytes of options from c.opt; it returns the
// transmit verdict.
func (c *tcpConn) segment(h *header, out *port, seq, ack uint32, flags uint8, payload, optLen int, rel uint64, ect bool) sched.Verdict {
	s := c.s
	p := s.pool.Get()
	tos := h.tos
	if ect {
		tos = tos&^3 | ecnECT0
	}
	tcp := h.write(p, h.n+optLen+payload, tos)
	if optLen > 0 {
		tcp[12] = byte((tcpLen+optLen)/4) << 4
		copy(tcp[tcpLen:], c.opt[:optLen])
	}
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[13] = flags
	win := c.rwnd >> tcpWScale
	if win > 0xffff {
		win = 0xffff
	}
	binary.BigEndian.PutUint16(tcp[14:], uint16(win))
	p.Flow = c.f.id
	p.Seq = rel
	p.Sent = s.clk.Now()
	return out.h.output(out, p)
}

// onSynAck is the SYN-ACK: the connection is open.
func (c *tcpConn) onSynAck() {
	if c.state != tcpSynSent {
		return
	}
	now := c.s.clk.Now()
	if c.backoff == 0 {
		c.rttSample(now - c.synSentAt)
	}
	c.backoff = 0
	c.state = tcpEstablished
	c.rto = max(c.rto, c.minRTO)
	c.disarmRTO()
	c.trySend()
}

// trySend sends what the windows allow: fewer segments in flight than
// cwnd, and every segment within the receive window (tcp_snd_wnd_test).
func (c *tcpConn) trySend() {
	if c.state != tcpEstablished {
		return
	}
	if c.inRecovery && c.sack {
		c.sackRecover()
		return
	}
	mss := uint64(c.mss)
	for c.sndNxt < c.limit {
		if c.sndNxt < c.sndMax {
			// Going back after a timeout: skip what the receiver SACKed.
			if sp, ok := c.sacked.covering(c.sndNxt); ok {
				c.sndNxt = sp.end
				continue
			}
		}
		if (c.sndNxt-c.sndUna+mss-1)/mss >= uint64(c.cwnd) {
			c.cwndLimited = true
			break
		}
		n := min(mss, c.limit-c.sndNxt)
		if c.sndNxt < c.sndMax {
			if next, ok := c.sacked.next(c.sndNxt); ok {
				n = min(n, next-c.sndNxt)
			}
		}
		if c.sndNxt+n > c.sndUna+c.rwnd {
			break
		}
		if c.tsqBytes >= c.tsqLimit() {
			c.tsqThrottled = true
			break
		}
		c.sendData(c.sndNxt, n)
		c.sndNxt += n
		if c.sndNxt > c.sndMax {
			c.sndMax = c.sndNxt
		}
	}
	if out := uint32((c.sndNxt - c.sndUna) / uint64(c.mss)); out > c.maxOut {
		c.maxOut = out
	}
	if c.sndNxt > c.sndUna && c.rtoAt == 0 {
		c.armRTO(c.s.clk.Now() + c.rto)
	}
}

// growable is tcp_is_cwnd_limited: in slow start while the window is
// less than twice what was out, after it while the window limited the
// sender in the last round trip.
func (c *tcpConn) growable() bool {
	if c.cwnd < c.ssthresh {
		return c.cwnd < 2*c.maxOut || c.cwndLimited
	}
	return c.cwndLimited
}

// tsqSeq marks a segment whose bytes count against its socket's TCP
// small queues budget until it leaves the host (in pkt.Packet.Seq, whose
// other bits hold the segment's offset).
const tsqSeq = uint64(1) << 63

// tsqLimit is tcp_small_queue_check's limit: about a millisecond at the
// pacing rate (twice the window per RTT in slow start, 1.2 times after),
// at least two segments, at most tcp_limit_output_bytes (1 MB).
func (c *tcpConn) tsqLimit() int64 {
	lim := int64(2 * (c.mss + 80))
	if c.srtt > 0 {
		ratio := 1.2
		if c.cwnd < c.ssthresh {
			ratio = 2
		}
		rate := ratio * float64(c.cwnd) * float64(c.mss) * 1e9 / float64(c.srtt)
		lim = max(lim, int64(rate)>>10)
	}
	return min(lim, 1<<20)
}

// tsqRelease credits a segment that left the host or was dropped in it;
// a throttled socket sends again (from an event of its own, as the
// kernel's TSQ tasklet: the caller may hold a qdisc lock).
func (c *tcpConn) tsqRelease(n int) {
	c.tsqBytes -= int64(n)
	if c.tsqThrottled && c.tsqBytes < c.tsqLimit() {
		c.tsqThrottled = false
		c.tsqT.Reset(c.s.clk.Now())
	}
}

// sendData sends the segment [seq, seq+n).
func (c *tcpConn) sendData(seq, n uint64) {
	now := c.s.clk.Now()
	retrans := seq < c.sndMax
	if retrans {
		c.st.retrans++
		if c.timing && c.timedSeq >= seq && c.timedSeq < seq+n {
			c.timing = false // Karn: no sample from a retransmitted segment
		}
	} else if !c.timing {
		c.timing, c.timedSeq, c.timedAt = true, seq, now
	}
	flags := uint8(tcpACK)
	if seq+n == c.limit {
		flags |= tcpPSH
	}
	if c.sendCWR {
		flags |= tcpCWR
		c.sendCWR = false
	}
	c.st.segments++
	c.f.tx.packets++
	c.f.tx.bytes += uint64(c.f.fwd.n) + n
	c.tsqBytes += int64(c.f.fwd.n) + int64(n)
	v := c.segment(&c.f.fwd, c.f.fwdPort, tcpISS+1+uint32(seq), tcpIRS+1, flags, int(n), 0, seq|tsqSeq, c.ecn)
	if v.Code() != sched.Success {
		// A local qdisc refused or pushed back (NET_XMIT_DROP or CN):
		// Linux enters CWR (tcp_enter_cwr), as for an ECN mark.
		c.st.localDrops++
		c.reduce()
	}
}

// reduce is a one-per-window reduction without retransmission (ECE, a
// local drop): tcp_enter_cwr.
func (c *tcpConn) reduce() {
	if c.inRecovery || c.sndUna < c.ecnRecover {
		return
	}
	c.ssthresh = c.cc.ssthresh(c)
	c.cwnd = max(c.ssthresh, 1)
	c.cwndCnt = 0
	c.ecnRecover = c.sndMax
	c.st.ecnReductions++
	if c.ecn {
		c.sendCWR = true
	}
}

// onAck processes an ACK arriving at the sender.
func (c *tcpConn) onAck(tcp []byte) {
	c.st.acksRcvd++
	flags := tcp[13]
	if flags&tcpSYN != 0 {
		c.onSynAck()
		return
	}
	if c.state != tcpEstablished {
		return
	}
	ack := c.unwrap(binary.BigEndian.Uint32(tcp[8:])-tcpISS-1, c.sndUna)
	if ack > c.sndMax {
		return // acks what we never sent
	}
	now := c.s.clk.Now()
	if c.sack {
		c.readSACK(tcp)
	}
	if flags&tcpECE != 0 && c.ecn {
		c.reduce()
	}
	if ack > c.sndUna {
		c.newAck(ack, now)
	} else if ack == c.sndUna && c.sndMax > c.sndUna {
		c.dupAck()
	}
	c.trySend()
}

// newAck handles an ACK that acknowledges new data.
func (c *tcpConn) newAck(ack uint64, now int64) {
	acked := ack - c.sndUna
	c.sndUna = ack
	c.sacked.drop(ack)
	if c.sndNxt < ack {
		c.sndNxt = ack // after an RTO, the receiver had more than we resent
	}
	if c.timing && ack > c.timedSeq {
		c.timing = false
		c.rttSample(now - c.timedAt)
	}
	c.backoff = 0
	if c.sndUna >= c.limit && c.st.done == 0 {
		c.st.done = now
	}
	switch {
	case c.sndUna == c.sndMax:
		c.disarmRTO()
	case c.inRecovery && ack < c.recover && c.partialSeen:
		// RFC 6582's Impatient variant: only the first partial ACK
		// restarts the timer, so that a window with many losses ends in
		// a timeout rather than one retransmission per round trip.
	default:
		c.rtoAt = now + c.rto // restart (lazily: the timer checks)
		if !c.rtoTimerPending() {
			c.rtoTimer.Reset(c.rtoAt)
		}
	}
	if c.inRecovery {
		if ack >= c.recover {
			// Full ACK: leave recovery with the window deflated.
			c.inRecovery = false
			c.cwnd = max(c.ssthresh, 1)
			c.cwndCnt = 0
			c.dupAcks = 0
			return
		}
		c.partialSeen = true
		if c.sack {
			return // sackRecover, from trySend, resends the holes
		}
		// Partial ACK: the next hole is lost too; resend it at once and
		// deflate by what was acked (RFC 6582).
		c.sendData(ack, min(uint64(c.mss), c.sndMax-ack))
		segs := uint32(acked / uint64(c.mss))
		if c.cwnd > segs {
			c.cwnd -= segs
		} else {
			c.cwnd = 1
		}
		c.cwnd++
		return
	}
	c.dupAcks = 0
	grow := c.growable()
	if c.sndUna >= c.winMark {
		// A round trip ended: start the next window's record.
		c.winMark = c.sndMax
		c.maxOut = uint32((c.sndNxt - c.sndUna) / uint64(c.mss))
		c.cwndLimited = false
	}
	if !grow {
		c.ackedBytes = 0
		return
	}
	c.ackedBytes += acked
	segs := uint32(c.ackedBytes / uint64(c.mss))
	c.ackedBytes -= uint64(segs) * uint64(c.mss)
	if segs == 0 {
		return
	}
	if c.cwnd < c.ssthresh {
		// Slow start (RFC 5681, with byte counting as Linux does).
		grow := min(segs, c.ssthresh-c.cwnd)
		c.cwnd = min(c.cwnd+grow, c.cwndClamp)
		segs -= grow
		if segs == 0 {
			return
		}
	}
	c.cc.avoid(c, segs, now)
}

// dupAck counts a duplicate ACK: the third starts fast retransmit.
func (c *tcpConn) dupAck() {
	c.dupAcks++
	if c.inRecovery {
		if !c.sack {
			c.cwnd++ // inflation: a segment has left the network
		}
		return
	}
	// RFC 6582: no new recovery for losses from before the last one.
	// With SACK, recovery starts as soon as the first hole is known lost
	// (RFC 6675's IsLost), which may take fewer than three duplicates.
	lost := c.dupAcks >= 3 || c.sack && c.lostEdge() > c.sndUna
	if !lost || c.sndUna < c.recover {
		return
	}
	c.ssthresh = c.cc.ssthresh(c)
	c.cwndCnt = 0
	c.inRecovery = true
	c.partialSeen = false
	c.recover = c.sndMax
	c.ecnRecover = c.sndMax
	c.st.fastRetrans++
	if c.sack {
		c.cwnd = max(c.ssthresh, 1)
		c.highRxt = c.sndUna
		return // trySend runs sackRecover
	}
	c.cwnd = c.ssthresh + 3
	c.sendData(c.sndUna, min(uint64(c.mss), c.sndMax-c.sndUna))
}

// rttSample updates SRTT, RTTVAR and RTO (RFC 6298).
func (c *tcpConn) rttSample(r int64) {
	if r <= 0 {
		r = 1
	}
	if c.minRTT == 0 || r < c.minRTT {
		c.minRTT = r
	}
	if c.srtt == 0 {
		c.srtt, c.rttvar = r, r/2
	} else {
		d := c.srtt - r
		if d < 0 {
			d = -d
		}
		c.rttvar = (3*c.rttvar + d) / 4
		c.srtt = (7*c.srtt + r) / 8
	}
	c.rto = max(c.srtt+max(4*c.rttvar, 1_000_000), c.minRTO) // G = 1 ms clock granularity
	if c.rto > tcpMaxRTO {
		c.rto = tcpMaxRTO
	}
}

func (c *tcpConn) armRTO(at int64) {
	c.rtoAt = at
	if t, ok := c.rtoTimer.Pending(); !ok || t > at {
		c.rtoTimer.Reset(at)
	}
}

func (c *tcpConn) disarmRTO() { c.rtoAt = 0 }

func (c *tcpConn) rtoTimerPending() bool {
	_, ok := c.rtoTimer.Pending()
	return ok
}

// onRTOTimer runs when the timer fires: the real deadline may have moved
// on since it was armed (each ACK restarts it without touching the heap).
func (c *tcpConn) onRTOTimer() {
	if c.rtoAt == 0 {
		return
	}
	now := c.s.clk.Now()
	if now < c.rtoAt {
		c.rtoTimer.Reset(c.rtoAt)
		return
	}
	c.timeout(now)
}

// timeout is the retransmission timeout (RFC 6298 5.4-5.7, RFC 5681).
func (c *tcpConn) timeout(now int64) {
	c.st.timeouts++
	c.backoff++
	c.rto = min(c.rto*2, tcpMaxRTO)
	c.timing = false
	if c.state == tcpSynSent {
		c.sendSyn()
		return
	}
	if c.sndUna >= c.sndMax {
		c.rtoAt = 0
		return
	}
	c.ssthresh = c.cc.ssthresh(c)
	c.cc.reset()
	c.cwnd, c.cwndCnt = 1, 0
	c.inRecovery = false
	c.dupAcks = 0
	c.recover = c.sndMax
	c.ecnRecover = c.sndMax
	c.highRxt = c.sndUna
	c.sndNxt = c.sndUna // go back: everything unacked (and not SACKed) is resent
	c.rtoAt = 0
	c.trySend()
	c.armRTO(now + c.rto)
}

// unwrap turns a 32-bit offset into the 64-bit one nearest ref.
func (c *tcpConn) unwrap(off32 uint32, ref uint64) uint64 {
	d := int64(int32(off32 - uint32(ref)))
	v := int64(ref) + d
	if v < 0 {
		return 0
	}
	return uint64(v)
}
