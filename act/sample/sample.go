// Package sample samples packets (act_sample.c): one packet in rate, drawn
// from the namespace's seeded random source, goes to a psample group.
// netsched has no psample netlink family: a sampled packet is counted on
// the action (Sampled) and handed, with the group and the metadata psample
// would report, to the namespace's Psample hook (sched.ActionHooks), if
// one is set.
package sample

import (
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is sample.
var Kind = &sched.ActionKind{ID: "sample", Type: TCA_ID_SAMPLE, Init: initSample, Offload: true, Syntax: Syntax}

// TCA_SAMPLE_* attributes.
const (
	TCA_SAMPLE_UNSPEC = iota
	TCA_SAMPLE_TM
	TCA_SAMPLE_PARMS
	TCA_SAMPLE_RATE
	TCA_SAMPLE_TRUNC_SIZE
	TCA_SAMPLE_PSAMPLE_GROUP
	TCA_SAMPLE_PAD
	TCA_SAMPLE_MAX = TCA_SAMPLE_PAD
)

// TCA_ID_SAMPLE is sample's action type.
const TCA_ID_SAMPLE = 26

type params struct {
	rate, group, truncSize uint32
	truncate               bool
}

type sample struct {
	p       atomic.Pointer[params]
	sampled atomic.Uint64
}

var _ sched.ActionOps = (*sample)(nil)

// Sampled is the number of packets the action sampled.
func Sampled(a *sched.Action) uint64 {
	if s, ok := a.Ops.(*sample); ok {
		return s.sampled.Load()
	}
	return 0
}

// Act samples one packet in rate (tcf_sample_act).
func (s *sample) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	retval := a.Control()
	pr := s.p.Load()
	if a.Random(pr.rate) == 0 {
		s.sampled.Add(1)
		if h := a.Hooks().Psample; h != nil {
			md := sched.Sample{Group: pr.group, Rate: pr.rate, TruncSize: uint32(len(p.Data))}
			if pr.truncate {
				md.TruncSize = pr.truncSize
			}
			if d := actutil.Dev(p); d != nil {
				if p.AtIngress {
					md.InIfindex = d.Ifindex()
				} else {
					md.InIfindex, md.OutIfindex = p.InIfindex, d.Ifindex()
				}
			}
			h(md, p)
		}
	}
	return retval
}

// Dump writes the parameters (tcf_sample_dump).
func (s *sample) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := s.p.Load()
	gen := a.Parms(bind, ref)
	b.Put(TCA_SAMPLE_PARMS, gen[:])
	actutil.PutTm(b, TCA_SAMPLE_TM, a)
	b.PutU32(TCA_SAMPLE_RATE, pr.rate)
	if pr.truncate {
		b.PutU32(TCA_SAMPLE_TRUNC_SIZE, pr.truncSize)
	}
	b.PutU32(TCA_SAMPLE_PSAMPLE_GROUP, pr.group)
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_SAMPLE_PARMS:         {Type: nl.Unspec, Len: actutil.GenLen},
	TCA_SAMPLE_RATE:          {Type: nl.U32},
	TCA_SAMPLE_TRUNC_SIZE:    {Type: nl.U32},
	TCA_SAMPLE_PSAMPLE_GROUP: {Type: nl.U32},
}

// initSample is tcf_sample_init.
func initSample(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_SAMPLE_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pa := tb.Get(TCA_SAMPLE_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &sample{} })
	if err != nil || bound {
		return a, false, err
	}
	if !tb.Has(TCA_SAMPLE_RATE) || !tb.Has(TCA_SAMPLE_PSAMPLE_GROUP) {
		a.Release(r.Bind())
		return nil, false, sched.Err(syscall.EINVAL, "sample rate and group are required")
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	np := &params{rate: tb.Get(TCA_SAMPLE_RATE).U32(), group: tb.Get(TCA_SAMPLE_PSAMPLE_GROUP).U32()}
	if np.rate == 0 {
		sched.PutChain(ch)
		a.Release(r.Bind())
		return nil, false, sched.Err(syscall.EINVAL, "invalid sample rate")
	}
	s := a.Ops.(*sample)
	if x := tb.Get(TCA_SAMPLE_TRUNC_SIZE); x != nil {
		np.truncate, np.truncSize = true, x.U32()
	} else if prev := s.p.Load(); prev != nil {
		// A change without a truncation size keeps the old one.
		np.truncate, np.truncSize = prev.truncate, prev.truncSize
	}
	old := a.SetCtrlAct(parm.Action, ch)
	s.p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
