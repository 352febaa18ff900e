package fifo

import (
	"fmt"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// syntax is the tc face of the fifos (q_fifo.c): `limit SIZE`.
type syntax struct {
	id    string
	bytes bool
}

func (s syntax) usage() string {
	return "Usage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]"
}

func (s syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
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
				return tc.Usagef("%s: Illegal value for \"limit\": \"%s\"", s.id, v)
			}
			ok = true
		case "help":
			return tc.Usagef("%s", s.usage())
		default:
			return tc.Usagef("%s: unknown parameter \"%s\"\n%s", s.id, w, s.usage())
		}
	}
	if ok {
		b.Put(sched.TCA_OPTIONS, encode(c))
	}
	return nil
}

func (s syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	c, err := decode(opt)
	if err != nil {
		return fmt.Errorf("fifo options too short")
	}
	if s.bytes {
		p.Uint(tc.JSON, "limit", "", uint64(c.Limit))
		p.String(tc.Text, "", "limit %s", tc.SizeString(c.Limit))
	} else {
		p.Uint(tc.Any, "limit", "limit %dp", uint64(c.Limit))
	}
	return nil
}
