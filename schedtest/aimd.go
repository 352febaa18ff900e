package schedtest

import (
	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
)

// AIMD is a responsive, window-based source, a TCP Reno reduced to what
// queue management sees: it keeps Cwnd packets in flight, each arrival at
// the sink is acknowledged AckDelay later and opens the window (by one
// packet in slow start, by 1/Cwnd after), and a gap in the sequence
// numbers that arrive (a loss) halves the window, once per window of
// data. With nothing acknowledged for RTO (200 ms) while packets are out,
// they are all taken as lost and the window restarts at one packet, as a
// retransmission timeout does. AQM behaves towards it as towards real TCP:
// drops slow it down.
type AIMD struct {
	b        *Bed
	f        *FlowSpec
	size     int
	AckDelay int64 // ns from arrival to the ack reaching the sender

	Cwnd     float64
	Losses   int
	ssthresh float64
	inflight int
	next     uint64 // next sequence number to send
	expect   uint64 // next sequence number expected at the sink
	recover  uint64 // no further halving before this is acked
	stop     int64
	acks     []int64 // ack times pending, in order
	ackTimer clock.Timer
	rto      clock.Timer
	lastAck  int64
}

// RTO is the AIMD source's retransmission timeout.
const RTO = 200e6

// AIMD starts a responsive flow of size-byte frames at start, sending
// until stop (ns). Acks come back ackDelay after each arrival.
func (b *Bed) AIMD(f *FlowSpec, size int, ackDelay, start, stop int64) *AIMD {
	a := &AIMD{b: b, f: f, size: size, AckDelay: ackDelay, Cwnd: 2, ssthresh: 1 << 30, stop: stop}
	prev := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) {
		if p.Flow == f.ID {
			a.arrive(p)
		}
		prev(p)
	}
	a.ackTimer = b.Clock.NewTimer(a.ack)
	a.rto = b.Clock.NewTimer(a.timeout)
	t := b.Clock.NewTimer(a.send)
	t.Reset(start)
	return a
}

func (a *AIMD) send() {
	if a.b.Clock.Now() >= a.stop {
		return
	}
	if a.inflight > 0 {
		if _, armed := a.rto.Pending(); !armed {
			a.rto.Reset(a.b.Clock.Now() + RTO)
		}
	}
	for a.inflight < int(a.Cwnd) {
		if _, armed := a.rto.Pending(); !armed {
			a.rto.Reset(a.b.Clock.Now() + RTO)
		}
		p := a.b.Pool.Get()
		a.b.Frame(p, a.f, a.size, a.next)
		a.next++
		a.inflight++
		a.b.Dev.Transmit(p)
	}
}

// arrive notes a packet at the sink: earlier missing ones were lost.
func (a *AIMD) arrive(p *pkt.Packet) {
	if p.Seq > a.expect {
		lost := int(p.Seq - a.expect)
		a.Losses += lost
		a.inflight -= lost
		if a.expect >= a.recover {
			a.ssthresh = max(a.Cwnd/2, 2)
			a.Cwnd = a.ssthresh
			a.recover = a.next
		}
	}
	if p.Seq >= a.expect {
		a.expect = p.Seq + 1
	}
	now := a.b.Clock.Now()
	if len(a.acks) == 0 {
		a.ackTimer.Reset(now + a.AckDelay)
	}
	a.acks = append(a.acks, now+a.AckDelay)
}

// ack takes the acks due, opens the window and sends.
func (a *AIMD) ack() {
	now := a.b.Clock.Now()
	for len(a.acks) > 0 && a.acks[0] <= now {
		a.acks = a.acks[1:]
		a.lastAck = now
		a.inflight--
		if a.Cwnd < a.ssthresh {
			a.Cwnd++
		} else {
			a.Cwnd += 1 / a.Cwnd
		}
	}
	if len(a.acks) > 0 {
		a.ackTimer.Reset(a.acks[0])
	}
	a.send()
}

// timeout fires RTO after the last ack while packets are out: they are
// lost, the window starts over.
func (a *AIMD) timeout() {
	now := a.b.Clock.Now()
	if a.inflight <= len(a.acks) {
		return
	}
	if now-a.lastAck < RTO {
		a.rto.Reset(a.lastAck + RTO)
		return
	}
	a.Losses += a.inflight - len(a.acks)
	a.inflight = len(a.acks)
	a.expect = a.next
	a.ssthresh = max(a.Cwnd/2, 2)
	a.Cwnd = 1
	a.recover = a.next
	a.send()
}
