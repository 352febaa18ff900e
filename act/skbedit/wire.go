package skbedit

import (
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_SKBEDIT_* attributes.
const (
	TCA_SKBEDIT_UNSPEC = iota
	TCA_SKBEDIT_TM
	TCA_SKBEDIT_PARMS
	TCA_SKBEDIT_PRIORITY
	TCA_SKBEDIT_QUEUE_MAPPING
	TCA_SKBEDIT_MARK
	TCA_SKBEDIT_PAD
	TCA_SKBEDIT_PTYPE
	TCA_SKBEDIT_MASK
	TCA_SKBEDIT_FLAGS
	TCA_SKBEDIT_QUEUE_MAPPING_MAX
	TCA_SKBEDIT_MAX = TCA_SKBEDIT_QUEUE_MAPPING_MAX
)

// SKBEDIT_F_* flags.
const (
	SKBEDIT_F_PRIORITY       = 0x1
	SKBEDIT_F_QUEUE_MAPPING  = 0x2
	SKBEDIT_F_MARK           = 0x4
	SKBEDIT_F_PTYPE          = 0x8
	SKBEDIT_F_MASK           = 0x10
	SKBEDIT_F_INHERITDSFIELD = 0x20
	SKBEDIT_F_TXQ_SKBHASH    = 0x40
)

// TCA_ID_SKBEDIT is skbedit's action type.
const TCA_ID_SKBEDIT = 11

// PACKET_KERNEL is the highest packet type skb_pkt_type_ok accepts.
const PACKET_KERNEL = 7

var policy = map[uint16]nl.PolicyEntry{
	TCA_SKBEDIT_PARMS:             {Type: nl.Unspec, Len: actutil.GenLen},
	TCA_SKBEDIT_PRIORITY:          {Type: nl.Unspec, Len: 4},
	TCA_SKBEDIT_QUEUE_MAPPING:     {Type: nl.Unspec, Len: 2},
	TCA_SKBEDIT_MARK:              {Type: nl.Unspec, Len: 4},
	TCA_SKBEDIT_PTYPE:             {Type: nl.Unspec, Len: 2},
	TCA_SKBEDIT_MASK:              {Type: nl.Unspec, Len: 4},
	TCA_SKBEDIT_FLAGS:             {Type: nl.Unspec, Len: 8},
	TCA_SKBEDIT_QUEUE_MAPPING_MAX: {Type: nl.Unspec, Len: 2},
}

func modErr(errno syscall.Errno, msg string) error { return sched.Err(errno, "act_skbedit: "+msg) }

// initSkbedit is tcf_skbedit_init.
func initSkbedit(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_SKBEDIT_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	if !tb.Has(TCA_SKBEDIT_PARMS) {
		return nil, false, syscall.EINVAL
	}
	np := &params{mask: 0xffffffff, mappingMod: 1}
	if x := tb.Get(TCA_SKBEDIT_PRIORITY); x != nil {
		np.flags |= SKBEDIT_F_PRIORITY
		np.priority = x.U32()
	}
	if x := tb.Get(TCA_SKBEDIT_QUEUE_MAPPING); x != nil {
		if r.Flags&sched.ActFlagAtIngress != 0 && r.Flags&sched.ActFlagSkipSW == 0 {
			return nil, false, modErr(syscall.EOPNOTSUPP, "\"queue_mapping\" option on receive side is hardware only, use skip_sw")
		}
		np.flags |= SKBEDIT_F_QUEUE_MAPPING
		np.queueMapping = x.U16()
	}
	if x := tb.Get(TCA_SKBEDIT_PTYPE); x != nil {
		if x.U16() > PACKET_KERNEL {
			return nil, false, syscall.EINVAL
		}
		np.flags |= SKBEDIT_F_PTYPE
		np.ptype = x.U16()
	}
	if x := tb.Get(TCA_SKBEDIT_MARK); x != nil {
		np.flags |= SKBEDIT_F_MARK
		np.mark = x.U32()
	}
	if x := tb.Get(TCA_SKBEDIT_MASK); x != nil {
		np.flags |= SKBEDIT_F_MASK
		np.mask = x.U32()
	}
	if x := tb.Get(TCA_SKBEDIT_FLAGS); x != nil {
		pure := x.U64()
		if pure&SKBEDIT_F_TXQ_SKBHASH != 0 {
			qmax := tb.Get(TCA_SKBEDIT_QUEUE_MAPPING_MAX)
			if !tb.Has(TCA_SKBEDIT_QUEUE_MAPPING) || qmax == nil {
				return nil, false, modErr(syscall.EINVAL, "Missing required range of queue_mapping.")
			}
			if qmax.U16() < np.queueMapping {
				return nil, false, modErr(syscall.EINVAL, "The range of queue_mapping is invalid, max < min.")
			}
			np.mappingMod = qmax.U16() - np.queueMapping + 1
			np.flags |= SKBEDIT_F_TXQ_SKBHASH
		}
		if pure&SKBEDIT_F_INHERITDSFIELD != 0 {
			np.flags |= SKBEDIT_F_INHERITDSFIELD
		}
	}
	parm := actutil.DecodeGen(tb.Get(TCA_SKBEDIT_PARMS).Data)
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	if np.flags == 0 {
		actutil.Abandon(r, a, exists, index)
		return nil, false, syscall.EINVAL
	}
	created := false
	if !exists {
		if a, err = r.Create(index, &skbedit{}); err != nil {
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
	a.Ops.(*skbedit).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
