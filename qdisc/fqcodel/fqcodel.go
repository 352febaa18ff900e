// Package fqcodel is the fq_codel qdisc (sch_fq_codel.c, RFC 8290):
// packets are hashed (or classified by filters) into flows, each a FIFO
// managed by CoDel (package aqm), served by deficit round robin with new
// flows ahead of old ones so that sparse flows see almost no queue.
//
// Flow of a packet: Enqueue classifies it to a flow, stamps it, appends it
// and puts a flow that was idle on the new list with a quantum of credit;
// over the packet or memory limit, the fattest flow loses up to half its
// backlog (at most drop_batch packets) from its head. Dequeue takes the
// first flow of the new list (else the old list): a flow out of credit
// gets a quantum and moves to the end of the old list; otherwise CoDel
// dequeues from it. An emptied new flow moves to the old list once, so
// that it cannot starve the old ones by leaving and coming back.
package fqcodel

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Defaults and bounds (sch_fq_codel.c).
const (
	DefaultLimit       = 10 * 1024
	DefaultFlows       = 1024
	DefaultMemoryLimit = 32 << 20 // x86-64
	DefaultDropBatch   = 64
	QuantumMax         = 1 << 20 // FQ_CODEL_QUANTUM_MAX
	MaxFlows           = 65536
)

