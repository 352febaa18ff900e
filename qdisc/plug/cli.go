package plug

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is plug's tc face (q_plug.c of iproute2 6.1). plug dumps no
// options, so nothing prints.
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... plug [block | release | release_indefinite | limit NUMBER]"

// ParseQdisc reads the action words; the last one wins, and nothing is
// sent without one.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var c Config
	ok := false
	for a.More() {
		switch w := a.Next(); w {
		case "block":
			c.Action, ok = Buffer, true
		case "release":
			c.Action, ok = ReleaseOne, true
		case "release_indefinite":
			c.Action, ok = ReleaseIndefinite, true
		case "limit":
			c.Action = Limit
			v, err := a.Value()
			if err != nil {
				return err
			}
			if c.Limit, err = tc.ParseSize(v); err != nil {
				return tc.Usagef("Illegal value for \"limit\": \"%s\"", v)
			}
			ok = true
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("plug: unknown parameter \"%s\"\n%s", w, usage)
		}
	}
	if ok {
		b.Put(sched.TCA_OPTIONS, c.Encode())
	}
	return nil
}

func (syntax) PrintQdisc(*tc.Printer, []byte) error { return nil }
