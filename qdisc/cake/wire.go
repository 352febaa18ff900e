package cake

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
)

// Attributes of cake's TCA_OPTIONS (TCA_CAKE_*).
const (
	TCA_CAKE_UNSPEC = iota
	TCA_CAKE_PAD
	TCA_CAKE_BASE_RATE64
	TCA_CAKE_DIFFSERV_MODE
	TCA_CAKE_ATM
	TCA_CAKE_FLOW_MODE
	TCA_CAKE_OVERHEAD
	TCA_CAKE_RTT
	TCA_CAKE_TARGET
	TCA_CAKE_AUTORATE
	TCA_CAKE_MEMORY
	TCA_CAKE_NAT
	TCA_CAKE_RAW
	TCA_CAKE_WASH
	TCA_CAKE_MPU
	TCA_CAKE_INGRESS
	TCA_CAKE_ACK_FILTER
	TCA_CAKE_SPLIT_GSO
	TCA_CAKE_FWMARK
	TCA_CAKE_MAX = TCA_CAKE_FWMARK
)

// Statistics in TCA_STATS_APP (TCA_CAKE_STATS_*).
const (
	TCA_CAKE_STATS_PAD = 1 + iota
	TCA_CAKE_STATS_CAPACITY_ESTIMATE64
	TCA_CAKE_STATS_MEMORY_LIMIT
	TCA_CAKE_STATS_MEMORY_USED
	TCA_CAKE_STATS_AVG_NETOFF
	TCA_CAKE_STATS_MIN_NETLEN
	TCA_CAKE_STATS_MAX_NETLEN
	TCA_CAKE_STATS_MIN_ADJLEN
	TCA_CAKE_STATS_MAX_ADJLEN
	TCA_CAKE_STATS_TIN_STATS
	TCA_CAKE_STATS_DEFICIT
	TCA_CAKE_STATS_COBALT_COUNT
	TCA_CAKE_STATS_DROPPING
	TCA_CAKE_STATS_DROP_NEXT_US
	TCA_CAKE_STATS_P_DROP
	TCA_CAKE_STATS_BLUE_TIMER_US
	TCA_CAKE_STATS_MAX = TCA_CAKE_STATS_BLUE_TIMER_US
)

// Per-tin statistics (TCA_CAKE_TIN_STATS_*).
const (
	TCA_CAKE_TIN_STATS_PAD = 1 + iota
	TCA_CAKE_TIN_STATS_SENT_PACKETS
	TCA_CAKE_TIN_STATS_SENT_BYTES64
	TCA_CAKE_TIN_STATS_DROPPED_PACKETS
	TCA_CAKE_TIN_STATS_DROPPED_BYTES64
	TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS
	TCA_CAKE_TIN_STATS_ACKS_DROPPED_BYTES64
	TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS
	TCA_CAKE_TIN_STATS_ECN_MARKED_BYTES64
	TCA_CAKE_TIN_STATS_BACKLOG_PACKETS
	TCA_CAKE_TIN_STATS_BACKLOG_BYTES
	TCA_CAKE_TIN_STATS_THRESHOLD_RATE64
	TCA_CAKE_TIN_STATS_TARGET_US
	TCA_CAKE_TIN_STATS_INTERVAL_US
	TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS
	TCA_CAKE_TIN_STATS_WAY_MISSES
	TCA_CAKE_TIN_STATS_WAY_COLLISIONS
	TCA_CAKE_TIN_STATS_PEAK_DELAY_US
	TCA_CAKE_TIN_STATS_AVG_DELAY_US
	TCA_CAKE_TIN_STATS_BASE_DELAY_US
	TCA_CAKE_TIN_STATS_SPARSE_FLOWS
	TCA_CAKE_TIN_STATS_BULK_FLOWS
	TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS
	TCA_CAKE_TIN_STATS_MAX_SKBLEN
	TCA_CAKE_TIN_STATS_FLOW_QUANTUM
	TCA_CAKE_TIN_STATS_MAX = TCA_CAKE_TIN_STATS_FLOW_QUANTUM
)

// MaxTins is TC_CAKE_MAX_TINS.
const MaxTins = 8

// Flow isolation modes (CAKE_FLOW_*).
const (
	FlowNone = iota
	FlowSrcIP
	FlowDstIP
	FlowHosts
	FlowFlows
	FlowDualSrc
	FlowDualDst
	FlowTriple
	FlowMax
)

// Diffserv modes (CAKE_DIFFSERV_*).
const (
	Diffserv3 = iota
	Diffserv4
	Diffserv8
	Besteffort
	Precedence
	DiffservMax
)

// ACK filter modes (CAKE_ACK_*) and link compensation (CAKE_ATM_*).
const (
	AckNone = iota
	AckFilter
	AckAggressive
	AckMax
)

// Link-layer compensation (CAKE_ATM_*).
const (
	ATMNone = iota
	ATMATM
	ATMPTM
)

