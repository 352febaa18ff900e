package tccli

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Actions (iproute2's m_action.c): the action lists filters carry and
// `tc actions`, each kind's words read and printed by its own face. tc
// reads a kind it has no module for as gact, so an unknown kind's words
// meet gact's parser; without a gact face they are refused as
// parse_noaopt refuses them.

const (
	tcaActKind        = 1
	tcaActOptions     = 2
	tcaActIndex       = 3
	tcaActStats       = 4
	tcaActCookie      = 6
	tcaActFlags       = 7
	tcaActHwStats     = 8
	tcaActUsedHwStats = 9
	tcaActInHwCount   = 10
	tcaActMax         = 10
	tcaActMaxPrio     = 32

	tcaActTab        = 1 // TCA_ROOT_TAB of RTM_*ACTION messages
	tcaRootFlags     = 2
	tcaRootCount     = 3
	tcaRootTimeDelta = 4
	tcaFcnt          = 6 // TCA_FCNT: entries a flush removed
	actFlagLargeDump = 1 // TCA_ACT_FLAG_LARGE_DUMP_ON
	actFlagTerseDump = 2 // TCA_ACT_FLAG_TERSE_DUMP
	actFlagNoPercpu  = 1 // TCA_ACT_FLAGS_NO_PERCPU_STATS
	actFlagSkipHW    = 2
	actFlagSkipSW    = 4
	hwStatsImmediate = 1
	hwStatsDelayed   = 2
	tcCookieMaxSize  = 16
	nlmFRoot         = 0x100
	tcamsgLen        = 4
)

// hwStatsItems are the words of `hw_stats`, in tc's order.
var hwStatsItems = []struct {
	name string
	bit  uint8
}{{"immediate", hwStatsImmediate}, {"delayed", hwStatsDelayed}, {"disabled", 0}}

type actionFace struct{ t *tool }

func (t *tool) actions() tc.ActionSyntax { return actionFace{t} }

// kind returns the face that reads and prints kind, and the kind's name
// as tc then uses it: get_action_kind's fallback to gact, or nil (noact)
// without one.
func (f actionFace) kind(kind string) (tc.ActionKindSyntax, string) {
	if face := f.t.faces.action(kind); face != nil {
		return face, kind
	}
	if face := f.t.faces.action("gact"); face != nil {
		return face, "gact"
	}
	return nil, kind
}

// actionListError is parse_action's bad_val: what it prints, then the
// "Illegal "action"" of every caller. Code 1 is a classifier's refusal;
// `tc actions` turns it into -1.
func actionListError(msg string, left int, word string) error {
	if word == "" {
		word = "(null)"
	}
	if msg != "" {
		msg += "\n"
	}
	return &tc.UsageError{Msg: fmt.Sprintf("%sparse_action: bad value (%d:%s)!\nIllegal \"action\"", msg, left, word), Code: 1}
}

// ParseActions reads an action list into the nested attribute attr, as
// parse_action does: `action KIND ...` repeated (gact's control words
// without a kind), each followed by [cookie HEX] [hw_stats TYPE]
// [no_percpu] [skip_sw] [skip_hw].
func (f actionFace) ParseActions(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !a.More() {
		return tc.Usagef("Illegal \"action\"")
	}
	b.Nest(attr)
	prio, ok := 0, 0
	expect := false
	// tc keeps the last cookie read and adds it to every later action
	// of the list too.
	var cookie []byte
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case w == "action":
			a.Next()
			expect = true
			continue
		case w == "flowid", w == "classid":
			break loop
		case w == "help":
			return tc.Usagef("Illegal \"action\"")
		case isNewCmd(w):
			if ok == 0 {
				b.EndNest()
				return nil
			}
			break loop
		}
		kind := kindName(w)
		if actutil.IsControl(w) {
			kind = "gact"
		}
		expect = false
		face, kind := f.kind(kind)
		left, word := len(a.Rest()), a.Peek()
		prio++
		b.Nest(uint16(prio))
		b.PutString(tcaActKind, kind)
		var err error
		if face != nil {
			err = face.ParseAction(a, tcaActOptions|nl.NLA_F_NESTED, b)
		} else if a.Next(); a.More() {
			err = tc.Usagef("Unknown action \"%s\", hence option \"%s\" is unparsable", kind, a.Peek())
		} else {
			err = tc.Usagef("Unknown action \"%s\"", kind)
		}
		if err != nil {
			var ue *tc.UsageError
			switch {
			case errors.As(err, &ue) && ue.Exit:
				return err
			case errors.As(err, &ue):
				msg := "bad action parsing"
				if ue.Msg != "" {
					msg = ue.Msg + "\n" + msg
				}
				return actionListError(msg, left, word)
			}
			return actionListError(err.Error()+"\nbad action parsing", left, word)
		}
		if a.Peek() == "cookie" {
			a.Next()
			v, err := a.Value()
			if err != nil {
				return err
			}
			if len(v) > tcCookieMaxSize*2 {
				return tc.InvArg(fmt.Sprintf("%d Max allowed size %d", len(v), tcCookieMaxSize*2), v)
			}
			ck, herr := hex.DecodeString(v)
			if len(v)%2 != 0 || herr != nil {
				return tc.InvArg("cookie must be a hex string\n", v)
			}
			cookie = ck
		}
		if len(cookie) > 0 {
			b.Put(tcaActCookie, cookie)
		}
		if a.More() && tc.Matches(a.Peek(), "hw_stats") {
			a.Next()
			v, err := a.Value()
			if err != nil {
				return err
			}
			found := false
			for _, it := range hwStatsItems {
				if tc.Matches(v, it.name) {
					b.PutBitfield32(tcaActHwStats, uint32(it.bit), uint32(it.bit))
					found = true
					break
				}
			}
			if !found {
				return tc.InvArg("value is invalid\n", v)
			}
		}
		var flags uint32
		if a.Peek() == "no_percpu" {
			a.Next()
			flags |= actFlagNoPercpu
		}
		// skip_sw and skip_hw in either order.
		for range 2 {
			switch a.Peek() {
			case "skip_sw":
				a.Next()
				flags |= actFlagSkipSW
			case "skip_hw":
				a.Next()
				flags |= actFlagSkipHW
			}
		}
		if flags != 0 {
			b.PutBitfield32(tcaActFlags, flags, flags)
		}
		b.EndNest()
		ok++
	}
	if expect {
		return actionListError("bad action empty 1", len(a.Rest()), a.Peek())
	}
	b.EndNest()
	return nil
}

