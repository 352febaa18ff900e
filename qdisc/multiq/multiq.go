// Package multiq is the multiq qdisc: one band per real TX queue of the
// device, the band chosen by the packet's queue mapping (after filters),
// served round robin skipping bands whose TX queue is stopped, so that one
// full hardware queue does not block the others (sch_multiq.c).
package multiq

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

type multiq struct {
	q        *sched.Qdisc
	bands    int
	maxBands int
	curband  int
	queues   []*sched.Qdisc
	block    *sched.Block
}

type band int

var (
	_ sched.Classful         = (*multiq)(nil)
	_ sched.ClassStatsDumper = (*multiq)(nil)
	_ sched.Changer          = (*multiq)(nil)
	_ sched.BlockOwner       = (*multiq)(nil)
	_ sched.Destroyer        = (*multiq)(nil)
)

// Kind is multiq.
var Kind = &sched.Kind{
	ID:     "multiq",
	New:    func(q *sched.Qdisc) sched.Discipline { return &multiq{q: q} },
	Syntax: syntax{},
}

// Config is struct tc_multiq_qopt.
type Config struct {
	Bands    uint16
	MaxBands uint16
}

const qoptLen = 4

func decode(b []byte) (Config, error) {
	if len(b) < qoptLen {
		return Config{}, syscall.EINVAL
	}
	return Config{Bands: binary.NativeEndian.Uint16(b), MaxBands: binary.NativeEndian.Uint16(b[2:])}, nil
}

func (c Config) encode() []byte {
	b := binary.NativeEndian.AppendUint16(nil, c.Bands)
	return binary.NativeEndian.AppendUint16(b, c.MaxBands)
}

func (m *multiq) Init(opt *nl.Attr, ext *sched.Ext) error {
	if opt == nil {
		return syscall.EINVAL
	}
	m.block = m.q.Dev().Net().GetBlock(0, m.q)
	m.maxBands = m.q.Dev().NumTxQueues()
	m.queues = make([]*sched.Qdisc, m.maxBands)
	for i := range m.queues {
		m.queues[i] = sched.NoopQdisc()
	}
	return m.tune(opt, ext)
}

func (m *multiq) Change(opt *nl.Attr, ext *sched.Ext) error { return m.tune(opt, ext) }

// tune sets as many bands as the device has real TX queues, whatever the
// options ask (multiq_tune); new bands get hidden pfifo children.
func (m *multiq) tune(opt *nl.Attr, ext *sched.Ext) error {
	d := m.q.Dev()
	if !d.Multiqueue() {
		return syscall.EOPNOTSUPP
	}
	if _, err := decode(opt.Data); err != nil {
		return err
	}
	m.bands = d.Link().RealNumTxQueues()
	var removed []*sched.Qdisc
	for i := m.bands; i < m.maxBands; i++ {
		if c := m.queues[i]; !c.IsNoop() {
			m.queues[i] = sched.NoopQdisc()
			c.PurgeQueue()
			removed = append(removed, c)
		}
	}
	for _, c := range removed {
		c.Put()
	}
	for i := 0; i < m.bands; i++ {
		if !m.queues[i].IsNoop() {
			continue
		}
		c := d.CreateDefault(m.q.Queue(), fifo.PFIFO, tc.Make(uint32(m.q.Handle), uint32(i+1)), ext)
		if c == nil {
			continue
		}
		old := m.queues[i]
		m.queues[i] = c
		d.HashAdd(c, true)
		old.Put()
	}
	return nil
}

func (m *multiq) classify(p *pkt.Packet) (*sched.Qdisc, sched.Verdict) {
	var res sched.Result
	switch m.block.Classify(p, &res) {
	case sched.ActStolen, sched.ActQueued, sched.ActTrap:
		return nil, sched.Success | sched.Stolen
	case sched.ActShot:
		return nil, sched.Success | sched.Bypass
	}
	b := int(p.QueueMapping)
	if b >= m.bands {
		return m.queues[0], 0
	}
	return m.queues[b], 0
}

// Enqueue counts packets but, as the kernel's multiq, not bytes.
func (m *multiq) Enqueue(p *pkt.Packet) sched.Verdict {
	child, v := m.classify(p)
	if child == nil {
		if v&sched.Bypass != 0 {
			m.q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	v = sched.Enqueue(child, p)
	if v == sched.Success {
		m.q.QLen++
		return sched.Success
	}
	if v.IsDrop() {
		m.q.Qstats.Drops++
	}
	return v
}

func (m *multiq) next() int {
	m.curband++
	if m.curband >= m.bands {
		m.curband = 0
	}
	return m.curband
}

func (m *multiq) Dequeue() *pkt.Packet {
	d := m.q.Dev()
	for i := 0; i < m.bands; i++ {
		b := m.next()
		if d.TxQueue(b).Stopped() {
			continue
		}
		if p := m.queues[b].Dequeue(); p != nil {
			m.q.Bstats.Update(p)
			m.q.QLen--
			return p
		}
	}
	return nil
}

func (m *multiq) Peek() *pkt.Packet {
	d := m.q.Dev()
	cur := m.curband
	for i := 0; i < m.bands; i++ {
		cur++
		if cur >= m.bands {
			cur = 0
		}
		if d.TxQueue(cur).Stopped() {
			continue
		}
		if p := m.queues[cur].Peek(); p != nil {
			return p
		}
	}
	return nil
}

func (m *multiq) Reset() {
	for i := 0; i < m.bands; i++ {
		m.queues[i].Reset()
	}
	m.curband = 0
}

func (m *multiq) Destroy() {
	m.q.Dev().Net().PutBlock(m.block)
	for i := 0; i < m.bands; i++ {
		m.queues[i].Put()
	}
}

func (m *multiq) Dump(b *nl.Builder) error {
	b.Put(sched.TCA_OPTIONS, Config{Bands: uint16(m.bands), MaxBands: uint16(m.maxBands)}.encode())
	return nil
}

func (m *multiq) Find(classid tc.Handle) sched.Class {
	i := int(classid.Minor())
	if i-1 < 0 || i-1 >= m.bands {
		return nil
	}
	return band(i)
}

func (m *multiq) Leaf(c sched.Class) *sched.Qdisc { return m.queues[c.(band)-1] }

// Graft puts new in the band, or noop for nil (multiq_graft).
func (m *multiq) Graft(c sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	if new == nil {
		new = sched.NoopQdisc()
	}
	i := int(c.(band)) - 1
	old := m.queues[i]
	m.queues[i] = new
	old.PurgeQueue()
	return old, nil
}

func (m *multiq) Walk(fn func(c sched.Class) bool) {
	for i := 1; i <= m.bands; i++ {
		if !fn(band(i)) {
			return
		}
	}
}

func (m *multiq) DumpClass(c sched.Class, t *sched.TCMsg, _ *nl.Builder) error {
	t.Handle |= tc.Handle(c.(band))
	t.Info = uint32(m.queues[c.(band)-1].Handle)
	return nil
}

func (m *multiq) DumpClassStats(c sched.Class, d *sched.StatsDump) error {
	q := m.queues[c.(band)-1]
	d.Basic(&q.Bstats)
	d.Queue(q.QLen, &q.Qstats)
	return nil
}

func (m *multiq) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return m.block, nil
}
