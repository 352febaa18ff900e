package qfq

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of a qfq class's TCA_OPTIONS (TCA_QFQ_*). The qdisc itself
// takes no options.
const (
	TCA_QFQ_UNSPEC = iota
	TCA_QFQ_WEIGHT
	TCA_QFQ_LMAX
	TCA_QFQ_MAX = TCA_QFQ_LMAX
)

// The kernel's limits.
const (
	MaxSlots       = 32                // QFQ_MAX_SLOTS: slots per group
	MaxIndex       = 24                // QFQ_MAX_INDEX: highest group index
	MaxWShift      = 10                // QFQ_MAX_WSHIFT
	MaxWeight      = 1 << MaxWShift    // QFQ_MAX_WEIGHT
	MaxWSum        = 64 * MaxWeight    // QFQ_MAX_WSUM: sum of the weights
	fracBits       = 30                // FRAC_BITS: fixed point of virtual times
	oneFP          = uint64(1) << 30   // ONE_FP
	MTUShift       = 16                // QFQ_MTU_SHIFT
	MinLmax        = 512               // QFQ_MIN_LMAX (bytes)
	MaxLmax        = 1 << MTUShift     // QFQ_MAX_LMAX (bytes)
	MaxAggClasses  = 8                 // QFQ_MAX_AGG_CLASSES
	maxWeightRange = uint64(MaxWeight) // policy bounds
)

// policy is qfq_policy: a weight of 1..1024 and an lmax of 512..65536,
// checked by range as the attributes are parsed.
var policy = &sched.PolicyExt{
	Entries: map[uint16]nl.PolicyEntry{
		TCA_QFQ_WEIGHT: {Type: nl.U32},
		TCA_QFQ_LMAX:   {Type: nl.U32},
	},
	Range: map[uint16]sched.Range{
		TCA_QFQ_WEIGHT: {Min: 1, Max: maxWeightRange},
		TCA_QFQ_LMAX:   {Min: MinLmax, Max: MaxLmax},
	},
}

// xstatsLen is sizeof(struct tc_qfq_stats).
const xstatsLen = 8

// Xstats is struct tc_qfq_stats: the class's weight and maximum packet
// length.
type Xstats struct {
	Weight uint32
	Lmax   uint32
}

// Append writes the 8-byte tc_qfq_stats.
func (x Xstats) Append(b []byte) []byte {
	b = binary.NativeEndian.AppendUint32(b, x.Weight)
	return binary.NativeEndian.AppendUint32(b, x.Lmax)
}

// DecodeXstats reads a tc_qfq_stats.
func DecodeXstats(b []byte) (Xstats, error) {
	if len(b) < xstatsLen {
		return Xstats{}, syscall.EINVAL
	}
	return Xstats{Weight: binary.NativeEndian.Uint32(b), Lmax: binary.NativeEndian.Uint32(b[4:])}, nil
}