// Kind is fq_codel.
var Kind = &sched.Kind{
	ID:     "fq_codel",
	New:    func(q *sched.Qdisc) sched.Discipline { return &fqCodel{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer          = (*fqCodel)(nil)
	_ sched.Dumper           = (*fqCodel)(nil)
	_ sched.StatsDumper      = (*fqCodel)(nil)
	_ sched.Destroyer        = (*fqCodel)(nil)
	_ sched.Classful         = (*fqCodel)(nil)
	_ sched.ClassStatsDumper = (*fqCodel)(nil)
	_ sched.BlockOwner       = (*fqCodel)(nil)
	_ sched.FilterBinder     = (*fqCodel)(nil)
	_ aqm.CodelQueue         = (*flow)(nil)
)

// flow is one flow queue (struct fq_codel_flow): a FIFO of packets linked
// through Next, its credit, its CoDel state, and its place on the new or
// old list.
type flow struct {
	head, tail *pkt.Packet
	deficit    int32
	cvars      aqm.CodelVars
	list       *flowList // nil when on neither list
	prev, next *flow
	fq         *fqCodel
	idx        int32
}

// flowList is a list of flows (list_head new_flows / old_flows).
type flowList struct {
	head, tail *flow
	n          int
}

func (l *flowList) empty() bool { return l.head == nil }

func (l *flowList) pushBack(f *flow) {
	f.list, f.prev, f.next = l, l.tail, nil
	if l.tail == nil {
		l.head = f
	} else {
		l.tail.next = f
	}
	l.tail = f
	l.n++
}

func (l *flowList) remove(f *flow) {
	if f.prev == nil {
		l.head = f.next
	} else {
		f.prev.next = f.next
	}
	if f.next == nil {
		l.tail = f.prev
	} else {
		f.next.prev = f.prev
	}
	f.list, f.prev, f.next = nil, nil, nil
	l.n--
}

type fqCodel struct {
	q           *sched.Qdisc
	block       *sched.Block
	flows       []flow
	backlogs    []uint32 // per flow, scanned for the fattest
	flowsCnt    uint32
	quantum     uint32
	dropBatch   uint32
	memoryLimit uint32
	limit       uint32 // packets (sch->limit)
	cparams     aqm.CodelParams
	cstats      aqm.CodelStats

	memoryUsage    uint32
	dropOvermemory uint32
	dropOverlimit  uint32
	newFlowCount   uint32

	newFlows, oldFlows flowList
}

// Init sets the defaults, applies the options, and makes the flows
// (fq_codel_init).
func (f *fqCodel) Init(opt *nl.Attr, ext *sched.Ext) error {
	f.limit = DefaultLimit
	f.flowsCnt = DefaultFlows
	f.memoryLimit = DefaultMemoryLimit
	f.dropBatch = DefaultDropBatch
	mtu := min(max(aqm.PschedMTU(f.q), 256), QuantumMax)
	f.quantum = mtu
	f.cparams.Init()
	f.cparams.ECN = true
	f.cparams.MTU = mtu
	if opt != nil {
		if err := f.Change(opt, ext); err != nil {
			f.flowsCnt = 0
			return err
		}
	}
	f.block = f.q.Dev().Net().GetBlock(0, f.q)
	f.flows = make([]flow, f.flowsCnt)
	f.backlogs = make([]uint32, f.flowsCnt)
	for i := range f.flows {
		f.flows[i].fq = f
		f.flows[i].idx = int32(i)
	}
	return nil
}

// Change applies options (fq_codel_change): flows only before the flows
// exist, quantum within [256, 1 MiB]; then the queue is trimmed to the new
// limits by dequeueing, as the kernel does.
func (f *fqCodel) Change(opt *nl.Attr, _ *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if o.flows != nil {
		if f.flows != nil {
			return syscall.EINVAL
		}
		f.flowsCnt = *o.flows
		if f.flowsCnt == 0 || f.flowsCnt > MaxFlows {
			return syscall.EINVAL
		}
	}
	var quantum uint32
	if o.quantum != nil {
		quantum = max(256, *o.quantum)
		if quantum > QuantumMax {
			return sched.Err(syscall.EINVAL, "Invalid quantum")
		}
	}
	if o.target != nil {
		f.cparams.Target = aqm.CodelFromUs(*o.target)
	}
	if o.ceThreshold != nil {
		f.cparams.CEThreshold = aqm.CodelFromUs(*o.ceThreshold)
	}
	if o.ceSelector != nil {
		f.cparams.CEThresholdSelector = *o.ceSelector
	}
	if o.ceMask != nil {
		f.cparams.CEThresholdMask = *o.ceMask
	}
	if o.interval != nil {
		f.cparams.Interval = aqm.CodelFromUs(*o.interval)
	}
	if o.limit != nil {
		f.limit = *o.limit
	}
	if o.ecn != nil {
		f.cparams.ECN = *o.ecn != 0
	}
	if quantum != 0 {
		f.quantum = quantum
	}
	if o.dropBatch != nil {
		f.dropBatch = max(1, *o.dropBatch)
	}
	if o.memoryLimit != nil {
		f.memoryLimit = min(1<<31, *o.memoryLimit)
	}
	q := f.q
	var n, bytes int
	for uint32(q.QLen) > f.limit || f.memoryUsage > f.memoryLimit {
		p := q.DequeueInternal(false)
		if p == nil {
			break
		}
		n++
		bytes += int(p.PktLen)
		p.Free()
	}
	q.TreeReduceBacklog(n, bytes)
	return nil
}

// Destroy lets the filter block go.
func (f *fqCodel) Destroy() {
	if f.block != nil {
		f.q.Dev().Net().PutBlock(f.block)
		f.block = nil
	}
}

func (f *fqCodel) Reset() {
	f.newFlows, f.oldFlows = flowList{}, flowList{}
	for i := range f.flows {
		fl := &f.flows[i]
		for p := fl.head; p != nil; {
			next := p.Next
			p.Free()
			p = next
		}
		fl.head, fl.tail = nil, nil
		fl.list, fl.prev, fl.next = nil, nil, nil
		fl.cvars = aqm.CodelVars{}
		f.backlogs[i] = 0
	}
	f.memoryUsage = 0
	f.q.QLen = 0
	f.q.Qstats.Backlog = 0
}

func (f *fqCodel) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_FQ_CODEL_TARGET, f.cparams.Target.Us())
	b.PutU32(TCA_FQ_CODEL_LIMIT, f.limit)
	b.PutU32(TCA_FQ_CODEL_INTERVAL, f.cparams.Interval.Us())
	b.PutU32(TCA_FQ_CODEL_ECN, b2u(f.cparams.ECN))
	b.PutU32(TCA_FQ_CODEL_QUANTUM, f.quantum)
	b.PutU32(TCA_FQ_CODEL_DROP_BATCH_SIZE, f.dropBatch)
	b.PutU32(TCA_FQ_CODEL_MEMORY_LIMIT, f.memoryLimit)
	b.PutU32(TCA_FQ_CODEL_FLOWS, f.flowsCnt)
	if f.cparams.CEThreshold != aqm.CodelDisabledThreshold {
		b.PutU32(TCA_FQ_CODEL_CE_THRESHOLD, f.cparams.CEThreshold.Us())
		b.PutU8(TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR, f.cparams.CEThresholdSelector)
		b.PutU8(TCA_FQ_CODEL_CE_THRESHOLD_MASK, f.cparams.CEThresholdMask)
	}
	b.EndNest()
	return nil
}

func (f *fqCodel) DumpStats(d *sched.StatsDump) error {
	x := QdiscXstats{
		MaxPacket:      f.cstats.MaxPacket,
		DropOverlimit:  f.dropOverlimit,
		ECNMark:        f.cstats.ECNMark,
		NewFlowCount:   f.newFlowCount,
		NewFlowsLen:    uint32(f.newFlows.n),
		OldFlowsLen:    uint32(f.oldFlows.n),
		CEMark:         f.cstats.CEMark,
		MemoryUsage:    f.memoryUsage,
		DropOvermemory: f.dropOvermemory,
	}
	d.App(x.Encode())
	return nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
