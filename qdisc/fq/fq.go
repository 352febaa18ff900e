// Package fq is the fair queue packet scheduler (sch_fq.c): per-flow
// queues served round robin in three priority bands of weighted credit,
// with per-flow pacing. netsched has no sockets, so every flow is what the
// kernel calls orphaned: flows are told apart by the packet's flow hash
// masked with orphan_mask, and pacing follows maxrate (the kernel's rate
// for packets without a socket) and the packets' departure times
// (pkt.Packet.Tstamp, skb->tstamp: earliest departure time when set).
//
// Flow of a packet: Enqueue picks a band from its priority, drops it past
// the band's limit or the horizon, and puts it in the fast path queue when
// nothing else is eligible, else in its flow (found in its bucket's search
// tree, made on first sight) in time order; a flow with no list joins its
// band's new list. Dequeue serves the fast path, then releases the
// throttled flows whose time has come, then serves the bands in turn: a
// flow out of credit moves to the old list with a quantum more, a flow
// whose next packet is not due yet is throttled until it is, an empty flow
// leaves the lists (through the old list once). The watchdog wakes the
// queue for the earliest throttled flow. Flows idle for three seconds are
// collected when their bucket is searched.
package fq

import (
	"fmt"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Kind is fq. It has no classes.
var Kind = &sched.Kind{
	ID:     "fq",
	New:    func(q *sched.Qdisc) sched.Discipline { return &fq{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*fq)(nil)
	_ sched.Dumper      = (*fq)(nil)
	_ sched.StatsDumper = (*fq)(nil)
	_ sched.Destroyer   = (*fq)(nil)
)

const (
	gcMax     = 8            // FQ_GC_MAX
	gcAge     = 3 * sched.HZ // FQ_GC_AGE, jiffies
	noRate    = ^uint64(0)   // ~0UL: no max rate
	noDelayed = ^uint64(0)
	modName   = "sch_fq: "
)

// defaultPrio2Band is sch_default_prio2band (pfifo_fast's map).
var defaultPrio2Band = [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}

// band is struct fq_perband_flows.
type band struct {
	newFlows, oldFlows flowList
	credit             int32
	quantum            int32 // weight
}

type fq struct {
	q *sched.Qdisc

	limit            uint32 // sch->limit, packets per band
	quantum          uint32
	initialQuantum   uint32
	flowRefillDelay  uint64 // jiffies
	flowPlimit       uint32
	flowMaxRate      uint64 // bytes per second, noRate for none
	ceThreshold      uint64 // ns
	horizon          uint64 // ns
	offloadHorizon   uint64 // ns
	orphanMask       uint32
	lowRateThreshold uint32
	rateEnable       uint8
	treesLog         uint8
	horizonDrop      uint8
	prio2band        [16]uint8
	timerSlack       uint32 // ns

	roots  []*flow // bucket search trees
	bandNr int
	bands  [Bands]band

	internal      flow // the fast path queue
	fastpath      uint64
	delayed       delayed
	timeNextDelay uint64 // time_next_delayed_flow, ns
	unthrottleLat uint64

	bandPktCount  [Bands]uint32
	flows         uint32
	inactiveFlows uint32
	throttled     uint32

	statThrottled   uint64
	statGC          uint64
	statBandDrops   [Bands]uint64
	statCEMark      uint64
	statHorizonDrop uint64
	statHorizonCap  uint64
	statPlimit      uint64
	statTooLong     uint64
	statAllocErrs   uint64

	free []*flow // pool of collected flows
	wd   *sched.Watchdog
}

// Init sets the defaults and applies the options (fq_init).
func (f *fq) Init(opt *nl.Attr, ext *sched.Ext) error {
	f.limit = 10000
	f.flowPlimit = 100
	mtu := min(max(aqm.PschedMTU(f.q), 1), 1<<20)
	f.quantum = min(max(2*mtu, 256), 1<<20)
	f.initialQuantum = min(10*mtu, 1<<20)
	f.flowRefillDelay = sched.MsecsToJiffies(40)
	f.flowMaxRate = noRate
	f.timeNextDelay = noDelayed
	f.rateEnable = 1
	f.bands[0].quantum = 9 << 16
	f.bands[1].quantum = 3 << 16
	f.bands[2].quantum = 1 << 16
	f.treesLog = 10
	f.orphanMask = 1024 - 1
	f.lowRateThreshold = 550000 / 8
	f.timerSlack = 10 * 1000
	f.horizon = 10 * 1e9
	f.horizonDrop = 1
	f.ceThreshold = 1000 * uint64(^uint32(0))
	f.prio2band = defaultPrio2Band
	f.wd = f.q.NewWatchdog()
	if opt != nil {
		return f.Change(opt, ext)
	}
	f.resize(f.treesLog)
	return nil
}

// Change applies options (fq_change). As in the kernel, a bad buckets
// log, pacing value, priomap or weight fails the request after the other
// options were applied.
func (f *fq) Change(opt *nl.Attr, _ *sched.Ext) error {
	tb, err := sched.ParseNestedDeprecated(opt, TCA_FQ_MAX, policy)
	if err != nil {
		return sched.Quiet(err)
	}
	for t, n := range exactLen {
		if a := tb.Get(t); a != nil && len(a.Data) != n {
			return syscall.ERANGE
		}
	}
	fqLog := f.treesLog
	if a := tb.Get(TCA_FQ_BUCKETS_LOG); a != nil {
		if v := a.U32(); v >= 1 && v <= 18 {
			fqLog = uint8(v)
		} else {
			err = syscall.EINVAL
		}
	}
	if a := tb.Get(TCA_FQ_PLIMIT); a != nil {
		f.limit = a.U32()
	}
	if a := tb.Get(TCA_FQ_FLOW_PLIMIT); a != nil {
		f.flowPlimit = a.U32()
	}
	if a := tb.Get(TCA_FQ_QUANTUM); a != nil {
		f.quantum = min(max(a.U32(), 256), 1<<20)
	}
	if a := tb.Get(TCA_FQ_INITIAL_QUANTUM); a != nil {
		f.initialQuantum = a.U32()
	}
	// TCA_FQ_FLOW_DEFAULT_RATE is ignored (the kernel warns in its log).
	if a := tb.Get(TCA_FQ_FLOW_MAX_RATE); a != nil {
		if r := a.U32(); r == ^uint32(0) {
			f.flowMaxRate = noRate
		} else {
			f.flowMaxRate = uint64(r)
		}
	}
	if a := tb.Get(TCA_FQ_LOW_RATE_THRESHOLD); a != nil {
		f.lowRateThreshold = a.U32()
	}
	if a := tb.Get(TCA_FQ_RATE_ENABLE); a != nil {
		if v := a.U32(); v <= 1 {
			f.rateEnable = uint8(v)
		} else {
			err = syscall.EINVAL
		}
	}
	if a := tb.Get(TCA_FQ_FLOW_REFILL_DELAY); a != nil {
		f.flowRefillDelay = sched.UsecsToJiffies(a.U32())
	}
	if a := tb.Get(TCA_FQ_PRIOMAP); a != nil && err == nil {
		err = f.loadPriomap(a.Data)
	}
	if a := tb.Get(TCA_FQ_WEIGHTS); a != nil && err == nil {
		err = f.loadWeights(a.Data)
	}
	if a := tb.Get(TCA_FQ_ORPHAN_MASK); a != nil {
		f.orphanMask = a.U32()
	}
	if a := tb.Get(TCA_FQ_CE_THRESHOLD); a != nil {
		f.ceThreshold = 1000 * uint64(a.U32())
	}
	if a := tb.Get(TCA_FQ_TIMER_SLACK); a != nil {
		f.timerSlack = a.U32()
	}
	if a := tb.Get(TCA_FQ_HORIZON); a != nil {
		f.horizon = 1000 * uint64(a.U32())
	}
	if a := tb.Get(TCA_FQ_HORIZON_DROP); a != nil {
		f.horizonDrop = a.U8()
	}
	if a := tb.Get(TCA_FQ_OFFLOAD_HORIZON); a != nil {
		// No netsched device offloads pacing: its horizon is 0.
		if v := 1000 * uint64(a.U32()); v == 0 {
			f.offloadHorizon = v
		} else {
			err = sched.Err(syscall.EINVAL, modName+"invalid offload_horizon")
		}
	}
	if err == nil {
		f.resize(fqLog)
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
	return err
}

// loadPriomap is fq_load_priomap: tc_prio_qopt with 3 bands.
func (f *fq) loadPriomap(b []byte) error {
	bands := int32(ne.Uint32(b))
	if bands != Bands {
		return sched.Err(syscall.EINVAL, modName+"FQ only supports 3 bands")
	}
	var m [16]uint8
	for i := range m {
		m[i] = b[4+i]
		if m[i] >= Bands {
			return sched.Err(syscall.EINVAL, fmt.Sprintf("%sFQ priomap field %d maps to a too high band %d", modName, i, m[i]))
		}
	}
	f.prio2band = m
	return nil
}

// loadWeights is fq_load_weights.
func (f *fq) loadWeights(b []byte) error {
	var w [Bands]int32
	for i := range w {
		w[i] = int32(ne.Uint32(b[4*i:]))
		if w[i] < MinWeight {
			return sched.Err(syscall.EINVAL, fmt.Sprintf("%sWeight %d less that minimum allowed %d", modName, w[i], MinWeight))
		}
	}
	for i := range w {
		f.bands[i].quantum = w[i]
	}
	return nil
}

// resize makes 2^log buckets and moves the flows into them, collecting
// those old enough (fq_resize, fq_rehash).
func (f *fq) resize(log uint8) {
	if f.roots != nil && log == f.treesLog {
		return
	}
	roots := make([]*flow, 1<<log)
	now := f.jiffies()
	for _, r := range f.roots {
		var all []*flow
		each(r, func(fl *flow) { all = append(all, fl) })
		for _, fl := range all {
			if f.gcCandidate(fl, now) {
				f.flows--
				f.inactiveFlows--
				f.statGC++
				f.release(fl)
				continue
			}
			i := hashPtr(fl.key, log)
			roots[i] = insert(roots[i], fl)
		}
	}
	f.roots = roots
	f.treesLog = log
}

// hashPtr is hash_ptr: the bucket of a key.
func hashPtr(k uint64, bits uint8) uint64 { return (k * 0x61C8864680B583EB) >> (64 - bits) }

// Destroy cancels the watchdog (fq_destroy).
func (f *fq) Destroy() {
	if f.wd != nil {
		f.wd.Cancel()
	}
}

// Reset frees every packet and every flow (fq_reset).
func (f *fq) Reset() {
	q := f.q
	q.QLen = 0
	q.Qstats.Backlog = 0
	f.internal.tq.Purge()
	f.internal.qlen = 0
	for i, r := range f.roots {
		var all []*flow
		each(r, func(fl *flow) { all = append(all, fl) })
		for _, fl := range all {
			fl.tq.Purge()
			fl.qlen = 0
			f.release(fl)
		}
		f.roots[i] = nil
	}
	for i := range f.bands {
		f.bands[i].newFlows = flowList{}
		f.bands[i].oldFlows = flowList{}
		f.bandPktCount[i] = 0
	}
	f.delayed.reset()
	f.flows, f.inactiveFlows, f.throttled = 0, 0, 0
}

// release puts a flow back in the pool.
func (f *fq) release(fl *flow) {
	tq := fl.tq
	*fl = flow{tq: tq}
	f.free = append(f.free, fl)
}

func (f *fq) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_FQ_PLIMIT, f.limit)
	b.PutU32(TCA_FQ_FLOW_PLIMIT, f.flowPlimit)
	b.PutU32(TCA_FQ_QUANTUM, f.quantum)
	b.PutU32(TCA_FQ_INITIAL_QUANTUM, f.initialQuantum)
	b.PutU32(TCA_FQ_RATE_ENABLE, uint32(f.rateEnable))
	b.PutU32(TCA_FQ_FLOW_MAX_RATE, uint32(min(f.flowMaxRate, uint64(^uint32(0)))))
	b.PutU32(TCA_FQ_FLOW_REFILL_DELAY, sched.JiffiesToUsecs(f.flowRefillDelay))
	b.PutU32(TCA_FQ_ORPHAN_MASK, f.orphanMask)
	b.PutU32(TCA_FQ_LOW_RATE_THRESHOLD, f.lowRateThreshold)
	b.PutU32(TCA_FQ_CE_THRESHOLD, uint32(f.ceThreshold/1000))
	b.PutU32(TCA_FQ_BUCKETS_LOG, uint32(f.treesLog))
	b.PutU32(TCA_FQ_TIMER_SLACK, f.timerSlack)
	b.PutU32(TCA_FQ_HORIZON, uint32(f.horizon/1000))
	b.PutU32(TCA_FQ_OFFLOAD_HORIZON, uint32(f.offloadHorizon/1000))
	b.PutU8(TCA_FQ_HORIZON_DROP, f.horizonDrop)
	prio := make([]byte, prioLen)
	ne.PutUint32(prio, Bands)
	copy(prio[4:], f.prio2band[:])
	b.Put(TCA_FQ_PRIOMAP, prio)
	w := make([]byte, 0, 4*Bands)
	for i := range f.bands {
		w = ne.AppendUint32(w, uint32(f.bands[i].quantum))
	}
	b.Put(TCA_FQ_WEIGHTS, w)
	b.EndNest()
	return nil
}

func (f *fq) DumpStats(d *sched.StatsDump) error {
	now := uint64(f.q.Now())
	x := Xstats{
		GCFlows:             f.statGC,
		FastpathPackets:     f.fastpath,
		Throttled:           f.statThrottled,
		FlowsPlimit:         f.statPlimit,
		PktsTooLong:         f.statTooLong,
		AllocationErrors:    f.statAllocErrs,
		TimeNextDelayedFlow: int64(f.timeNextDelay + uint64(f.timerSlack) - now),
		Flows:               f.flows,
		InactiveFlows:       f.inactiveFlows,
		ThrottledFlows:      f.throttled,
		UnthrottleLatencyNs: uint32(min(f.unthrottleLat, uint64(^uint32(0)))),
		CEMark:              f.statCEMark,
		HorizonDrops:        f.statHorizonDrop,
		HorizonCaps:         f.statHorizonCap,
		BandDrops:           f.statBandDrops,
		BandPktCount:        f.bandPktCount,
	}
	d.App(x.Encode())
	return nil
}
