package netem

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/sched"
)

// loss4State is loss_4state: one step of the 4-state Markov chain of the
// GI model; true means lose the packet.
func (n *netem) loss4State() bool {
	c := &n.clg
	rnd := n.prng.u32()
	switch c.state {
	case txInGap:
		switch {
		case rnd < c.a4:
			c.state = lostInGap
			return true
		case rnd < c.a1+c.a4:
			c.state = lostInBurst
			return true
		}
		c.state = txInGap
	case txInBurst:
		if rnd < c.a5 {
			c.state = lostInBurst
			return true
		}
		c.state = txInBurst
	case lostInBurst:
		switch {
		case rnd < c.a3:
			c.state = txInBurst
		case rnd < c.a2+c.a3:
			c.state = txInGap
		default:
			c.state = lostInBurst
			return true
		}
	case lostInGap:
		c.state = txInGap
	}
	return false
}

// lossGilbElliott is loss_gilb_ell: a state transition, then a loss with
// the state's probability (1-k in the good state, h is the bad state's
// probability of delivery).
func (n *netem) lossGilbElliott() bool {
	c := &n.clg
	switch c.state {
	case goodState:
		if n.prng.u32() < c.a1 {
			c.state = badState
		}
		if n.prng.u32() < c.a4 {
			return true
		}
	case badState:
		if n.prng.u32() < c.a2 {
			c.state = goodState
		}
		if n.prng.u32() > c.a3 {
			return true
		}
	}
	return false
}

// lossEvent is loss_event.
func (n *netem) lossEvent() bool {
	switch n.lossModel {
	case clgRandom:
		return n.loss != 0 && n.loss >= n.lossCor.get(&n.prng)
	case clg4States:
		return n.loss4State()
	case clgGilbElliott:
		return n.lossGilbElliott()
	}
	return false
}

// tabledist is a value with mean mu and deviation sigma, from the table's
// inverse CDF or uniform without one.
func tabledist(mu int64, sigma int32, state *crndstate, r *prng, dist []int16) int64 {
	if sigma == 0 {
		return mu
	}
	rnd := state.get(r)
	if dist == nil {
		return int64(rnd%(2*uint32(sigma))) + mu - int64(sigma)
	}
	t := int64(dist[rnd%uint32(len(dist))])
	x := int64(sigma%DistScale) * t
	if x >= 0 {
		x += DistScale / 2
	} else {
		x -= DistScale / 2
	}
	return x/DistScale + int64(sigma/DistScale)*t + mu
}

// packetTime is packet_time_ns: the time to send length bytes at the rate,
// with per-packet overhead and, with a cell size, whole cells of their own
// overhead, in the kernel's integer widths.
func (n *netem) packetTime(length uint32) int64 {
	l := uint64(length) + uint64(int64(n.packetOverhead))
	if n.cellSize != 0 {
		cells := uint32(l) / n.cellSize
		if l > uint64(cells*n.cellSize) {
			cells++
		}
		l = uint64(cells * (n.cellSize + uint32(n.cellOverhead)))
	}
	return int64(l * 1e9 / n.rate)
}

