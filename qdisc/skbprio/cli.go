package skbprio

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is skbprio's tc face (q_skbprio.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... <skbprio> [ limit NUMBER ]"

// ParseQdisc reads `limit N` (a size, as tc reads it); without it nothing
// is sent.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var c Config
	ok := false
	for a.More() {
		switch w := a.Next(); w {
		case "limit":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if c.Limit, err = tc.ParseSize(v); err != nil {
				return tc.Usagef("skbprio: Illegal \"limit\" value:\"%s\"", v)
			}
			ok = true
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("skbprio: unknown parameter \"%s\"\n%s", w, usage)
		}
	}
	if ok {
		b.Put(sched.TCA_OPTIONS, c.Encode())
	}
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	if len(opt) < 4 {
		return nil
	}
	c, _ := Decode(opt[:4])
	p.Uint(tc.Any, "limit", "limit %d ", uint64(c.Limit))
	return nil
}
