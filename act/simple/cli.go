package simple

import (
	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is simple's tc face (m_simple.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage:... simple [sdata STRING] [index INDEX] [CONTROL]\n" +
	"\tSTRING being an arbitrary string\n" +
	"\tINDEX := optional index value used\n" +
	"\tCONTROL := reclassify|pipe|drop|continue|ok"

// ParseAction reads `simple [sdata STRING] [CONTROL] [index N]`
// (parse_simple).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	ok := 0
	data := ""
	hasData := false
loop:
	for a.More() {
		switch w := a.Peek(); {
		case tc.Matches(w, "simple"):
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
		case tc.Matches(w, "sdata"):
			a.Next()
			v, err := a.Value()
			if err != nil {
				return err
			}
			data, hasData = v, true
			ok++
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
	}
	var gen actutil.Gen
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	if a.More() && tc.Matches(a.Peek(), "index") {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.Usagef("simple: Illegal \"index\" (%s)", v)
		}
		ok++
	}
	if ok == 0 {
		return tc.Usagef("%s", explain)
	}
	if hasData && len(data) > maxData-1 {
		return tc.Usagef("simple: Illegal string len %d <%s>", len(data), data)
	}
	var parms [actutil.GenLen]byte
	gen.Put(parms[:])
	b.Nest(attr)
	b.Put(TCA_DEF_PARMS, parms[:])
	if hasData {
		// tc sends the whole SIMP_MAX_DATA buffer.
		d := make([]byte, maxData)
		copy(d, data)
		b.Put(TCA_DEF_DATA, d)
	}
	b.EndNest()
	return nil
}

// PrintAction prints a simple action (print_simple), as text even under
// -j, as iproute2 does.
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_DEF_MAX)
	pa := tb.Get(TCA_DEF_PARMS)
	if pa == nil {
		return tc.Fail("Missing simple parameters")
	}
	d := tb.Get(TCA_DEF_DATA)
	if d == nil {
		return tc.Fail("Missing simple string")
	}
	g := actutil.DecodeGen(actutil.Fixed(pa.Data, actutil.GenLen))
	p.Fprintf("Simple <%s>\n", d.Str())
	p.Fprintf("\t index %d ref %d bind %d", g.Index, g.Refcnt, g.Bindcnt)
	if p.Stats {
		if tm := tb.Get(TCA_DEF_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
