package fqcodel

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// fq_codel's classes are its flows, numbered from 1; only flows with
// packets (on a list) show in dumps, none can be found by id, created,
// grafted or deleted, and filters only pick them by the minor of their
// class id, as the kernel's class ops allow.

// flowClass is a flow's number, 1-based.
type flowClass uint32

func (f *fqCodel) Find(tc.Handle) sched.Class    { return nil }
func (f *fqCodel) Leaf(sched.Class) *sched.Qdisc { return nil }

func (f *fqCodel) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

// Walk visits the flows that are on a list (fq_codel_walk).
func (f *fqCodel) Walk(fn func(c sched.Class) bool) {
	for i := range f.flows {
		if f.flows[i].list == nil {
			continue
		}
		if !fn(flowClass(i + 1)) {
			return
		}
	}
}

func (f *fqCodel) DumpClass(c sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= tc.Handle(c.(flowClass) & 0xffff)
	return nil
}

// DumpClassStats writes the flow's queue (qlen counted, backlog, no
// drops) and its CoDel state as class xstats.
func (f *fqCodel) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	idx := uint32(c.(flowClass)) - 1
	var qs sched.QueueStats
	qlen := 0
	if idx < f.flowsCnt {
		fl := &f.flows[idx]
		x := ClassXstats{
			Deficit:   fl.deficit,
			LDelay:    fl.cvars.LDelay.Us(),
			Count:     fl.cvars.Count,
			LastCount: fl.cvars.LastCount,
			Dropping:  b2u(fl.cvars.Dropping),
		}
		if fl.cvars.Dropping {
			x.DropNext = aqm.CodelDelta(fl.cvars.DropNext, aqm.CodelNow(f.q.Now()))
		}
		for p := fl.head; p != nil; p = p.Next {
			qlen++
		}
		qs.Backlog = f.backlogs[idx]
		d.Queue(qlen, &qs)
		d.App(x.Encode())
		return nil
	}
	d.Queue(qlen, &qs)
	return nil
}

// Block gives the qdisc's filter block; flows have none.
func (f *fqCodel) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return f.block, nil
}

func (f *fqCodel) BindFilter(tc.Handle, tc.Handle) sched.Class { return nil }
func (f *fqCodel) UnbindFilter(sched.Class)                    {}
