package pie

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of pie's TCA_OPTIONS (TCA_PIE_*).
const (
	TCA_PIE_UNSPEC = iota
	TCA_PIE_TARGET
	TCA_PIE_LIMIT
	TCA_PIE_TUPDATE
	TCA_PIE_ALPHA
	TCA_PIE_BETA
	TCA_PIE_ECN
	TCA_PIE_BYTEMODE
	TCA_PIE_DQ_RATE_ESTIMATOR
	TCA_PIE_MAX = TCA_PIE_DQ_RATE_ESTIMATOR
)

// policy is pie_policy: every attribute a u32.
var policy = func() map[uint16]nl.PolicyEntry {
	m := map[uint16]nl.PolicyEntry{}
	for t := uint16(1); t <= TCA_PIE_MAX; t++ {
		m[t] = nl.PolicyEntry{Type: nl.U32}
	}
	return m
}()

// parseOptions reads TCA_OPTIONS (no extack for policy failures): the
// value of each attribute present, by type.
func parseOptions(opt *nl.Attr) ([TCA_PIE_MAX + 1]*uint32, error) {
	var o [TCA_PIE_MAX + 1]*uint32
	tb, err := sched.ParseOptions(opt.Data, TCA_PIE_MAX, policy)
	if err != nil {
		return o, sched.Quiet(err)
	}
	for t := range o {
		if a := tb.Get(uint16(t)); a != nil && t != 0 {
			v := a.U32()
			o[t] = &v
		}
	}
	return o, nil
}

// Xstats is struct tc_pie_xstats. Prob is a fraction of 2^64.
type Xstats struct {
	Prob             uint64
	Delay            uint32 // us
	AvgDQRate        uint32 // bytes per second
	DQRateEstimating uint32
	PacketsIn        uint32
	Dropped          uint32
	Overlimit        uint32
	MaxQ             uint32
	ECNMark          uint32
}

// XstatsLen is sizeof(struct tc_pie_xstats).
const XstatsLen = 8 + 8*4

// Encode writes the xstats in host byte order.
func (x *Xstats) Encode() []byte {
	b := binary.NativeEndian.AppendUint64(make([]byte, 0, XstatsLen), x.Prob)
	for _, v := range []uint32{x.Delay, x.AvgDQRate, x.DQRateEstimating, x.PacketsIn, x.Dropped, x.Overlimit, x.MaxQ, x.ECNMark} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeXstats reads the xstats; ok is false when the payload is short
// (tc then prints nothing).
func DecodeXstats(b []byte) (x Xstats, ok bool) {
	if len(b) < XstatsLen {
		return x, false
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[8+4*i:]) }
	return Xstats{binary.NativeEndian.Uint64(b), u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7)}, true
}
