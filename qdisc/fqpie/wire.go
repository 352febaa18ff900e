package fqpie

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of fq_pie's TCA_OPTIONS (TCA_FQ_PIE_*).
const (
	TCA_FQ_PIE_UNSPEC = iota
	TCA_FQ_PIE_LIMIT
	TCA_FQ_PIE_FLOWS
	TCA_FQ_PIE_TARGET
	TCA_FQ_PIE_TUPDATE
	TCA_FQ_PIE_ALPHA
	TCA_FQ_PIE_BETA
	TCA_FQ_PIE_QUANTUM
	TCA_FQ_PIE_MEMORY_LIMIT
	TCA_FQ_PIE_ECN_PROB
	TCA_FQ_PIE_ECN
	TCA_FQ_PIE_BYTEMODE
	TCA_FQ_PIE_DQ_RATE_ESTIMATOR
	TCA_FQ_PIE_MAX = TCA_FQ_PIE_DQ_RATE_ESTIMATOR
)

// policy is fq_pie_policy: u32s, the quantum within [1, 1 MiB].
var policy = func() *sched.PolicyExt {
	p := &sched.PolicyExt{
		Entries: map[uint16]nl.PolicyEntry{},
		Range:   map[uint16]sched.Range{TCA_FQ_PIE_QUANTUM: {Min: 1, Max: QuantumMax}},
	}
	for t := uint16(1); t <= TCA_FQ_PIE_MAX; t++ {
		p.Entries[t] = nl.PolicyEntry{Type: nl.U32}
	}
	return p
}()

// parseOptions reads TCA_OPTIONS strictly, as fq_pie_change does
// (nla_parse_nested with extack): the nest must be flagged, unknown types
// and odd lengths fail.
func parseOptions(opt *nl.Attr) ([TCA_FQ_PIE_MAX + 1]*uint32, error) {
	var o [TCA_FQ_PIE_MAX + 1]*uint32
	tb, err := sched.ParseNestedStrict(opt, TCA_FQ_PIE_MAX, policy)
	if err != nil {
		return o, err
	}
	for t := 1; t < len(o); t++ {
		if a := tb.Get(uint16(t)); a != nil {
			v := a.U32()
			o[t] = &v
		}
	}
	return o, nil
}

// Xstats is struct tc_fq_pie_xstats.
type Xstats struct {
	PacketsIn    uint32
	Dropped      uint32
	Overlimit    uint32
	Overmemory   uint32
	ECNMark      uint32
	NewFlowCount uint32
	NewFlowsLen  uint32
	OldFlowsLen  uint32
	MemoryUsage  uint32
}

// XstatsLen is sizeof(struct tc_fq_pie_xstats).
const XstatsLen = 9 * 4

// Encode writes the xstats in host byte order.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.PacketsIn, x.Dropped, x.Overlimit, x.Overmemory, x.ECNMark,
		x.NewFlowCount, x.NewFlowsLen, x.OldFlowsLen, x.MemoryUsage} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeXstats reads the xstats, zeros past a short payload.
func DecodeXstats(b []byte) Xstats {
	var w [XstatsLen]byte
	copy(w[:], b)
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(w[4*i:]) }
	return Xstats{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8)}
}
