package vlan

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_VLAN_* attributes.
const (
	TCA_VLAN_UNSPEC = iota
	TCA_VLAN_TM
	TCA_VLAN_PARMS
	TCA_VLAN_PUSH_VLAN_ID
	TCA_VLAN_PUSH_VLAN_PROTOCOL
	TCA_VLAN_PAD
	TCA_VLAN_PUSH_VLAN_PRIORITY
	TCA_VLAN_PUSH_ETH_DST
	TCA_VLAN_PUSH_ETH_SRC
	TCA_VLAN_MAX = TCA_VLAN_PUSH_ETH_SRC
)

// Verbs (v_action).
const (
	TCA_VLAN_ACT_POP      = 1
	TCA_VLAN_ACT_PUSH     = 2
	TCA_VLAN_ACT_MODIFY   = 3
	TCA_VLAN_ACT_POP_ETH  = 4
	TCA_VLAN_ACT_PUSH_ETH = 5
)

// TCA_ID_VLAN is vlan's action type.
const TCA_ID_VLAN = 12

// ParmsLen is sizeof(struct tc_vlan).
const ParmsLen = actutil.GenLen + 4

var policy = map[uint16]nl.PolicyEntry{
	TCA_VLAN_PARMS:              {Type: nl.Unspec, Len: ParmsLen},
	TCA_VLAN_PUSH_VLAN_ID:       {Type: nl.U16},
	TCA_VLAN_PUSH_VLAN_PROTOCOL: {Type: nl.U16},
	TCA_VLAN_PUSH_VLAN_PRIORITY: {Type: nl.U8},
}

// ethAddrCheck is NLA_POLICY_ETH_ADDR, which the policy applies strictly
// from TCA_VLAN_PUSH_ETH_DST on: shorter than 6 bytes is ERANGE, longer
// EINVAL.
func ethAddrCheck(a *nl.Attr) syscall.Errno {
	switch {
	case a == nil || len(a.Data) == 6:
		return 0
	case len(a.Data) < 6:
		return syscall.ERANGE
	}
	return syscall.EINVAL
}

// initVlan is tcf_vlan_init.
func initVlan(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_VLAN_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	for _, t := range []uint16{TCA_VLAN_PUSH_ETH_DST, TCA_VLAN_PUSH_ETH_SRC} {
		if errno := ethAddrCheck(tb.Get(t)); errno != 0 {
			return nil, false, errno
		}
	}
	pa := tb.Get(TCA_VLAN_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	vAction := int32(binary.NativeEndian.Uint32(pa.Data[20:24]))
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	np := &params{action: vAction}
	refuse := func(errno syscall.Errno) (*sched.Action, bool, error) {
		actutil.Abandon(r, a, exists, index)
		return nil, false, errno
	}
	switch vAction {
	case TCA_VLAN_ACT_POP, TCA_VLAN_ACT_POP_ETH:
	case TCA_VLAN_ACT_PUSH, TCA_VLAN_ACT_MODIFY:
		id := tb.Get(TCA_VLAN_PUSH_VLAN_ID)
		if id == nil {
			return refuse(syscall.EINVAL)
		}
		np.vid = id.U16()
		if np.vid >= vidMask {
			return refuse(syscall.ERANGE)
		}
		np.proto = actutil.EthP8021Q
		if x := tb.Get(TCA_VLAN_PUSH_VLAN_PROTOCOL); x != nil {
			np.proto = binary.BigEndian.Uint16(x.Data)
			if !actutil.IsVLAN(np.proto) {
				return refuse(syscall.EPROTONOSUPPORT)
			}
		}
		if x := tb.Get(TCA_VLAN_PUSH_VLAN_PRIORITY); x != nil {
			np.prioExists, np.prio = true, x.U8()
		}
	case TCA_VLAN_ACT_PUSH_ETH:
		dst, src := tb.Get(TCA_VLAN_PUSH_ETH_DST), tb.Get(TCA_VLAN_PUSH_ETH_SRC)
		if dst == nil || src == nil {
			return refuse(syscall.EINVAL)
		}
		copy(np.dst[:], dst.Data)
		copy(np.src[:], src.Data)
	default:
		return refuse(syscall.EINVAL)
	}
	np.prioExists = np.prioExists || vAction == TCA_VLAN_ACT_PUSH
	created := false
	if !exists {
		if a, err = r.Create(index, &vlan{}); err != nil {
			r.Cleanup(index)
			return nil, false, err
		}
		created = true
	} else if !r.Replace() {
		a.Release(r.Bind())
		return nil, false, syscall.EEXIST
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*vlan).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
