package ets_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/ets"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// FuzzParse feeds words to the tc face; what it accepts must print back
// and be taken or refused cleanly by the kernel side, as qdisc options
// and as class options.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"bands 3", "strict 2 quanta 1500 3000 priomap 0 1 2", "quanta 1 2 3",
		"bands 17", "priomap 1 2", "quantum 1000", "bands 2 bands 0", ""} {
		f.Add(s)
	}
	b := schedtest.New(f, schedtest.Options{})
	b.TC("qdisc add root handle 1: ets bands 3")
	f.Fuzz(func(t *testing.T, words string) {
		nb := nl.NewBuilder()
		if err := ets.Syntax.ParseQdisc(tc.NewArgs(strings.Fields(words)), nb); err == nil {
			opt := nl.Parse(nb.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
			if _, err := ets.DecodeConfig(opt, 1514); err == nil {
				// The kernel's own dump must print.
				c, _ := ets.DecodeConfig(opt, 1514)
				db := nl.NewBuilder()
				c.Encode(db)
				dump := nl.Parse(db.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
				if err := ets.Syntax.PrintQdisc(tc.NewPrinter(false, false), dump.Data); err != nil {
					t.Fatalf("dump of %q does not print: %v", words, err)
				}
			}
			qdiscChange(b, nb)
		}
		cb := nl.NewBuilder()
		if err := ets.Syntax.(tc.ClassSyntax).ParseClass(tc.NewArgs(strings.Fields(words)), cb); err == nil {
			m := sched.TCMsg{Handle: tc.Make(1, 2)}
			b.Do(sched.RTM_NEWTCLASS, 0, m, func(x *nl.Builder) {
				x.PutString(sched.TCA_KIND, "ets")
				x.Raw(cb.Bytes())
			})
		}
	})
}

func qdiscChange(b *schedtest.Bed, opts *nl.Builder) error {
	m := sched.TCMsg{Parent: tc.Root, Handle: tc.Make(1, 0)}
	return b.Do(sched.RTM_NEWQDISC, 0, m, func(x *nl.Builder) {
		x.PutString(sched.TCA_KIND, "ets")
		x.Raw(opts.Bytes())
	})
}

// FuzzOptions gives arbitrary bytes to the kernel side's decoder and to
// the printers.
func FuzzOptions(f *testing.F) {
	f.Add([]byte{5, 0, 1, 0, 3, 0, 0, 0}, true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, nested bool) {
		a := &nl.Attr{Type: sched.TCA_OPTIONS, Data: data}
		if nested {
			a.Flags = nl.NLA_F_NESTED
		}
		if c, err := ets.DecodeConfig(a, 1514); err == nil {
			if c.Bands < 1 || c.Bands > ets.MaxBands || c.Strict > c.Bands {
				t.Fatalf("accepted %+v", c)
			}
			for _, p := range c.Priomap {
				if int(p) >= c.Bands {
					t.Fatalf("priomap %v with %d bands", c.Priomap, c.Bands)
				}
			}
		}
		p := tc.NewPrinter(true, false)
		ets.Syntax.PrintQdisc(p, data)
		ets.Syntax.(tc.ClassSyntax).PrintClass(p, data)
	})
}