// policy is cake_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_CAKE_BASE_RATE64:   {Type: nl.U64},
	TCA_CAKE_DIFFSERV_MODE: {Type: nl.U32},
	TCA_CAKE_ATM:           {Type: nl.U32},
	TCA_CAKE_FLOW_MODE:     {Type: nl.U32},
	TCA_CAKE_OVERHEAD:      {Type: nl.U32},
	TCA_CAKE_RTT:           {Type: nl.U32},
	TCA_CAKE_TARGET:        {Type: nl.U32},
	TCA_CAKE_AUTORATE:      {Type: nl.U32},
	TCA_CAKE_MEMORY:        {Type: nl.U32},
	TCA_CAKE_NAT:           {Type: nl.U32},
	TCA_CAKE_RAW:           {Type: nl.U32},
	TCA_CAKE_WASH:          {Type: nl.U32},
	TCA_CAKE_MPU:           {Type: nl.U32},
	TCA_CAKE_INGRESS:       {Type: nl.U32},
	TCA_CAKE_ACK_FILTER:    {Type: nl.U32},
	TCA_CAKE_SPLIT_GSO:     {Type: nl.U32},
	TCA_CAKE_FWMARK:        {Type: nl.U32},
}

var ne = binary.NativeEndian

// TinStats is what a dump reports of one tin.
type TinStats struct {
	ThresholdRate uint64 // bytes per second
	SentBytes     uint64
	BacklogBytes  uint32
	TargetUs      uint32
	IntervalUs    uint32
	SentPackets   uint32
	Dropped       uint32
	ECNMarked     uint32
	AckDrops      uint32
	PeakDelayUs   uint32
	AvgDelayUs    uint32
	BaseDelayUs   uint32
	WayHits       uint32
	WayMisses     uint32
	WayCollisions uint32
	SparseFlows   uint32
	BulkFlows     uint32
	Unresponsive  uint32
	MaxSkblen     uint32
	FlowQuantum   uint32
}

// Stats is what a qdisc dump reports in TCA_STATS_APP.
type Stats struct {
	CapacityEstimate uint64
	MemoryLimit      uint32
	MemoryUsed       uint32
	AvgNetoff        uint32
	MaxNetlen        uint32
	MaxAdjlen        uint32
	MinNetlen        uint32
	MinAdjlen        uint32
	Tins             []TinStats
}

// Encode writes the nest of TCA_STATS_APP as cake_dump_stats: the caller
// wraps it in TCA_STATS_APP.
func (s *Stats) Encode(b *nl.Builder) {
	b.PutU64(TCA_CAKE_STATS_CAPACITY_ESTIMATE64, s.CapacityEstimate)
	b.PutU32(TCA_CAKE_STATS_MEMORY_LIMIT, s.MemoryLimit)
	b.PutU32(TCA_CAKE_STATS_MEMORY_USED, s.MemoryUsed)
	b.PutU32(TCA_CAKE_STATS_AVG_NETOFF, s.AvgNetoff)
	b.PutU32(TCA_CAKE_STATS_MAX_NETLEN, s.MaxNetlen)
	b.PutU32(TCA_CAKE_STATS_MAX_ADJLEN, s.MaxAdjlen)
	b.PutU32(TCA_CAKE_STATS_MIN_NETLEN, s.MinNetlen)
	b.PutU32(TCA_CAKE_STATS_MIN_ADJLEN, s.MinAdjlen)
	b.Nest(TCA_CAKE_STATS_TIN_STATS)
	for i, t := range s.Tins {
		b.Nest(uint16(i + 1))
		b.PutU64(TCA_CAKE_TIN_STATS_THRESHOLD_RATE64, t.ThresholdRate)
		b.PutU64(TCA_CAKE_TIN_STATS_SENT_BYTES64, t.SentBytes)
		b.PutU32(TCA_CAKE_TIN_STATS_BACKLOG_BYTES, t.BacklogBytes)
		b.PutU32(TCA_CAKE_TIN_STATS_TARGET_US, t.TargetUs)
		b.PutU32(TCA_CAKE_TIN_STATS_INTERVAL_US, t.IntervalUs)
		b.PutU32(TCA_CAKE_TIN_STATS_SENT_PACKETS, t.SentPackets)
		b.PutU32(TCA_CAKE_TIN_STATS_DROPPED_PACKETS, t.Dropped)
		b.PutU32(TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS, t.ECNMarked)
		b.PutU32(TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS, t.AckDrops)
		b.PutU32(TCA_CAKE_TIN_STATS_PEAK_DELAY_US, t.PeakDelayUs)
		b.PutU32(TCA_CAKE_TIN_STATS_AVG_DELAY_US, t.AvgDelayUs)
		b.PutU32(TCA_CAKE_TIN_STATS_BASE_DELAY_US, t.BaseDelayUs)
		b.PutU32(TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS, t.WayHits)
		b.PutU32(TCA_CAKE_TIN_STATS_WAY_MISSES, t.WayMisses)
		b.PutU32(TCA_CAKE_TIN_STATS_WAY_COLLISIONS, t.WayCollisions)
		b.PutU32(TCA_CAKE_TIN_STATS_SPARSE_FLOWS, t.SparseFlows)
		b.PutU32(TCA_CAKE_TIN_STATS_BULK_FLOWS, t.BulkFlows)
		b.PutU32(TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS, t.Unresponsive)
		b.PutU32(TCA_CAKE_TIN_STATS_MAX_SKBLEN, t.MaxSkblen)
		b.PutU32(TCA_CAKE_TIN_STATS_FLOW_QUANTUM, t.FlowQuantum)
		b.EndNest()
	}
	b.EndNest()
}
