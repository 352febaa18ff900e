package tccli

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strconv"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Actions as filters carry them (m_action.c's parse_action and
// tc_print_action), with gact's words and print (m_gact.c). netsched has
// no action kinds yet; other kinds are refused as tc refuses an action it
// has no module for.

const (
	tcaActKind    = 1
	tcaActOptions = 2
	tcaActIndex   = 3
	tcaActStats   = 4
	tcaActCookie  = 6
	tcaActMax     = 11
	tcaActMaxPrio = 32

	tcaGactTm    = 1
	tcaGactParms = 2
	tcaGactProb  = 3
	tcaGactMax   = 5

	tcaActTab = 1 // TCA_ACT_TAB of RTM_*ACTION messages

	tcActUnspec     = -1
	tcActOK         = 0
	tcActReclassify = 1
	tcActShot       = 2
	tcActPipe       = 3
	tcActStolen     = 4
	tcActTrap       = 8
	tcActJump       = 1 << 28
	tcActGotoChain  = 2 << 28
	tcActExtMask    = 0xF0000000
	tcActExtValMask = 0x0FFFFFFF
)

type actionFace struct{ t *tool }

func (t *tool) actions() tc.ActionSyntax { return actionFace{t} }

// actionA2N is action_a2n: a control word (prefixes accepted) or, with
// allowNum, a number.
func actionA2N(w string, allowNum bool) (int32, bool) {
	for _, c := range []struct {
		name string
		v    int32
	}{
		{"continue", tcActUnspec}, {"drop", tcActShot}, {"shot", tcActShot},
		{"pass", tcActOK}, {"ok", tcActOK}, {"reclassify", tcActReclassify},
		{"pipe", tcActPipe}, {"goto", tcActGotoChain}, {"jump", tcActJump},
		{"trap", tcActTrap},
	} {
		if tc.Matches(w, c.name) {
			return c.v, true
		}
	}
	if !allowNum {
		return 0, false
	}
	v, err := tc.GetInteger(w, 10)
	return v, err == nil
}

// parseControl is parse_action_control.
func parseControl(a *tc.Args, allowNum bool) (int32, error) {
	if !a.More() {
		return 0, status(255)
	}
	w := a.Next()
	v, ok := actionA2N(w, allowNum)
	if !ok {
		return 0, fail(255, "Bad action type %s", w)
	}
	switch v {
	case tcActGotoChain:
		c, err := a.Value()
		if err != nil {
			return 0, err
		}
		if !tc.Matches(c, "chain") {
			return 0, fail(255, "\"chain index\" expected")
		}
		n, err := a.Value()
		if err != nil {
			return 0, err
		}
		idx, err := tc.GetU32(n, 10)
		if err != nil || idx > tcActExtValMask {
			return 0, fail(255, "Illegal \"chain index\"")
		}
		v |= int32(idx)
	case tcActJump:
		n, err := a.Value()
		if err != nil {
			return 0, err
		}
		cnt, err := tc.GetU32(n, 10)
		if err != nil || cnt > tcActExtValMask {
			return 0, fail(255, "Invalid \"jump count\" (%s)", n)
		}
		v |= int32(cnt)
	}
	return v, nil
}

// ParseActions reads an action list into the nested attribute attr
// (parse_action): `action KIND ...` repeated, a kind's words read by its
// face, gact's control words taken without a kind.
func (f actionFace) ParseActions(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !a.More() {
		return status(255)
	}
	b.Nest(attr)
	prio := 0
	expectKind := false
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case w == "action":
			a.Next()
			expectKind = true
			continue
		case w == "flowid", w == "classid", isNewCmd(w):
			break loop
		case w == "help":
			return status(255)
		}
		kind := "gact"
		if expectKind {
			kind = kindName(w)
			expectKind = false
		}
		face := f.t.faces.action(kind)
		if face == nil {
			// tc looks for gact when a kind has no module, once; the
			// word is then read as gact's.
			if f.t.lookedForGact {
				if a.Next(); a.More() {
					return fail(1, "Unknown action \"%s\", hence option \"%s\" is unparsable\nbad action parsing", kind, a.Peek())
				}
				return fail(1, "Unknown action \"%s\"\nbad action parsing", kind)
			}
			f.t.lookedForGact = true
			kind = "gact"
			face = f.t.faces.action("gact")
		}
		prio++
		b.Nest(uint16(prio))
		b.PutString(tcaActKind, kind)
		var err error
		if face != nil {
			err = face.ParseAction(a, tcaActOptions|nl.NLA_F_NESTED, b)
		} else {
			err = parseGact(a, b)
		}
		if err != nil {
			var ue *tc.UsageError
			if errors.As(err, &ue) {
				msg := "bad action parsing"
				if ue.Msg != "" {
					msg = ue.Msg + "\n" + msg
				}
				return &tc.UsageError{Msg: msg, Code: 1, Exit: ue.Exit}
			}
			return err
		}
		if a.More() && a.Peek() == "cookie" {
			a.Next()
			v, err := a.Value()
			if err != nil {
				return err
			}
			ck, herr := hex.DecodeString(v)
			if herr != nil || len(ck) > 16 {
				return fail(1, "cookie must be a hex string\nbad action parsing")
			}
			b.Put(tcaActCookie, ck)
		}
		b.EndNest()
	}
	b.EndNest()
	if prio == 0 {
		return status(255)
	}
	return nil
}

