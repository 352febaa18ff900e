package sfb

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of sfb's TCA_OPTIONS (TCA_SFB_*).
const (
	TCA_SFB_UNSPEC = iota
	TCA_SFB_PARMS
	TCA_SFB_MAX = TCA_SFB_PARMS
)

// QoptLen is sizeof(struct tc_sfb_qopt).
const QoptLen = 9 * 4

var policy = map[uint16]nl.PolicyEntry{TCA_SFB_PARMS: {Type: nl.Unspec, Len: QoptLen}}

// Qopt is struct tc_sfb_qopt. Times are milliseconds; increment and
// decrement are Q0.16 probabilities.
type Qopt struct {
	RehashInterval uint32
	WarmupTime     uint32
	Max            uint32 // bin queue at which packets drop
	BinSize        uint32 // bin queue above which probability grows (target)
	Increment      uint32
	Decrement      uint32
	Limit          uint32 // packets
	PenaltyRate    uint32 // pps
	PenaltyBurst   uint32
}

// Defaults are the kernel's sfb_default_ops, used without options.
var Defaults = Qopt{
	RehashInterval: 600 * 1000,
	WarmupTime:     60 * 1000,
	Max:            25,
	BinSize:        20,
	Increment:      (MaxProb + 500) / 1000,
	Decrement:      (MaxProb + 3000) / 6000,
	PenaltyRate:    10,
	PenaltyBurst:   20,
}

// DecodeQopt reads a tc_sfb_qopt of at least QoptLen bytes.
func DecodeQopt(b []byte) Qopt {
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return Qopt{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8)}
}

// Encode writes the 36-byte tc_sfb_qopt.
func (o *Qopt) Encode() []byte {
	b := make([]byte, 0, QoptLen)
	for _, v := range []uint32{o.RehashInterval, o.WarmupTime, o.Max, o.BinSize, o.Increment,
		o.Decrement, o.Limit, o.PenaltyRate, o.PenaltyBurst} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// parseOptions reads TCA_OPTIONS as sfb_change does: any failure is EINVAL.
func parseOptions(opt *nl.Attr) (Qopt, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_SFB_MAX, policy)
	if err != nil {
		return Qopt{}, syscall.EINVAL
	}
	a := tb.Get(TCA_SFB_PARMS)
	if a == nil {
		return Qopt{}, syscall.EINVAL
	}
	return DecodeQopt(a.Data), nil
}

// Xstats is struct tc_sfb_xstats.
type Xstats struct {
	EarlyDrop, PenaltyDrop, BucketDrop, QueueDrop, ChildDrop, Marked uint32
	MaxQlen, MaxProb, AvgProb                                        uint32
}

// XstatsLen is sizeof(struct tc_sfb_xstats).
const XstatsLen = 9 * 4

// Encode writes the xstats.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.EarlyDrop, x.PenaltyDrop, x.BucketDrop, x.QueueDrop, x.ChildDrop,
		x.Marked, x.MaxQlen, x.MaxProb, x.AvgProb} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeXstats reads the xstats; ok is false for a short payload.
func DecodeXstats(b []byte) (Xstats, bool) {
	if len(b) < XstatsLen {
		return Xstats{}, false
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return Xstats{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8)}, true
}
