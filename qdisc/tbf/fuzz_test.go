package tbf_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/tbf"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

type fuzzBed struct {
	b    *schedtest.Bed
	conn *rtnl.Conn
}

// dumpAndPrint dumps the device's qdiscs and prints tbf's options with the
// tc face in every mode.
func (fb *fuzzBed) dumpAndPrint(t *testing.T) {
	b := nl.NewBuilder()
	b.Begin(sched.RTM_GETQDISC, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, 1, 0)
	(&sched.TCMsg{Ifindex: fb.b.Dev.Ifindex()}).Encode(b)
	b.End()
	for _, out := range fb.conn.Handle(b.Bytes()) {
		msgs, _ := nl.Split(out)
		for _, m := range msgs {
			if m.Type != sched.RTM_NEWQDISC || len(m.Data) < 20 {
				continue
			}
			tb := nl.Parse(m.Data[20:], sched.TCA_MAX)
			if k := tb.Get(sched.TCA_KIND); k == nil || k.Str() != "tbf" {
				continue
			}
			for _, js := range []bool{false, true} {
				p := tc.NewPrinter(js, false)
				p.Details, p.Raw = js, true
				if err := tbf.Syntax.PrintQdisc(p, tb.Get(sched.TCA_OPTIONS).Data); err != nil {
					t.Fatalf("our own dump does not print: %v", err)
				}
			}
		}
	}
}

func (fb *fuzzBed) put(opts []byte, raw bool) error {
	return fb.b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_REPLACE, sched.TCMsg{Parent: tc.Root, Handle: 0x10000}, func(b *nl.Builder) {
		b.PutString(sched.TCA_KIND, "tbf")
		if raw {
			b.Raw(opts)
		} else {
			b.Put(sched.TCA_OPTIONS, opts)
		}
	})
}

// Arbitrary TCA_OPTIONS: refused or taken, never a panic; what is taken
// dumps and prints, and passes traffic.
func FuzzOptions(f *testing.F) {
	q := tbf.Qopt{Rate: tc.RateSpec{Rate: 125000}, PeakRate: tc.RateSpec{Rate: 250000}, Limit: 10000, Buffer: 160000, MTU: 100000}
	enc := func(typ uint16, v []byte) []byte {
		b := nl.NewBuilder()
		b.Put(typ, v)
		return b.Bytes()
	}
	f.Add(enc(tbf.TCA_TBF_PARMS, q.Append(nil)))
	f.Add(append(enc(tbf.TCA_TBF_PARMS, q.Append(nil)), enc(tbf.TCA_TBF_BURST, []byte{0, 4, 0, 0})...))
	f.Add(append(enc(tbf.TCA_TBF_PARMS, q.Append(nil)), enc(tbf.TCA_TBF_PBURST, []byte{1, 0, 0, 0})...))
	f.Add(append(enc(tbf.TCA_TBF_PARMS, q.Append(nil)), enc(tbf.TCA_TBF_RTAB, make([]byte, 1024))...))
	var fb *fuzzBed
	flow := &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2")}
	f.Fuzz(func(t *testing.T, opts []byte) {
		if fb == nil {
			b := schedtest.New(f, schedtest.Options{Rate: 1e9})
			fb = &fuzzBed{b: b, conn: b.E.Connect("bench", 0, true, func([]byte) {})}
		}
		if fb.put(opts, false) == nil {
			fb.dumpAndPrint(t)
			for i := 0; i < 5; i++ {
				fb.b.Send(flow, 64+300*i)
			}
			fb.b.Clock.Advance(1e9)
		}
		fb.b.Do(sched.RTM_DELQDISC, 0, sched.TCMsg{Parent: tc.Root}, nil)
	})
}

// Arbitrary words: an error, or options that print and that the kernel
// side takes or refuses without a panic.
func FuzzSyntax(f *testing.F) {
	for _, s := range []string{
		"rate 1mbit burst 10k latency 10ms",
		"rate 10gbit burst 100k/64 limit 1m peakrate 20gbit mtu 9000/8 overhead 20 linklayer atm mpu 64",
		"rate 1mbit burst 1000 limit 100 peakrate 2mbit minburst 1500",
		"rate 1kbit burst 4g latency 1000s mtu 1",
		"rate 100% burst 1 latency 1",
		"maxburst 1/3 buffer 2 limit",
	} {
		f.Add(s)
	}
	var fb *fuzzBed
	f.Fuzz(func(t *testing.T, s string) {
		if fb == nil {
			b := schedtest.New(f, schedtest.Options{Rate: 1e9})
			fb = &fuzzBed{b: b, conn: b.E.Connect("bench", 0, true, func([]byte) {})}
		}
		b := nl.NewBuilder()
		if tbf.Syntax.ParseQdisc(tc.NewArgs(strings.Fields(s)), b) != nil {
			return
		}
		o := nl.Parse(b.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
		if o == nil {
			t.Fatal("no TCA_OPTIONS")
		}
		if err := tbf.Syntax.PrintQdisc(tc.NewPrinter(false, false), o.Data); err != nil {
			t.Fatalf("our own options do not print: %v", err)
		}
		if fb.put(b.Bytes(), true) == nil {
			fb.dumpAndPrint(t)
		}
		fb.b.Do(sched.RTM_DELQDISC, 0, sched.TCMsg{Parent: tc.Root}, nil)
	})
}
