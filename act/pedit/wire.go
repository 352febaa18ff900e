package pedit

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_PEDIT_* attributes.
const (
	TCA_PEDIT_UNSPEC = iota
	TCA_PEDIT_TM
	TCA_PEDIT_PARMS
	TCA_PEDIT_PAD
	TCA_PEDIT_PARMS_EX
	TCA_PEDIT_KEYS_EX
	TCA_PEDIT_KEY_EX
	TCA_PEDIT_MAX = TCA_PEDIT_KEY_EX

	TCA_PEDIT_KEY_EX_HTYPE = 1
	TCA_PEDIT_KEY_EX_CMD   = 2
	TCA_PEDIT_KEY_EX_MAX   = 2
)

// Header types and commands of extended keys.
const (
	TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK = 0
	TCA_PEDIT_KEY_EX_HDR_TYPE_ETH     = 1
	TCA_PEDIT_KEY_EX_HDR_TYPE_IP4     = 2
	TCA_PEDIT_KEY_EX_HDR_TYPE_IP6     = 3
	TCA_PEDIT_KEY_EX_HDR_TYPE_TCP     = 4
	TCA_PEDIT_KEY_EX_HDR_TYPE_UDP     = 5
	TCA_PEDIT_HDR_TYPE_MAX            = 5

	TCA_PEDIT_KEY_EX_CMD_SET = 0
	TCA_PEDIT_KEY_EX_CMD_ADD = 1
	TCA_PEDIT_CMD_MAX        = 1
)

// TCA_ID_PEDIT is pedit's action type.
const TCA_ID_PEDIT = 7

// SelLen is sizeof(struct tc_pedit_sel) without keys; KeyLen is one key.
const (
	SelLen = 24
	KeyLen = 24
)

// Sel is struct tc_pedit_sel with its keys.
type Sel struct {
	actutil.Gen
	Nkeys uint8 // as sent; Encode writes len(Keys)
	Flags uint8
	Keys  []Key
}

// Encode writes struct tc_pedit_sel and its keys.
func (s Sel) Encode() []byte {
	b := make([]byte, SelLen+KeyLen*len(s.Keys))
	s.Gen.Put(b)
	b[20] = uint8(len(s.Keys))
	b[21] = s.Flags
	for i, k := range s.Keys {
		o := b[SelLen+KeyLen*i:]
		for j, v := range []uint32{k.Mask, k.Val, k.Off, k.At, k.Offmask, k.Shift} {
			binary.NativeEndian.PutUint32(o[4*j:], v)
		}
	}
	return b
}

// DecodeSel reads struct tc_pedit_sel and as many of its nkeys keys as
// the payload holds.
func DecodeSel(b []byte) Sel {
	b = actutil.Fixed(b, SelLen)
	s := Sel{Gen: actutil.DecodeGen(b), Nkeys: b[20], Flags: b[21]}
	for i := 0; i < int(s.Nkeys) && SelLen+KeyLen*(i+1) <= len(b); i++ {
		o := b[SelLen+KeyLen*i:]
		g := func(j int) uint32 { return binary.NativeEndian.Uint32(o[4*j:]) }
		s.Keys = append(s.Keys, Key{g(0), g(1), g(2), g(3), g(4), g(5)})
	}
	return s
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_PEDIT_PARMS:    {Type: nl.Unspec, Len: SelLen},
	TCA_PEDIT_PARMS_EX: {Type: nl.Unspec, Len: SelLen},
	TCA_PEDIT_KEYS_EX:  {Type: nl.Nested},
}

func modErr(msg string) error { return sched.Err(syscall.EINVAL, "act_pedit: "+msg) }

// parseKeysEx is tcf_pedit_keys_ex_parse: exactly n extended keys.
func parseKeysEx(a *nl.Attr, n int) ([]KeyEx, error) {
	out := make([]KeyEx, 0, n)
	var err error
	nl.Walk(a.Data, func(ka nl.Attr) bool {
		if n == 0 {
			err = modErr("Can't parse more extended keys than requested")
			return false
		}
		n--
		if ka.Type != TCA_PEDIT_KEY_EX {
			err = sched.Err(syscall.EINVAL, "Unknown attribute, expected extended key")
			return false
		}
		tb, perr := sched.ParseOptions(ka.Data, TCA_PEDIT_KEY_EX_MAX, map[uint16]nl.PolicyEntry{
			TCA_PEDIT_KEY_EX_HTYPE: {Type: nl.U16}, TCA_PEDIT_KEY_EX_CMD: {Type: nl.U16},
		})
		if perr != nil {
			err = sched.Quiet(perr)
			return false
		}
		h, c := tb.Get(TCA_PEDIT_KEY_EX_HTYPE), tb.Get(TCA_PEDIT_KEY_EX_CMD)
		// NLA_POLICY_MAX: out of range is ERANGE.
		if (h != nil && h.U16() > TCA_PEDIT_HDR_TYPE_MAX) || (c != nil && c.U16() > TCA_PEDIT_CMD_MAX) {
			err = syscall.ERANGE
			return false
		}
		if h == nil || c == nil {
			err = sched.Err(syscall.EINVAL, "Missing required attribute")
			return false
		}
		out = append(out, KeyEx{HType: h.U16(), Cmd: c.U16()})
		return true
	})
	if err != nil {
		return nil, err
	}
	if n != 0 {
		return nil, modErr("Not enough extended keys to parse")
	}
	return out, nil
}

// initPedit is tcf_pedit_init.
func initPedit(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, modErr("Pedit requires attributes to be passed")
	}
	tb, err := sched.ParseOptions(r.Options.Data, TCA_PEDIT_MAX, policy)
	if err != nil {
		return nil, false, sched.Quiet(err)
	}
	pattr := tb.Get(TCA_PEDIT_PARMS)
	if pattr == nil {
		pattr = tb.Get(TCA_PEDIT_PARMS_EX)
	}
	if pattr == nil {
		return nil, false, modErr("Missing required TCA_PEDIT_PARMS or TCA_PEDIT_PARMS_EX pedit attribute")
	}
	sel := DecodeSel(pattr.Data)
	a, created, bound, err := actutil.Obtain(r, sel.Index, func() sched.ActionOps { return &pedit{} })
	if err != nil || bound {
		return a, false, err
	}
	fail := func(ch *sched.Chain, err error) (*sched.Action, bool, error) {
		sched.PutChain(ch)
		a.Release(r.Bind())
		return nil, false, err
	}
	if sel.Nkeys == 0 {
		return fail(nil, modErr("Pedit requires keys to be passed"))
	}
	if len(pattr.Data) < SelLen+KeyLen*int(sel.Nkeys) {
		return fail(nil, modErr("Length of TCA_PEDIT_PARMS or TCA_PEDIT_PARMS_EX pedit attribute is invalid"))
	}
	np := &params{flags: sel.Flags, keys: sel.Keys}
	if x := tb.Get(TCA_PEDIT_KEYS_EX); x != nil {
		if np.keysEx, err = parseKeysEx(x, int(sel.Nkeys)); err != nil {
			return fail(nil, err)
		}
	}
	ch, err := r.CheckCtrlAct(sel.Action)
	if err != nil {
		return fail(nil, err)
	}
	for i := range np.keys {
		k := &np.keys[i]
		if k.Offmask == 0 && k.Off%4 != 0 {
			return fail(ch, modErr("Offsets must be on 32bit boundaries"))
		}
		k.Shift = min(31, k.Shift)
	}
	old := a.SetCtrlAct(sel.Action, ch)
	a.Ops.(*pedit).p.Store(np)
	sched.PutChain(old)
	return a, created, nil
}
