package sample

import (
	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is sample's tc face (m_sample.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: sample SAMPLE_CONF\n" +
	"where:\n" +
	"\tSAMPLE_CONF := SAMPLE_PARAMS | SAMPLE_INDEX\n" +
	"\tSAMPLE_PARAMS := rate RATE group GROUP [trunc SIZE] [SAMPLE_INDEX]\n" +
	"\tSAMPLE_INDEX := index INDEX\n" +
	"\tRATE := The ratio of packets observed at the data source to the samples generated.\n" +
	"\tGROUP := the psample sampling group\n" +
	"\tSIZE := the truncation size\n" +
	"\tINDEX := integer index of the sample action"

// ParseAction reads `sample rate R group G [trunc S] [CONTROL] [index N]`,
// or `sample index N` (parse_sample).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if len(a.Rest()) <= 1 {
		return tc.Exitf(255, "sample bad argument count %d\n%s", len(a.Rest()), explain)
	}
	if !tc.Matches(a.Peek(), "sample") {
		return tc.Usagef("sample bad argument %s", a.Peek())
	}
	a.Next()
	var rate, group, trunc uint32
	rateSet, groupSet, truncSet := false, false, false
loop:
	for a.More() {
		w := a.Peek()
		var dst *uint32
		var set *bool
		var bad string
		switch {
		case tc.Matches(w, "rate"):
			dst, set, bad = &rate, &rateSet, "Illegal rate %s"
		case tc.Matches(w, "group"):
			dst, set, bad = &group, &groupSet, "Illegal group num %s"
		case tc.Matches(w, "trunc"):
			dst, set, bad = &trunc, &truncSet, "Illegal truncation size %s"
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if *dst, err = tc.GetU32(v, 10); err != nil {
			return tc.Exitf(255, bad+"\n%s", v, explain)
		}
		*set = true
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
			return tc.Usagef("sample: Illegal \"index\"")
		}
	}
	if gen.Index == 0 && !groupSet {
		return tc.Exitf(255, "param \"group\" not set\n%s", explain)
	}
	if gen.Index == 0 && !rateSet {
		return tc.Exitf(255, "param \"rate\" not set\n%s", explain)
	}
	var parms [actutil.GenLen]byte
	gen.Put(parms[:])
	b.Nest(attr)
	b.Put(TCA_SAMPLE_PARMS, parms[:])
	if rateSet {
		b.PutU32(TCA_SAMPLE_RATE, rate)
	}
	if groupSet {
		b.PutU32(TCA_SAMPLE_PSAMPLE_GROUP, group)
	}
	if truncSet {
		b.PutU32(TCA_SAMPLE_TRUNC_SIZE, trunc)
	}
	b.EndNest()
	return nil
}

// PrintAction prints a sample action (print_sample).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "sample")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_SAMPLE_MAX)
	pa, r, gr := tb.Get(TCA_SAMPLE_PARMS), tb.Get(TCA_SAMPLE_RATE), tb.Get(TCA_SAMPLE_PSAMPLE_GROUP)
	if pa == nil || r == nil || gr == nil || len(r.Data) < 4 || len(gr.Data) < 4 {
		return tc.Fail("Missing sample parameters")
	}
	g := actutil.DecodeGen(actutil.Fixed(pa.Data, actutil.GenLen))
	p.Uint(tc.Any, "rate", "rate 1/%d ", uint64(r.U32()))
	p.Uint(tc.Any, "group", "group %d", uint64(gr.U32()))
	if x := tb.Get(TCA_SAMPLE_TRUNC_SIZE); x != nil && len(x.Data) >= 4 {
		p.Uint(tc.Any, "trunc_size", " trunc_size %d", uint64(x.U32()))
	}
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_SAMPLE_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
