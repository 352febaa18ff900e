// Package cake is Common Applications Kept Enhanced (sch_cake.c): a
// deficit-mode shaper at a set bandwidth (with link-layer overhead, ATM
// and PTM compensation), diffserv tins served by weighted round robin
// that becomes priority within each tin's share, set-associative flow
// queues with per-host fairness (the isolation modes), each queue managed
// by COBALT (CoDel and BLUE together), and a TCP ACK filter.
//
// Flow of a packet: Enqueue classifies it (filters may pick flow and host,
// else the hash of the isolation mode) into a tin (fwmark, priority or
// DSCP) and a queue, stamps it with its overhead-adjusted length, may drop
// an older ACK it makes redundant, puts a new queue on the tin's sparse
// rotation, and over the memory limit drops from the longest queue of all
// tins. Dequeue waits for the shaper, picks a tin (by weighted DRR when
// unlimited, else the first that meets its schedule), serves its decaying,
// then new, then old queues by DRR++, lets COBALT drop or mark, and charges
// the packet's time to the tin's and the global shaper.
package cake

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Sizes (sch_cake.c).
const (
	setWays  = 8    // CAKE_SET_WAYS
	queues   = 1024 // CAKE_QUEUES
	flowMask = 63   // CAKE_FLOW_MASK
	natFlag  = 64   // CAKE_FLOW_NAT_FLAG
)

// Rate flags (CAKE_FLAG_*).
const (
	flagOverhead        = 1 << 0
	flagAutorateIngress = 1 << 1
	flagIngress         = 1 << 2
	flagWash            = 1 << 3
	flagSplitGSO        = 1 << 4
)

