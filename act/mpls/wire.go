package mpls

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_MPLS_* attributes.
const (
	TCA_MPLS_UNSPEC = iota
	TCA_MPLS_TM
	TCA_MPLS_PARMS
	TCA_MPLS_PAD
	TCA_MPLS_PROTO
	TCA_MPLS_LABEL
	TCA_MPLS_TC
	TCA_MPLS_TTL
	TCA_MPLS_BOS
	TCA_MPLS_MAX = TCA_MPLS_BOS
)

// Verbs (m_action).
const (
	TCA_MPLS_ACT_POP      = 1
	TCA_MPLS_ACT_PUSH     = 2
	TCA_MPLS_ACT_MODIFY   = 3
	TCA_MPLS_ACT_DEC_TTL  = 4
	TCA_MPLS_ACT_MAC_PUSH = 5
)

// TCA_ID_MPLS is mpls's action type (after TCA_ID_CTINFO).
const TCA_ID_MPLS = 28

// ParmsLen is sizeof(struct tc_mpls).
const ParmsLen = actutil.GenLen + 4

// ttlDefault is ACT_MPLS_TTL_DEFAULT, the TTL of a push without one
// (netsched has no MPLS stack whose default_ttl could differ).
const ttlDefault = 255

// mplsLabelImplNull is MPLS_LABEL_IMPLNULL, which no entry may carry.
const mplsLabelImplNull = 3

func modErr(errno syscall.Errno, msg string) error { return sched.Err(errno, "act_mpls: "+msg) }

// parse is nla_parse_nested with mpls_policy: strict, with its ranges.
func parse(opt []byte) (nl.Attrs, error) {
	sizes := map[uint16]int{TCA_MPLS_PROTO: 2, TCA_MPLS_TC: 1, TCA_MPLS_TTL: 1, TCA_MPLS_BOS: 1}
	var err error
	nl.Walk(opt, func(a nl.Attr) bool {
		if a.Type == 0 || a.Type > TCA_MPLS_MAX {
			err = sched.Err(syscall.EINVAL, "Unknown attribute type")
			return false
		}
		switch a.Type {
		case TCA_MPLS_PARMS:
			if len(a.Data) != ParmsLen {
				err = sched.Err(syscall.EINVAL, "Attribute failed policy validation")
			}
		case TCA_MPLS_LABEL:
			switch {
			case len(a.Data) != 4:
				err = modErr(syscall.EINVAL, "Invalid MPLS label length")
			case a.U32()&^0xFFFFF != 0 || a.U32() == mplsLabelImplNull:
				err = modErr(syscall.EINVAL, "MPLS label out of range")
			}
		case TCA_MPLS_PROTO, TCA_MPLS_TC, TCA_MPLS_TTL, TCA_MPLS_BOS:
			if n := sizes[a.Type]; len(a.Data) != n {
				if len(a.Data) < n {
					err = sched.Err(syscall.ERANGE, "Attribute failed policy validation")
				} else {
					err = sched.Err(syscall.EINVAL, "invalid attribute length")
				}
				break
			}
			v := a.Data[0]
			if (a.Type == TCA_MPLS_TC && v > 7) || (a.Type == TCA_MPLS_TTL && v < 1) || (a.Type == TCA_MPLS_BOS && v > 1) {
				err = sched.Err(syscall.ERANGE, "integer out of range")
			}
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return nl.Parse(opt, TCA_MPLS_MAX), nil
}

// initMpls is tcf_mpls_init.
func initMpls(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, modErr(syscall.EINVAL, "Missing netlink attributes")
	}
	tb, err := parse(r.Options.Data)
	if err != nil {
		return nil, false, err
	}
	pa := tb.Get(TCA_MPLS_PARMS)
	if pa == nil {
		return nil, false, modErr(syscall.EINVAL, "No MPLS params")
	}
	parm := actutil.DecodeGen(pa.Data)
	mAction := int32(binary.NativeEndian.Uint32(pa.Data[20:]))
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &mpls{} })
	if err != nil || bound {
		return a, false, err
	}
	fail := func(err error) (*sched.Action, bool, error) {
		a.Release(r.Bind())
		return nil, false, err
	}
	var ttl uint8
	proto := tb.Get(TCA_MPLS_PROTO)
	switch mAction {
	case TCA_MPLS_ACT_POP:
		if proto == nil {
			return fail(modErr(syscall.EINVAL, "Protocol must be set for MPLS pop"))
		}
		if binary.BigEndian.Uint16(proto.Data) < 0x0600 {
			return fail(modErr(syscall.EINVAL, "Invalid protocol type for MPLS pop"))
		}
		if tb.Has(TCA_MPLS_LABEL) || tb.Has(TCA_MPLS_TTL) || tb.Has(TCA_MPLS_TC) || tb.Has(TCA_MPLS_BOS) {
			return fail(modErr(syscall.EINVAL, "Label, TTL, TC or BOS cannot be used with MPLS pop"))
		}
	case TCA_MPLS_ACT_DEC_TTL:
		if proto != nil || tb.Has(TCA_MPLS_LABEL) || tb.Has(TCA_MPLS_TTL) || tb.Has(TCA_MPLS_TC) || tb.Has(TCA_MPLS_BOS) {
			return fail(modErr(syscall.EINVAL, "Label, TTL, TC, BOS or protocol cannot be used with MPLS dec_ttl"))
		}
	case TCA_MPLS_ACT_PUSH, TCA_MPLS_ACT_MAC_PUSH:
		if !tb.Has(TCA_MPLS_LABEL) {
			return fail(modErr(syscall.EINVAL, "Label is required for MPLS push"))
		}
		if proto != nil && !actutil.IsMPLS(binary.BigEndian.Uint16(proto.Data)) {
			return fail(modErr(syscall.EPROTONOSUPPORT, "Protocol must be an MPLS type for MPLS push"))
		}
		if !tb.Has(TCA_MPLS_TTL) {
			ttl = ttlDefault
		}
	case TCA_MPLS_ACT_MODIFY:
		if proto != nil {
			return fail(modErr(syscall.EINVAL, "Protocol cannot be used with MPLS modify"))
		}
	default:
		return fail(modErr(syscall.EINVAL, "Unknown MPLS action"))
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		return fail(err)
	}
	np := &params{action: mAction, label: labelNotSet, tc: tcNotSet, ttl: ttl, bos: bosNotSet, proto: actutil.EthPMPLSUC}
	if x := tb.Get(TCA_MPLS_LABEL); x != nil {
		np.label = x.U32()
	}
	if x := tb.Get(TCA_MPLS_TC); x != nil {
		np.tc = x.U8()
	}
	if x := tb.Get(TCA_MPLS_TTL); x != nil {
		np.ttl = x.U8()
	}
	if x := tb.Get(TCA_MPLS_BOS); x != nil {
		np.bos = x.U8()
	}
	if proto != nil {
		np.proto = binary.BigEndian.Uint16(proto.Data)
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*mpls).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
