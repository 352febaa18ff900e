package sfq

import (
	"encoding/binary"
	"syscall"
)

// Qopt is struct tc_sfq_qopt, the first part of SFQ's TCA_OPTIONS.
type Qopt struct {
	Quantum       uint32 // bytes per round
	PerturbPeriod int32  // seconds
	Limit         uint32 // packets
	Divisor       uint32 // hash buckets
	Flows         uint32
}

// REDStats are struct tc_sfqred_stats.
type REDStats struct {
	ProbDrop, ForcedDrop, ProbMark, ForcedMark, ProbMarkHead, ForcedMarkHead uint32
}

// QoptV1 is struct tc_sfq_qopt_v1: the v0 options, depth and headdrop,
// and SFQRED's parameters and statistics.
type QoptV1 struct {
	Qopt
	Depth    uint32
	Headdrop uint32
	Limit    uint32 // SFQRED: hard per-flow limit, bytes
	QthMin   uint32 // bytes
	QthMax   uint32 // bytes
	Wlog     uint8
	Plog     uint8
	ScellLog uint8
	Flags    uint8
	MaxP     uint32
	Stats    REDStats
}

// Sizes of the two structs.
const (
	QoptLen   = 20
	QoptV1Len = QoptLen + 4*5 + 4 + 4 + 6*4
)

// XstatsLen is sizeof(struct tc_sfq_xstats).
const XstatsLen = 4

var ne = binary.NativeEndian

// Encode writes tc_sfq_qopt_v1.
func (o *QoptV1) Encode() []byte {
	b := make([]byte, QoptV1Len)
	ne.PutUint32(b[0:], o.Quantum)
	ne.PutUint32(b[4:], uint32(o.PerturbPeriod))
	ne.PutUint32(b[8:], o.Qopt.Limit)
	ne.PutUint32(b[12:], o.Divisor)
	ne.PutUint32(b[16:], o.Flows)
	ne.PutUint32(b[20:], o.Depth)
	ne.PutUint32(b[24:], o.Headdrop)
	ne.PutUint32(b[28:], o.Limit)
	ne.PutUint32(b[32:], o.QthMin)
	ne.PutUint32(b[36:], o.QthMax)
	b[40], b[41], b[42], b[43] = o.Wlog, o.Plog, o.ScellLog, o.Flags
	ne.PutUint32(b[44:], o.MaxP)
	for i, v := range []uint32{o.Stats.ProbDrop, o.Stats.ForcedDrop, o.Stats.ProbMark,
		o.Stats.ForcedMark, o.Stats.ProbMarkHead, o.Stats.ForcedMarkHead} {
		ne.PutUint32(b[48+4*i:], v)
	}
	return b
}

// Decode reads TCA_OPTIONS: v0 at least (else EINVAL, as sfq_change), and
// v1 when the payload holds all of it; v1 reports which.
func Decode(b []byte) (o QoptV1, v1 bool, err error) {
	if len(b) < QoptLen {
		return o, false, syscall.EINVAL
	}
	o.Quantum = ne.Uint32(b[0:])
	o.PerturbPeriod = int32(ne.Uint32(b[4:]))
	o.Qopt.Limit = ne.Uint32(b[8:])
	o.Divisor = ne.Uint32(b[12:])
	o.Flows = ne.Uint32(b[16:])
	if len(b) < QoptV1Len {
		return o, false, nil
	}
	o.Depth = ne.Uint32(b[20:])
	o.Headdrop = ne.Uint32(b[24:])
	o.Limit = ne.Uint32(b[28:])
	o.QthMin = ne.Uint32(b[32:])
	o.QthMax = ne.Uint32(b[36:])
	o.Wlog, o.Plog, o.ScellLog, o.Flags = b[40], b[41], b[42], b[43]
	o.MaxP = ne.Uint32(b[44:])
	s := &o.Stats
	for i, p := range []*uint32{&s.ProbDrop, &s.ForcedDrop, &s.ProbMark, &s.ForcedMark, &s.ProbMarkHead, &s.ForcedMarkHead} {
		*p = ne.Uint32(b[48+4*i:])
	}
	return o, true, nil
}

// EncodeXstats writes tc_sfq_xstats: a flow's credit.
func EncodeXstats(allot int32) []byte { return ne.AppendUint32(nil, uint32(allot)) }