// PrintActions prints a nested action list (tc_print_action).
func (f actionFace) PrintActions(p *tc.Printer, list []byte) error {
	return f.printList(p, list, 0, true)
}

// printList is tc_print_action with the count of actions a dump gave;
// bound lists (a filter's) leave out whether an action is in hardware.
func (f actionFace) printList(p *tc.Printer, list []byte, total uint32, bound bool) error {
	max := uint16(tcaActMaxPrio)
	if total != 0 {
		max = uint16(min(total, 0xFFFF))
	}
	tb := rtaParse(list, max)
	if f.t.tabFlush && tb[0] != nil && (len(tb) < 2 || tb[1] == nil) {
		return f.printFlush(p, tb[0].Data)
	}
	p.OpenArray(tc.JSON, "actions", "")
	for i := range tb {
		if tb[i] == nil {
			continue
		}
		p.OpenObject("")
		p.NL()
		p.Uint(tc.Any, "order", "\taction order %d: ", uint64(i))
		if err := f.printOne(p, tb[i].Data, bound); err != nil {
			p.Text("Error printing action\n")
		}
		p.CloseObject()
	}
	p.CloseArray(tc.JSON, "")
	return nil
}

// printFlush prints what a flush removed (tc_print_action_flush).
func (f actionFace) printFlush(p *tc.Printer, data []byte) error {
	tb := rtaParse(data, tcaMax)
	if tb[tcaKind] == nil {
		f.t.env.errorf("NULL Action!\n")
		return errReported
	}
	_, kind := f.kind(attrStr(tb[tcaKind]))
	var n uint32
	if c := tb[tcaFcnt]; c != nil {
		n = attrU32(c)
	}
	p.Fprintf(" %s (%d entries)\n", kind, int32(n))
	f.t.tabFlush = false
	return nil
}

