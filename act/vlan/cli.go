package vlan

import (
	"encoding/binary"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is vlan's tc face (m_vlan.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: vlan pop [CONTROL]\n" +
	"       vlan push [ protocol VLANPROTO ] id VLANID [ priority VLANPRIO ] [CONTROL]\n" +
	"       vlan modify [ protocol VLANPROTO ] id VLANID [ priority VLANPRIO ] [CONTROL]\n" +
	"       vlan pop_eth [CONTROL]\n" +
	"       vlan push_eth dst_mac LLADDR src_mac LLADDR [CONTROL]\n" +
	"       VLANPROTO is one of 802.1Q or 802.1AD\n" +
	"            with default: 802.1Q\n" +
	"       CONTROL := reclassify | pipe | drop | continue | pass |\n" +
	"                  goto chain <CHAIN_INDEX>"

var actionNames = map[int32]string{
	TCA_VLAN_ACT_POP: "pop", TCA_VLAN_ACT_PUSH: "push", TCA_VLAN_ACT_MODIFY: "modify",
	TCA_VLAN_ACT_POP_ETH: "pop_eth", TCA_VLAN_ACT_PUSH_ETH: "push_eth",
}

func pushAttrs(a int32) bool { return a == TCA_VLAN_ACT_PUSH || a == TCA_VLAN_ACT_MODIFY }

// ParseAction reads `vlan VERB [protocol P] [id N] [priority N]
// [dst_mac M src_mac M] [CONTROL] [index N]` (parse_vlan).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "vlan") {
		return tc.Usagef("")
	}
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	var action int32
	var id, proto uint16
	var prio uint8
	var dst, src [6]byte
	idSet, protoSet, prioSet, dstSet, srcSet := false, false, false, false, false
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
			verb = TCA_VLAN_ACT_POP
		case tc.Matches(w, "push"):
			verb = TCA_VLAN_ACT_PUSH
		case tc.Matches(w, "modify"):
			verb = TCA_VLAN_ACT_MODIFY
		case tc.Matches(w, "pop_eth"):
			verb = TCA_VLAN_ACT_POP_ETH
		case tc.Matches(w, "push_eth"):
			verb = TCA_VLAN_ACT_PUSH_ETH
		case tc.Matches(w, "id"):
			if !pushAttrs(action) {
				return tc.InvArg("only valid for push/modify", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			if id, err = tc.GetU16(v, 0); err != nil {
				return tc.InvArg("id is invalid", v)
			}
			idSet = true
		case tc.Matches(w, "protocol"):
			if !pushAttrs(action) {
				return tc.InvArg("only valid for push/modify", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			var ok bool
			if proto, ok = actutil.ProtoByName(v); !ok {
				return tc.InvArg("protocol is invalid", v)
			}
			protoSet = true
		case tc.Matches(w, "priority"):
			if !pushAttrs(action) {
				return tc.InvArg("only valid for push/modify", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			if prio, err = tc.GetU8(v, 0); err != nil || prio&^7 != 0 {
				return tc.InvArg("prio is invalid", v)
			}
			prioSet = true
		case tc.Matches(w, "dst_mac"), tc.Matches(w, "src_mac"):
			if action != TCA_VLAN_ACT_PUSH_ETH {
				return tc.InvArg("only valid for push_eth", w)
			}
			v, err := value()
			if err != nil {
				return err
			}
			m, ok := actutil.ParseMAC(v)
			if tc.Matches(w, "dst_mac") {
				if !ok {
					return tc.InvArg("dst_mac is invalid", v)
				}
				dst, dstSet = m, true
			} else {
				if !ok {
					return tc.InvArg("src_mac is invalid", v)
				}
				src, srcSet = m, true
			}
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		if verb != 0 {
			if action != 0 {
				return tc.Usagef("unexpected \"%s\" - action already specified\n%s", w, explain)
			}
			action = verb
		}
		a.Next()
	}
	var gen actutil.Gen
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	idx, has, err := actutil.ParseIndex(a, "vlan: Illegal \"index\"")
	if err != nil {
		return err
	}
	if has {
		gen.Index = idx
	}
	if pushAttrs(action) && !idSet {
		return tc.Usagef("id needs to be set for %s\n%s", actionNames[action], explain)
	}
	if action == TCA_VLAN_ACT_PUSH_ETH {
		if !dstSet {
			return tc.Usagef("dst_mac needs to be set for %s\n%s", actionNames[action], explain)
		}
		if !srcSet {
			return tc.Usagef("src_mac needs to be set for %s\n%s", actionNames[action], explain)
		}
	}
	if protoSet && proto != actutil.EthP8021Q && proto != actutil.EthP8021AD {
		return tc.Usagef("protocol not supported\n%s", explain)
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint32(parms[20:], uint32(action))
	b.Nest(attr)
	b.Put(TCA_VLAN_PARMS, parms)
	if idSet {
		b.PutU16(TCA_VLAN_PUSH_VLAN_ID, id)
	}
	if protoSet {
		var be [2]byte
		binary.BigEndian.PutUint16(be[:], proto)
		b.Put(TCA_VLAN_PUSH_VLAN_PROTOCOL, be[:])
	}
	if prioSet {
		b.PutU8(TCA_VLAN_PUSH_VLAN_PRIORITY, prio)
	}
	if dstSet {
		b.Put(TCA_VLAN_PUSH_ETH_DST, dst[:])
	}
	if srcSet {
		b.Put(TCA_VLAN_PUSH_ETH_SRC, src[:])
	}
	b.EndNest()
	return nil
}

// PrintAction prints a vlan action (print_vlan).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "vlan")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_VLAN_MAX)
	pa := tb.Get(TCA_VLAN_PARMS)
	if pa == nil {
		return tc.Fail("Missing vlan parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	va := int32(binary.NativeEndian.Uint32(d[20:]))
	p.String(tc.Any, "vlan_action", " %s", actionNames[va])
	switch va {
	case TCA_VLAN_ACT_PUSH, TCA_VLAN_ACT_MODIFY:
		if x := tb.Get(TCA_VLAN_PUSH_VLAN_ID); x != nil && len(x.Data) >= 2 {
			p.Uint(tc.Any, "id", " id %d", uint64(x.U16()))
		}
		if x := tb.Get(TCA_VLAN_PUSH_VLAN_PROTOCOL); x != nil && len(x.Data) >= 2 {
			p.String(tc.Any, "protocol", " protocol %s", actutil.ProtoName(binary.BigEndian.Uint16(x.Data)))
		}
		if x := tb.Get(TCA_VLAN_PUSH_VLAN_PRIORITY); x != nil && len(x.Data) >= 1 {
			p.Uint(tc.Any, "priority", " priority %d", uint64(x.U8()))
		}
	case TCA_VLAN_ACT_PUSH_ETH:
		if x := tb.Get(TCA_VLAN_PUSH_ETH_DST); x != nil && len(x.Data) == 6 {
			p.String(tc.Any, "dst_mac", " dst_mac %s", actutil.MACString(x.Data))
		}
		if x := tb.Get(TCA_VLAN_PUSH_ETH_SRC); x != nil && len(x.Data) == 6 {
			p.String(tc.Any, "src_mac", " src_mac %s", actutil.MACString(x.Data))
		}
	}
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_VLAN_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
