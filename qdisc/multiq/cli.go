package multiq

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// syntax is multiq's tc face (q_multiq.c): no words but help; the options
// always go with zero bands, which the kernel fills in.
type syntax struct{}

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	for a.More() {
		if w := a.Next(); w == "help" {
			return tc.Usagef("Usage: ... multiq [help]")
		} else {
			return tc.Usagef("What is \"%s\"?\nUsage: ... multiq [help]", w)
		}
	}
	b.Put(sched.TCA_OPTIONS, Config{}.encode())
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	c, err := decode(opt)
	if err != nil {
		return err
	}
	// q_multiq.c prints with fprintf, in JSON mode too.
	p.Fprintf("bands %d/%d ", c.Bands, c.MaxBands)
	return nil
}
