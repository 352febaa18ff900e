package csum

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_CSUM_* attributes.
const (
	TCA_CSUM_UNSPEC = iota
	TCA_CSUM_PARMS
	TCA_CSUM_TM
	TCA_CSUM_PAD
	TCA_CSUM_MAX = TCA_CSUM_PAD
)

// TCA_CSUM_UPDATE_FLAG_* bits.
const (
	TCA_CSUM_UPDATE_FLAG_IPV4HDR = 1
	TCA_CSUM_UPDATE_FLAG_ICMP    = 2
	TCA_CSUM_UPDATE_FLAG_IGMP    = 4
	TCA_CSUM_UPDATE_FLAG_TCP     = 8
	TCA_CSUM_UPDATE_FLAG_UDP     = 16
	TCA_CSUM_UPDATE_FLAG_UDPLITE = 32
	TCA_CSUM_UPDATE_FLAG_SCTP    = 64
)

// TCA_ID_CSUM is csum's action type.
const TCA_ID_CSUM = 16

// ParmsLen is sizeof(struct tc_csum).
const ParmsLen = actutil.GenLen + 4

var policy = map[uint16]nl.PolicyEntry{
	TCA_CSUM_PARMS: {Type: nl.Unspec, Len: ParmsLen},
}

// initCsum is tcf_csum_init.
func initCsum(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_CSUM_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pa := tb.Get(TCA_CSUM_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &csum{} })
	if err != nil || bound {
		return a, false, err
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*csum).flags.Store(binary.NativeEndian.Uint32(pa.Data[20:24]))
	sched.PutChain(old)
	return a, created, nil
}
