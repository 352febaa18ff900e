package tbf

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Attributes of tbf's TCA_OPTIONS (TCA_TBF_*).
const (
	TCA_TBF_UNSPEC = iota
	TCA_TBF_PARMS
	TCA_TBF_RTAB
	TCA_TBF_PTAB
	TCA_TBF_RATE64
	TCA_TBF_PRATE64
	TCA_TBF_BURST
	TCA_TBF_PBURST
	TCA_TBF_PAD
	TCA_TBF_MAX = TCA_TBF_PAD
)

// qoptLen is sizeof(struct tc_tbf_qopt).
const qoptLen = 2*tc.RateSpecLen + 3*4

// policy is tbf_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_TBF_PARMS:   {Type: nl.Unspec, Len: qoptLen},
	TCA_TBF_RTAB:    {Type: nl.Binary, Len: sched.RateTableSize},
	TCA_TBF_PTAB:    {Type: nl.Binary, Len: sched.RateTableSize},
	TCA_TBF_RATE64:  {Type: nl.U64},
	TCA_TBF_PRATE64: {Type: nl.U64},
	TCA_TBF_BURST:   {Type: nl.U32},
	TCA_TBF_PBURST:  {Type: nl.U32},
}

// Qopt is struct tc_tbf_qopt. Buffer and MTU are the bucket depths as the
// time they take at rate and peak rate, in psched ticks.
type Qopt struct {
	Rate, PeakRate tc.RateSpec
	Limit          uint32 // bytes the default bfifo child may hold
	Buffer         uint32
	MTU            uint32
}

// DecodeQopt reads a tc_tbf_qopt (at least qoptLen bytes).
func DecodeQopt(b []byte) Qopt {
	u := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
	return Qopt{
		Rate:     tc.DecodeRateSpec(b[0:]),
		PeakRate: tc.DecodeRateSpec(b[12:]),
		Limit:    u(24),
		Buffer:   u(28),
		MTU:      u(32),
	}
}

// Append writes the 36-byte tc_tbf_qopt.
func (o Qopt) Append(b []byte) []byte {
	b = append(b, o.Rate.Encode()...)
	b = append(b, o.PeakRate.Encode()...)
	for _, v := range []uint32{o.Limit, o.Buffer, o.MTU} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}
