package nat

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_NAT_* attributes.
const (
	TCA_NAT_UNSPEC = iota
	TCA_NAT_PARMS
	TCA_NAT_TM
	TCA_NAT_PAD
	TCA_NAT_MAX = TCA_NAT_PAD
)

// TCA_NAT_FLAG_EGRESS rewrites the source address instead of the
// destination.
const TCA_NAT_FLAG_EGRESS = 1

// TCA_ID_NAT is nat's action type.
const TCA_ID_NAT = 9

// ParmsLen is sizeof(struct tc_nat).
const ParmsLen = actutil.GenLen + 16

var policy = map[uint16]nl.PolicyEntry{
	TCA_NAT_PARMS: {Type: nl.Unspec, Len: ParmsLen},
}

// initNat is tcf_nat_init.
func initNat(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_NAT_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pa := tb.Get(TCA_NAT_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &nat{} })
	if err != nil || bound {
		return a, false, err
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	d := pa.Data
	np := &params{
		oldAddr: binary.BigEndian.Uint32(d[20:]),
		newAddr: binary.BigEndian.Uint32(d[24:]),
		mask:    binary.BigEndian.Uint32(d[28:]),
		flags:   binary.NativeEndian.Uint32(d[32:]),
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*nat).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
