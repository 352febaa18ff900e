package red

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
)

// Attributes of red's TCA_OPTIONS (TCA_RED_*).
const (
	TCA_RED_UNSPEC = iota
	TCA_RED_PARMS
	TCA_RED_STAB
	TCA_RED_MAX_P
	TCA_RED_FLAGS
	TCA_RED_EARLY_DROP_BLOCK
	TCA_RED_MARK_BLOCK
	TCA_RED_MAX = TCA_RED_MARK_BLOCK
)

var errInval = syscall.EINVAL

// policy is red_policy: strict from TCA_RED_FLAGS on, a bitfield of the
// supported flags.
var policy = &sched.PolicyExt{
	Entries: map[uint16]nl.PolicyEntry{
		TCA_RED_PARMS:            {Type: nl.Unspec, Len: aqm.REDQoptLen},
		TCA_RED_STAB:             {Type: nl.Unspec, Len: aqm.REDStabSize},
		TCA_RED_MAX_P:            {Type: nl.U32},
		TCA_RED_EARLY_DROP_BLOCK: {Type: nl.U32},
		TCA_RED_MARK_BLOCK:       {Type: nl.U32},
	},
	Bitfield32:  map[uint16]uint32{TCA_RED_FLAGS: SupportedFlags},
	StrictStart: TCA_RED_FLAGS,
}

// options are the attributes of a request.
type options struct {
	parms                     *aqm.REDQopt
	stab                      []byte
	maxP                      uint32
	flags                     *[2]uint32 // value, selector
	earlyDropBlock, markBlock *uint32
}

// parseOptions reads TCA_OPTIONS as red_init and red_change do.
func parseOptions(opt *nl.Attr) (options, error) {
	tb, err := sched.ParseNestedDeprecated(opt, TCA_RED_MAX, policy)
	if err != nil {
		return options{}, err
	}
	var o options
	if a := tb.Get(TCA_RED_PARMS); a != nil {
		q := aqm.DecodeREDQopt(a.Data)
		o.parms = &q
	}
	if a := tb.Get(TCA_RED_STAB); a != nil {
		o.stab = a.Data[:aqm.REDStabSize]
	}
	if a := tb.Get(TCA_RED_MAX_P); a != nil {
		o.maxP = a.U32()
	}
	if a := tb.Get(TCA_RED_FLAGS); a != nil {
		o.flags = &[2]uint32{binary.NativeEndian.Uint32(a.Data), binary.NativeEndian.Uint32(a.Data[4:])}
	}
	u := func(t uint16) *uint32 {
		if a := tb.Get(t); a != nil {
			v := a.U32()
			return &v
		}
		return nil
	}
	o.earlyDropBlock = u(TCA_RED_EARLY_DROP_BLOCK)
	o.markBlock = u(TCA_RED_MARK_BLOCK)
	return o, nil
}

// createBfifo makes the default child, a bfifo of limit bytes hidden from
// dumps (fifo_create_dflt and qdisc_hash_add).
func createBfifo(q *sched.Qdisc, limit uint32, ext *sched.Ext) (*sched.Qdisc, error) {
	child, err := fifo.CreateDefault(q, fifo.BFIFO, limit, ext)
	if err != nil {
		return nil, err
	}
	q.Dev().HashAdd(child, true)
	return child, nil
}

// Xstats is struct tc_red_xstats.
type Xstats struct {
	Early  uint32 // early drops
	PDrop  uint32 // drops at the limit
	Other  uint32
	Marked uint32
}

// XstatsLen is sizeof(struct tc_red_xstats).
const XstatsLen = 16

// Encode writes the xstats.
func (x *Xstats) Encode() []byte {
	b := make([]byte, 0, XstatsLen)
	for _, v := range []uint32{x.Early, x.PDrop, x.Other, x.Marked} {
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
	return Xstats{u(0), u(1), u(2), u(3)}, true
}