// printOne is tc_print_one_action.
func (f actionFace) printOne(p *tc.Printer, data []byte, bound bool) error {
	tb := rtaParse(data, tcaActMax)
	if tb[tcaActKind] == nil {
		f.t.env.errorf("NULL Action!\n")
		return errReported
	}
	face, kind := f.kind(attrStr(tb[tcaActKind]))
	var opt []byte
	if o := tb[tcaActOptions]; o != nil {
		opt = o.Data
	}
	if idx := tb[tcaActIndex]; f.t.brief > 0 && idx != nil {
		// A terse dump: the kind and index stand for the options.
		p.String(tc.Any, "kind", "%s ", kind)
		p.Uint(tc.Any, "index", "\t index %d", uint64(attrU32(idx)))
		p.NL()
	} else {
		switch {
		case face != nil:
			if err := face.PrintAction(p, opt); err != nil {
				return err
			}
		case len(opt) > 0:
			p.Fprintf("[Unknown action, optlen=%d] ", len(opt))
		}
	}
	if f.t.stats > 0 && tb[tcaActStats] != nil {
		p.Text("\tAction statistics:")
		p.NL()
		p.OpenObject("stats")
		printTCStats2(p, tb[tcaActStats].Data, "\t")
		p.CloseObject()
		p.NL()
	}
	if c := tb[tcaActCookie]; c != nil {
		p.String(tc.Any, "cookie", "\tcookie %s", hex.EncodeToString(c.Data))
		p.NL()
	}
	inHW := tb[tcaActInHwCount]
	if bound {
		inHW = nil
	}
	if tb[tcaActFlags] != nil || inHW != nil {
		skipHW := false
		if fl := tb[tcaActFlags]; fl != nil {
			bf := fixed(fl.Data, 8)
			value, selector := u32at(bf, 0), u32at(bf, 4)
			if selector&actFlagNoPercpu != 0 {
				p.Bool(tc.Any, "no_percpu", "\tno_percpu", value&actFlagNoPercpu != 0)
			}
			if selector&actFlagSkipHW != 0 {
				skipHW = value&actFlagSkipHW != 0
				p.Bool(tc.Any, "skip_hw", "\tskip_hw", skipHW)
			}
			if selector&actFlagSkipSW != 0 {
				p.Bool(tc.Any, "skip_sw", "\tskip_sw", value&actFlagSkipSW != 0)
			}
		}
		if c := inHW; c != nil && !skipHW {
			if n := attrU32(c); n != 0 {
				p.Bool(tc.Any, "in_hw", "\tin_hw", true)
				p.Uint(tc.Any, "in_hw_count", " in_hw_count %d", uint64(n))
			} else {
				p.Bool(tc.Any, "not_in_hw", "\tnot_in_hw", true)
			}
		}
		p.NL()
	}
	if a := tb[tcaActHwStats]; a != nil {
		printHwStats(p, a.Data, false)
	}
	if a := tb[tcaActUsedHwStats]; a != nil {
		printHwStats(p, a.Data, true)
	}
	return nil
}

// printHwStats is print_hw_stats.
func printHwStats(p *tc.Printer, data []byte, used bool) {
	bf := fixed(data, 8)
	hw := u32at(bf, 0) & u32at(bf, 4) & 0xFF
	key := "hw_stats"
	if used {
		key = "used_hw_stats"
	}
	p.Text("\t")
	p.OpenArray(tc.Any, key, key)
	for _, it := range hwStatsItems {
		if (hw == 0 && it.bit == 0) || hw&uint32(it.bit) != 0 {
			p.String(tc.Any, "", " %s", it.name)
		}
	}
	p.CloseArray(tc.JSON, "")
	p.NL()
}

// printAction prints an RTM_*ACTION message (print_action): the listing
// of `tc actions ls|get` and of tc monitor.
func (t *tool) printAction(p *tc.Printer, m *nl.Msg) error {
	if len(m.Data) < tcamsgLen {
		t.env.errorf("Wrong len %d\n", len(m.Data)-tcamsgLen)
		return errReported
	}
	tb := rtaParse(m.Data[tcamsgLen:], tcaRootTimeDelta)
	var total uint32
	if c := tb[tcaRootCount]; c != nil {
		total = attrU32(c)
	}
	p.OpenObject("")
	p.Uint(tc.Any, "total acts", "total acts %d", uint64(total))
	p.NL()
	p.CloseObject()
	if tb[tcaActTab] == nil {
		if m.Type != rtmGetAction {
			t.env.errorf("print_action: NULL kind\n")
		}
		return errReported
	}
	switch m.Type {
	case rtmDelAction:
		if m.Flags&nlmFRoot != 0 {
			p.Fprintf("Flushed table ")
			t.tabFlush = true
		} else {
			p.Fprintf("Deleted action ")
		}
	case rtmNewAction:
		if m.Flags&fCreate != 0 && m.Flags&fReplace == 0 {
			p.Fprintf("Added action ")
		} else if m.Flags&fReplace != 0 {
			p.Fprintf("Replaced action ")
		}
	}
	p.Actions = t.actions()
	if p.Links == nil {
		p.Links = filterLinks{t}
	}
	p.OpenObject("")
	_ = actionFace{t}.printList(p, tb[tcaActTab].Data, total, false)
	p.CloseObject()
	return nil
}

