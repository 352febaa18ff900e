package ingress

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// syntax is the tc face of ingress and clsact (q_ingress.c, q_clsact.c):
// only `handle` (which tc itself already read) is skipped.
type syntax struct{ id string }

func (s syntax) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	for a.More() {
		w := a.Next()
		if w == "handle" && s.id == "ingress" {
			if _, err := a.Value(); err != nil {
				return err
			}
			continue
		}
		return tc.Usagef("What is \"%s\"?\nUsage: ... %s", w, s.id)
	}
	return nil
}

func (s syntax) PrintQdisc(p *tc.Printer, _ []byte) error {
	p.String(tc.Text, "", "%s", "---------------- ")
	return nil
}
