package fq

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/sched"
)

// bandCb is where a queued packet keeps its band (fq_skb_cb's band); its
// time to send is pkt.Packet.TimeToSend.
const bandCb = 0

func (f *fq) jiffies() uint64 { return sched.Jiffies(f.q.Now()) }

// gcCandidate is fq_gc_candidate: a detached flow idle for FQ_GC_AGE.
func (f *fq) gcCandidate(fl *flow, now uint64) bool {
	return fl.detached && int64(now-(fl.age+gcAge)) > 0
}

// gc frees up to gcMax old flows met on the way to key in bucket i
// (fq_gc).
func (f *fq) gc(i uint64, key uint64) {
	var tofree [gcMax]*flow
	n := 0
	now := f.jiffies()
	for t := f.roots[i]; t != nil; {
		if t.key == key {
			break
		}
		if f.gcCandidate(t, now) {
			tofree[n] = t
			n++
			if n == gcMax {
				break
			}
		}
		if key < t.key {
			t = t.left
		} else {
			t = t.right
		}
	}
	for j := n - 1; j >= 0; j-- {
		f.roots[i] = remove(f.roots[i], tofree[j].key)
		f.release(tofree[j])
	}
	f.flows -= uint32(n)
	f.inactiveFlows -= uint32(n)
	f.statGC += uint64(n)
}

// fastpathOK is fq_fastpath_check: the packet may skip the flows when it
// is due and nothing else is eligible now, and no max rate is set.
func (f *fq) fastpathOK(p *pkt.Packet, now int64) bool {
	if uint64(p.TimeToSend) > uint64(now)+f.offloadHorizon {
		return false
	}
	if f.q.QLen != 0 {
		if f.flows != f.inactiveFlows+f.throttled {
			return false
		}
		if f.internal.qlen >= 8 {
			return false
		}
		if f.timeNextDelay <= uint64(now)+f.offloadHorizon {
			return false
		}
	}
	return f.flowMaxRate == noRate
}

// classify finds the packet's flow, making it on first sight
// (fq_classify). Without sockets, every packet is orphaned: its flow is
// its hash under orphan_mask.
func (f *fq) classify(p *pkt.Packet, now int64) *flow {
	key := uint64(inet.SkbHash(p)&f.orphanMask)<<1 | 1
	if f.fastpathOK(p, now) {
		f.fastpath++
		return &f.internal
	}
	i := hashPtr(key, f.treesLog)
	f.gc(i, key)
	for t := f.roots[i]; t != nil; {
		if t.key == key {
			return t
		}
		if key < t.key {
			t = t.left
		} else {
			t = t.right
		}
	}
	var fl *flow
	if n := len(f.free); n > 0 {
		fl = f.free[n-1]
		f.free[n-1] = nil
		f.free = f.free[:n-1]
	} else {
		fl = new(flow)
	}
	fl.detached = true
	fl.age = f.jiffies()
	fl.key = key
	fl.prio = mix64(key)
	fl.credit = int32(f.initialQuantum)
	f.roots[i] = insert(f.roots[i], fl)
	f.flows++
	f.inactiveFlows++
	return fl
}

// Enqueue is fq_enqueue.
func (f *fq) Enqueue(p *pkt.Packet) sched.Verdict {
	q := f.q
	band := int(f.prio2band[p.Priority&15])
	if f.bandPktCount[band] >= f.limit {
		f.statBandDrops[band]++
		return q.Drop(p)
	}
	now := q.Now()
	if p.Tstamp == 0 {
		p.TimeToSend = now
	} else {
		if p.Tstamp > now+int64(f.horizon) {
			if f.horizonDrop != 0 {
				f.statHorizonDrop++
				return q.Drop(p)
			}
			f.statHorizonCap++
			p.Tstamp = now + int64(f.horizon)
		}
		p.TimeToSend = p.Tstamp
	}
	fl := f.classify(p, now)
	if fl != &f.internal {
		if uint32(fl.qlen) >= f.flowPlimit {
			f.statPlimit++
			return q.Drop(p)
		}
		if fl.detached {
			f.bands[band].newFlows.addTail(fl)
			fl.detached = false
			if int64(f.jiffies()-(fl.age+f.flowRefillDelay)) > 0 {
				fl.credit = max(fl.credit, int32(f.quantum))
			}
		}
		fl.band = band
		f.bandPktCount[band]++
		p.Cb[bandCb] = uint64(band)
		if fl.qlen == 0 {
			f.inactiveFlows--
		}
	}
	fl.qlen++
	fl.tq.Push(p)
	q.Qstats.Backlog += p.PktLen
	q.QLen++
	return sched.Success
}

// setThrottled moves a flow to the delayed heap (fq_flow_set_throttled).
func (f *fq) setThrottled(fl *flow) {
	f.delayed.push(fl)
	f.throttled++
	f.statThrottled++
	fl.throttled = true
	if f.timeNextDelay > uint64(fl.timeNextPacket) {
		f.timeNextDelay = uint64(fl.timeNextPacket)
	}
}

