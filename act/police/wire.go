package police

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// TCA_POLICE_* attributes.
const (
	TCA_POLICE_UNSPEC = iota
	TCA_POLICE_TBF
	TCA_POLICE_RATE
	TCA_POLICE_PEAKRATE
	TCA_POLICE_AVRATE
	TCA_POLICE_RESULT
	TCA_POLICE_TM
	TCA_POLICE_PAD
	TCA_POLICE_RATE64
	TCA_POLICE_PEAKRATE64
	TCA_POLICE_PKTRATE64
	TCA_POLICE_PKTBURST64
	TCA_POLICE_MAX = TCA_POLICE_PKTBURST64
)

// TCA_ID_POLICE is police's action type.
const TCA_ID_POLICE = 1

// ParmsLen is sizeof(struct tc_police); CompatLen is the old struct
// without refcnt, bindcnt and capab (struct tc_police_compat).
const (
	ParmsLen  = 56
	CompatLen = 44
)

// Parms is struct tc_police.
type Parms struct {
	Index    uint32
	Action   int32
	Limit    uint32
	Burst    uint32 // ticks
	MTU      uint32
	Rate     tc.RateSpec
	PeakRate tc.RateSpec
	Refcnt   int32
	Bindcnt  int32
	Capab    uint32
}

// Encode writes struct tc_police.
func (p Parms) Encode() []byte {
	b := make([]byte, ParmsLen)
	binary.NativeEndian.PutUint32(b[0:], p.Index)
	binary.NativeEndian.PutUint32(b[4:], uint32(p.Action))
	binary.NativeEndian.PutUint32(b[8:], p.Limit)
	binary.NativeEndian.PutUint32(b[12:], p.Burst)
	binary.NativeEndian.PutUint32(b[16:], p.MTU)
	copy(b[20:], p.Rate.Encode())
	copy(b[32:], p.PeakRate.Encode())
	binary.NativeEndian.PutUint32(b[44:], uint32(p.Refcnt))
	binary.NativeEndian.PutUint32(b[48:], uint32(p.Bindcnt))
	binary.NativeEndian.PutUint32(b[52:], p.Capab)
	return b
}

// DecodeParms reads struct tc_police (zero-padded if short).
func DecodeParms(b []byte) Parms {
	b = actutil.Fixed(b, ParmsLen)
	return Parms{
		Index:    binary.NativeEndian.Uint32(b[0:]),
		Action:   int32(binary.NativeEndian.Uint32(b[4:])),
		Limit:    binary.NativeEndian.Uint32(b[8:]),
		Burst:    binary.NativeEndian.Uint32(b[12:]),
		MTU:      binary.NativeEndian.Uint32(b[16:]),
		Rate:     tc.DecodeRateSpec(b[20:32]),
		PeakRate: tc.DecodeRateSpec(b[32:44]),
		Refcnt:   int32(binary.NativeEndian.Uint32(b[44:])),
		Bindcnt:  int32(binary.NativeEndian.Uint32(b[48:])),
		Capab:    binary.NativeEndian.Uint32(b[52:]),
	}
}

// policy is police_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_POLICE_RATE:       {Type: nl.Unspec, Len: sched.RateTableSize},
	TCA_POLICE_PEAKRATE:   {Type: nl.Unspec, Len: sched.RateTableSize},
	TCA_POLICE_AVRATE:     {Type: nl.U32},
	TCA_POLICE_RESULT:     {Type: nl.U32},
	TCA_POLICE_RATE64:     {Type: nl.U64},
	TCA_POLICE_PEAKRATE64: {Type: nl.U64},
	TCA_POLICE_PKTRATE64:  {Type: nl.U64},
	TCA_POLICE_PKTBURST64: {Type: nl.U64},
}

// rtabValid is what qdisc_get_rtab asks of a rate and its table.
func rtabValid(r tc.RateSpec, tab *nl.Attr) bool {
	return tab != nil && r.Rate != 0 && r.CellLog != 0 && r.CellLog < 32 && len(tab.Data) == sched.RateTableSize
}

