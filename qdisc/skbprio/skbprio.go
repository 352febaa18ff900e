// Package skbprio is the skbprio qdisc (sch_skbprio.c): one FIFO per
// packet priority (0..63, skb->priority capped), served highest priority
// first; when full, an arriving packet pushes out the newest packet of the
// lowest priority present, or is dropped itself if it has that priority or
// a lower one. It was made for DoS defences that rank packets.
package skbprio

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// MaxPriority is SKBPRIO_MAX_PRIORITY: the number of priorities.
const MaxPriority = 64

// DefaultLimit is the limit without options, in packets.
const DefaultLimit = 64

// Kind is skbprio.
var Kind = &sched.Kind{
	ID:     "skbprio",
	New:    func(q *sched.Qdisc) sched.Discipline { return &skbprio{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer          = (*skbprio)(nil)
	_ sched.Dumper           = (*skbprio)(nil)
	_ sched.Classful         = (*skbprio)(nil)
	_ sched.ClassStatsDumper = (*skbprio)(nil)
)

type skbprio struct {
	q       *sched.Qdisc
	limit   uint32
	queues  [MaxPriority]pkt.List
	qstats  [MaxPriority]sched.QueueStats
	highest uint16
	lowest  uint16
}

func (s *skbprio) resetPrios() {
	s.highest = 0
	s.lowest = MaxPriority - 1
	s.qstats = [MaxPriority]sched.QueueStats{}
}

// newHigh finds the highest non-empty priority below the current one
// (calc_new_high_prio); 0 when none.
func (s *skbprio) newHigh() uint16 {
	for p := int(s.highest) - 1; p >= int(s.lowest); p-- {
		if s.queues[p].Head != nil {
			return uint16(p)
		}
	}
	return 0
}

// newLow finds the lowest non-empty priority above the current one
// (calc_new_low_prio); MaxPriority-1 when none.
func (s *skbprio) newLow() uint16 {
	for p := s.lowest + 1; p <= s.highest; p++ {
		if s.queues[p].Head != nil {
			return p
		}
	}
	return MaxPriority - 1
}

// Enqueue is skbprio_enqueue.
func (s *skbprio) Enqueue(p *pkt.Packet) sched.Verdict {
	q := s.q
	prio := uint16(min(p.Priority, MaxPriority-1))
	if uint32(q.QLen) < s.limit {
		s.queues[prio].PushBack(p)
		q.Qstats.Backlog += p.PktLen
		s.qstats[prio].Backlog += p.PktLen
		s.highest = max(s.highest, prio)
		s.lowest = min(s.lowest, prio)
		q.QLen++
		return sched.Success
	}
	// Full: the packet itself goes if it ranks lowest.
	lp := s.lowest
	if prio <= lp {
		s.qstats[prio].Drops++
		s.qstats[prio].Overlimits++
		return q.Drop(p)
	}
	s.queues[prio].PushBack(p)
	q.Qstats.Backlog += p.PktLen
	s.qstats[prio].Backlog += p.PktLen
	// Else the newest packet of the lowest priority makes room.
	drop := popBack(&s.queues[lp])
	q.Qstats.Backlog -= drop.PktLen
	s.qstats[lp].Backlog -= drop.PktLen
	s.qstats[lp].Drops++
	s.qstats[lp].Overlimits++
	q.Drop(drop)
	if s.queues[lp].Head == nil {
		if s.lowest == s.highest {
			s.lowest, s.highest = prio, prio
		} else {
			s.lowest = s.newLow()
		}
	}
	s.highest = max(s.highest, prio)
	return sched.CN
}

// popBack removes the last packet of a list (__skb_dequeue_tail).
func popBack(l *pkt.List) *pkt.Packet {
	t := l.Tail
	if l.Head == t {
		l.Head, l.Tail = nil, nil
	} else {
		p := l.Head
		for p.Next != t {
			p = p.Next
		}
		p.Next = nil
		l.Tail = p
	}
	l.Len--
	t.Next = nil
	return t
}

// Dequeue takes the head of the highest priority (skbprio_dequeue).
func (s *skbprio) Dequeue() *pkt.Packet {
	q := s.q
	hp := &s.queues[s.highest]
	p := hp.PopFront()
	if p == nil {
		return nil
	}
	q.QLen--
	q.Qstats.Backlog -= p.PktLen
	q.Bstats.Update(p)
	s.qstats[s.highest].Backlog -= p.PktLen
	if hp.Head == nil {
		if s.lowest == s.highest {
			s.highest, s.lowest = 0, MaxPriority-1
		} else {
			s.highest = s.newHigh()
		}
	}
	return p
}

func (s *skbprio) Peek() *pkt.Packet { return s.q.PeekDequeued() }

func (s *skbprio) Reset() {
	for i := range s.queues {
		for p := s.queues[i].PopFront(); p != nil; p = s.queues[i].PopFront() {
			p.Free()
		}
	}
	s.resetPrios()
	s.q.QLen = 0
	s.q.Qstats.Backlog = 0
}

// Init sets the limit to 64, or to the options' (skbprio_init).
func (s *skbprio) Init(opt *nl.Attr, ext *sched.Ext) error {
	s.resetPrios()
	s.limit = DefaultLimit
	if opt == nil {
		return nil
	}
	return s.Change(opt, ext)
}

// Change takes a tc_skbprio_qopt of exactly its size.
func (s *skbprio) Change(opt *nl.Attr, _ *sched.Ext) error {
	c, err := Decode(opt.Data)
	if err != nil {
		return err
	}
	s.limit = c.Limit
	return nil
}

func (s *skbprio) Dump(b *nl.Builder) error {
	b.Put(sched.TCA_OPTIONS, Config{Limit: s.limit}.Encode())
	return nil
}

// Classes are the priorities, 1 to 64; all show in dumps, none can be
// found, created or grafted.
type prioClass uint16

func (s *skbprio) Find(tc.Handle) sched.Class    { return nil }
func (s *skbprio) Leaf(sched.Class) *sched.Qdisc { return nil }

func (s *skbprio) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

func (s *skbprio) Walk(fn func(c sched.Class) bool) {
	for i := 1; i <= MaxPriority; i++ {
		if !fn(prioClass(i)) {
			return
		}
	}
}

func (s *skbprio) DumpClass(c sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= tc.Handle(c.(prioClass))
	return nil
}

// DumpClassStats writes the priority's queue stats; as in the kernel its
// qlen is never counted and shows 0.
func (s *skbprio) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	d.Queue(0, &s.qstats[c.(prioClass)-1])
	return nil
}

// Config is struct tc_skbprio_qopt.
type Config struct {
	Limit uint32 // packets
}

// Decode reads a tc_skbprio_qopt; any other size is EINVAL.
func Decode(b []byte) (Config, error) {
	if len(b) != 4 {
		return Config{}, syscall.EINVAL
	}
	return Config{Limit: binary.NativeEndian.Uint32(b)}, nil
}

// Encode writes it.
func (c Config) Encode() []byte { return binary.NativeEndian.AppendUint32(nil, c.Limit) }
