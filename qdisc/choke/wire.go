package choke

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Attributes of choke's TCA_OPTIONS (TCA_CHOKE_*).
const (
	TCA_CHOKE_UNSPEC = iota
	TCA_CHOKE_PARMS
	TCA_CHOKE_STAB
	TCA_CHOKE_MAX_P
	TCA_CHOKE_MAX = TCA_CHOKE_MAX_P
)

var errInval = syscall.EINVAL

// policy is choke_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_CHOKE_PARMS: {Type: nl.Unspec, Len: aqm.REDQoptLen},
	TCA_CHOKE_STAB:  {Type: nl.Unspec, Len: aqm.REDStabSize},
	TCA_CHOKE_MAX_P: {Type: nl.U32},
}

type options struct {
	parms aqm.REDQopt
	stab  []byte
	maxP  uint32
}

// parseOptions reads TCA_OPTIONS as choke_change does: without an extack,
// parameters and table required.
func parseOptions(opt *nl.Attr) (options, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_CHOKE_MAX, policy)
	if err != nil {
		return options{}, sched.Quiet(err)
	}
	pa, st := tb.Get(TCA_CHOKE_PARMS), tb.Get(TCA_CHOKE_STAB)
	if pa == nil || st == nil {
		return options{}, errInval
	}
	o := options{parms: aqm.DecodeREDQopt(pa.Data), stab: st.Data[:aqm.REDStabSize]}
	if a := tb.Get(TCA_CHOKE_MAX_P); a != nil {
		o.maxP = a.U32()
	}
	return o, nil
}

// Xstats is struct tc_choke_xstats.
type Xstats struct {
	Early   uint32 // early drops
	PDrop   uint32 // drops at the limit
	Other   uint32
	Marked  uint32
	Matched uint32 // drops of flow matches
}

// XstatsLen is sizeof(struct tc_choke_xstats).
const XstatsLen = 20

// Encode writes the xstats.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.Early, x.PDrop, x.Other, x.Marked, x.Matched} {
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
	return Xstats{u(0), u(1), u(2), u(3), u(4)}, true
}
