package mpls

import (
	"encoding/binary"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is mpls's tc face (m_mpls.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: mpls pop [ protocol MPLS_PROTO ] [CONTROL]\n" +
	"       mpls push [ protocol MPLS_PROTO ] [ label MPLS_LABEL ] [ tc MPLS_TC ]\n" +
	"                 [ ttl MPLS_TTL ] [ bos MPLS_BOS ] [CONTROL]\n" +
	"       mpls mac_push [ protocol MPLS_PROTO ] [ label MPLS_LABEL ] [ tc MPLS_TC ]\n" +
	"                     [ ttl MPLS_TTL ] [ bos MPLS_BOS ] [CONTROL]\n" +
	"       mpls modify [ label MPLS_LABEL ] [ tc MPLS_TC ] [ ttl MPLS_TTL ]\n" +
	"                   [ bos MPLS_BOS ] [CONTROL]\n" +
	"           for pop, MPLS_PROTO is next header of packet - e.g. ip or mpls_uc\n" +
	"           for push and mac_push, MPLS_PROTO is one of mpls_uc or mpls_mc\n" +
	"               with default: mpls_uc\n" +
	"       CONTROL := reclassify | pipe | drop | continue | pass |\n" +
	"                  goto chain <CHAIN_INDEX>"

var actionNames = map[int32]string{
	TCA_MPLS_ACT_POP: "pop", TCA_MPLS_ACT_PUSH: "push", TCA_MPLS_ACT_MODIFY: "modify",
	TCA_MPLS_ACT_DEC_TTL: "dec_ttl", TCA_MPLS_ACT_MAC_PUSH: "mac_push",
}

func canModify(a int32) bool {
	return a == TCA_MPLS_ACT_PUSH || a == TCA_MPLS_ACT_MAC_PUSH || a == TCA_MPLS_ACT_MODIFY
}

func canSetEthtype(a int32) bool {
	return a == TCA_MPLS_ACT_PUSH || a == TCA_MPLS_ACT_MAC_PUSH || a == TCA_MPLS_ACT_POP
}

// ParseAction reads `mpls VERB [label L] [tc T] [ttl T] [bos B]
// [protocol P] [CONTROL] [index N]` (parse_mpls), or `mpls index N`, a
// reference to an existing action, as iproute2 releases after 6.1 read
// it (tdc's infra/actions 7a70).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "mpls") {
		return tc.Usagef("")
	}
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	if a.Peek() == "index" {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		var gen actutil.Gen
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.InvArg("illegal index", v)
		}
		parms := make([]byte, ParmsLen)
		gen.Put(parms)
		b.Nest(attr | nl.NLA_F_NESTED)
		b.Put(TCA_MPLS_PARMS, parms)
		b.EndNest()
		return nil
	}
	label := uint32(labelNotSet)
	var action int32
	var proto uint16
	bos, tcv, ttl := uint8(bosNotSet), uint8(tcNotSet), uint8(0)
	// value is NEXT_ARG: the option's argument, left for the a.Next()
	// at the end of the loop.
	value := func() (string, error) {
		a.Next()
		if !a.More() {
			return "", tc.Incomplete()
		}
		return a.Peek(), nil
	}