// checkThrottled releases the flows whose time has come to their band's
// old list (fq_check_throttled).
func (f *fq) checkThrottled(now int64) {
	if f.timeNextDelay > uint64(now)+f.offloadHorizon {
		return
	}
	// An average of how late the timer is, for diagnosis.
	if sample := uint64(now) - f.timeNextDelay; int64(sample) > 0 {
		f.unthrottleLat -= f.unthrottleLat >> 3
		f.unthrottleLat += sample >> 3
	}
	horizon := uint64(now) + f.offloadHorizon
	f.timeNextDelay = noDelayed
	for fl := f.delayed.first(); fl != nil; fl = f.delayed.first() {
		if uint64(fl.timeNextPacket) > horizon {
			f.timeNextDelay = uint64(fl.timeNextPacket)
			break
		}
		f.delayed.pop()
		f.throttled--
		fl.throttled = false
		f.bands[fl.band].oldFlows.addTail(fl)
	}
}

// headSelect is fq_pband_head_select.
func headSelect(b *band) *flowList {
	if b.credit <= 0 {
		return nil
	}
	if b.newFlows.first != nil {
		return &b.newFlows
	}
	if b.oldFlows.first != nil {
		return &b.oldFlows
	}
	return nil
}

// take removes p, the flow's next packet, and counts it as sent
// (fq_dequeue_skb).
func (f *fq) take(fl *flow) *pkt.Packet {
	p := fl.tq.Pop()
	q := f.q
	q.Qstats.Backlog -= p.PktLen
	q.QLen--
	q.Bstats.Update(p)
	return p
}

// Dequeue is fq_dequeue.
func (f *fq) Dequeue() *pkt.Packet {
	q := f.q
	if q.QLen == 0 {
		return nil
	}
	if f.internal.tq.Len() != 0 {
		f.internal.qlen--
		return f.take(&f.internal)
	}
	now := q.Now()
	f.checkThrottled(now)
	retry := 0
	pb := &f.bands[f.bandNr]
	for {
		head := headSelect(pb)
		if head == nil {
			found := false
			for retry++; retry <= Bands; retry++ {
				f.bandNr++
				if f.bandNr == Bands {
					f.bandNr = 0
				}
				pb = &f.bands[f.bandNr]
				pb.credit = min(pb.credit+pb.quantum, pb.quantum)
				if pb.credit > 0 {
					found = true
					break
				}
				retry = 0
			}
			if !found {
				if f.timeNextDelay != noDelayed {
					f.wd.Schedule(int64(f.timeNextDelay), int64(f.timerSlack))
				}
				return nil
			}
			continue
		}
		fl := head.first
		retry = 0
		if fl.credit <= 0 {
			fl.credit += int32(f.quantum)
			head.first = fl.next
			f.bands[fl.band].oldFlows.addTail(fl)
			continue
		}
		p := fl.tq.Peek()
		if p == nil {
			head.first = fl.next
			// An emptied new flow goes through the old list once, so
			// that it cannot starve the old ones.
			if head == &pb.newFlows {
				f.bands[fl.band].oldFlows.addTail(fl)
			} else {
				fl.detached = true
				fl.age = f.jiffies()
			}
			continue
		}
		next := max(p.TimeToSend, fl.timeNextPacket)
		if uint64(now)+f.offloadHorizon < uint64(next) {
			head.first = fl.next
			fl.timeNextPacket = next
			f.setThrottled(fl)
			continue
		}
		f.take(fl)
		if int64(uint64(now)-uint64(next)-f.ceThreshold) > 0 {
			inet.SetCE(p)
			f.statCEMark++
		}
		fl.qlen--
		if fl.qlen == 0 {
			f.inactiveFlows++
		}
		f.bandPktCount[p.Cb[bandCb]]--
		plen := p.PktLen
		fl.credit -= int32(plen)
		pb.credit -= int32(plen)
		if f.rateEnable == 0 {
			return p
		}
		rate := f.flowMaxRate
		if p.Tstamp == 0 {
			// No socket: the rate is the qdisc's max rate alone.
			if rate <= uint64(f.lowRateThreshold) {
				fl.credit = 0
			} else {
				plen = max(plen, f.quantum)
				if fl.credit > 0 {
					return p
				}
			}
		}
		if rate != noRate {
			l := uint64(plen) * 1e9
			if rate != 0 {
				l /= rate
			}
			// The socket's rate may change: the delay is at most 1s.
			if l > 1e9 {
				l = 1e9
				f.statTooLong++
			}
			// Make up for timer drift since the packet was due.
			if fl.timeNextPacket != 0 {
				if drift := now - fl.timeNextPacket; drift > 0 {
					l -= min(l/2, uint64(drift))
				}
			}
			fl.timeNextPacket = now + int64(l)
		}
		return p
	}
}

// Peek is qdisc_peek_dequeued.
func (f *fq) Peek() *pkt.Packet { return f.q.PeekDequeued() }
