package fqcodel

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of fq_codel's TCA_OPTIONS (TCA_FQ_CODEL_*).
const (
	TCA_FQ_CODEL_UNSPEC = iota
	TCA_FQ_CODEL_TARGET
	TCA_FQ_CODEL_LIMIT
	TCA_FQ_CODEL_INTERVAL
	TCA_FQ_CODEL_ECN
	TCA_FQ_CODEL_FLOWS
	TCA_FQ_CODEL_QUANTUM
	TCA_FQ_CODEL_CE_THRESHOLD
	TCA_FQ_CODEL_DROP_BATCH_SIZE
	TCA_FQ_CODEL_MEMORY_LIMIT
	TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR
	TCA_FQ_CODEL_CE_THRESHOLD_MASK
	TCA_FQ_CODEL_MAX = TCA_FQ_CODEL_CE_THRESHOLD_MASK
)

// Xstats types (TCA_FQ_CODEL_XSTATS_*).
const (
	XstatsQdisc = 0
	XstatsClass = 1
)

// policy is fq_codel_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_FQ_CODEL_TARGET:                {Type: nl.U32},
	TCA_FQ_CODEL_LIMIT:                 {Type: nl.U32},
	TCA_FQ_CODEL_INTERVAL:              {Type: nl.U32},
	TCA_FQ_CODEL_ECN:                   {Type: nl.U32},
	TCA_FQ_CODEL_FLOWS:                 {Type: nl.U32},
	TCA_FQ_CODEL_QUANTUM:               {Type: nl.U32},
	TCA_FQ_CODEL_CE_THRESHOLD:          {Type: nl.U32},
	TCA_FQ_CODEL_DROP_BATCH_SIZE:       {Type: nl.U32},
	TCA_FQ_CODEL_MEMORY_LIMIT:          {Type: nl.U32},
	TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR: {Type: nl.U8},
	TCA_FQ_CODEL_CE_THRESHOLD_MASK:     {Type: nl.U8},
}

// options are the attributes of a request; nil for absent ones.
type options struct {
	target, limit, interval, ecn, flows, quantum, ceThreshold *uint32
	dropBatch, memoryLimit                                    *uint32
	ceSelector, ceMask                                        *uint8
}

// parseOptions reads TCA_OPTIONS as fq_codel_change does (no extack for
// policy failures).
func parseOptions(opt *nl.Attr) (options, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_FQ_CODEL_MAX, policy)
	if err != nil {
		return options{}, sched.Quiet(err)
	}
	u := func(t uint16) *uint32 {
		if a := tb.Get(t); a != nil {
			v := a.U32()
			return &v
		}
		return nil
	}
	u8 := func(t uint16) *uint8 {
		if a := tb.Get(t); a != nil {
			v := a.U8()
			return &v
		}
		return nil
	}
	return options{
		target:      u(TCA_FQ_CODEL_TARGET),
		limit:       u(TCA_FQ_CODEL_LIMIT),
		interval:    u(TCA_FQ_CODEL_INTERVAL),
		ecn:         u(TCA_FQ_CODEL_ECN),
		flows:       u(TCA_FQ_CODEL_FLOWS),
		quantum:     u(TCA_FQ_CODEL_QUANTUM),
		ceThreshold: u(TCA_FQ_CODEL_CE_THRESHOLD),
		dropBatch:   u(TCA_FQ_CODEL_DROP_BATCH_SIZE),
		memoryLimit: u(TCA_FQ_CODEL_MEMORY_LIMIT),
		ceSelector:  u8(TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR),
		ceMask:      u8(TCA_FQ_CODEL_CE_THRESHOLD_MASK),
	}, nil
}

// XstatsLen is sizeof(struct tc_fq_codel_xstats): a type and the larger
// of the two stats structs.
const XstatsLen = 4 + 9*4

// QdiscXstats is struct tc_fq_codel_qd_stats.
type QdiscXstats struct {
	MaxPacket      uint32
	DropOverlimit  uint32
	ECNMark        uint32
	NewFlowCount   uint32
	NewFlowsLen    uint32
	OldFlowsLen    uint32
	CEMark         uint32
	MemoryUsage    uint32
	DropOvermemory uint32
}

// Encode writes tc_fq_codel_xstats of type qdisc.
func (x *QdiscXstats) Encode() []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, XstatsLen), XstatsQdisc)
	for _, v := range []uint32{x.MaxPacket, x.DropOverlimit, x.ECNMark, x.NewFlowCount,
		x.NewFlowsLen, x.OldFlowsLen, x.CEMark, x.MemoryUsage, x.DropOvermemory} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// ClassXstats is struct tc_fq_codel_cl_stats: a flow's state.
type ClassXstats struct {
	Deficit   int32
	LDelay    uint32 // us
	Count     uint32
	LastCount uint32
	Dropping  uint32
	DropNext  int32 // us
}

// Encode writes tc_fq_codel_xstats of type class, padded to the union.
func (x *ClassXstats) Encode() []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, XstatsLen), XstatsClass)
	for _, v := range []uint32{uint32(x.Deficit), x.LDelay, x.Count, x.LastCount, x.Dropping, uint32(x.DropNext)} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return append(b, make([]byte, XstatsLen-len(b))...)
}

// DecodeXstats reads tc_fq_codel_xstats (zeros past a short payload): its
// type and, by type, one of the two.
func DecodeXstats(b []byte) (typ uint32, qd QdiscXstats, cl ClassXstats) {
	var w [XstatsLen]byte
	copy(w[:], b)
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(w[4+4*i:]) }
	typ = binary.NativeEndian.Uint32(w[:])
	qd = QdiscXstats{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8)}
	cl = ClassXstats{int32(u(0)), u(1), u(2), u(3), u(4), int32(u(5))}
	return
}