// PrintActions prints a nested action list (tc_print_action).
func (f actionFace) PrintActions(p *tc.Printer, list []byte) error {
	tb := rtaParse(list, tcaActMaxPrio)
	p.OpenArray(tc.JSON, "actions", "")
	for i := 0; i <= tcaActMaxPrio; i++ {
		if tb[i] == nil {
			continue
		}
		p.OpenObject("")
		p.NL()
		p.Uint(tc.Any, "order", "\taction order %d: ", uint64(i))
		if err := f.printOne(p, tb[i].Data); err != nil {
			f.t.env.errorf("Error printing action\n")
		}
		p.CloseObject()
	}
	p.CloseArray(tc.JSON, "")
	return nil
}

func (f actionFace) printOne(p *tc.Printer, data []byte) error {
	tb := rtaParse(data, tcaActMax)
	if tb[tcaActKind] == nil {
		f.t.env.errorf("NULL Action!\n")
		return errReported
	}
	kind := attrStr(tb[tcaActKind])
	var opt []byte
	if o := tb[tcaActOptions]; o != nil {
		opt = o.Data
	}
	switch face := f.t.faces.action(kind); {
	case face != nil:
		if err := face.PrintAction(p, opt); err != nil {
			return err
		}
	case kind == "gact":
		printGact(p, tb[tcaActOptions])
	case len(opt) > 0:
		p.Fprintf("[Unknown action, optlen=%d] ", len(opt))
	}
	if f.t.brief > 0 && tb[tcaActIndex] != nil {
		p.Uint(tc.Any, "index", "\t index %d", uint64(attrU32(tb[tcaActIndex])))
		p.NL()
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
	return nil
}

// controlName is action_n2a.
func controlName(v int32) string {
	switch {
	case uint32(v)&tcActExtMask == tcActGotoChain:
		return "goto"
	case uint32(v)&tcActExtMask == tcActJump:
		return "jump"
	}
	switch v {
	case tcActUnspec:
		return "continue"
	case tcActOK:
		return "pass"
	case tcActShot:
		return "drop"
	case tcActReclassify:
		return "reclassify"
	case tcActPipe:
		return "pipe"
	case tcActStolen:
		return "stolen"
	case tcActTrap:
		return "trap"
	}
	return strconv.Itoa(int(v))
}

// printControl is print_action_control.
func printControl(p *tc.Printer, prefix string, v int32, suffix string) {
	p.Text(prefix)
	p.OpenObject("control_action")
	p.String(tc.Any, "type", "%s", controlName(v))
	if uint32(v)&tcActExtMask == tcActGotoChain {
		p.Uint(tc.Any, "chain", " chain %d", uint64(uint32(v)&tcActExtValMask))
	}
	if uint32(v)&tcActExtMask == tcActJump {
		p.Uint(tc.Any, "jump", " %d", uint64(uint32(v)&tcActExtValMask))
	}
	p.CloseObject()
	p.Text(suffix)
}

// printGact is print_gact.
func printGact(p *tc.Printer, opt *nl.Attr) {
	p.String(tc.Any, "kind", "%s ", "gact")
	if opt == nil {
		return
	}
	tb := rtaParse(opt.Data, tcaGactMax)
	if tb[tcaGactParms] == nil {
		p.Fprintf("[NULL gact parameters]")
		return
	}
	parms := fixed(tb[tcaGactParms].Data, 20)
	printControl(p, "action ", int32(u32at(parms, 8)), "")
	p.NL()
	p.Uint(tc.Any, "index", "\t index %d", uint64(u32at(parms, 0)))
	p.Int(tc.Any, "ref", " ref %d", int64(int32(u32at(parms, 12))))
	p.Int(tc.Any, "bind", " bind %d", int64(int32(u32at(parms, 16))))
	p.NL()
}

// doAction is `tc actions`: netsched has no action kinds yet, so only the
// words are checked and the listing asked for.
func (t *tool) doAction(argv []string) error {
	if len(argv) < 1 {
		io.WriteString(t.env.Stderr, actionUsage)
		return status(255)
	}
	w := argv[0]
	switch {
	case tc.Matches(w, "add"), tc.Matches(w, "change"), tc.Matches(w, "replace"):
		return t.actionModify(argv[1:], w)
	case tc.Matches(w, "delete"), tc.Matches(w, "get"), tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "flush"):
		return fail(255, "netsched has no action kinds yet: \"tc actions %s\" is not supported", w)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, actionUsage)
		return status(255)
	}
	return fail(255, "Command \"%s\" is unknown, try \"tc actions help\".", w)
}

