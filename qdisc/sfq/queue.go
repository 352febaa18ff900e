package sfq

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// drop frees one packet of the longest slot, from its tail (its head with
// headdrop), and returns its length (sfq_drop). When every slot holds one
// packet, the slot after the tail of the round goes.
func (s *sfq) drop() uint32 {
	d := s.curDepth
	var x uint16
	switch {
	case d > 1:
		x = s.dep[d].next
	case d == 1:
		t := &s.slots[s.tail]
		x = t.next
		sl := &s.slots[x]
		if sl.next == x {
			s.tail = noTail
		} else {
			t.next = sl.next
		}
		s.ht[sl.hash] = emptySlot
	default:
		return 0
	}
	sl := &s.slots[x]
	var p *pkt.Packet
	if s.headdrop {
		p = sl.popHead()
	} else {
		p = sl.popTail()
	}
	n := p.PktLen
	sl.backlog -= n
	s.dec(x)
	q := s.q
	q.QLen--
	q.Qstats.Backlog -= n
	q.Drop(p)
	return n
}

// Enqueue queues p in its flow (sfq_enqueue): a new flow takes a free slot;
// SFQRED may mark or drop; a full flow drops p, or its head with headdrop;
// over the limit the longest flow loses a packet.
func (s *sfq) Enqueue(p *pkt.Packet) sched.Verdict {
	q := s.q
	hash, v := s.classify(p)
	if hash == 0 {
		if v&sched.Bypass != 0 {
			q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	hash--
	x := s.ht[hash]
	var sl *slot
	if x == emptySlot {
		x = s.dep[0].next // a free slot
		if x >= MaxFlows {
			return q.Drop(p)
		}
		s.ht[hash] = x
		sl = &s.slots[x]
		sl.hash = uint16(hash)
		sl.backlog = 0
		sl.vars.SetVars()
	} else {
		sl = &s.slots[x]
		if r := s.red; r != nil {
			sl.vars.QAvg = r.QAvgNoIdle(&sl.vars, sl.backlog)
			switch r.Action(&sl.vars, sl.vars.QAvg, &s.rnd) {
			case aqm.REDActionProb:
				q.Qstats.Overlimits++
				if s.flags&aqm.REDECN != 0 {
					if s.headdrop && inet.SetCE(sl.head) {
						s.stats.ProbMarkHead++
						goto enqueue
					}
					if inet.SetCE(p) {
						s.stats.ProbMark++
						goto enqueue
					}
				}
				s.stats.ProbDrop++
				return s.congestionDrop(sl, p)
			case aqm.REDActionHard:
				q.Qstats.Overlimits++
				if s.flags&redFlags == aqm.REDECN {
					if s.headdrop && inet.SetCE(sl.head) {
						s.stats.ForcedMarkHead++
						goto enqueue
					}
					if inet.SetCE(p) {
						s.stats.ForcedMark++
						goto enqueue
					}
				}
				s.stats.ForcedDrop++
				return s.congestionDrop(sl, p)
			}
		}
		if uint32(sl.qlen) >= s.maxdepth {
			return s.congestionDrop(sl, p)
		}
	}
enqueue:
	q.Qstats.Backlog += p.PktLen
	sl.backlog += p.PktLen
	sl.add(p)
	s.inc(x)
	if sl.qlen == 1 {
		// A new flow joins at the end of the round: serving new flows
		// first could freeze the old ones.
		if s.tail == noTail {
			sl.next = x
		} else {
			t := &s.slots[s.tail]
			sl.next = t.next
			t.next = x
		}
		s.tail = int32(x)
		sl.allot = int32(s.quantum)
	}
	q.QLen++
	if uint32(q.QLen) <= s.limit {
		return sched.Success
	}
	qlen := sl.qlen
	pktLen := p.PktLen
	dropped := s.drop()
	// Congestion notification only if this flow lost a packet (maybe p).
	if qlen != sl.qlen {
		q.TreeReduceBacklog(0, int(dropped)-int(pktLen))
		return sched.CN
	}
	q.TreeReduceBacklog(1, int(dropped))
	return sched.Success
}

// congestionDrop drops p, or with headdrop the flow's head to make room
// for p (the kernel's congestion_drop label).
func (s *sfq) congestionDrop(sl *slot, p *pkt.Packet) sched.Verdict {
	q := s.q
	if !s.headdrop {
		return q.Drop(p)
	}
	head := sl.popHead()
	delta := int64(head.PktLen) - int64(p.PktLen)
	q.Qstats.Backlog -= uint32(delta)
	sl.backlog -= uint32(delta)
	q.Drop(head)
	sl.add(p)
	q.TreeReduceBacklog(0, int(delta))
	return sched.CN
}

// Dequeue serves the slot after the tail of the round (sfq_dequeue).
func (s *sfq) Dequeue() *pkt.Packet {
	if s.tail == noTail {
		return nil
	}
	for {
		t := &s.slots[s.tail]
		a := t.next
		sl := &s.slots[a]
		if sl.allot <= 0 {
			s.tail = int32(a)
			sl.allot += int32(s.quantum)
			continue
		}
		p := sl.popHead()
		s.dec(a)
		q := s.q
		q.Bstats.Update(p)
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
		sl.backlog -= p.PktLen
		if sl.qlen == 0 {
			s.ht[sl.hash] = emptySlot
			next := sl.next
			if a == next {
				s.tail = noTail
				return p
			}
			s.slots[s.tail].next = next
		} else {
			sl.allot -= int32(p.PktLen)
		}
		return p
	}
}

// Peek is qdisc_peek_dequeued.
func (s *sfq) Peek() *pkt.Packet { return s.q.PeekDequeued() }

// rehash moves every queued packet to the slot of its new hash, keeping
// counters and order within each old slot (sfq_rehash); what does not fit
// is dropped.
func (s *sfq) rehash() {
	var list pkt.List
	for i := range s.slots {
		sl := &s.slots[i]
		if sl.qlen == 0 {
			continue
		}
		for sl.qlen != 0 {
			p := sl.popHead()
			s.dec(uint16(i))
			list.PushBack(p)
		}
		sl.backlog = 0
		sl.vars.SetVars()
		s.ht[sl.hash] = emptySlot
	}
	s.tail = noTail
	q := s.q
	dropped, dropLen := 0, 0
	for p := list.PopFront(); p != nil; p = list.PopFront() {
		hash := s.hash(p)
		x := s.ht[hash]
		if x == emptySlot {
			x = s.dep[0].next
			if x >= MaxFlows {
				q.Qstats.Backlog -= p.PktLen
				dropLen += int(p.PktLen)
				p.Free()
				dropped++
				continue
			}
			s.ht[hash] = x
			s.slots[x].hash = uint16(hash)
		}
		sl := &s.slots[x]
		if uint32(sl.qlen) >= s.maxdepth {
			q.Qstats.Backlog -= p.PktLen
			dropLen += int(p.PktLen)
			p.Free()
			dropped++
			continue
		}
		sl.add(p)
		if r := s.red; r != nil {
			sl.vars.QAvg = r.QAvg(&sl.vars, q.Now(), sl.backlog)
		}
		sl.backlog += p.PktLen
		s.inc(x)
		if sl.qlen == 1 {
			if s.tail == noTail {
				sl.next = x
			} else {
				t := &s.slots[s.tail]
				sl.next = t.next
				t.next = x
			}
			s.tail = int32(x)
			sl.allot = int32(s.quantum)
		}
	}
	q.QLen -= dropped
	q.TreeReduceBacklog(dropped, dropLen)
}
