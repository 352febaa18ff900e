package drr_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/drr"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// FuzzParse feeds words to the tc face: it either refuses them or writes
// options that print back and that the kernel side takes or refuses
// cleanly.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "quantum 1500", "quantum 0", "quantum 1kb quantum 2mbit", "quantum", "help", "foo"} {
		f.Add(s)
	}
	b := schedtest.New(f, schedtest.Options{})
	b.TC("qdisc add root handle 1: drr")
	f.Fuzz(func(t *testing.T, words string) {
		nb := nl.NewBuilder()
		cs := drr.Syntax.(tc.ClassSyntax)
		if err := cs.ParseClass(tc.NewArgs(strings.Fields(words)), nb); err != nil {
			return
		}
		opt := nl.Parse(nb.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
		if opt == nil {
			t.Fatal("no TCA_OPTIONS")
		}
		p := tc.NewPrinter(false, false)
		if err := cs.PrintClass(p, opt.Data); err != nil {
			t.Fatal(err)
		}
		change(b, opt.Data)
		_ = drr.Syntax.ParseQdisc(tc.NewArgs(strings.Fields(words)), nl.NewBuilder())
	})
}

// change sends a class change with raw options to class 1:1 (made if
// missing), as a fuzzed client could.
func change(b *schedtest.Bed, opt []byte) error {
	m := sched.TCMsg{Parent: tc.Make(1, 0), Handle: tc.Make(1, 1)}
	return b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, "drr")
		nb.Put(sched.TCA_OPTIONS, opt)
	})
}

// FuzzOptions sends arbitrary class options to the kernel side and prints
// whatever a dump then holds.
func FuzzOptions(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 0xdc, 5, 0, 0})
	f.Add([]byte{5, 0, 1, 0, 1})
	f.Add([]byte{})
	b := schedtest.New(f, schedtest.Options{})
	b.TC("qdisc add root handle 1: drr")
	f.Fuzz(func(t *testing.T, opt []byte) {
		change(b, opt)
		p := tc.NewPrinter(true, false)
		drr.Syntax.(tc.ClassSyntax).PrintClass(p, opt)
		drr.Syntax.(tc.XstatsPrinter).PrintXstats(p, opt)
		if x, err := drr.DecodeXstats(opt); err == nil {
			if y, _ := drr.DecodeXstats(x.Append(nil)); y != x {
				t.Fatalf("xstats round trip %v != %v", y, x)
			}
		}
	})
}
