package mirred

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_MIRRED_* attributes.
const (
	TCA_MIRRED_UNSPEC = iota
	TCA_MIRRED_TM
	TCA_MIRRED_PARMS
	TCA_MIRRED_PAD
	TCA_MIRRED_BLOCKID // u32: send to every device of this shared block
	TCA_MIRRED_MAX     = TCA_MIRRED_BLOCKID
)

// TCA_ID_MIRRED is mirred's action type.
const TCA_ID_MIRRED = 8

// Directions and verbs (eaction).
const (
	TCA_EGRESS_REDIR   = 1
	TCA_EGRESS_MIRROR  = 2
	TCA_INGRESS_REDIR  = 3
	TCA_INGRESS_MIRROR = 4
)

// ParmsLen is sizeof(struct tc_mirred).
const ParmsLen = actutil.GenLen + 8

// Parms is struct tc_mirred.
type Parms struct {
	actutil.Gen
	Eaction int32
	Ifindex uint32
}

// Encode writes struct tc_mirred.
func (p Parms) Encode() []byte {
	b := make([]byte, ParmsLen)
	p.Gen.Put(b)
	binary.NativeEndian.PutUint32(b[20:], uint32(p.Eaction))
	binary.NativeEndian.PutUint32(b[24:], p.Ifindex)
	return b
}

// DecodeParms reads struct tc_mirred.
func DecodeParms(b []byte) Parms {
	b = actutil.Fixed(b, ParmsLen)
	return Parms{Gen: actutil.DecodeGen(b), Eaction: int32(binary.NativeEndian.Uint32(b[20:])),
		Ifindex: binary.NativeEndian.Uint32(b[24:])}
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_MIRRED_PARMS:   {Type: nl.Unspec, Len: ParmsLen},
	TCA_MIRRED_BLOCKID: {Type: nl.U32},
}

// modErr is NL_SET_ERR_MSG_MOD: the module's name before the text.
func modErr(msg string) error { return sched.Err(syscall.EINVAL, "act_mirred: "+msg) }

// initMirred is tcf_mirred_init.
func initMirred(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, modErr("Mirred requires attributes to be passed")
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_MIRRED_MAX, policy)
	if err != nil {
		return nil, false, err
	}
	var blockid uint32
	if ba := tb.Get(TCA_MIRRED_BLOCKID); ba != nil {
		// The policy's NLA_POLICY_MIN(NLA_U32, 1), checked as the
		// attributes are parsed.
		if blockid = ba.U32(); blockid == 0 {
			return nil, false, sched.Err(syscall.ERANGE, "integer out of range")
		}
	}
	pa := tb.Get(TCA_MIRRED_PARMS)
	if pa == nil {
		return nil, false, modErr("Missing required mirred parameters")
	}
	parm := DecodeParms(pa.Data)
	index := parm.Index
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, err
	}
	if exists && r.Bind() {
		return a, false, nil
	}
	if blockid != 0 && parm.Ifindex != 0 {
		actutil.Abandon(r, a, exists, index)
		return nil, false, modErr("Cannot specify Block ID and dev simultaneously")
	}
	switch parm.Eaction {
	case TCA_EGRESS_MIRROR, TCA_EGRESS_REDIR, TCA_INGRESS_REDIR, TCA_INGRESS_MIRROR:
	default:
		actutil.Abandon(r, a, exists, index)
		return nil, false, modErr("Unknown mirred option")
	}
	created := false
	if !exists {
		if parm.Ifindex == 0 && blockid == 0 {
			r.Cleanup(index)
			return nil, false, modErr("Must specify device or block")
		}
		if a, err = r.Create(index, &mirred{}); err != nil {
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
	m := a.Ops.(*mirred)
	np := &params{eaction: parm.Eaction}
	if old := m.p.Load(); old != nil {
		np.ifindex, np.dev, np.blockid = old.ifindex, old.dev, old.blockid
	}
	if blockid != 0 {
		np.ifindex, np.dev, np.blockid = 0, nil, blockid
	}
	if parm.Ifindex != 0 {
		var d *sched.Dev
		if fw := r.Net.Forwarder; fw != nil {
			d = fw.Device(int32(parm.Ifindex))
		}
		if d == nil {
			sched.PutChain(ch)
			a.Release(r.Bind())
			return nil, false, syscall.ENODEV
		}
		np.ifindex, np.dev, np.blockid = int32(parm.Ifindex), d, 0
	}
	old := a.SetCtrlAct(parm.Action, ch)
	m.p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
