// Package fqpie is the fq_pie qdisc (sch_fq_pie.c, RFC 8033 with flow
// queueing as RFC 8290): packets are hashed into flows, each a FIFO whose
// arrivals PIE drops or marks early (package aqm's controller), served by
// deficit round robin with new flows first. The kernel gives fq_pie no
// class operations, so no filter can be attached: the flow hash, or a
// priority naming a flow, decides.
//
// Flow of a packet: Enqueue picks the flow, drops at the packet limit or
// when PIE says so (marking instead below ecn_prob percent), counts memory
// over memory_limit without dropping for it, stamps and appends. Dequeue
// serves flows as fq_codel does and feeds each flow's PIE. A timer updates
// the probability of every flow each tupdate, 2048 flows at a time.
package fqpie

import (
	"syscall"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Defaults and bounds (sch_fq_pie.c).
const (
	DefaultLimit       = 10 * 1024
	DefaultFlows       = 1024
	DefaultMemoryLimit = 32 << 20
	DefaultECNProb     = 10
	MaxFlows           = 65536
	QuantumMax         = 1 << 20
	flowsPerRound      = 2048
	memUsage           = 0 // Cb slot of a queued packet's truesize
)

// Kind is fq_pie.
var Kind = &sched.Kind{
	ID:     "fq_pie",
	New:    func(q *sched.Qdisc) sched.Discipline { return &fqPie{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*fqPie)(nil)
	_ sched.Dumper      = (*fqPie)(nil)
	_ sched.StatsDumper = (*fqPie)(nil)
	_ sched.Destroyer   = (*fqPie)(nil)
)

// flow is struct fq_pie_flow.
type flow struct {
	vars       aqm.PIEVars
	deficit    int32
	backlog    uint32
	qlen       uint32
	head, tail *pkt.Packet
	list       *flowList
	prev, next *flow
}

type flowList struct {
	head, tail *flow
	n          int
}

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

type fqPie struct {
	q            *sched.Qdisc
	flows        []flow
	params       aqm.PIEParams
	limit        uint32 // packets (sch->limit)
	ecnProb      uint32 // percent
	flowsCnt     uint32
	flowsCursor  uint32
	quantum      uint32
	memoryLimit  uint32
	newFlowCount uint32
	memoryUsage  uint32
	overmemory   uint32
	stats        aqm.PIEStats
	rnd          aqm.Rand
	timer        clock.Timer

	newFlows, oldFlows flowList
}

// Init sets the defaults, applies the options, makes the flows and starts
// the timer half a second from now (fq_pie_init).
func (f *fqPie) Init(opt *nl.Attr, ext *sched.Ext) error {
	f.params.Init()
	f.limit = DefaultLimit
	f.params.Limit = f.limit
	f.quantum = min(max(aqm.PschedMTU(f.q), 256), QuantumMax)
	f.ecnProb = DefaultECNProb
	f.flowsCnt = DefaultFlows
	f.memoryLimit = DefaultMemoryLimit
	f.rnd = aqm.NewRand(aqm.Seed(f.q))
	f.timer = f.q.Dev().Net().Clock.NewTimer(f.tick)
	if opt != nil {
		if err := f.Change(opt, ext); err != nil {
			return err
		}
	}
	f.flows = make([]flow, f.flowsCnt)
	for i := range f.flows {
		f.flows[i].vars.Init()
	}
	f.arm(sched.HZ / 2)
	return nil
}

func (f *fqPie) arm(j uint64) {
	f.timer.Reset(sched.JiffiesToNs(sched.Jiffies(f.q.Now()) + j))
}

// tick updates the probability of up to 2048 flows; after the last flow
// it waits tupdate, else it goes on at the next jiffy (fq_pie_timer).
func (f *fqPie) tick() {
	l := f.q.RootLock()
	l.Lock()
	defer l.Unlock()
	n := min(f.flowsCnt-f.flowsCursor, flowsPerRound)
	for i := uint32(0); i < n; i++ {
		fl := &f.flows[f.flowsCursor]
		fl.vars.CalculateProbability(&f.params, fl.backlog)
		f.flowsCursor++
	}
	next := uint64(1) // mod_timer(jiffies) fires at the next tick
	if f.flowsCursor >= f.flowsCnt {
		f.flowsCursor = 0
		next = f.params.TUpdate
	}
	if f.params.TUpdate != 0 {
		f.arm(next)
	}
}

// Change applies options (fq_pie_change). As in the kernel, a limit in
// the same request as a refused flow count is applied all the same.
func (f *fqPie) Change(opt *nl.Attr, _ *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if v := o[TCA_FQ_PIE_LIMIT]; v != nil {
		f.params.Limit, f.limit = *v, *v
	}
	if v := o[TCA_FQ_PIE_FLOWS]; v != nil {
		if f.flows != nil {
			return sched.Err(syscall.EINVAL, "sch_fq_pie: Number of flows cannot be changed")
		}
		f.flowsCnt = *v
		if f.flowsCnt == 0 || f.flowsCnt > MaxFlows {
			return sched.Err(syscall.EINVAL, "sch_fq_pie: Number of flows must range in [1..65536]")
		}
	}
	if v := o[TCA_FQ_PIE_TARGET]; v != nil {
		f.params.Target = uint64(sched.NsToTicks(int64(*v) * 1000))
	}
	if v := o[TCA_FQ_PIE_TUPDATE]; v != nil {
		f.params.TUpdate = sched.UsecsToJiffies(*v)
	}
	if v := o[TCA_FQ_PIE_ALPHA]; v != nil {
		f.params.Alpha = *v
	}
	if v := o[TCA_FQ_PIE_BETA]; v != nil {
		f.params.Beta = *v
	}
	if v := o[TCA_FQ_PIE_QUANTUM]; v != nil {
		f.quantum = *v
	}
	if v := o[TCA_FQ_PIE_MEMORY_LIMIT]; v != nil {
		f.memoryLimit = *v
	}
	if v := o[TCA_FQ_PIE_ECN_PROB]; v != nil {
		f.ecnProb = *v
	}
	if v := o[TCA_FQ_PIE_ECN]; v != nil {
		f.params.ECN = uint8(*v)
	}
	if v := o[TCA_FQ_PIE_BYTEMODE]; v != nil {
		f.params.Bytemode = uint8(*v)
	}
	if v := o[TCA_FQ_PIE_DQ_RATE_ESTIMATOR]; v != nil {
		f.params.DQRateEstimator = uint8(*v)
	}
	q := f.q
	var n, bytes int
	for uint32(q.QLen) > f.limit {
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

// classify picks the flow, 1-based (fq_pie_classify without filters,
// which fq_pie cannot have).
func (f *fqPie) classify(p *pkt.Packet) uint32 {
	prio := tc.Handle(p.Priority)
	if prio.Maj() == f.q.Handle && prio.Minor() > 0 && uint32(prio.Minor()) <= f.flowsCnt {
		return uint32(prio.Minor())
	}
	return inet.ReciprocalScale(inet.SkbHash(p), f.flowsCnt) + 1
}

// Enqueue is fq_pie_qdisc_enqueue.
func (f *fqPie) Enqueue(p *pkt.Packet) sched.Verdict {
	q := f.q
	fl := &f.flows[f.classify(p)-1]
	mem := aqm.Truesize(p)
	p.Cb[memUsage] = uint64(mem)
	memoryLimited := f.memoryUsage > f.memoryLimit+mem
	if uint32(q.QLen) >= f.limit {
		f.stats.Overlimit++
	} else {
		if memoryLimited {
			// Counted, not dropped, as in the kernel.
			f.overmemory++
		}
		enqueue := false
		if !fl.vars.DropEarly(&f.params, fl.backlog, uint32(p.Len()), aqm.PschedMTU(q), &f.rnd) {
			enqueue = true
		} else if f.params.ECN != 0 && fl.vars.Prob <= (aqm.PIEMaxProb/100)*uint64(f.ecnProb) && inet.SetCE(p) {
			f.stats.ECNMark++
			enqueue = true
		}
		if enqueue {
			if f.params.DQRateEstimator == 0 {
				p.Tstamp = q.Now()
			}
			f.stats.PacketsIn++
			f.memoryUsage += mem
			q.Qstats.Backlog += p.PktLen
			q.QLen++
			if fl.head == nil {
				fl.head = p
			} else {
				fl.tail.Next = p
			}
			fl.tail = p
			p.Next = nil
			if fl.list == nil {
				f.newFlows.pushBack(fl)
				f.newFlowCount++
				fl.deficit = int32(f.quantum)
				fl.qlen, fl.backlog = 0, 0
			}
			fl.qlen++
			fl.backlog += p.PktLen
			return sched.Success
		}
	}
	f.stats.Dropped++
	fl.vars.AccuProb = 0
	q.Drop(p)
	return sched.CN
}

// Dequeue is fq_pie_qdisc_dequeue.
func (f *fqPie) Dequeue() *pkt.Packet {
	q := f.q
	for {
		head := &f.newFlows
		if head.head == nil {
			head = &f.oldFlows
			if head.head == nil {
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
		p := fl.head
		if p == nil {
			// Through the old list once, so new flows cannot starve
			// old ones.
			head.remove(fl)
			if head == &f.newFlows && f.oldFlows.head != nil {
				f.oldFlows.pushBack(fl)
			}
			continue
		}
		fl.head = p.Next
		p.Next = nil
		q.Qstats.Backlog -= p.PktLen
		q.QLen--
		q.Bstats.Update(p)
		fl.qlen--
		fl.deficit -= int32(p.PktLen)
		fl.backlog -= p.PktLen
		f.memoryUsage -= uint32(p.Cb[memUsage])
		fl.vars.ProcessDequeue(p, &f.params, fl.backlog, q.Now())
		return p
	}
}

func (f *fqPie) Peek() *pkt.Packet { return f.q.PeekDequeued() }

func (f *fqPie) Reset() {
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
		fl.vars.Init()
	}
	f.q.QLen = 0
	f.q.Qstats.Backlog = 0
}

// Destroy stops the timer.
func (f *fqPie) Destroy() {
	f.params.TUpdate = 0
	if f.timer != nil {
		f.timer.Stop()
	}
}

func (f *fqPie) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS | nl.NLA_F_NESTED)
	b.PutU32(TCA_FQ_PIE_LIMIT, f.limit)
	b.PutU32(TCA_FQ_PIE_FLOWS, f.flowsCnt)
	b.PutU32(TCA_FQ_PIE_TARGET, aqm.PIEDelayUs(f.params.Target))
	b.PutU32(TCA_FQ_PIE_TUPDATE, sched.JiffiesToUsecs(f.params.TUpdate))
	b.PutU32(TCA_FQ_PIE_ALPHA, f.params.Alpha)
	b.PutU32(TCA_FQ_PIE_BETA, f.params.Beta)
	b.PutU32(TCA_FQ_PIE_QUANTUM, f.quantum)
	b.PutU32(TCA_FQ_PIE_MEMORY_LIMIT, f.memoryLimit)
	b.PutU32(TCA_FQ_PIE_ECN_PROB, f.ecnProb)
	b.PutU32(TCA_FQ_PIE_ECN, uint32(f.params.ECN))
	b.PutU32(TCA_FQ_PIE_BYTEMODE, uint32(f.params.Bytemode))
	b.PutU32(TCA_FQ_PIE_DQ_RATE_ESTIMATOR, uint32(f.params.DQRateEstimator))
	b.EndNest()
	return nil
}

func (f *fqPie) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		PacketsIn:    f.stats.PacketsIn,
		Overlimit:    f.stats.Overlimit,
		Overmemory:   f.overmemory,
		Dropped:      f.stats.Dropped,
		ECNMark:      f.stats.ECNMark,
		NewFlowCount: f.newFlowCount,
		NewFlowsLen:  uint32(f.newFlows.n),
		OldFlowsLen:  uint32(f.oldFlows.n),
		MemoryUsage:  f.memoryUsage,
	}
	d.App(x.Encode())
	return nil
}
