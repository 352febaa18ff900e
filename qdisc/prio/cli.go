package prio

import (
	"strconv"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is prio's tc face (q_prio.c), which pfifo_fast shares:
// `bands N priomap P1 P2 ... [multiqueue]`.
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... prio bands NUMBER priomap P1 P2...[multiqueue]"

var defaultConfig = Config{Bands: 3, Priomap: [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}}

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	c := defaultConfig
	pmap, idx, mq := false, 0, false
	for a.More() {
		switch w := a.Next(); w {
		case "bands":
			if pmap {
				// q_prio.c prints the usage and reads on.
				a.Warn(usage)
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				return tc.Usagef("Illegal \"bands\"")
			}
			c.Bands = int32(n)
		case "priomap":
			if pmap {
				return tc.Usagef("Error: duplicate priomap")
			}
			pmap = true
		case "multiqueue":
			mq = true
		case "help":
			return tc.Usagef("%s", usage)
		default:
			if !pmap {
				return tc.Usagef("What is \"%s\"?\n%s", w, usage)
			}
			band, err := strconv.ParseUint(w, 10, 32)
			if err != nil {
				return tc.Usagef("Illegal \"priomap\" element")
			}
			if int64(band) >= int64(c.Bands) {
				return tc.Usagef("\"priomap\" element is out of bands")
			}
			if idx > 15 {
				return tc.Usagef("\"priomap\" index > TC_PRIO_MAX=15")
			}
			c.Priomap[idx] = uint8(band)
			idx++
		}
	}
	// A compat nest: the struct, then a nest of the same type holding the
	// attributes (addattr_nest_compat).
	b.Nest(sched.TCA_OPTIONS)
	b.Raw(c.Encode())
	b.Nest(sched.TCA_OPTIONS)
	if mq {
		b.PutFlag(TCA_PRIO_MQ)
	}
	b.EndNest()
	b.EndNest()
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	c, err := Decode(opt)
	if err != nil {
		return err
	}
	var mq *nl.Attr
	if len(opt) >= nl.Align(qoptLen)+nl.AttrHdrLen {
		tb := nl.Parse(opt[nl.Align(qoptLen)+nl.AttrHdrLen:], TCA_PRIO_MQ)
		mq = tb.Get(TCA_PRIO_MQ)
	}
	p.Uint(tc.Any, "bands", "bands %d ", uint64(c.Bands))
	p.OpenArray(tc.Any, "priomap", "priomap")
	for _, v := range c.Priomap {
		p.Uint(tc.Any, "", " %d", uint64(v))
	}
	p.CloseArray(tc.Any, "")
	on := mq != nil && len(mq.Data) > 0 && mq.Data[0] != 0
	if mq != nil {
		s := "off"
		if on {
			s = "on"
		}
		p.String(tc.Text, "", " multiqueue: %s ", s)
	}
	p.Bool(tc.JSON, "multiqueue", "", on)
	return nil
}
