package hfsc_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/hfsc"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// FuzzParse feeds class and qdisc words to the tc face; what it accepts
// goes to the kernel side as a class change of 1:1 (made if missing) and
// must print back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"sc rate 20000 ul rate 10000", "rt umax 1540 dmax 5ms rate 10000 ls rate 10000",
		"rt m1 5mbit d 10ms m2 1mbit", "ls m2 0", "ul m2 1mbit", "rt m1", "default 11", "sc umax 1 dmax 1 rate 1"} {
		f.Add(s)
	}
	b := schedtest.New(f, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: hfsc default 1")
	f.Fuzz(func(t *testing.T, words string) {
		_ = hfsc.Syntax.ParseQdisc(tc.NewArgs(strings.Fields(words)), nl.NewBuilder())
		nb := nl.NewBuilder()
		cs := hfsc.Syntax.(tc.ClassSyntax)
		if err := cs.ParseClass(tc.NewArgs(strings.Fields(words)), nb); err != nil {
			return
		}
		opt := nl.Parse(nb.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
		if err := cs.PrintClass(tc.NewPrinter(false, false), opt.Data); err != nil {
			t.Fatal(err)
		}
		m := sched.TCMsg{Parent: tc.Make(1, 0), Handle: tc.Make(1, 1)}
		b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, func(x *nl.Builder) {
			x.PutString(sched.TCA_KIND, "hfsc")
			x.Raw(nb.Bytes())
		})
		// Traffic through whatever the class became.
		b.Send(flow(1, 0x10001), 500)
		b.Run(b.Clock.Now() + 1e6)
	})
}

// FuzzOptions sends arbitrary class options to the kernel side, then
// traffic, and prints what they hold.
func FuzzOptions(f *testing.F) {
	f.Add([]byte{16, 0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, uint16(1))
	f.Add([]byte{}, uint16(2))
	b := schedtest.New(f, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: hfsc default 1")
	b.TC("class add parent 1: classid 1:1 hfsc sc rate 1mbit")
	f.Fuzz(func(t *testing.T, opt []byte, minor uint16) {
		m := sched.TCMsg{Parent: tc.Make(1, 1), Handle: tc.Make(1, uint32(minor))}
		b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, func(x *nl.Builder) {
			x.PutString(sched.TCA_KIND, "hfsc")
			x.Put(sched.TCA_OPTIONS, opt)
		})
		b.Send(flow(1, 0x10000|uint32(minor)), 300)
		b.Run(b.Clock.Now() + 1e6)
		p := tc.NewPrinter(true, false)
		hfsc.Syntax.(tc.ClassSyntax).PrintClass(p, opt)
		hfsc.Syntax.(tc.XstatsPrinter).PrintXstats(p, opt)
		hfsc.Syntax.PrintQdisc(p, opt)
		if x, err := hfsc.DecodeXstats(opt); err == nil {
			if y, _ := hfsc.DecodeXstats(x.Append(nil)); y != x {
				t.Fatal("xstats round trip")
			}
		}
	})
}