// initPolice is tcf_police_init.
func initPolice(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_POLICE_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	t := tb.Get(TCA_POLICE_TBF)
	if t == nil || (len(t.Data) != ParmsLen && len(t.Data) != CompatLen) {
		return nil, false, syscall.EINVAL
	}
	parm := DecodeParms(t.Data)
	// police makes its estimator itself, after its checks.
	est := r.Est
	r.Est = nil
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &police{} })
	r.Est = est
	if err != nil || bound {
		return a, false, err
	}
	fail := func(ch *sched.Chain, err error) (*sched.Action, bool, error) {
		sched.PutChain(ch)
		a.Release(r.Bind())
		return nil, false, err
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		return fail(nil, err)
	}
	po := a.Ops.(*police)
	hasR, hasP := false, false
	if parm.Rate.Rate != 0 {
		if !rtabValid(parm.Rate, tb.Get(TCA_POLICE_RATE)) {
			return fail(ch, syscall.ENOMEM)
		}
		sched.DetectLinkLayer(&parm.Rate, tb.Get(TCA_POLICE_RATE).Data)
		hasR = true
		if parm.PeakRate.Rate != 0 {
			if !rtabValid(parm.PeakRate, tb.Get(TCA_POLICE_PEAKRATE)) {
				return fail(ch, syscall.ENOMEM)
			}
			sched.DetectLinkLayer(&parm.PeakRate, tb.Get(TCA_POLICE_PEAKRATE).Data)
			hasP = true
		}
	}
	if est != nil {
		if err := a.ReplaceEstimator(est.Data); err != nil {
			return fail(ch, err)
		}
	} else if tb.Has(TCA_POLICE_AVRATE) {
		if _, _, active := a.RateEstimate(); created || !active {
			return fail(ch, syscall.EINVAL)
		}
	}
	result := int32(0)
	if x := tb.Get(TCA_POLICE_RESULT); x != nil {
		result = int32(x.U32())
		if uint32(result)&actutil.ExtMask == uint32(actutil.GotoChain) {
			return fail(ch, sched.Err(syscall.EINVAL, "goto chain not allowed on fallback"))
		}
	}
	if tb.Has(TCA_POLICE_PKTRATE64) != tb.Has(TCA_POLICE_PKTBURST64) {
		return fail(ch, sched.Err(syscall.EINVAL, "Both or neither packet-per-second burst and rate must be provided"))
	}
	if tb.Has(TCA_POLICE_PKTRATE64) && hasR {
		return fail(ch, sched.Err(syscall.EINVAL, "packet-per-second and byte-per-second rate limits not allowed in same action"))
	}
	np := &params{result: result, mtu: parm.MTU}
	if np.mtu == 0 {
		np.mtu = ^uint32(0)
		if hasR {
			np.mtu = 255 << parm.Rate.CellLog
		}
	}
	if hasR {
		var r64 uint64
		if x := tb.Get(TCA_POLICE_RATE64); x != nil {
			r64 = x.U64()
		}
		np.rate, np.hasRate = sched.NewRateCfg(parm.Rate, r64), true
	}
	if hasP {
		var r64 uint64
		if x := tb.Get(TCA_POLICE_PEAKRATE64); x != nil {
			r64 = x.U64()
		}
		np.peak, np.hasPeak = sched.NewRateCfg(parm.PeakRate, r64), true
	}
	np.burst = sched.TicksToNs(uint64(parm.Burst))
	if np.hasPeak {
		np.mtuPtoks = int64(np.peak.L2T(np.mtu))
	}
	if x := tb.Get(TCA_POLICE_AVRATE); x != nil {
		np.ewmaRate = x.U32()
	}
	if x := tb.Get(TCA_POLICE_PKTRATE64); x != nil {
		np.hasPPS = true
		np.ppsRate = x.U64()
		np.pktBurst = sched.TicksToNs(tb.Get(TCA_POLICE_PKTBURST64).U64())
		pc := sched.NewRateCfg(tc.RateSpec{}, np.ppsRate)
		np.ppsMult, np.ppsShift = pc.Mult, pc.Shift
	}
	po.mu.Lock()
	po.tc = a.Now()
	po.toks = np.burst
	if np.hasPeak {
		po.ptoks = np.mtuPtoks
	}
	po.mu.Unlock()
	old := a.SetCtrlAct(parm.Action, ch)
	po.p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