// Enqueue is netem_enqueue.
func (n *netem) Enqueue(p *pkt.Packet) sched.Verdict {
	q := n.q
	count := 1
	// A duplicate carries tc_depth (MirredNest here, the field the
	// kernel shares with mirred) and is never duplicated again.
	if n.duplicate != 0 && p.MirredNest == 0 && n.duplicate >= n.dupCor.get(&n.prng) {
		count++
	}
	if n.lossEvent() {
		if n.ecn != 0 && inet.SetCE(p) {
			q.Qstats.Drops++ // marked, counted as a drop
		} else {
			count--
		}
	}
	if count == 0 {
		q.Qstats.Drops++
		p.Free()
		return sched.Success | sched.Bypass
	}
	var dup *pkt.Packet
	if count > 1 {
		dup = p.Clone()
	}
	if n.corrupt != 0 && n.corrupt >= n.corruptCor.get(&n.prng) {
		if l := uint32(len(p.Data)); l != 0 {
			p.Data[n.rnd.Below(l)] ^= 1 << n.rnd.Below(8)
		}
	}
	if uint32(q.QLen) >= n.limit {
		if dup != nil {
			dup.Free()
		}
		return q.Drop(p)
	}
	if dup != nil {
		// The parent expects one packet: the duplicate goes in again
		// at the root of the tree.
		dup.MirredNest++
		root := q.Root()
		if t := q.Queue(); t != nil {
			root = t.Qdisc()
		}
		root.Enqueue(dup)
	}
	q.Qstats.Backlog += p.PktLen
	if n.gap == 0 || n.counter < n.gap-1 || n.reorder < n.reorderCor.get(&n.prng) {
		delay := tabledist(n.latency, int32(n.jitter), &n.delayCor, &n.prng, n.delayDist)
		now := q.Now()
		if n.rate != 0 {
			last, ok := n.tfifo.Last()
			if t := q.List.Tail; t != nil && (!ok || t.TimeToSend > last) {
				last, ok = t.TimeToSend, true
			}
			if ok {
				// The last packet queued is the reference point:
				// its wait is subtracted from this one's delay.
				delay = max(0, delay-(last-now))
				now = last
			}
			delay += n.packetTime(p.PktLen)
		}
		p.TimeToSend = now + delay
		n.counter++
		n.tfifo.Push(p)
	} else {
		// Reorder: one out of gap packets goes to the head, now.
		p.TimeToSend = q.Now()
		n.counter = 0
		q.List.PushFront(p)
		q.Qstats.Requeues++
	}
	q.QLen++
	return sched.Success
}

// slotNext starts a new slot (get_slot_next).
func (n *netem) slotNext(now int64) {
	c := &n.slotConfig
	var next int64
	if n.slotDist == nil {
		next = c.MinDelay + int64(mulShr32(uint64(c.MaxDelay-c.MinDelay), n.rnd.Uint32()))
	} else {
		next = tabledist(c.DistDelay, int32(c.DistJitter), nil, &n.prng, n.slotDist)
	}
	n.slot.next = now + next
	n.slot.packetsLeft = c.MaxPackets
	n.slot.bytesLeft = c.MaxBytes
}

// deliver counts a packet leaving.
func (n *netem) deliver(p *pkt.Packet) *pkt.Packet {
	n.q.Qstats.Backlog -= p.PktLen
	n.q.Bstats.Update(p)
	return p
}

// Dequeue is netem_dequeue: the reorder list first, then the tfifo's head
// when due (into the child if there is one), then the child.
func (n *netem) Dequeue() *pkt.Packet {
	q := n.q
	for {
		if p := q.List.PopFront(); p != nil {
			q.QLen--
			return n.deliver(p)
		}
		p := n.tfifo.Peek()
		if p == nil {
			break
		}
		now := q.Now()
		t := p.TimeToSend
		if n.slot.next != 0 && n.slot.next < t {
			n.slotNext(now)
		}
		if t <= now && n.slot.next <= now {
			n.tfifo.Pop()
			if n.slot.next != 0 {
				n.slot.packetsLeft--
				n.slot.bytesLeft -= int32(p.PktLen)
				if n.slot.packetsLeft <= 0 || n.slot.bytesLeft <= 0 {
					n.slotNext(now)
				}
			}
			if n.child != nil {
				l := p.PktLen
				if v := sched.Enqueue(n.child, p); v != sched.Success {
					if v.IsDrop() {
						q.Qstats.Drops++
					}
					q.Qstats.Backlog -= l
					q.QLen--
					q.TreeReduceBacklog(1, int(l))
				}
				continue
			}
			q.QLen--
			return n.deliver(p)
		}
		if n.child != nil {
			if p := n.child.DequeuePeeked(); p != nil {
				q.QLen--
				return n.deliver(p)
			}
		}
		n.wd.ScheduleNs(max(t, n.slot.next))
		break
	}
	if n.child != nil {
		if p := n.child.DequeuePeeked(); p != nil {
			q.QLen--
			return n.deliver(p)
		}
	}
	return nil
}

// Peek is qdisc_peek_dequeued.
func (n *netem) Peek() *pkt.Packet { return n.q.PeekDequeued() }