// doAction is `tc actions` (do_action): commands one after another on
// one line.
func (t *tool) doAction(argv []string) error {
	if len(argv) < 1 {
		// tc with no words after `actions` does nothing.
		return nil
	}
	for len(argv) > 0 {
		w := argv[0]
		var err error
		switch {
		case tc.Matches(w, "add"):
			argv, err = t.actionModify(argv[1:], fExcl|fCreate)
		case tc.Matches(w, "change"), tc.Matches(w, "replace"):
			argv, err = t.actionModify(argv[1:], fCreate|fReplace)
		case tc.Matches(w, "delete"):
			argv, err = t.actionGetDel(rtmDelAction, argv[1:])
		case tc.Matches(w, "get"):
			argv, err = t.actionGetDel(rtmGetAction, argv[1:])
		case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
			if len(argv) <= 2 {
				io.WriteString(t.env.Stderr, actionUsage)
				return status(255)
			}
			return t.actionListOrFlush(argv[2:], rtmGetAction)
		case tc.Matches(w, "flush"):
			if len(argv) <= 2 {
				io.WriteString(t.env.Stderr, actionUsage)
				return status(255)
			}
			return t.actionListOrFlush(argv[2:], rtmDelAction)
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, actionUsage)
			return status(255)
		default:
			return fail(255, "Command \"%s\" is unknown, try \"tc actions help\".", w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

const actionUsage = "usage: tc actions <ACTSPECOP>*\n" +
	"Where: \tACTSPECOP := ACR | GD | FL\n" +
	"\tACR := add | change | replace <ACTSPEC>*\n" +
	"\tGD := get | delete | <ACTISPEC>*\n" +
	"\tFL := ls | list | flush | <ACTNAMESPEC>\n" +
	"\tACTNAMESPEC :=  action <ACTNAME>\n" +
	"\tACTISPEC := <ACTNAMESPEC> <INDEXSPEC>\n" +
	"\tACTSPEC := action <ACTDETAIL> [INDEXSPEC] [HWSTATSSPEC] [SKIPSPEC]\n" +
	"\tINDEXSPEC := index <32 bit indexvalue>\n" +
	"\tHWSTATSSPEC := hw_stats [ immediate | delayed | disabled ]\n" +
	"\tSKIPSPEC := [ skip_sw | skip_hw ]\n" +
	"\tACTDETAIL := <ACTNAME> <ACTPARAMS>\n" +
	"\t\tExample ACTNAME is gact, mirred, bpf, etc\n" +
	"\t\tEach action has its own parameters (ACTPARAMS)\n" +
	"\n"

// actionModify sends `tc actions add|change|replace ACTSPEC...`
// (tc_action_modify) and returns the words after the list.
func (t *tool) actionModify(argv []string, flags uint16) ([]string, error) {
	var hdr [tcamsgLen]byte // struct tcamsg, AF_UNSPEC
	b := request(rtmNewAction, flags, hdr[:])
	a := t.filterArgs(argv, "")
	if err := t.actions().ParseActions(a, tcaActTab, b); err != nil {
		var ue *tc.UsageError
		if errors.As(err, &ue) && !ue.Exit {
			return nil, &tc.UsageError{Msg: ue.Msg, Code: 255}
		}
		return nil, err
	}
	b.End()
	if _, err := t.h.talk(b, false, false); err != nil {
		return nil, fail(255, "We have an error talking to the kernel")
	}
	return a.Rest(), nil
}

// actionGetDel is tc_action_gd: `get|delete action KIND index N ...`.
// The word after the command is skipped unread, as tc skips it.
func (t *tool) actionGetDel(cmd uint16, argv []string) ([]string, error) {
	var hdr [tcamsgLen]byte
	b := request(cmd, 0, hdr[:])
	words := argv
	if len(words) > 0 {
		words = words[1:]
	}
	b.Nest(tcaActTab)
	prio := 0
	for len(words) > 0 {
		w := words[0]
		if w == "action" {
			words = words[1:]
			continue
		}
		if w == "help" {
			return nil, status(255)
		}
		_, kind := actionFace{t}.kind(kindName(w))
		words = words[1:]
		if len(words) == 0 || !tc.Matches(words[0], "index") {
			return nil, fail(255, "Error: no index specified action: %s", kind)
		}
		if len(words) < 2 {
			return nil, tc.Incomplete()
		}
		index, err := tc.GetU32(words[1], 10)
		if err != nil {
			return nil, fail(255, "Illegal \"index\"")
		}
		words = words[2:]
		prio++
		b.Nest(uint16(prio))
		b.PutString(tcaActKind, kind)
		if index > 0 {
			b.PutU32(tcaActIndex, index)
		}
		b.EndNest()
	}
	b.EndNest()
	b.End()
	if cmd == rtmGetAction {
		if err := t.links.init(); err != nil {
			return nil, err
		}
	}
	m, err := t.h.talk(b, cmd == rtmGetAction, false)
	if err != nil {
		// tc goes on with the words it was given, from the one after
		// the command.
		io.WriteString(t.env.Stderr, "We have an error talking to the kernel\n")
		return argv, nil
	}
	if cmd == rtmGetAction {
		p := t.printer(true)
		p.StartDocument()
		perr := t.printAction(p, m)
		p.EndDocument()
		t.flush(p)
		if perr != nil {
			return nil, fail(1, "Dump terminated")
		}
	}
	return nil, nil
}

// actionListOrFlush is tc_act_list_or_flush: `list|flush action KIND
// [since MSEC]`.
func (t *tool) actionListOrFlush(argv []string, cmd uint16) error {
	var hdr [tcamsgLen]byte
	k := kindName(argv[0])
	if face, _ := (actionFace{t}).kind(k); face == nil {
		// tc prints this and still exits 0.
		return fail(0, "bad action %s", k)
	}
	var since uint32
	if len(argv) > 1 && argv[1] == "since" {
		if len(argv) < 3 {
			return tc.Incomplete()
		}
		v, err := tc.GetU32(argv[2], 0)
		if err != nil {
			return tc.InvArg("dump time \"since\" is invalid", argv[2])
		}
		since = v
	}
	b := request(cmd, 0, hdr[:])
	b.Nest(tcaActTab)
	b.Nest(1)
	b.PutString(tcaActKind, k)
	b.EndNest()
	b.EndNest()
	flags := uint32(actFlagLargeDump)
	if t.brief > 0 {
		flags |= actFlagTerseDump // the kernel then sends kind, index, stats and cookie
	}
	b.PutBitfield32(tcaRootFlags, flags, flags)
	if since != 0 {
		b.PutU32(tcaRootTimeDelta, since)
	}
	b.End()
	if cmd == rtmDelAction {
		msg := b.Bytes()
		binary.NativeEndian.PutUint16(msg[6:], nl.NLM_F_REQUEST|nlmFRoot)
		if _, err := t.h.talk(b, false, false); err != nil {
			return fail(1, "We have an error flushing")
		}
		return nil
	}
	// Device names (mirred's) are read before the dump, not during it.
	if err := t.links.init(); err != nil {
		return err
	}
	if err := t.h.dumpRequest(b); err != nil {
		return fail(1, "Cannot send dump request: %v", err)
	}
	p := t.printer(true)
	p.StartDocument()
	err := t.h.dumpFilter(func(m *nl.Msg) error {
		err := t.printAction(p, m)
		t.flush(p)
		return err
	})
	p.EndDocument()
	t.flush(p)
	if err != nil {
		return status(255)
	}
	return nil
}

// isNewCmd is new_cmd: a word that starts the next command of a line.
func isNewCmd(w string) bool {
	for _, c := range []string{"change", "replace", "delete", "get", "add"} {
		if tc.Matches(w, c) {
			return true
		}
	}
	return false
}