const actionUsage = "usage: tc actions <ACTSPECOP>*\n" +
	"Where: \tACTSPECOP := ACR | GD | FL\n" +
	"\tACR := add | change | replace <ACTSPEC>*\n" +
	"\tGD := get | delete | <ACTISPEC>*\n" +
	"\tFL := ls | list | flush | <ACTNAMESPEC>\n" +
	"\tACTNAMESPEC :=  action <ACTNAME>\n" +
	"\tACTISPEC := <ACTNAMESPEC> <INDEXSPEC>\n" +
	"\tACTSPEC := action <ACTDETAIL> [INDEXSPEC] [HWSTATSSPEC]\n" +
	"\tINDEXSPEC := index <32 bit indexvalue>\n" +
	"\tHWSTATSSPEC := hw_stats [ immediate | delayed | disabled ]\n" +
	"\tACTDETAIL := <ACTNAME> <ACTPARAMS>\n" +
	"\t\tExample ACTNAME is gact, mirred, bpf, etc\n" +
	"\t\tEach action has its own parameters (ACTPARAMS)\n" +
	"\n"

// actionModify sends `tc actions add|change|replace ACTSPEC` (tc_action_modify).
func (t *tool) actionModify(argv []string, w string) error {
	flags := uint16(0)
	switch {
	case tc.Matches(w, "add"):
		flags = fExcl | fCreate
	case tc.Matches(w, "replace"):
		flags = fCreate | fReplace
	}
	var hdr [4]byte // struct tcamsg
	b := request(rtmNewAction, flags, hdr[:])
	a := tc.NewArgs(argv)
	if err := t.actions().ParseActions(a, tcaActTab, b); err != nil {
		return err
	}
	if a.More() {
		return fail(255, "Garbage instead of arguments \"%s ...\". Try \"tc actions help\".", a.Peek())
	}
	b.End()
	if _, err := t.h.talk(b, false, false); err != nil {
		return status(1)
	}
	return nil
}

// isNewCmd is new_cmd: a word that starts the next batch command.
func isNewCmd(w string) bool {
	return w == "change" || w == "replace" || w == "delete" || w == "add"
}

// parseGact reads gact's words when no gact face is built in:
// [gact] CONTROL [index N] (m_gact.c without random).
func parseGact(a *tc.Args, b *nl.Builder) error {
	if a.Peek() == "gact" {
		a.Next()
	}
	ctl, err := parseControl(a, false)
	if err != nil {
		return err
	}
	var index uint32
	if a.More() && tc.Matches(a.Peek(), "index") {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if index, err = tc.GetU32(v, 10); err != nil {
			return fail(255, "Illegal \"index\"")
		}
	}
	var parms [20]byte // struct tc_gact
	binary.NativeEndian.PutUint32(parms[0:], index)
	binary.NativeEndian.PutUint32(parms[8:], uint32(ctl))
	b.Nest(tcaActOptions | nl.NLA_F_NESTED)
	b.Put(tcaGactParms, parms[:])
	b.EndNest()
	return nil
}
