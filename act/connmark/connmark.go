// Package connmark restores a packet's mark from its conntrack entry
// (act_connmark.c). netsched has no connection tracking: no packet has an
// entry to find, so the action counts the packet and returns its verdict,
// exactly what the kernel does for a packet without one (the overlimits
// counter, which counts restored marks, stays 0).
package connmark

import (
	"encoding/binary"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is connmark.
var Kind = &sched.ActionKind{ID: "connmark", Type: TCA_ID_CONNMARK, Init: initConnmark, Syntax: Syntax}

// TCA_CONNMARK_* attributes.
const (
	TCA_CONNMARK_UNSPEC = iota
	TCA_CONNMARK_PARMS
	TCA_CONNMARK_TM
	TCA_CONNMARK_PAD
	TCA_CONNMARK_MAX = TCA_CONNMARK_PAD
)

// TCA_ID_CONNMARK is connmark's action type.
const TCA_ID_CONNMARK = 14

// ParmsLen is sizeof(struct tc_connmark): tc_gen and a u16 zone, padded.
const ParmsLen = actutil.GenLen + 4

type connmark struct {
	zone atomic.Uint32
}

var _ sched.ActionOps = (*connmark)(nil)

// Act counts the packet; with no conntrack entry the mark stays.
func (c *connmark) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	return a.Control()
}

// Dump writes TCA_CONNMARK_PARMS and TCA_CONNMARK_TM.
func (c *connmark) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint16(opt[20:], uint16(c.zone.Load()))
	b.Put(TCA_CONNMARK_PARMS, opt)
	actutil.PutTm(b, TCA_CONNMARK_TM, a)
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_CONNMARK_PARMS: {Type: nl.Unspec, Len: ParmsLen},
}

// initConnmark is tcf_connmark_init.
func initConnmark(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_CONNMARK_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pa := tb.Get(TCA_CONNMARK_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &connmark{} })
	if err != nil || bound {
		return a, false, err
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*connmark).zone.Store(uint32(binary.NativeEndian.Uint16(pa.Data[20:])))
	sched.PutChain(old)
	return a, created, nil
}
