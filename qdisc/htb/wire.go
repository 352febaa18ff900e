package htb

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Attributes of htb's TCA_OPTIONS (TCA_HTB_*).
const (
	TCA_HTB_UNSPEC = iota
	TCA_HTB_PARMS
	TCA_HTB_INIT
	TCA_HTB_CTAB
	TCA_HTB_RTAB
	TCA_HTB_DIRECT_QLEN
	TCA_HTB_RATE64
	TCA_HTB_CEIL64
	TCA_HTB_PAD
	TCA_HTB_OFFLOAD
	TCA_HTB_MAX = TCA_HTB_OFFLOAD
)

// Protocol versions: tc sends major 3 (TC_HTB_PROTOVER); the kernel dumps
// its own full version (HTB_VER).
const (
	ProtoVersion = 3
	kernelVer    = 0x30011
)

// Limits of the hierarchy (TC_HTB_MAXDEPTH, TC_HTB_NUMPRIO).
const (
	MaxDepth = 8
	NumPrio  = 8
)

// Sizes of the structures on the wire.
const (
	optLen    = 2*tc.RateSpecLen + 5*4 // struct tc_htb_opt
	globLen   = 5 * 4                  // struct tc_htb_glob
	xstatsLen = 5 * 4                  // struct tc_htb_xstats
)

// policy is htb_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_HTB_PARMS:       {Type: nl.Unspec, Len: optLen},
	TCA_HTB_INIT:        {Type: nl.Unspec, Len: globLen},
	TCA_HTB_CTAB:        {Type: nl.Binary, Len: sched.RateTableSize},
	TCA_HTB_RTAB:        {Type: nl.Binary, Len: sched.RateTableSize},
	TCA_HTB_DIRECT_QLEN: {Type: nl.U32},
	TCA_HTB_RATE64:      {Type: nl.U64},
	TCA_HTB_CEIL64:      {Type: nl.U64},
	TCA_HTB_OFFLOAD:     {Type: nl.Flag},
}

// Glob is struct tc_htb_glob: the qdisc's own options.
type Glob struct {
	Version      uint32
	Rate2Quantum uint32
	DefCls       uint32 // minor of the default class
	Debug        uint32
	DirectPkts   uint32 // dump only: packets sent through the direct queue
}

// DecodeGlob reads a tc_htb_glob (at least globLen bytes).
func DecodeGlob(b []byte) Glob {
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return Glob{Version: u(0), Rate2Quantum: u(1), DefCls: u(2), Debug: u(3), DirectPkts: u(4)}
}

// Append writes the 20-byte tc_htb_glob.
func (g Glob) Append(b []byte) []byte {
	for _, v := range []uint32{g.Version, g.Rate2Quantum, g.DefCls, g.Debug, g.DirectPkts} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// Opt is struct tc_htb_opt: one class's parameters. Buffer and CBuffer are
// in psched ticks: the time the burst takes at rate and ceil.
type Opt struct {
	Rate, Ceil      tc.RateSpec
	Buffer, CBuffer uint32
	Quantum         uint32
	Level           uint32 // dump only
	Prio            uint32
}

// DecodeOpt reads a tc_htb_opt (at least optLen bytes).
func DecodeOpt(b []byte) Opt {
	u := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
	return Opt{
		Rate:    tc.DecodeRateSpec(b[0:]),
		Ceil:    tc.DecodeRateSpec(b[12:]),
		Buffer:  u(24),
		CBuffer: u(28),
		Quantum: u(32),
		Level:   u(36),
		Prio:    u(40),
	}
}

// Append writes the 44-byte tc_htb_opt.
func (o Opt) Append(b []byte) []byte {
	b = append(b, o.Rate.Encode()...)
	b = append(b, o.Ceil.Encode()...)
	for _, v := range []uint32{o.Buffer, o.CBuffer, o.Quantum, o.Level, o.Prio} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// Xstats is struct tc_htb_xstats, a class's statistics of its own; tokens
// are in psched ticks, negative while in debt.
type Xstats struct {
	Lends, Borrows, Giants uint32
	Tokens, CTokens        int32
}

// DecodeXstats reads a tc_htb_xstats.
func DecodeXstats(b []byte) (Xstats, error) {
	if len(b) < xstatsLen {
		return Xstats{}, syscall.EINVAL
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return Xstats{Lends: u(0), Borrows: u(1), Giants: u(2), Tokens: int32(u(3)), CTokens: int32(u(4))}, nil
}

// Append writes the 20-byte tc_htb_xstats.
func (x Xstats) Append(b []byte) []byte {
	for _, v := range []uint32{x.Lends, x.Borrows, x.Giants, uint32(x.Tokens), uint32(x.CTokens)} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// parse reads TCA_OPTIONS with htb_policy. Qdisc init parses without an
// extack (quiet), class changes with one.
func parse(opt *nl.Attr, quiet bool) (nl.Attrs, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_HTB_MAX, policy)
	if err != nil && quiet {
		return nil, sched.Quiet(err)
	}
	return tb, err
}

// u64 reads an optional u64 attribute (nla_get_u64_default with 0).
func u64(a *nl.Attr) uint64 {
	if a == nil {
		return 0
	}
	return a.U64()
}
