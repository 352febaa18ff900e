package cake

import (
	"github.com/netsched/netsched/pkt"
)

// dequeueOne takes the head of the current queue (cake_dequeue_one).
func (c *cake) dequeueOne() *pkt.Packet {
	b := &c.tins[c.curTin]
	f := &b.flows[c.curFlow]
	p := f.popHead()
	if p == nil {
		return nil
	}
	l := p.PktLen
	q := c.q
	b.backlogs[c.curFlow] -= l
	b.backlog -= l
	q.Qstats.Backlog -= l
	c.bufferUsed -= uint32(p.Cb[cbTruesize])
	q.QLen--
	if c.overflowTimeout != 0 {
		c.heapify(b.overflowIdx[c.curFlow])
	}
	return p
}

// chooseTin picks the tin to serve: by weighted DRR over the tins when
// unlimited, else the first one meeting its schedule or the earliest. It
// returns nil when nothing can be sent.
func (c *cake) chooseTin(now int64) *tin {
	if c.rateNs == 0 {
		b := &c.tins[c.curTin]
		wrapped, empty := false, true
		for b.deficit < 0 || b.sparseCount+b.bulkCount == 0 {
			if b.deficit <= 0 {
				b.deficit += int32(b.quantum)
			}
			if b.sparseCount+b.bulkCount != 0 {
				empty = false
			}
			c.curTin++
			if c.curTin >= c.tinCnt {
				c.curTin = 0
				if wrapped {
					// qlen may be nonzero with nothing anywhere.
					if empty {
						return nil
					}
				} else {
					wrapped = true
				}
			}
			b = &c.tins[c.curTin]
		}
		return b
	}
	best := int64(1<<63 - 1)
	bestTin := 0
	for t := 0; t < int(c.tinCnt); t++ {
		b := &c.tins[t]
		if b.sparseCount+b.bulkCount > 0 {
			toPkt := b.timeNextPacket - now
			if toPkt <= 0 || toPkt <= best {
				best = toPkt
				bestTin = t
			}
		}
	}
	c.curTin = uint16(bestTin)
	b := &c.tins[bestTin]
	if b.sparseCount+b.bulkCount == 0 {
		return nil
	}
	return b
}

// Dequeue is cake_dequeue.
func (c *cake) Dequeue() *pkt.Packet {
	q := c.q
	now := q.Now()
	mode := c.cfg.flowMode
	ingress := c.cfg.rateFlags&flagIngress != 0
	// Set once per call, as the kernel's: after the first queue, the
	// decaying rotation is served last.
	firstFlow := true
begin:
	if q.QLen == 0 {
		return nil
	}
	// The global hard shaper.
	if c.timeNextPacket > now && c.failsafeNextPacket > now {
		q.Qstats.Overlimits++
		c.wd.ScheduleNs(min(c.timeNextPacket, c.failsafeNextPacket))
		return nil
	}
	b := c.chooseTin(now)
	if b == nil {
		return nil
	}
	var f *flow
	var p *pkt.Packet
retry:
	head := &b.decayingFlows
	if !firstFlow || head.empty() {
		head = &b.newFlows
		if head.empty() {
			head = &b.oldFlows
			if head.empty() {
				head = &b.decayingFlows
				if head.empty() {
					goto begin
				}
			}
		}
	}
	f = head.head
	c.curFlow = f.idx
	firstFlow = false
	// Flow isolation (DRR++).
	if f.deficit <= 0 {
		// Flows with a deficit leave the sparse and decaying
		// rotations; no non-empty flow is decaying.
		if f.set == setSparse {
			if f.head != nil {
				b.sparseCount--
				b.bulkCount++
				b.incSrcBulk(f, mode)
				b.incDstBulk(f, mode)
				f.set = setBulk
			} else {
				// In the bulk rotation for the deficit, still
				// counted as sparse.
				f.set = setSparseWait
			}
		}
		f.deficit += c.flowQuantumOf(b, f)
		f.moveTail(&b.oldFlows)
		goto retry
	}
	// A packet through the AQM.
	for {
		p = c.dequeueOne()
		if p == nil {
			// The queue was empty.
			if f.cvars.queueEmpty(&b.cparams, now) {
				b.unresponsiveCount--
			}
			if f.cvars.pDrop != 0 || f.cvars.count != 0 || now < f.cvars.dropNext {
				// Keep it rotating until its state decays.
				f.moveTail(&b.decayingFlows)
				switch f.set {
				case setBulk:
					b.bulkCount--
					b.decSrcBulk(f, mode)
					b.decDstBulk(f, mode)
					b.decayingCount++
				case setSparse, setSparseWait:
					b.sparseCount--
					b.decayingCount++
				}
				f.set = setDecaying
			} else {
				f.list.remove(f)
				switch f.set {
				case setSparse, setSparseWait:
					b.sparseCount--
				case setBulk:
					b.bulkCount--
					b.decSrcBulk(f, mode)
					b.decDstBulk(f, mode)
				default:
					b.decayingCount--
				}
				f.set = setNone
			}
			goto begin
		}
		var bulk uint32
		if ingress {
			bulk = uint32(b.bulkCount)
		}
		reason := f.cvars.shouldDrop(&b.cparams, now, p, bulk, c.rnd.Uint32())
		// The last packet of a queue may be marked, never dropped.
		if reason == keep || f.head == nil {
			break
		}
		if ingress {
			l := c.advanceShaper(b, p, now, true)
			f.deficit -= int32(l)
			b.deficit -= int32(l)
		}
		f.dropped++
		b.dropped++
		q.TreeReduceBacklog(1, int(p.PktLen))
		q.Qstats.Drops++
		p.Free()
		if ingress {
			goto retry
		}
	}
	if f.cvars.ecnMarked {
		b.ecnMark++
	}
	q.Bstats.Update(p)
	delay := uint64(now - int64(p.Cb[cbEnqueueTime]))
	b.avgDelay = ewma(b.avgDelay, delay, 8)
	shift := uint(8)
	if delay > b.peakDelay {
		shift = 2
	}
	b.peakDelay = ewma(b.peakDelay, delay, shift)
	shift = 8
	if delay < b.baseDelay {
		shift = 2
	}
	b.baseDelay = ewma(b.baseDelay, delay, shift)
	l := c.advanceShaper(b, p, now, false)
	f.deficit -= int32(l)
	b.deficit -= int32(l)
	if c.timeNextPacket > now && q.QLen != 0 {
		c.wd.ScheduleNs(min(c.timeNextPacket, c.failsafeNextPacket))
	} else if q.QLen == 0 {
		for i := 0; i < int(c.tinCnt); i++ {
			if c.tins[i].decayingCount != 0 {
				c.wd.ScheduleNs(now + int64(c.tins[i].cparams.target))
				break
			}
		}
	}
	if c.overflowTimeout != 0 {
		c.overflowTimeout--
	}
	return p
}

// Peek is qdisc_peek_dequeued.
func (c *cake) Peek() *pkt.Packet { return c.q.PeekDequeued() }
