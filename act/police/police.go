// Package police is the policer (act_police.c): a token bucket on a byte
// rate (with an optional peak rate and its own bucket of one MTU), or on a
// packet rate, both on the namespace's clock; packets within the rate get
// the conform verdict (TCA_POLICE_RESULT, default ok), the others the
// exceed verdict (the action's control, default reclassify as tc sends
// it), counted as overlimits (and drops when that verdict is drop). A
// packet longer than the MTU exceeds. avrate polices against the rate
// estimator instead. police is also the old `police` keyword of filters
// (their TCA_*_POLICE attribute).
package police

import (
	"sync"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is police.
var Kind = &sched.ActionKind{ID: "police", Type: TCA_ID_POLICE, Init: initPolice, Offload: true, Syntax: Syntax}

// params are a policer's settings (struct tcf_police_params); a change
// replaces them whole.
type params struct {
	result      int32 // conform verdict
	mtu         uint32
	burst       int64 // ns of the rate
	mtuPtoks    int64 // ns of one MTU at the peak rate
	ewmaRate    uint32
	rate, peak  sched.RateCfg
	hasRate     bool
	hasPeak     bool
	hasPPS      bool
	pktBurst    int64 // ns
	ppsMult     uint32
	ppsShift    uint8
	ppsRate     uint64
	rate64      uint64 // rates as given, for the dump
	peakRate64  uint64
	mtuFromRate bool
}

// pkt2t is psched_pkt2t_ns: the time n packets take at the packet rate.
func (p *params) pkt2t(n uint64) int64 { return int64(n * uint64(p.ppsMult) >> p.ppsShift) }

// police is the kind's part of an action.
type police struct {
	p atomic.Pointer[params]

	mu      sync.Mutex // guards the buckets (tcfp_lock)
	tc      int64      // last conforming packet (ns)
	toks    int64      // ns of rate
	ptoks   int64      // ns of peak rate
	pkttoks int64      // ns of packet rate
}

var _ sched.ActionOps = (*police)(nil)

// mtuCheck is tcf_police_mtu_check: the length at ingress counts the MAC
// header.
func mtuCheck(p *pkt.Packet, limit uint32) bool {
	l := p.PktLen
	if p.AtIngress {
		l += uint32(p.MACLen)
	}
	return l <= limit
}

// Act polices one packet (tcf_police_act).
func (po *police) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	ret := int32(a.Control())
	pr := po.p.Load()
	if pr.ewmaRate != 0 {
		if bps, _, ok := a.RateEstimate(); !ok || bps >= uint64(pr.ewmaRate) {
			return finish(a, ret, true)
		}
	}
	if !mtuCheck(p, pr.mtu) {
		return finish(a, ret, true)
	}
	if !pr.hasRate && !pr.hasPPS {
		return int(pr.result)
	}
	now := a.Now()
	po.mu.Lock()
	toks := min(now-po.tc, pr.burst)
	var ptoks, ppstoks int64
	if pr.hasPeak {
		ptoks = min(toks+po.ptoks, pr.mtuPtoks)
		ptoks -= int64(pr.peak.L2T(p.PktLen))
	}
	if pr.hasRate {
		toks = min(toks+po.toks, pr.burst)
		toks -= int64(pr.rate.L2T(p.PktLen))
	} else if pr.hasPPS {
		ppstoks = min(now-po.tc, pr.pktBurst)
		ppstoks = min(ppstoks+po.pkttoks, pr.pktBurst)
		ppstoks -= pr.pkt2t(1)
	}
	if toks|ptoks|ppstoks >= 0 {
		po.tc, po.toks, po.ptoks, po.pkttoks = now, toks, ptoks, ppstoks
		po.mu.Unlock()
		return finish(a, pr.result, false)
	}
	po.mu.Unlock()
	return finish(a, ret, true)
}

// finish counts an overlimit for an exceeding packet, and a drop when the
// verdict drops it.
func finish(a *sched.Action, ret int32, over bool) int {
	if over {
		a.IncOverlimits()
	}
	if ret == actutil.Shot {
		a.IncDrops()
	}
	return int(ret)
}

// Dump writes the policer (tcf_police_dump).
func (po *police) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := po.p.Load()
	opt := Parms{
		Index:   a.Index,
		Action:  int32(a.Control()),
		MTU:     pr.mtu,
		Burst:   uint32(sched.NsToTicks(pr.burst)),
		Refcnt:  int32(a.RefCount() - ref),
		Bindcnt: int32(a.BindCount() - bind),
	}
	if pr.hasRate {
		opt.Rate = pr.rate.Spec()
		if pr.rate.BytesPerSec >= 1<<32 {
			b.PutU64(TCA_POLICE_RATE64, pr.rate.BytesPerSec)
		}
	}
	if pr.hasPeak {
		opt.PeakRate = pr.peak.Spec()
		if pr.peak.BytesPerSec >= 1<<32 {
			b.PutU64(TCA_POLICE_PEAKRATE64, pr.peak.BytesPerSec)
		}
	}
	if pr.hasPPS {
		b.PutU64(TCA_POLICE_PKTRATE64, pr.ppsRate)
		b.PutU64(TCA_POLICE_PKTBURST64, uint64(sched.NsToTicks(pr.pktBurst)))
	}
	b.Put(TCA_POLICE_TBF, opt.Encode())
	if pr.result != 0 {
		b.PutU32(TCA_POLICE_RESULT, uint32(pr.result))
	}
	if pr.ewmaRate != 0 {
		b.PutU32(TCA_POLICE_AVRATE, pr.ewmaRate)
	}
	actutil.PutTm(b, TCA_POLICE_TM, a)
	return nil
}