loop:
	for a.More() {
		w := a.Peek()
		verb := int32(0)
		switch {
		case tc.Matches(w, "pop"):
			verb = TCA_MPLS_ACT_POP
		case tc.Matches(w, "push"):
			verb = TCA_MPLS_ACT_PUSH
		case tc.Matches(w, "modify"):
			verb = TCA_MPLS_ACT_MODIFY
		case tc.Matches(w, "mac_push"):
			verb = TCA_MPLS_ACT_MAC_PUSH
		case tc.Matches(w, "dec_ttl"):
			verb = TCA_MPLS_ACT_DEC_TTL
		case tc.Matches(w, "label"), tc.Matches(w, "tc"), tc.Matches(w, "ttl"), tc.Matches(w, "bos"):
			if !canModify(action) {
				return tc.InvArg("only valid for push, mac_push and modify", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			switch {
			case tc.Matches(w, "label"):
				if label, err = tc.GetU32(v, 0); err != nil || label > 0xfffff {
					return tc.InvArg("label must be <=0xFFFFF", v)
				}
			case tc.Matches(w, "tc"):
				if tcv, err = tc.GetU8(v, 0); err != nil || tcv&^7 != 0 {
					return tc.InvArg("tc field is 3 bits max", v)
				}
			case tc.Matches(w, "ttl"):
				if ttl, err = tc.GetU8(v, 0); err != nil || ttl == 0 {
					return tc.InvArg("ttl must be >0 and <=255", v)
				}
			default:
				if bos, err = tc.GetU8(v, 0); err != nil || bos&^1 != 0 {
					return tc.InvArg("bos must be 0 or 1", v)
				}
			}
		case tc.Matches(w, "protocol"):
			if !canSetEthtype(action) {
				return tc.InvArg("only valid for push, mac_push and pop", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			var ok bool
			if proto, ok = actutil.ProtoByName(v); !ok {
				return tc.InvArg("protocol is invalid", v)
			}
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		if verb != 0 {
			if action != 0 {
				return tc.Usagef("Error: got \"%s\" but action already set to \"%s\"\n%s", w, actionNames[action], explain)
			}
			action = verb
		}
		a.Next()
	}
	if action == 0 {
		return tc.Incomplete()
	}
	var gen actutil.Gen
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	if a.More() && tc.Matches(a.Peek(), "index") {
		v, err := func() (string, error) { a.Next(); return a.Value() }()
		if err != nil {
			return err
		}
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.InvArg("illegal index", v)
		}
	}
	if action == TCA_MPLS_ACT_PUSH && label == labelNotSet {
		return tc.MissArg("label")
	}
	if (action == TCA_MPLS_ACT_PUSH || action == TCA_MPLS_ACT_MAC_PUSH) && proto != 0 && !actutil.IsMPLS(proto) {
		mac := ""
		if action == TCA_MPLS_ACT_MAC_PUSH {
			mac = "mac_"
		}
		return tc.Usagef("invalid %spush protocol \"0x%04x\" - use mpls_(uc|mc)", mac, proto)
	}
	if action == TCA_MPLS_ACT_POP && proto == 0 {
		return tc.MissArg("protocol")
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint32(parms[20:], uint32(action))
	b.Nest(attr | nl.NLA_F_NESTED)
	b.Put(TCA_MPLS_PARMS, parms)
	if label != labelNotSet {
		b.PutU32(TCA_MPLS_LABEL, label)
	}
	if proto != 0 {
		var be [2]byte
		binary.BigEndian.PutUint16(be[:], proto)
		b.Put(TCA_MPLS_PROTO, be[:])
	}
	if tcv != tcNotSet {
		b.PutU8(TCA_MPLS_TC, tcv)
	}
	if ttl != 0 {
		b.PutU8(TCA_MPLS_TTL, ttl)
	}
	if bos != bosNotSet {
		b.PutU8(TCA_MPLS_BOS, bos)
	}
	b.EndNest()
	return nil
}

// PrintAction prints an mpls action (print_mpls).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "mpls")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_MPLS_MAX)
	pa := tb.Get(TCA_MPLS_PARMS)
	if pa == nil {
		return tc.Fail("[NULL mpls parameters]")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	ma := int32(binary.NativeEndian.Uint32(d[20:]))
	p.String(tc.Any, "mpls_action", " %s", actionNames[ma])
	proto := func() {
		if x := tb.Get(TCA_MPLS_PROTO); x != nil && len(x.Data) >= 2 {
			p.String(tc.Any, "protocol", " protocol %s", actutil.ProtoName(binary.BigEndian.Uint16(x.Data)))
		}
	}
	switch ma {
	case TCA_MPLS_ACT_POP:
		proto()
	case TCA_MPLS_ACT_PUSH, TCA_MPLS_ACT_MAC_PUSH, TCA_MPLS_ACT_MODIFY:
		if ma != TCA_MPLS_ACT_MODIFY {
			proto()
		}
		if x := tb.Get(TCA_MPLS_LABEL); x != nil && len(x.Data) >= 4 {
			p.Uint(tc.Any, "label", " label %d", uint64(x.U32()))
		}
		for _, f := range []struct {
			t   uint16
			key string
		}{{TCA_MPLS_TC, "tc"}, {TCA_MPLS_BOS, "bos"}, {TCA_MPLS_TTL, "ttl"}} {
			if x := tb.Get(f.t); x != nil && len(x.Data) >= 1 {
				p.Uint(tc.Any, f.key, " "+f.key+" %d", uint64(x.U8()))
			}
		}
	}
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_MPLS_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
