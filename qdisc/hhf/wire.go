package hhf

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of hhf's TCA_OPTIONS (TCA_HHF_*).
const (
	TCA_HHF_UNSPEC = iota
	TCA_HHF_BACKLOG_LIMIT
	TCA_HHF_QUANTUM
	TCA_HHF_HH_FLOWS_LIMIT
	TCA_HHF_RESET_TIMEOUT
	TCA_HHF_ADMIT_BYTES
	TCA_HHF_EVICT_TIMEOUT
	TCA_HHF_NON_HH_WEIGHT
	TCA_HHF_MAX = TCA_HHF_NON_HH_WEIGHT
)

// policy is hhf_policy: hh_limit is capped at twice the flow table.
var policy = &sched.PolicyExt{
	Entries: map[uint16]nl.PolicyEntry{
		TCA_HHF_BACKLOG_LIMIT:  {Type: nl.U32},
		TCA_HHF_QUANTUM:        {Type: nl.U32},
		TCA_HHF_HH_FLOWS_LIMIT: {Type: nl.U32},
		TCA_HHF_RESET_TIMEOUT:  {Type: nl.U32},
		TCA_HHF_ADMIT_BYTES:    {Type: nl.U32},
		TCA_HHF_EVICT_TIMEOUT:  {Type: nl.U32},
		TCA_HHF_NON_HH_WEIGHT:  {Type: nl.U32},
	},
	Range: map[uint16]sched.Range{TCA_HHF_HH_FLOWS_LIMIT: {Min: 0, Max: 2 * FlowsCnt}},
}

// Xstats is struct tc_hhf_xstats.
type Xstats struct {
	DropOverlimit uint32 // times the packet limit was hit
	HHOverlimit   uint32 // times the heavy-hitter table was full
	HHTotCount    uint32 // heavy hitters caught so far
	HHCurCount    uint32 // heavy hitters now in the table
}

// XstatsLen is sizeof(struct tc_hhf_xstats).
const XstatsLen = 16

// Encode writes tc_hhf_xstats.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.DropOverlimit, x.HHOverlimit, x.HHTotCount, x.HHCurCount} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeXstats reads tc_hhf_xstats; ok is false for a short payload.
func DecodeXstats(b []byte) (x Xstats, ok bool) {
	if len(b) < XstatsLen {
		return x, false
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return Xstats{u(0), u(1), u(2), u(3)}, true
}
