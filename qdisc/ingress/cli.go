package ingress

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// syntax is the tc face of ingress and clsact (q_ingress.c, q_clsact.c).
// tc reads "ingress" or "clsact" as the parent and hands the words after it
// to the kind: ingress skips a `handle X`, clsact takes no word. Neither
// sends options (iproute2 6.1 sends none).
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

// PrintQdisc prints ingress's marker; clsact prints nothing.
func (s syntax) PrintQdisc(p *tc.Printer, _ []byte) error {
	if s.id == "ingress" {
		p.String(tc.Text, "", "%s", "---------------- ")
	}
	return nil
}
