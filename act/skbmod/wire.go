package skbmod

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_SKBMOD_* attributes.
const (
	TCA_SKBMOD_UNSPEC = iota
	TCA_SKBMOD_TM
	TCA_SKBMOD_PARMS
	TCA_SKBMOD_DMAC
	TCA_SKBMOD_SMAC
	TCA_SKBMOD_ETYPE
	TCA_SKBMOD_PAD
	TCA_SKBMOD_MAX = TCA_SKBMOD_PAD
)

// SKBMOD_F_* flags.
const (
	SKBMOD_F_DMAC    = 0x1
	SKBMOD_F_SMAC    = 0x2
	SKBMOD_F_ETYPE   = 0x4
	SKBMOD_F_SWAPMAC = 0x8
	SKBMOD_F_ECN     = 0x10
)

// TCA_ID_SKBMOD is skbmod's action type.
const TCA_ID_SKBMOD = 15

// ParmsLen is sizeof(struct tc_skbmod): tc_gen, 4 bytes of padding, u64
// flags.
const ParmsLen = 32

var policy = map[uint16]nl.PolicyEntry{
	TCA_SKBMOD_PARMS: {Type: nl.Unspec, Len: ParmsLen},
	TCA_SKBMOD_DMAC:  {Type: nl.Unspec, Len: 6},
	TCA_SKBMOD_SMAC:  {Type: nl.Unspec, Len: 6},
	TCA_SKBMOD_ETYPE: {Type: nl.U16},
}

// initSkbmod is tcf_skbmod_init.
func initSkbmod(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_SKBMOD_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pa := tb.Get(TCA_SKBMOD_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	np := &params{}
	var lflags uint64
	if x := tb.Get(TCA_SKBMOD_DMAC); x != nil {
		copy(np.ethDst[:], x.Data)
		lflags |= SKBMOD_F_DMAC
	}
	if x := tb.Get(TCA_SKBMOD_SMAC); x != nil {
		copy(np.ethSrc[:], x.Data)
		lflags |= SKBMOD_F_SMAC
	}
	if x := tb.Get(TCA_SKBMOD_ETYPE); x != nil {
		np.ethType = x.U16()
		lflags |= SKBMOD_F_ETYPE
	}
	parm := actutil.DecodeGen(pa.Data)
	pflags := binary.NativeEndian.Uint64(pa.Data[24:32])
	if pflags&SKBMOD_F_SWAPMAC != 0 {
		lflags = SKBMOD_F_SWAPMAC
	}
	if pflags&SKBMOD_F_ECN != 0 {
		lflags = SKBMOD_F_ECN
	}
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	if lflags == 0 {
		actutil.Abandon(r, a, exists, index)
		return nil, false, syscall.EINVAL
	}
	created := false
	if !exists {
		if a, err = r.Create(index, &skbmod{}); err != nil {
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
	np.flags = lflags
	if lflags&(SKBMOD_F_DMAC|SKBMOD_F_SMAC|SKBMOD_F_ETYPE) == 0 {
		np.ethDst, np.ethSrc, np.ethType = [6]byte{}, [6]byte{}, 0
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*skbmod).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