// Kind is cake.
var Kind = &sched.Kind{
	ID:     "cake",
	New:    func(q *sched.Qdisc) sched.Discipline { return &cake{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer          = (*cake)(nil)
	_ sched.Dumper           = (*cake)(nil)
	_ sched.StatsDumper      = (*cake)(nil)
	_ sched.Destroyer        = (*cake)(nil)
	_ sched.Classful         = (*cake)(nil)
	_ sched.ClassStatsDumper = (*cake)(nil)
	_ sched.BlockOwner       = (*cake)(nil)
	_ sched.FilterBinder     = (*cake)(nil)
)

// config is what the user sets (struct cake_sched_config).
type config struct {
	rateBps           uint64 // bytes per second; 0: unlimited
	interval, target  uint64 // us
	bufferConfigLimit uint32
	fwmarkMask        uint32
	fwmarkShft        uint16
	rateOverhead      int16
	rateMPU           uint16
	rateFlags         uint16
	tinMode           uint8
	flowMode          uint8
	atmMode           uint8
	ackFilter         uint8
}

type cake struct {
	q     *sched.Qdisc
	block *sched.Block
	tins  *[MaxTins]tin
	cfg   config

	heap [queues * MaxTins]heapEntry

	timeNextPacket     int64
	failsafeNextPacket int64
	rateNs             uint64
	rateShft           uint16
	overflowTimeout    uint16
	tinCnt             uint16

	bufferUsed    uint32
	bufferMaxUsed uint32
	bufferLimit   uint32
	limit         uint32 // sch->limit, packets

	curTin  uint16
	curFlow uint16

	wd       *sched.Watchdog
	tinIndex *[64]uint8
	tinOrder []uint8

	lastPacketTime    int64
	avgWindowBegin    int64
	avgPacketInterval uint64
	avgWindowBytes    uint64
	avgPeakBandwidth  uint64
	lastReconfigTime  int64

	avgNetoff uint32
	maxNetlen uint16
	maxAdjlen uint16
	minNetlen uint16
	minAdjlen uint16

	rnd aqm.Rand
}

// quantumDiv is quantum_div: 65535 / host load.
var quantumDiv = func() (d [queues + 1]uint16) {
	d[0] = ^uint16(0)
	for i := 1; i <= queues; i++ {
		d[i] = uint16(65535 / i)
	}
	return
}()

// Init sets the defaults, applies the options and lays out the tins
// (cake_init).
func (c *cake) Init(opt *nl.Attr, ext *sched.Ext) error {
	c.cfg = config{
		tinMode:   Diffserv3,
		flowMode:  FlowTriple,
		interval:  100000,
		target:    5000,
		rateFlags: flagSplitGSO,
	}
	c.limit = 10240
	c.curTin, c.curFlow = 0, 0
	c.wd = c.q.NewWatchdog()
	c.rnd = aqm.NewRand(aqm.Seed(c.q))
	if opt != nil {
		if err := c.Change(opt, ext); err != nil {
			return err
		}
	}
	c.block = c.q.Dev().Net().GetBlock(0, c.q)
	c.tins = new([MaxTins]tin)
	for i := range c.tins {
		b := &c.tins[i]
		for j := range b.flows {
			b.flows[j].idx = uint16(j)
			k := j*MaxTins + i
			c.heap[k] = heapEntry{t: uint8(i), b: uint16(j)}
			b.overflowIdx[j] = uint16(k)
		}
	}
	c.reconfigure()
	c.avgPeakBandwidth = c.cfg.rateBps
	c.minNetlen = ^uint16(0)
	c.minAdjlen = ^uint16(0)
	return nil
}

// Change applies options (cake_change, cake_config_change). NAT needs
// conntrack: the kernel takes the flag when it is built with conntrack,
// as Debian's is, and netsched does too (see the README).
func (c *cake) Change(opt *nl.Attr, _ *sched.Ext) error {
	tb, err := sched.ParseOptions(opt.Data, TCA_CAKE_MAX, policy)
	if err != nil {
		return err
	}
	q := &c.cfg
	rateFlags, flowMode := q.rateFlags, q.flowMode
	overheadChanged := false
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil {
			return a.U32(), true
		}
		return 0, false
	}
	flag := func(t uint16, bit uint16) {
		if v, ok := u(t); ok {
			if v != 0 {
				rateFlags |= bit
			} else {
				rateFlags &^= bit
			}
		}
	}
	if v, ok := u(TCA_CAKE_NAT); ok {
		flowMode &^= natFlag
		if v != 0 {
			flowMode |= natFlag
		}
	}
	flag(TCA_CAKE_AUTORATE, flagAutorateIngress)
	if a := tb.Get(TCA_CAKE_BASE_RATE64); a != nil {
		q.rateBps = a.U64()
	}
	if v, ok := u(TCA_CAKE_DIFFSERV_MODE); ok {
		q.tinMode = uint8(v)
	}
	flag(TCA_CAKE_WASH, flagWash)
	if v, ok := u(TCA_CAKE_FLOW_MODE); ok {
		flowMode = flowMode&natFlag | uint8(v&flowMask)
	}
	if v, ok := u(TCA_CAKE_ATM); ok {
		q.atmMode = uint8(v)
	}
	if v, ok := u(TCA_CAKE_OVERHEAD); ok {
		q.rateOverhead = int16(int32(v))
		rateFlags |= flagOverhead
		overheadChanged = true
	}
	if _, ok := u(TCA_CAKE_RAW); ok {
		rateFlags &^= flagOverhead
		overheadChanged = true
	}
	if v, ok := u(TCA_CAKE_MPU); ok {
		q.rateMPU = uint16(v)
	}
	if v, ok := u(TCA_CAKE_RTT); ok {
		q.interval = uint64(max(v, 1))
	}
	if v, ok := u(TCA_CAKE_TARGET); ok {
		q.target = uint64(max(v, 1))
	}
	flag(TCA_CAKE_INGRESS, flagIngress)
	if v, ok := u(TCA_CAKE_ACK_FILTER); ok {
		q.ackFilter = uint8(v)
	}
	if v, ok := u(TCA_CAKE_MEMORY); ok {
		q.bufferConfigLimit = v
	}
	flag(TCA_CAKE_SPLIT_GSO, flagSplitGSO)
	if v, ok := u(TCA_CAKE_FWMARK); ok {
		q.fwmarkMask = v
		q.fwmarkShft = 0
		if v != 0 {
			for v&1 == 0 {
				v >>= 1
				q.fwmarkShft++
			}
		}
	}
	q.rateFlags, q.flowMode = rateFlags, flowMode
	if overheadChanged {
		c.maxNetlen, c.maxAdjlen = 0, 0
		c.minNetlen, c.minAdjlen = ^uint16(0), ^uint16(0)
	}
	if c.tins != nil {
		c.reconfigure()
	}
	return nil
}

// Destroy stops the watchdog and lets the filter block go.
func (c *cake) Destroy() {
	if c.wd != nil {
		c.wd.Cancel()
	}
	if c.block != nil {
		c.q.Dev().Net().PutBlock(c.block)
		c.block = nil
	}
}

// Reset drops every packet of every tin (cake_reset).
func (c *cake) Reset() {
	if c.tins == nil {
		return
	}
	for t := uint16(0); t < MaxTins; t++ {
		c.clearTin(t)
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Dump writes the options (cake_dump).
func (c *cake) Dump(b *nl.Builder) error {
	q := &c.cfg
	b.Nest(sched.TCA_OPTIONS)
	b.PutU64(TCA_CAKE_BASE_RATE64, q.rateBps)
	b.PutU32(TCA_CAKE_FLOW_MODE, uint32(q.flowMode&flowMask))
	b.PutU32(TCA_CAKE_RTT, uint32(q.interval))
	b.PutU32(TCA_CAKE_TARGET, uint32(q.target))
	b.PutU32(TCA_CAKE_MEMORY, q.bufferConfigLimit)
	b.PutU32(TCA_CAKE_AUTORATE, b2u(q.rateFlags&flagAutorateIngress != 0))
	b.PutU32(TCA_CAKE_INGRESS, b2u(q.rateFlags&flagIngress != 0))
	b.PutU32(TCA_CAKE_ACK_FILTER, uint32(q.ackFilter))
	b.PutU32(TCA_CAKE_NAT, b2u(q.flowMode&natFlag != 0))
	b.PutU32(TCA_CAKE_DIFFSERV_MODE, uint32(q.tinMode))
	b.PutU32(TCA_CAKE_WASH, b2u(q.rateFlags&flagWash != 0))
	b.PutU32(TCA_CAKE_OVERHEAD, uint32(int32(q.rateOverhead)))
	if q.rateFlags&flagOverhead == 0 {
		b.PutU32(TCA_CAKE_RAW, 0)
	}
	b.PutU32(TCA_CAKE_ATM, uint32(q.atmMode))
	b.PutU32(TCA_CAKE_MPU, uint32(q.rateMPU))
	b.PutU32(TCA_CAKE_SPLIT_GSO, b2u(q.rateFlags&flagSplitGSO != 0))
	b.PutU32(TCA_CAKE_FWMARK, q.fwmarkMask)
	b.EndNest()
	return nil
}

// DumpStats writes the qdisc's statistics and each tin's, in the tins'
// display order (cake_dump_stats).
func (c *cake) DumpStats(d *sched.StatsDump) error {
	s := Stats{
		CapacityEstimate: c.avgPeakBandwidth,
		MemoryLimit:      c.bufferLimit,
		MemoryUsed:       c.bufferMaxUsed,
		AvgNetoff:        (c.avgNetoff + 0x8000) >> 16,
		MaxNetlen:        uint32(c.maxNetlen),
		MaxAdjlen:        uint32(c.maxAdjlen),
		MinNetlen:        uint32(c.minNetlen),
		MinAdjlen:        uint32(c.minAdjlen),
	}
	var ts [MaxTins]TinStats
	for i := 0; i < int(c.tinCnt); i++ {
		b := &c.tins[c.tinOrder[i]]
		ts[i] = TinStats{
			ThresholdRate: b.rateBps,
			SentBytes:     b.bytes,
			BacklogBytes:  b.backlog,
			TargetUs:      uint32(b.cparams.target / 1000),
			IntervalUs:    uint32(b.cparams.interval / 1000),
			SentPackets:   b.packets,
			Dropped:       b.dropped,
			ECNMarked:     b.ecnMark,
			AckDrops:      b.ackDrops,
			PeakDelayUs:   uint32(b.peakDelay / 1000),
			AvgDelayUs:    uint32(b.avgDelay / 1000),
			BaseDelayUs:   uint32(b.baseDelay / 1000),
			WayHits:       b.wayHits,
			WayMisses:     b.wayMisses,
			WayCollisions: b.wayCollisions,
			SparseFlows:   uint32(b.sparseCount) + uint32(b.decayingCount),
			BulkFlows:     uint32(b.bulkCount),
			Unresponsive:  uint32(b.unresponsiveCount),
			MaxSkblen:     b.maxSkblen,
			FlowQuantum:   uint32(b.flowQuantum),
		}
	}
	s.Tins = ts[:c.tinCnt]
	d.AppNest(s.Encode)
	return nil
}
