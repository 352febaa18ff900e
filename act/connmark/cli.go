package connmark

import (
	"encoding/binary"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is connmark's tc face (m_connmark.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: ... connmark [zone ZONE] [CONTROL] [index <INDEX>]\n" +
	"where :\n" +
	"\tZONE is the conntrack zone\n" +
	"\tCONTROL := reclassify | pipe | drop | continue | ok |\n" +
	"\t           goto chain <CHAIN_INDEX>"

// ParseAction reads `connmark [zone Z] [CONTROL] [index N]`
// (parse_connmark).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	var gen actutil.Gen
	var zone uint16
	ok := false
	for a.More() {
		w := a.Peek()
		if tc.Matches(w, "connmark") {
			ok = true
			a.Next()
			continue
		}
		if tc.Matches(w, "help") {
			return tc.Exitf(255, "%s", explain)
		}
		break
	}
	if !ok {
		return tc.Usagef("%s", explain)
	}
	if a.More() && tc.Matches(a.Peek(), "zone") {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if zone, err = tc.GetU16(v, 10); err != nil {
			return tc.Usagef("connmark: Illegal \"zone\"")
		}
	}
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	idx, has, err := actutil.ParseIndex(a, "connmark: Illegal \"index\"")
	if err != nil {
		return err
	}
	if has {
		gen.Index = idx
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint16(parms[20:], zone)
	b.Nest(attr)
	b.Put(TCA_CONNMARK_PARMS, parms)
	b.EndNest()
	return nil
}

// PrintAction prints a connmark action (print_connmark).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "connmark")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_CONNMARK_MAX)
	pa := tb.Get(TCA_CONNMARK_PARMS)
	if pa == nil {
		return tc.Fail("Missing connmark parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	p.Uint(tc.Any, "zone", "zone %d", uint64(binary.NativeEndian.Uint16(d[20:])))
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_CONNMARK_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
