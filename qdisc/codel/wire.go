package codel

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of codel's TCA_OPTIONS (TCA_CODEL_*).
const (
	TCA_CODEL_UNSPEC = iota
	TCA_CODEL_TARGET
	TCA_CODEL_LIMIT
	TCA_CODEL_INTERVAL
	TCA_CODEL_ECN
	TCA_CODEL_CE_THRESHOLD
	TCA_CODEL_MAX = TCA_CODEL_CE_THRESHOLD
)

// policy is codel_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_CODEL_TARGET:       {Type: nl.U32},
	TCA_CODEL_LIMIT:        {Type: nl.U32},
	TCA_CODEL_INTERVAL:     {Type: nl.U32},
	TCA_CODEL_ECN:          {Type: nl.U32},
	TCA_CODEL_CE_THRESHOLD: {Type: nl.U32},
}

// options are the attributes a request carries; nil for absent ones.
type options struct {
	target, limit, interval, ecn, ceThreshold *uint32
}

// parseOptions reads TCA_OPTIONS as codel_change does. The kernel parses
// without an extack, so policy failures carry only the errno.
func parseOptions(opt *nl.Attr) (options, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_CODEL_MAX, policy)
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
	return options{
		target:      u(TCA_CODEL_TARGET),
		limit:       u(TCA_CODEL_LIMIT),
		interval:    u(TCA_CODEL_INTERVAL),
		ecn:         u(TCA_CODEL_ECN),
		ceThreshold: u(TCA_CODEL_CE_THRESHOLD),
	}, nil
}

// Xstats is struct tc_codel_xstats. Times are microseconds; DropNext is
// negative when the next drop is overdue.
type Xstats struct {
	MaxPacket     uint32
	Count         uint32
	LastCount     uint32
	LDelay        uint32
	DropNext      int32
	DropOverlimit uint32
	ECNMark       uint32
	Dropping      uint32
	CEMark        uint32
}

// XstatsLen is sizeof(struct tc_codel_xstats).
const XstatsLen = 36

// Encode writes the xstats in host byte order.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.MaxPacket, x.Count, x.LastCount, x.LDelay, uint32(x.DropNext),
		x.DropOverlimit, x.ECNMark, x.Dropping, x.CEMark} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeXstats reads xstats; a short payload reads as zeros past its end,
// as tc reads it.
func DecodeXstats(b []byte) Xstats {
	var w [XstatsLen]byte
	copy(w[:], b)
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(w[4*i:]) }
	return Xstats{u(0), u(1), u(2), u(3), int32(u(4)), u(5), u(6), u(7), u(8)}
}
