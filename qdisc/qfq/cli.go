package qfq

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is qfq's tc face (q_qfq.c of iproute2 6.1): the qdisc takes no
// words, a class `weight NUMBER maxpkt BYTES`. Its printer uses fprintf,
// so under -j its text lands in the JSON as it is; it prints no xstats.
var Syntax tc.QdiscSyntax = syntax{}

var _ tc.ClassSyntax = syntax{}

type syntax struct{}

const (
	usage      = "Usage: ... qfq"
	classUsage = "Usage: ... qfq weight NUMBER maxpkt BYTES"
)

// ParseQdisc refuses every word (qfq_parse_opt).
func (syntax) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	if !a.More() {
		return nil
	}
	if w := a.Next(); !tc.Matches(w, "help") {
		return tc.Usagef("What is \"%s\"?\n%s", w, usage)
	}
	return tc.Usagef("%s", usage)
}

// ParseClass reads `weight NUMBER` and `maxpkt BYTES`, one attribute per
// word given (qfq_parse_class_opt).
func (syntax) ParseClass(a *tc.Args, b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "weight"), tc.Matches(w, "maxpkt"):
			name, typ := "weight", uint16(TCA_QFQ_WEIGHT)
			if !tc.Matches(w, "weight") {
				name, typ = "maxpkt", TCA_QFQ_LMAX
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			n, err := tc.GetU32(v, 10)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", name)
			}
			b.PutU32(typ, n)
		case w == "help":
			return tc.Usagef("%s", classUsage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, classUsage)
		}
	}
	b.EndNest()
	return nil
}

// PrintQdisc prints options as qfq_print_opt does (the qdisc dumps none).
func (s syntax) PrintQdisc(p *tc.Printer, opt []byte) error { return s.PrintClass(p, opt) }

// PrintClass prints a class's weight and maxpkt (qfq_print_opt).
func (syntax) PrintClass(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_QFQ_MAX)
	if a := tb.Get(TCA_QFQ_WEIGHT); a != nil && len(a.Data) >= 4 {
		p.Fprintf("weight %d ", a.U32())
	}
	if a := tb.Get(TCA_QFQ_LMAX); a != nil && len(a.Data) >= 4 {
		p.Fprintf("maxpkt %d ", a.U32())
	}
	return nil
}
