// Package mq is the multiqueue root: one class per TX queue of a
// multiqueue device, each with its own child qdisc grafted on that queue,
// and statistics that sum the children (sch_mq.c).
package mq

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/pfifofast"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

type mq struct {
	q *sched.Qdisc
	// pending holds the children made at init until Attach grafts them.
	pending []*sched.Qdisc
}

// queue is a class: the TX queue number plus one.
type queue int

var (
	_ sched.Classful         = (*mq)(nil)
	_ sched.Attacher         = (*mq)(nil)
	_ sched.QueueSelector    = (*mq)(nil)
	_ sched.ClassStatsDumper = (*mq)(nil)
	_ sched.Destroyer        = (*mq)(nil)
	_ sched.Dumper           = (*mq)(nil)
)

// Kind is mq. tc gives it no options.
var Kind = &sched.Kind{
	ID:     "mq",
	New:    func(q *sched.Qdisc) sched.Discipline { return &mq{q: q} },
	Syntax: syntax{},
}

// Init makes a default child per TX queue; mq lives only at the root of a
// multiqueue device (EOPNOTSUPP otherwise).
func (m *mq) Init(_ *nl.Attr, ext *sched.Ext) error {
	d := m.q.Dev()
	if m.q.Parent != tc.Root || !d.Multiqueue() {
		return syscall.EOPNOTSUPP
	}
	m.pending = make([]*sched.Qdisc, d.NumTxQueues())
	for i := range m.pending {
		k := d.DefaultQdiscKind(i, pfifofast.Kind)
		c := d.CreateDefault(d.TxQueue(i), k, tc.Make(uint32(m.q.Handle), uint32(i+1)), ext)
		if c == nil {
			return syscall.ENOMEM
		}
		c.Flags |= sched.OneTxQueue | sched.NoParent
		m.pending[i] = c
	}
	m.q.Flags |= sched.MQRoot
	return nil
}

// Attach grafts the children onto their queues (mq_attach); only real
// queues' children enter the device hash.
func (m *mq) Attach() {
	d := m.q.Dev()
	for i, c := range m.pending {
		old := d.TxQueue(i).GraftQueue(c)
		old.Put()
		if i < d.Link().RealNumTxQueues() {
			d.HashAdd(c, false)
		}
	}
	m.pending = nil
}

func (m *mq) Destroy() {
	for _, c := range m.pending {
		if c != nil {
			c.Put()
		}
	}
	m.pending = nil
}

// mq itself never holds packets: its children are the queues' roots.
func (m *mq) Enqueue(p *pkt.Packet) sched.Verdict { p.Free(); return sched.CN }
func (m *mq) Dequeue() *pkt.Packet                { return nil }
func (m *mq) Peek() *pkt.Packet                   { return nil }
func (m *mq) Reset()                              {}

// Dump sums the children's statistics into mq's own (mq_dump); it writes
// no options.
func (m *mq) Dump(*nl.Builder) error {
	d := m.q.Dev()
	m.q.QLen = 0
	m.q.Bstats = sched.BasicStats{}
	m.q.Qstats = sched.QueueStats{}
	for i := 0; i < d.NumTxQueues(); i++ {
		c := d.TxQueue(i).Sleeping()
		l := &c.Bstats
		m.q.Bstats.Bytes += l.Bytes
		m.q.Bstats.Packets += l.Packets
		m.q.Qstats.Backlog += c.Qstats.Backlog
		m.q.Qstats.Drops += c.Qstats.Drops
		m.q.Qstats.Requeues += c.Qstats.Requeues
		m.q.Qstats.Overlimits += c.Qstats.Overlimits
		m.q.QLen += c.QLen
	}
	return nil
}

func (m *mq) queueOf(c sched.Class) *sched.TxQueue {
	i := int(c.(queue)) - 1
	d := m.q.Dev()
	if i < 0 || i >= d.NumTxQueues() {
		return nil
	}
	return d.TxQueue(i)
}

// SelectQueue puts a child made under class :N on TX queue N-1.
func (m *mq) SelectQueue(t *sched.TCMsg) *sched.TxQueue {
	return m.queueOf(queue(t.Parent.Minor()))
}

func (m *mq) Find(classid tc.Handle) sched.Class {
	c := queue(classid.Minor())
	if m.queueOf(c) == nil {
		return nil
	}
	return c
}

func (m *mq) Leaf(c sched.Class) *sched.Qdisc { return m.queueOf(c).Sleeping() }

// Graft replaces a queue's child, with the device deactivated meanwhile;
// nil leaves the queue with noop (mq_graft).
func (m *mq) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	d := m.q.Dev()
	up := d.Link().IsUp()
	if up {
		d.Deactivate()
	}
	old := m.queueOf(c).GraftQueue(new)
	if new != nil {
		new.Flags |= sched.OneTxQueue | sched.NoParent
	}
	if up {
		d.Activate()
	}
	return old, nil
}

func (m *mq) Walk(fn func(c sched.Class) bool) {
	for i := 1; i <= m.q.Dev().NumTxQueues(); i++ {
		if !fn(queue(i)) {
			return
		}
	}
}

func (m *mq) DumpClass(c sched.Class, t *sched.TCMsg, _ *nl.Builder) error {
	t.Parent = tc.Root
	t.Handle |= tc.Handle(c.(queue))
	t.Info = uint32(m.queueOf(c).Sleeping().Handle)
	return nil
}

func (m *mq) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	q := m.queueOf(c).Sleeping()
	d.Basic(&q.Bstats)
	d.Queue(q.QLen, &q.Qstats)
	return nil
}
