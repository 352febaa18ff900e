package tunnelkey

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// TCA_TUNNEL_KEY_* attributes.
const (
	TCA_TUNNEL_KEY_UNSPEC = iota
	TCA_TUNNEL_KEY_TM
	TCA_TUNNEL_KEY_PARMS
	TCA_TUNNEL_KEY_ENC_IPV4_SRC
	TCA_TUNNEL_KEY_ENC_IPV4_DST
	TCA_TUNNEL_KEY_ENC_IPV6_SRC
	TCA_TUNNEL_KEY_ENC_IPV6_DST
	TCA_TUNNEL_KEY_ENC_KEY_ID
	TCA_TUNNEL_KEY_PAD
	TCA_TUNNEL_KEY_ENC_DST_PORT
	TCA_TUNNEL_KEY_NO_CSUM
	TCA_TUNNEL_KEY_ENC_OPTS
	TCA_TUNNEL_KEY_ENC_TOS
	TCA_TUNNEL_KEY_ENC_TTL
	TCA_TUNNEL_KEY_NO_FRAG
	TCA_TUNNEL_KEY_MAX = TCA_TUNNEL_KEY_NO_FRAG
)

// TCA_TUNNEL_KEY_ENC_OPTS_* and their options' attributes.
const (
	TCA_TUNNEL_KEY_ENC_OPTS_GENEVE = 1
	TCA_TUNNEL_KEY_ENC_OPTS_VXLAN  = 2
	TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN = 3
	TCA_TUNNEL_KEY_ENC_OPTS_MAX    = 3

	TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS = 1
	TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE  = 2
	TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA  = 3
	TCA_TUNNEL_KEY_ENC_OPT_GENEVE_MAX   = 3

	TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP = 1
	TCA_TUNNEL_KEY_ENC_OPT_VXLAN_MAX = 1

	TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER   = 1
	TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX = 2
	TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR   = 3
	TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID  = 4
	TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_MAX   = 4
)

// Verbs (t_action).
const (
	TCA_TUNNEL_KEY_ACT_SET     = 1
	TCA_TUNNEL_KEY_ACT_RELEASE = 2
)

// TCA_ID_TUNNEL_KEY is tunnel_key's action type.
const TCA_ID_TUNNEL_KEY = 17

// ParmsLen is sizeof(struct tc_tunnel_key).
const ParmsLen = actutil.GenLen + 4

var policy = map[uint16]nl.PolicyEntry{
	TCA_TUNNEL_KEY_PARMS:        {Type: nl.Unspec, Len: ParmsLen},
	TCA_TUNNEL_KEY_ENC_IPV4_SRC: {Type: nl.U32},
	TCA_TUNNEL_KEY_ENC_IPV4_DST: {Type: nl.U32},
	TCA_TUNNEL_KEY_ENC_IPV6_SRC: {Type: nl.Unspec, Len: 16},
	TCA_TUNNEL_KEY_ENC_IPV6_DST: {Type: nl.Unspec, Len: 16},
	TCA_TUNNEL_KEY_ENC_KEY_ID:   {Type: nl.U32},
	TCA_TUNNEL_KEY_ENC_DST_PORT: {Type: nl.U16},
	TCA_TUNNEL_KEY_NO_CSUM:      {Type: nl.U8},
	TCA_TUNNEL_KEY_ENC_OPTS:     {Type: nl.Nested},
	TCA_TUNNEL_KEY_ENC_TOS:      {Type: nl.U8},
	TCA_TUNNEL_KEY_ENC_TTL:      {Type: nl.U8},
	TCA_TUNNEL_KEY_NO_FRAG:      {Type: nl.Flag},
}

// initTunnelKey is tunnel_key_init.
func initTunnelKey(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, sched.Err(syscall.EINVAL, "Tunnel requires attributes to be passed")
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_TUNNEL_KEY_MAX, policy)
	if err != nil {
		return nil, false, sched.Err(sched.ErrnoOf(err), "Failed to parse nested tunnel key attributes")
	}
	pa := tb.Get(TCA_TUNNEL_KEY_PARMS)
	if pa == nil {
		return nil, false, sched.Err(syscall.EINVAL, "Missing tunnel key parameters")
	}
	parm := actutil.DecodeGen(pa.Data)
	tAction := int32(binary.NativeEndian.Uint32(pa.Data[20:24]))
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	refuse := func(err error) (*sched.Action, bool, error) {
		actutil.Abandon(r, a, exists, index)
		return nil, false, err
	}
	np := &params{action: tAction}
	switch tAction {
	case TCA_TUNNEL_KEY_ACT_RELEASE:
	case TCA_TUNNEL_KEY_ACT_SET:
		in := &pkt.TunnelInfo{}
		if x := tb.Get(TCA_TUNNEL_KEY_ENC_KEY_ID); x != nil {
			in.KeyID = binary.BigEndian.Uint32(x.Data)
			in.Flags = FlagKey
		}
		in.Flags |= FlagCsum
		if x := tb.Get(TCA_TUNNEL_KEY_NO_CSUM); x != nil && x.U8() != 0 {
			in.Flags &^= FlagCsum
		}
		if tb.Has(TCA_TUNNEL_KEY_NO_FRAG) {
			in.Flags |= FlagDontFragment
		}
		if x := tb.Get(TCA_TUNNEL_KEY_ENC_DST_PORT); x != nil {
			in.DstPort = binary.BigEndian.Uint16(x.Data)
		}
		if x := tb.Get(TCA_TUNNEL_KEY_ENC_OPTS); x != nil {
			opts, _, err := parseOpts(x)
			if err != nil {
				return refuse(err)
			}
			np.opts = opts
		}
		if x := tb.Get(TCA_TUNNEL_KEY_ENC_TOS); x != nil {
			in.TOS = x.U8()
		}
		if x := tb.Get(TCA_TUNNEL_KEY_ENC_TTL); x != nil {
			in.TTL = x.U8()
		}
		s4, d4 := tb.Get(TCA_TUNNEL_KEY_ENC_IPV4_SRC), tb.Get(TCA_TUNNEL_KEY_ENC_IPV4_DST)
		s6, d6 := tb.Get(TCA_TUNNEL_KEY_ENC_IPV6_SRC), tb.Get(TCA_TUNNEL_KEY_ENC_IPV6_DST)
		switch {
		case s4 != nil && d4 != nil:
			copy(in.Src[:4], s4.Data)
			copy(in.Dst[:4], d4.Data)
		case s6 != nil && d6 != nil:
			in.IPv6 = true
			copy(in.Src[:], s6.Data)
			copy(in.Dst[:], d6.Data)
		default:
			return refuse(sched.Err(syscall.EINVAL, "Missing either ipv4 or ipv6 src and dst"))
		}
		if len(np.opts) > 0 {
			var flag uint16
			in.Options, flag = optsBytes(np.opts)
			in.Flags |= flag
		}
		np.info = in
	default:
		return refuse(sched.Err(syscall.EINVAL, "Unknown tunnel key action"))
	}
	created := false
	if !exists {
		if a, err = r.Create(index, &tunnelKey{}); err != nil {
			r.Cleanup(index)
			return nil, false, sched.Err(sched.ErrnoOf(err), "Cannot create TC IDR")
		}
		created = true
	} else if !r.Replace() {
		a.Release(r.Bind())
		return nil, false, sched.Err(syscall.EEXIST, "TC IDR already exists")
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	old := a.SetCtrlAct(parm.Action, ch)
	a.Ops.(*tunnelKey).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
