package cake

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// cake's classes are its queues, numbered from 1 across the tins in their
// display order; dumps show the queues on a rotation with their length,
// drops and COBALT state. None can be found, created, grafted or deleted;
// filters choose queues and hosts by class id (cake_class_ops).

type queueClass uint32

func (c *cake) Find(tc.Handle) sched.Class    { return nil }
func (c *cake) Leaf(sched.Class) *sched.Qdisc { return nil }

// Graft is refused: cake has no graft operation.
func (c *cake) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

// Walk visits the queues on a rotation (cake_walk).
func (c *cake) Walk(fn func(sched.Class) bool) {
	for i := 0; i < int(c.tinCnt); i++ {
		b := &c.tins[c.tinOrder[i]]
		for j := range b.flows {
			if b.flows[j].list == nil {
				continue
			}
			if !fn(queueClass(i*queues + j + 1)) {
				return
			}
		}
	}
}

func (c *cake) DumpClass(cl sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= tc.Handle(cl.(queueClass) & 0xffff)
	return nil
}

// DumpClassStats writes the queue's length, backlog and drops, and its
// deficit and COBALT state (cake_dump_class_stats).
func (c *cake) DumpClassStats(cl sched.Class, d *sched.StatsDump) error {
	idx := uint32(cl.(queueClass)) - 1
	var qs sched.QueueStats
	qlen := 0
	var f *flow
	if idx < queues*uint32(c.tinCnt) {
		b := &c.tins[c.tinOrder[idx/queues]]
		f = &b.flows[idx%queues]
		for p := f.head; p != nil; p = p.Next {
			qlen++
		}
		qs.Backlog = b.backlogs[idx%queues]
		qs.Drops = f.dropped
	}
	d.Queue(qlen, &qs)
	if f == nil {
		return nil
	}
	now := c.q.Now()
	d.AppNest(func(b *nl.Builder) {
		b.PutU32(TCA_CAKE_STATS_DEFICIT, uint32(f.deficit))
		b.PutU32(TCA_CAKE_STATS_DROPPING, b2u(f.cvars.dropping))
		b.PutU32(TCA_CAKE_STATS_COBALT_COUNT, f.cvars.count)
		b.PutU32(TCA_CAKE_STATS_P_DROP, f.cvars.pDrop)
		if f.cvars.pDrop != 0 {
			b.PutU32(TCA_CAKE_STATS_BLUE_TIMER_US, uint32(int32((now-f.cvars.blueTimer)/1000)))
		}
		if f.cvars.dropping {
			b.PutU32(TCA_CAKE_STATS_DROP_NEXT_US, uint32(int32((now-f.cvars.dropNext)/1000)))
		}
	})
	return nil
}

// Block gives the qdisc's filter block; queues have none.
func (c *cake) Block(cl sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if cl != nil {
		return nil, nil
	}
	return c.block, nil
}

func (c *cake) BindFilter(tc.Handle, tc.Handle) sched.Class { return nil }
func (c *cake) UnbindFilter(sched.Class)                    {}
