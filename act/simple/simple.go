// Package simple is the example action (act_simple.c): it counts packets
// and logs "simple: DATA_N" for the Nth, to the namespace's Printk hook
// (sched.ActionHooks), netsched's stand-in for the kernel log.
package simple

import (
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is simple.
var Kind = &sched.ActionKind{ID: "simple", Type: TCA_ID_SIMP, Init: initSimple, Syntax: Syntax}

// TCA_DEF_* attributes.
const (
	TCA_DEF_UNSPEC = iota
	TCA_DEF_TM
	TCA_DEF_PARMS
	TCA_DEF_DATA
	TCA_DEF_PAD
	TCA_DEF_MAX = TCA_DEF_PAD
)

// TCA_ID_SIMP is simple's action type.
const TCA_ID_SIMP = 22

// maxData is SIMP_MAX_DATA: the string with its NUL.
const maxData = 32

type simple struct {
	mu   sync.Mutex // orders the log lines with the count, as tcf_lock
	data atomic.Pointer[string]
}

var _ sched.ActionOps = (*simple)(nil)

// Act counts and logs (tcf_simp_act).
func (s *simple) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	s.mu.Lock()
	a.LastUse()
	a.UpdateBstats(p)
	if h := a.Hooks().Printk; h != nil {
		h("simple: " + *s.data.Load() + "_" + strconv.FormatUint(a.Packets(), 10))
	}
	s.mu.Unlock()
	return a.Control()
}

// Dump writes TCA_DEF_PARMS, TCA_DEF_DATA and TCA_DEF_TM.
func (s *simple) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	gen := a.Parms(bind, ref)
	b.Put(TCA_DEF_PARMS, gen[:])
	b.PutString(TCA_DEF_DATA, *s.data.Load())
	actutil.PutTm(b, TCA_DEF_TM, a)
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_DEF_PARMS: {Type: nl.Unspec, Len: actutil.GenLen},
}

// strscpy is nla_strscpy into SIMP_MAX_DATA bytes: up to the first NUL,
// at most 31 characters.
func strscpy(a *nl.Attr) string {
	s := a.Str()
	if len(s) > maxData-1 {
		s = s[:maxData-1]
	}
	return s
}

// initSimple is tcf_simp_init.
func initSimple(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_DEF_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	if d := tb.Get(TCA_DEF_DATA); d != nil {
		// NLA_STRING of at most 32 bytes, a trailing NUL not counted.
		n := len(d.Data)
		if n > 0 && d.Data[n-1] == 0 {
			n--
		}
		if n > maxData {
			return nil, false, syscall.ERANGE
		}
	}
	pa := tb.Get(TCA_DEF_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	parm := actutil.DecodeGen(pa.Data)
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	data := tb.Get(TCA_DEF_DATA)
	if data == nil {
		actutil.Abandon(r, a, exists, index)
		return nil, false, syscall.EINVAL
	}
	if !exists {
		if a, err = r.Create(index, &simple{}); err != nil {
			r.Cleanup(index)
			return nil, false, err
		}
	} else if !r.Replace() {
		a.Release(r.Bind())
		return nil, false, syscall.EEXIST
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	s := a.Ops.(*simple)
	str := strscpy(data)
	s.mu.Lock()
	old := a.SetCtrlAct(parm.Action, ch)
	s.data.Store(&str)
	s.mu.Unlock()
	sched.PutChain(old)
	return a, !exists, nil
}
