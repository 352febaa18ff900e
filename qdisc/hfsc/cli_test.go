package hfsc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/hfsc"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// What iproute2 6.1's tc prints and returns for class words (recorded
// from /usr/sbin/tc), and the curves it sends.
func TestParseClass(t *testing.T) {
	for _, tt := range []struct {
		words         string
		code          int
		msg           string
		rsc, fsc, usc *hfsc.ServiceCurve
	}{
		{words: "sc rate 20000 ul rate 10000",
			rsc: &hfsc.ServiceCurve{M2: 2500}, fsc: &hfsc.ServiceCurve{M2: 2500}, usc: &hfsc.ServiceCurve{M2: 1250}},
		{words: "rt umax 1540 dmax 5ms rate 10000 ls rate 10000",
			rsc: &hfsc.ServiceCurve{M1: 308000, D: 5000, M2: 1250}, fsc: &hfsc.ServiceCurve{M2: 1250}},
		// A convex umax/dmax curve: m1 0, starting dmax - umax/rate later.
		{words: "rt umax 1000 dmax 10ms rate 1mbit",
			rsc: &hfsc.ServiceCurve{M1: 0, D: 2000, M2: 125000}},
		{words: "rt m1 5mbit d 10ms m2 1mbit", rsc: &hfsc.ServiceCurve{M1: 625000, D: 10000, M2: 125000}},
		{words: "r d 1ms m2 1kbit", rsc: &hfsc.ServiceCurve{D: 1000, M2: 125}},
		{words: "rt rate 0", code: 136},
		{words: "rt m1 5", code: 255, msg: `Command line is not complete. Try option "help"`},
		{words: "rt", code: 255, msg: `Command line is not complete. Try option "help"`},
		{words: "rt m1 5x d 1 m2 1", code: 1, msg: "HFSC: Illegal \"m1\"\nHFSC: Illegal \"rt\""},
		{words: "rt umax 1540 rate 1", code: 1, msg: "HFSC: umax given but dmax is zero.\nHFSC: Illegal \"rt\""},
		{words: "rt m1 1 d 1 m2 0", code: 1, msg: "HFSC: Service Curve has two zero slopes\nHFSC: Illegal \"rt\""},
		{words: "ls m2 1x", code: 1, msg: "HFSC: Illegal \"m2\"\nHFSC: Illegal \"ls\""},
		{words: "ls rate 1mbit foo", code: 1, msg: "HFSC: What is \"foo\" ?\nUsage"},
		{words: "ul rate 1mbit", code: 1, msg: "HFSC: Upper-limit Service Curve without Link-Share Service Curve\nUsage"},
		{words: "", code: 1, msg: "HFSC: no parameters given\nUsage"},
	} {
		t.Run(tt.words, func(t *testing.T) {
			b := nl.NewBuilder()
			err := hfsc.Syntax.(tc.ClassSyntax).ParseClass(tc.NewArgs(strings.Fields(tt.words)), b)
			if tt.code != 0 {
				var ue *tc.UsageError
				if !errors.As(err, &ue) || ue.Code != tt.code || !strings.HasPrefix(ue.Msg, tt.msg) {
					t.Fatalf("got %#v, want code %d %q", err, tt.code, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tb := nl.Parse(nl.Parse(b.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS).Data, hfsc.TCA_HFSC_MAX)
			for i, want := range []*hfsc.ServiceCurve{tt.rsc, tt.fsc, tt.usc} {
				a := tb.Get(uint16(i + 1))
				if (a == nil) != (want == nil) {
					t.Fatalf("curve %d: present %v, want %v", i+1, a != nil, want != nil)
				}
				if a == nil {
					continue
				}
				if got, _ := hfsc.DecodeServiceCurve(a.Data); got != *want {
					t.Fatalf("curve %d: %+v, want %+v", i+1, got, *want)
				}
			}
		})
	}
}

func TestPrint(t *testing.T) {
	b := nl.NewBuilder()
	b.Put(hfsc.TCA_HFSC_RSC, hfsc.ServiceCurve{M1: 308000, D: 5000, M2: 1250}.Append(nil))
	b.Put(hfsc.TCA_HFSC_FSC, hfsc.ServiceCurve{M2: 1250}.Append(nil))
	b.Put(hfsc.TCA_HFSC_USC, hfsc.ServiceCurve{M2: 125000}.Append(nil))
	p := tc.NewPrinter(false, false)
	hfsc.Syntax.(tc.ClassSyntax).PrintClass(p, b.Bytes())
	want := "rt m1 2464Kbit d 5ms m2 10Kbit ls m1 0bit d 0us m2 10Kbit ul m1 0bit d 0us m2 1Mbit "
	if got := string(p.Bytes()); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	p = tc.NewPrinter(true, false)
	x := hfsc.Xstats{Work: 3000, Period: 2, Level: 1}
	hfsc.Syntax.(tc.XstatsPrinter).PrintXstats(p, x.Append(nil))
	if got, want := string(p.Bytes()), " period 2 work 3000 bytes level 1 \n"; got != want {
		t.Fatalf("xstats %q, want %q (fprintf, even under -j)", got, want)
	}
}
