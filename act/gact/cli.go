package gact

import (
	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is gact's tc face (m_gact.c, built with CONFIG_GACT_PROB as
// iproute2 is).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... gact <ACTION> [RAND] [INDEX]\n" +
	"Where: \tACTION := reclassify | drop | continue | pass | pipe |\n" +
	"       \t          goto chain <CHAIN_INDEX> | jump <JUMP_COUNT>\n" +
	"\tRAND := random <RANDTYPE> <ACTION> <VAL>\n" +
	"\tRANDTYPE := netrand | determ\n" +
	"\tVAL : = value not exceeding 10000\n" +
	"\tJUMP_COUNT := Absolute jump from start of action list\n" +
	"\tINDEX := index value used\n"

// usageErr is usage(): the explanation, after what went wrong, and exit.
func usageErr(why string) error {
	if why != "" {
		why += "\n"
	}
	return tc.Exitf(255, "%s%s", why, usage)
}

// ParseAction reads `[gact] CONTROL [random TYPE CONTROL VAL] [index N]`,
// or `[gact] index N` to bind an existing action (parse_gact).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	var c Config
	if tc.Matches(a.Peek(), "gact") {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
	}
	if !tc.Matches(a.Peek(), "index") {
		ctl, ok, err := actutil.ParseControl(a, false)
		if err != nil {
			return usageErr(actutil.ErrText(err))
		}
		if !ok {
			return usageErr("Bad action type " + a.Peek())
		}
		c.Parms.Action = ctl
		if a.More() {
			switch w := a.Peek(); {
			case tc.Matches(w, "random"):
				a.Next()
				t, err := a.Value()
				if err != nil {
					return err
				}
				switch {
				case tc.Matches(t, "netrand"):
					c.Prob.Ptype = PGACT_NETRAND
				case tc.Matches(t, "determ"):
					c.Prob.Ptype = PGACT_DETERM
				default:
					return tc.Fail("Illegal \"random type\"")
				}
				if !a.More() {
					return tc.Incomplete()
				}
				pa, ok, err := actutil.ParseControl(a, false)
				if err != nil {
					return usageErr(actutil.ErrText(err))
				}
				if !ok {
					return usageErr("Bad action type " + a.Peek())
				}
				c.Prob.Paction = pa
				v, err := tc.GetU16(a.Peek(), 10)
				if err != nil {
					return tc.Fail("Illegal probability val 0x%x", c.Prob.Pval)
				}
				if v > 10000 {
					return tc.Fail("Illegal probability val  0x%x", v)
				}
				c.Prob.Pval = v
				c.HasProb = true
				a.Next()
			case tc.Matches(w, "help"):
				return usageErr("")
			}
		}
	}
	if a.More() {
		switch w := a.Peek(); {
		case tc.Matches(w, "index"):
			a.Next()
			v, err := a.Value()
			if err != nil {
				return err
			}
			idx, err := tc.GetU32(v, 10)
			if err != nil {
				return tc.Fail("Illegal \"index\"")
			}
			c.Parms.Index = idx
		case tc.Matches(w, "help"):
			return usageErr("")
		}
	}
	b.Nest(attr)
	c.Encode(b)
	b.EndNest()
	return nil
}

func probName(t uint16) string {
	switch t {
	case PGACT_NETRAND:
		return "netrand"
	case PGACT_DETERM:
		return "determ"
	}
	return "none"
}

// PrintAction prints a gact action as print_gact does.
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "gact")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_GACT_MAX)
	parms := tb.Get(TCA_GACT_PARMS)
	if parms == nil {
		return tc.Fail("Missing gact parameters")
	}
	g := actutil.DecodeGen(actutil.Fixed(parms.Data, actutil.GenLen))
	actutil.PrintControl(p, "action ", g.Action, "")
	var pr Prob
	if a := tb.Get(TCA_GACT_PROB); a != nil {
		pr = DecodeProb(a.Data)
	}
	p.OpenObject("prob")
	p.NL()
	p.String(tc.Any, "random_type", "\t random type %s", probName(pr.Ptype))
	actutil.PrintControl(p, " ", pr.Paction, " ")
	p.Int(tc.Any, "val", "val %d", int64(pr.Pval))
	p.CloseObject()
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_GACT_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
