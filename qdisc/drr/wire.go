package drr

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
)

// Attributes of a drr class's TCA_OPTIONS (TCA_DRR_*). The qdisc itself
// takes no options.
const (
	TCA_DRR_UNSPEC = iota
	TCA_DRR_QUANTUM
	TCA_DRR_MAX = TCA_DRR_QUANTUM
)

// Quantum bounds the kernel clamps to (bytes).
const (
	MinQuantum = 256
	MaxQuantum = 1 << 20
)

// policy is drr_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_DRR_QUANTUM: {Type: nl.U32},
}

// xstatsLen is sizeof(struct tc_drr_stats).
const xstatsLen = 4

// Xstats is struct tc_drr_stats: a class's deficit (bytes), reported only
// while the class has packets.
type Xstats struct {
	Deficit uint32
}

// Append writes the 4-byte tc_drr_stats.
func (x Xstats) Append(b []byte) []byte { return binary.NativeEndian.AppendUint32(b, x.Deficit) }

// DecodeXstats reads a tc_drr_stats.
func DecodeXstats(b []byte) (Xstats, error) {
	if len(b) < xstatsLen {
		return Xstats{}, syscall.EINVAL
	}
	return Xstats{Deficit: binary.NativeEndian.Uint32(b)}, nil
}

// clampQuantum is clamp_t(u32, q, 256, 1 << 20).
func clampQuantum(q uint32) uint32 { return min(max(q, MinQuantum), MaxQuantum) }
