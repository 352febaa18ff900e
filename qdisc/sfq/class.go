package sfq

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// sfq's classes are its hash buckets, numbered from 1: a dump shows the
// buckets that hold a flow, with the flow's queue and credit; none can be
// found, created, grafted or deleted, and filters pick them by the minor
// of their class id (sfq_class_ops).

// bucket is a hash bucket's number, 1-based.
type bucket uint32

func (s *sfq) Find(tc.Handle) sched.Class    { return nil }
func (s *sfq) Leaf(sched.Class) *sched.Qdisc { return nil }

// Graft is refused: sfq has no graft operation.
func (s *sfq) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

// Walk visits the buckets that point at a slot (sfq_walk).
func (s *sfq) Walk(fn func(c sched.Class) bool) {
	for i, x := range s.ht {
		if x == emptySlot {
			continue
		}
		if !fn(bucket(i + 1)) {
			return
		}
	}
}

func (s *sfq) DumpClass(c sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= tc.Handle(c.(bucket) & 0xffff)
	return nil
}

// DumpClassStats writes the flow's length and backlog, and its credit as
// xstats (sfq_dump_class_stats).
func (s *sfq) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	var qs sched.QueueStats
	var allot int32
	qlen := 0
	if i := uint32(c.(bucket)) - 1; i < uint32(len(s.ht)) {
		if x := s.ht[i]; x != emptySlot {
			sl := &s.slots[x]
			allot = sl.allot
			qlen = int(sl.qlen)
			qs.Backlog = sl.backlog
		}
	}
	d.Queue(qlen, &qs)
	d.App(EncodeXstats(allot))
	return nil
}

// Block gives the qdisc's filter block; buckets have none.
func (s *sfq) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return s.block, nil
}

func (s *sfq) BindFilter(tc.Handle, tc.Handle) sched.Class { return nil }
func (s *sfq) UnbindFilter(sched.Class)                    {}
