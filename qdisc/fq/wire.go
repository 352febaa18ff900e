package fq

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of fq's TCA_OPTIONS (TCA_FQ_*).
const (
	TCA_FQ_UNSPEC = iota
	TCA_FQ_PLIMIT
	TCA_FQ_FLOW_PLIMIT
	TCA_FQ_QUANTUM
	TCA_FQ_INITIAL_QUANTUM
	TCA_FQ_RATE_ENABLE
	TCA_FQ_FLOW_DEFAULT_RATE
	TCA_FQ_FLOW_MAX_RATE
	TCA_FQ_BUCKETS_LOG
	TCA_FQ_FLOW_REFILL_DELAY
	TCA_FQ_ORPHAN_MASK
	TCA_FQ_LOW_RATE_THRESHOLD
	TCA_FQ_CE_THRESHOLD
	TCA_FQ_TIMER_SLACK
	TCA_FQ_HORIZON
	TCA_FQ_HORIZON_DROP
	TCA_FQ_PRIOMAP
	TCA_FQ_WEIGHTS
	TCA_FQ_OFFLOAD_HORIZON
	TCA_FQ_MAX = TCA_FQ_OFFLOAD_HORIZON
)

// Bands and their weights (FQ_BANDS, FQ_MIN_WEIGHT).
const (
	Bands     = 3
	MinWeight = 16384
	prioLen   = 4 + 16 // struct tc_prio_qopt
)

// policy is fq_policy: from timer_slack on, attributes are checked
// strictly; initial_quantum is at most 1 MiB.
var policy = &sched.PolicyExt{
	Entries: map[uint16]nl.PolicyEntry{
		TCA_FQ_PLIMIT:             {Type: nl.U32},
		TCA_FQ_FLOW_PLIMIT:        {Type: nl.U32},
		TCA_FQ_QUANTUM:            {Type: nl.U32},
		TCA_FQ_INITIAL_QUANTUM:    {Type: nl.U32},
		TCA_FQ_RATE_ENABLE:        {Type: nl.U32},
		TCA_FQ_FLOW_DEFAULT_RATE:  {Type: nl.U32},
		TCA_FQ_FLOW_MAX_RATE:      {Type: nl.U32},
		TCA_FQ_BUCKETS_LOG:        {Type: nl.U32},
		TCA_FQ_FLOW_REFILL_DELAY:  {Type: nl.U32},
		TCA_FQ_ORPHAN_MASK:        {Type: nl.U32},
		TCA_FQ_LOW_RATE_THRESHOLD: {Type: nl.U32},
		TCA_FQ_CE_THRESHOLD:       {Type: nl.U32},
		TCA_FQ_TIMER_SLACK:        {Type: nl.U32},
		TCA_FQ_HORIZON:            {Type: nl.U32},
		TCA_FQ_HORIZON_DROP:       {Type: nl.U8},
		TCA_FQ_PRIOMAP:            {Type: nl.Binary, Len: prioLen},
		TCA_FQ_WEIGHTS:            {Type: nl.Binary, Len: 4 * Bands},
		TCA_FQ_OFFLOAD_HORIZON:    {Type: nl.U32},
	},
	Range:       map[uint16]sched.Range{TCA_FQ_INITIAL_QUANTUM: {Min: 0, Max: 1 << 20}},
	StrictStart: TCA_FQ_TIMER_SLACK,
}

// exactLen are the NLA_POLICY_EXACT_LEN attributes.
var exactLen = map[uint16]int{TCA_FQ_PRIOMAP: prioLen, TCA_FQ_WEIGHTS: 4 * Bands}

// Xstats is struct tc_fq_qd_stats of Linux 6.18.
type Xstats struct {
	GCFlows             uint64
	HighprioPackets     uint64 // obsolete, 0
	TCPRetrans          uint64 // obsolete, 0
	Throttled           uint64
	FlowsPlimit         uint64
	PktsTooLong         uint64
	AllocationErrors    uint64
	TimeNextDelayedFlow int64
	Flows               uint32
	InactiveFlows       uint32
	ThrottledFlows      uint32
	UnthrottleLatencyNs uint32
	CEMark              uint64
	HorizonDrops        uint64
	HorizonCaps         uint64
	FastpathPackets     uint64
	BandDrops           [Bands]uint64
	BandPktCount        [Bands]uint32
}

// XstatsLen is sizeof(struct tc_fq_qd_stats).
const XstatsLen = 152

var ne = binary.NativeEndian

// Encode writes tc_fq_qd_stats.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint64{x.GCFlows, x.HighprioPackets, x.TCPRetrans, x.Throttled,
		x.FlowsPlimit, x.PktsTooLong, x.AllocationErrors, uint64(x.TimeNextDelayedFlow)} {
		b = ne.AppendUint64(b, v)
	}
	for _, v := range []uint32{x.Flows, x.InactiveFlows, x.ThrottledFlows, x.UnthrottleLatencyNs} {
		b = ne.AppendUint32(b, v)
	}
	for _, v := range []uint64{x.CEMark, x.HorizonDrops, x.HorizonCaps, x.FastpathPackets,
		x.BandDrops[0], x.BandDrops[1], x.BandDrops[2]} {
		b = ne.AppendUint64(b, v)
	}
	for _, v := range x.BandPktCount {
		b = ne.AppendUint32(b, v)
	}
	return ne.AppendUint32(b, 0)
}

// DecodeXstats reads tc_fq_qd_stats, zeros past a short payload (tc 6.1
// knows the first 104 bytes only).
func DecodeXstats(b []byte) Xstats {
	var w [XstatsLen]byte
	copy(w[:], b)
	u64 := func(o int) uint64 { return ne.Uint64(w[o:]) }
	u32 := func(o int) uint32 { return ne.Uint32(w[o:]) }
	return Xstats{
		GCFlows: u64(0), HighprioPackets: u64(8), TCPRetrans: u64(16), Throttled: u64(24),
		FlowsPlimit: u64(32), PktsTooLong: u64(40), AllocationErrors: u64(48),
		TimeNextDelayedFlow: int64(u64(56)),
		Flows:               u32(64), InactiveFlows: u32(68), ThrottledFlows: u32(72), UnthrottleLatencyNs: u32(76),
		CEMark: u64(80), HorizonDrops: u64(88), HorizonCaps: u64(96), FastpathPackets: u64(104),
		BandDrops:    [Bands]uint64{u64(112), u64(120), u64(128)},
		BandPktCount: [Bands]uint32{u32(136), u32(140), u32(144)},
	}
}
