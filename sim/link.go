package sim

// The cable: each direction of a link is a wire, the netdev.Driver of the
// device that sends on it.
//
// Flow of a packet over a wire:
//
//	qdisc run -> Xmit: the wire takes one packet at a time (every TX queue
//	  of the device stops while it is busy), for (len+overhead)*8/rate;
//	  random loss (seeded) drops it here, after it used its wire time
//	  -> in flight for delay ± jitter (order kept, as on a cable)
//	  -> land: the frame arrives as a new packet on the peer device
//	     (Device.Receive: ingress qdisc, then the host's stack)
//	wire free -> the next stopped TX queue (round robin) wakes and runs.
//
// Two timers per wire (the end of the current transmission and the next
// arrival) and an intrusive list of packets in flight: nothing allocates
// per packet.

import (
	"math/rand/v2"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// wire is one direction of a link.
type wire struct {
	s        *Sim
	clk      *clock.Virtual
	from, to *port
	rate     uint64 // bits per second
	delay    int64  // ns
	jitter   int64  // ns
	lossThr  uint64 // a packet is lost when a draw is below this
	overhead int    // bytes per frame on the wire (preamble, FCS, gap)
	rng      *rand.PCG

	busy     bool
	wireT    clock.Timer
	arriveT  clock.Timer
	inflight pkt.List
	lastLand int64
	rr       int // the TX queue to wake first
	queues   []*sched.TxQueue

	// Counters.
	packets, bytes uint64
	lost           uint64
	busyNs         int64
	sojourn        histogram // in the sending device's qdiscs, within the window
	// Per sample interval.
	iBytes             uint64
	iSojSum, iSojMax   int64
	iSojN              uint64
	busySince, iBusyNs int64
}

func newWire(s *Sim, from, to *port, rate uint64, delay, jitter int64, loss float64, overhead int, seed uint64) *wire {
	w := &wire{s: s, clk: s.clk, from: from, to: to, rate: rate, delay: delay, jitter: jitter,
		overhead: overhead, rng: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
	if loss > 0 {
		if loss >= 1 {
			w.lossThr = ^uint64(0)
		} else {
			w.lossThr = uint64(loss * (1 << 63) * 2)
		}
	}
	w.wireT = s.clk.NewTimer(w.free)
	w.arriveT = s.clk.NewTimer(w.land)
	return w
}

// attach binds the wire to its sending device's TX queues.
func (w *wire) attach(d *netdev.Device) {
	d.Driver = w
	w.queues = w.queues[:0]
	for i := 0; i < d.NumTxQueues(); i++ {
		w.queues = append(w.queues, d.Sched.TxQueue(i))
	}
}

// Xmit implements netdev.Driver.
func (w *wire) Xmit(d *netdev.Device, p *pkt.Packet, txq int) bool {
	if w.busy {
		return false
	}
	w.busy = true
	for _, q := range w.queues {
		q.Stop()
	}
	now := w.clk.Now()
	n := uint64(len(p.Data) + w.overhead)
	tx := int64(n * 8e9 / w.rate)
	if tx <= 0 {
		tx = 1
	}
	w.wireT.Reset(now + tx)
	w.busySince = now
	w.s.hops++
	if p.Seq&tsqSeq != 0 {
		w.s.tsqRelease(p)
	}
	w.packets++
	w.bytes += uint64(len(p.Data))
	w.iBytes += uint64(len(p.Data))
	if p.Tstamp > 0 {
		soj := now - p.Tstamp
		w.iSojSum += soj
		w.iSojN++
		if soj > w.iSojMax {
			w.iSojMax = soj
		}
		if now >= w.s.warmup {
			w.sojourn.add(soj)
		}
	}
	if w.lossThr != 0 && w.rng.Uint64() < w.lossThr {
		w.lost++
		p.Free()
		return true
	}
	at := now + tx + w.delay
	if w.jitter > 0 {
		at += int64(w.rng.Uint64()%uint64(2*w.jitter+1)) - w.jitter
		if min := now + tx; at < min {
			at = min
		}
	}
	if at < w.lastLand {
		at = w.lastLand // a cable does not reorder
	}
	w.lastLand = at
	p.Cb[3] = uint64(at) // the driver owns Cb now
	first := w.inflight.Head == nil
	w.inflight.PushBack(p)
	if first {
		w.arriveT.Reset(at)
	}
	return true
}

// free ends the current transmission and wakes the device's queues, in
// turn, until one of them keeps the wire busy again.
func (w *wire) free() {
	w.busy = false
	now := w.clk.Now()
	w.busyNs += now - w.busySince
	w.iBusyNs += now - w.busySince
	n := len(w.queues)
	if n == 1 {
		w.queues[0].Wake()
		return
	}
	// A queue that has nothing to send stays awake for its next packet;
	// the first that sends stops them all again (Xmit).
	for i := 0; i < n && !w.busy; i++ {
		q := w.queues[(w.rr+i)%n]
		if !q.Stopped() {
			continue
		}
		q.Wake()
		if w.busy {
			w.rr = (w.rr + i + 1) % n
		}
	}
}

// land delivers the packets due now to the peer device.
func (w *wire) land() {
	now := w.clk.Now()
	for p := w.inflight.Head; p != nil && int64(p.Cb[3]) <= now; p = w.inflight.Head {
		w.inflight.PopFront()
		w.to.receive(p)
	}
	if p := w.inflight.Head; p != nil {
		w.arriveT.Reset(int64(p.Cb[3]))
	}
}
