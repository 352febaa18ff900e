package gact

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_GACT_* attributes inside TCA_ACT_OPTIONS.
const (
	TCA_GACT_UNSPEC = iota
	TCA_GACT_TM
	TCA_GACT_PARMS
	TCA_GACT_PROB
	TCA_GACT_PAD
	TCA_GACT_MAX = TCA_GACT_PAD
)

// TCA_ID_GACT is gact's action type.
const TCA_ID_GACT = 5

// Random types (PGACT_*).
const (
	PGACT_NONE = iota
	PGACT_NETRAND
	PGACT_DETERM
	MAX_RAND
)

// ProbLen is sizeof(struct tc_gact_p).
const ProbLen = 8

// Prob is struct tc_gact_p.
type Prob struct {
	Ptype   uint16
	Pval    uint16
	Paction int32
}

// Encode writes struct tc_gact_p.
func (p Prob) Encode() []byte {
	b := make([]byte, ProbLen)
	binary.NativeEndian.PutUint16(b[0:], p.Ptype)
	binary.NativeEndian.PutUint16(b[2:], p.Pval)
	binary.NativeEndian.PutUint32(b[4:], uint32(p.Paction))
	return b
}

// DecodeProb reads struct tc_gact_p (zero-padded if short).
func DecodeProb(b []byte) Prob {
	b = actutil.Fixed(b, ProbLen)
	return Prob{
		Ptype:   binary.NativeEndian.Uint16(b[0:]),
		Pval:    binary.NativeEndian.Uint16(b[2:]),
		Paction: int32(binary.NativeEndian.Uint32(b[4:])),
	}
}

// policy is gact_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_GACT_PARMS: {Type: nl.Unspec, Len: actutil.GenLen},
	TCA_GACT_PROB:  {Type: nl.Unspec, Len: ProbLen},
}

// Config is what a gact action's options carry.
type Config struct {
	Parms   actutil.Gen
	Prob    Prob
	HasProb bool
}

// Decode reads TCA_ACT_OPTIONS as tcf_gact_init does, without an extack:
// errors carry the errno only.
func Decode(opt *nl.Attr) (Config, error) {
	var c Config
	if opt == nil {
		return c, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(opt.Data, TCA_GACT_MAX, policy)
	if err != nil {
		return c, sched.Quiet(err)
	}
	p := tb.Get(TCA_GACT_PARMS)
	if p == nil {
		return c, syscall.EINVAL
	}
	c.Parms = actutil.DecodeGen(p.Data)
	if a := tb.Get(TCA_GACT_PROB); a != nil {
		c.Prob, c.HasProb = DecodeProb(a.Data), true
	}
	return c, nil
}

// Encode writes the options a request carries.
func (c Config) Encode(b *nl.Builder) {
	var parms [actutil.GenLen]byte
	c.Parms.Put(parms[:])
	b.Put(TCA_GACT_PARMS, parms[:])
	if c.HasProb {
		b.Put(TCA_GACT_PROB, c.Prob.Encode())
	}
}

// initGact is tcf_gact_init.
func initGact(r *sched.ActInit) (*sched.Action, bool, error) {
	c, err := Decode(r.Options)
	if err != nil {
		return nil, false, err
	}
	if c.HasProb {
		if c.Prob.Ptype >= MAX_RAND {
			return nil, false, syscall.EINVAL
		}
		if uint32(c.Prob.Paction)&actutil.ExtMask == uint32(actutil.GotoChain) {
			return nil, false, sched.Err(syscall.EINVAL, "goto chain not allowed on fallback")
		}
	}
	a, created, bound, err := actutil.Obtain(r, c.Parms.Index, func() sched.ActionOps { return &gact{} })
	if err != nil || bound {
		return a, false, err
	}
	ch, err := r.CheckCtrlAct(c.Parms.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	g := a.Ops.(*gact)
	old := a.SetCtrlAct(c.Parms.Action, ch)
	if c.HasProb {
		g.prob.Store(&prob{ptype: c.Prob.Ptype, pval: max(1, c.Prob.Pval), paction: c.Prob.Paction})
	}
	sched.PutChain(old)
	return a, created, nil
}
