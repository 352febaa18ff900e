package fqcodel

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// memUsage is where a queued packet keeps the truesize it was charged
// (the kernel's codel_skb_cb mem_usage).
const memUsage = 0

// classify picks the packet's flow, 1-based, or 0 with the verdict of a
// filter that took or dropped it (fq_codel_classify): a priority naming
// one of our flows wins; without filters the flow hash decides; with
// filters their class id's minor does, and no match drops.
func (f *fqCodel) classify(p *pkt.Packet) (uint32, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if prio.Maj() == f.q.Handle && prio.Minor() > 0 && uint32(prio.Minor()) <= f.flowsCnt {
		return uint32(prio.Minor()), 0
	}
	if !f.block.HasFilters() {
		return inet.ReciprocalScale(inet.SkbHash(p), f.flowsCnt) + 1, 0
	}
	var res sched.Result
	switch v := f.block.Classify(p, &res); {
	case v == sched.ActStolen || v == sched.ActQueued || v == sched.ActTrap:
		return 0, sched.Success | sched.Stolen
	case v == sched.ActShot:
		return 0, sched.Success | sched.Bypass
	case v >= 0:
		if m := uint32(res.ClassID.Minor()); m <= f.flowsCnt {
			return m, 0
		}
	}
	return 0, sched.Success | sched.Bypass
}

func (fl *flow) add(p *pkt.Packet) {
	if fl.head == nil {
		fl.head = p
	} else {
		fl.tail.Next = p
	}
	fl.tail = p
	p.Next = nil
}

func (fl *flow) popHead() *pkt.Packet {
	p := fl.head
	fl.head = p.Next
	p.Next = nil
	return p
}

// Enqueue queues p in its flow; over the limits it drops from the fattest
// flow (fq_codel_enqueue).
func (f *fqCodel) Enqueue(p *pkt.Packet) sched.Verdict {
	q := f.q
	idx, v := f.classify(p)
	if idx == 0 {
		if v&sched.Bypass != 0 {
			q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	idx--
	p.Tstamp = q.Now()
	fl := &f.flows[idx]
	fl.add(p)
	f.backlogs[idx] += p.PktLen
	q.Qstats.Backlog += p.PktLen
	if fl.list == nil {
		f.newFlows.pushBack(fl)
		f.newFlowCount++
		fl.deficit = int32(f.quantum)
	}
	mem := aqm.Truesize(p)
	p.Cb[memUsage] = uint64(mem)
	f.memoryUsage += mem
	memoryLimited := f.memoryUsage > f.memoryLimit
	q.QLen++
	if uint32(q.QLen) <= f.limit && !memoryLimited {
		return sched.Success
	}
	prevBacklog, prevQlen := q.Qstats.Backlog, q.QLen
	pktLen := p.PktLen
	// A linear scan for the fattest flow, amortized over a batch of
	// drops of up to half its backlog.
	ret := f.drop(f.dropBatch)
	dropped := prevQlen - q.QLen
	f.dropOverlimit += uint32(dropped)
	if memoryLimited {
		f.dropOvermemory += uint32(dropped)
	}
	// If this packet's flow lost packets, say so; its own packet may be
	// among them, so the parents do not count it.
	if ret == idx {
		q.TreeReduceBacklog(dropped-1, int(prevBacklog-q.Qstats.Backlog)-int(pktLen))
		return sched.CN
	}
	q.TreeReduceBacklog(dropped, int(prevBacklog-q.Qstats.Backlog))
	return sched.Success
}

// drop drops from the head of the flow with the largest backlog until half
// of it or max packets are gone, and returns the flow (fq_codel_drop).
func (f *fqCodel) drop(max uint32) uint32 {
	var maxBacklog, idx uint32
	for i, b := range f.backlogs {
		if b > maxBacklog {
			maxBacklog, idx = b, uint32(i)
		}
	}
	threshold := maxBacklog >> 1
	fl := &f.flows[idx]
	var length, mem, i uint32
	for {
		p := fl.popHead()
		length += p.PktLen
		mem += uint32(p.Cb[memUsage])
		p.Free()
		i++
		if i >= max || length >= threshold {
			break
		}
	}
	// CoDel signals harder too.
	fl.cvars.Count += i
	f.backlogs[idx] -= length
	f.memoryUsage -= mem
	q := f.q
	q.Qstats.Drops += i
	q.Qstats.Backlog -= length
	q.QLen -= int(i)
	return idx
}

// CodelDequeue takes the flow's head for CoDel (dequeue_func).
func (fl *flow) CodelDequeue(*aqm.CodelVars) *pkt.Packet {
	if fl.head == nil {
		return nil
	}
	f := fl.fq
	p := fl.popHead()
	f.backlogs[fl.idx] -= p.PktLen
	f.memoryUsage -= uint32(p.Cb[memUsage])
	f.q.QLen--
	f.q.Qstats.Backlog -= p.PktLen
	return p
}

// CodelDrop drops a packet CoDel chose (drop_func).
func (fl *flow) CodelDrop(p *pkt.Packet) {
	fl.fq.q.Qstats.Drops++
	p.Free()
}

// dequeue is __fq_codel_dequeue.
func (f *fqCodel) dequeue() *pkt.Packet {
	q := f.q
	now := aqm.CodelNow(q.Now())
	for {
		head := &f.newFlows
		if head.empty() {
			head = &f.oldFlows
			if head.empty() {
				return nil
			}
		}
		fl := head.head
		if fl.deficit <= 0 {
			fl.deficit += int32(f.quantum)
			head.remove(fl)
			f.oldFlows.pushBack(fl)
			continue
		}
		p := aqm.CodelDequeue(fl, now, &q.Qstats.Backlog, &f.cparams, &fl.cvars, &f.cstats)
		if p == nil {
			// An emptied new flow goes through the old list once, so
			// that it cannot starve the old flows.
			head.remove(fl)
			if head == &f.newFlows && !f.oldFlows.empty() {
				f.oldFlows.pushBack(fl)
			}
			continue
		}
		q.Bstats.Update(p)
		fl.deficit -= int32(p.PktLen)
		return p
	}
}

// reportDrops tells the parents of CoDel's drops (fq_codel_dequeue_drop).
func (f *fqCodel) reportDrops() {
	if f.cstats.DropCount != 0 {
		f.q.TreeReduceBacklog(int(f.cstats.DropCount), int(f.cstats.DropLen))
		f.cstats.DropCount, f.cstats.DropLen = 0, 0
	}
}

func (f *fqCodel) Dequeue() *pkt.Packet {
	p := f.dequeue()
	f.reportDrops()
	return p
}

// Peek dequeues and holds the packet, reporting drops after it is held
// (fq_codel_peek).
func (f *fqCodel) Peek() *pkt.Packet {
	if p := f.q.Peeked(); p != nil {
		return p
	}
	p := f.dequeue()
	if p != nil {
		f.q.HoldPeeked(p)
	}
	f.reportDrops()
	return p
}
