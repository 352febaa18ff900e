package pfifofast

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/tc"
)

// syntax is pfifo_fast's tc face. iproute2 knows pfifo_fast (q_prio.c
// declares it) but has no parser for it, so any word after the kind is
// refused, and its options print as prio's.
type syntax struct{}

func (syntax) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	if a.More() {
		return tc.Fail("qdisc 'pfifo_fast' does not support option parsing")
	}
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error { return prio.Syntax.PrintQdisc(p, opt) }
