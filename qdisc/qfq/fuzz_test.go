package qfq_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/qfq"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// FuzzParse feeds class words to the tc face; what it accepts goes to the
// kernel side as a change of a class, then traffic of random sizes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"weight 100", "maxpkt 2000", "w 1 m 512", "weight 9999", "maxpkt 99999", "help", "weight"} {
		f.Add(s, uint16(1), uint16(600))
	}
	b := schedtest.New(f, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: qfq")
	f.Fuzz(func(t *testing.T, words string, minor, size uint16) {
		_ = qfq.Syntax.ParseQdisc(tc.NewArgs(strings.Fields(words)), nl.NewBuilder())
		nb := nl.NewBuilder()
		cs := qfq.Syntax.(tc.ClassSyntax)
		if err := cs.ParseClass(tc.NewArgs(strings.Fields(words)), nb); err != nil {
			return
		}
		opt := nl.Parse(nb.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
		if err := cs.PrintClass(tc.NewPrinter(false, false), opt.Data); err != nil {
			t.Fatal(err)
		}
		m := sched.TCMsg{Parent: tc.Make(1, 0), Handle: tc.Make(1, uint32(minor%16))}
		b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, func(x *nl.Builder) {
			x.PutString(sched.TCA_KIND, "qfq")
			x.Raw(nb.Bytes())
		})
		for i := uint32(0); i < 16; i++ {
			b.Send(flow(i, 0x10000|i), 64+int(size)%9000)
		}
		b.Run(b.Clock.Now() + 2e6)
		if q := b.Qdisc("1:"); q.QLen < 0 {
			t.Fatal("negative qlen")
		}
	})
}

// FuzzOptions sends arbitrary class options to the kernel side and prints
// them.
func FuzzOptions(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 100, 0, 0, 0, 8, 0, 2, 0, 0, 8, 0, 0})
	f.Add([]byte{})
	b := schedtest.New(f, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: qfq")
	f.Fuzz(func(t *testing.T, opt []byte) {
		m := sched.TCMsg{Parent: tc.Make(1, 0), Handle: tc.Make(1, 1)}
		b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, func(x *nl.Builder) {
			x.PutString(sched.TCA_KIND, "qfq")
			x.Put(sched.TCA_OPTIONS, opt)
		})
		b.Send(flow(1, 0x10001), 1000)
		b.Run(b.Clock.Now() + 1e6)
		qfq.Syntax.(tc.ClassSyntax).PrintClass(tc.NewPrinter(false, false), opt)
		if x, err := qfq.DecodeXstats(opt); err == nil {
			if y, _ := qfq.DecodeXstats(x.Append(nil)); y != x {
				t.Fatal("xstats round trip")
			}
		}
	})
}
