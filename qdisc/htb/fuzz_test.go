package htb_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/htb"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// fuzzBed is one bench shared by a fuzz run's iterations.
type fuzzBed struct {
	b    *schedtest.Bed
	conn *rtnl.Conn
}

func newFuzzBed(f *testing.F) *fuzzBed {
	b := schedtest.New(f, schedtest.Options{})
	return &fuzzBed{b: b, conn: b.E.Connect("bench", 0, true, func([]byte) {})}
}

// dump lists the device's classes and qdiscs and prints every htb payload
// with the tc face, as tc -s -d -r would.
func (fb *fuzzBed) dump(t *testing.T) {
	for _, typ := range []uint16{sched.RTM_GETTCLASS, sched.RTM_GETQDISC} {
		b := nl.NewBuilder()
		b.Begin(typ, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, 1, 0)
		(&sched.TCMsg{Ifindex: fb.b.Dev.Ifindex()}).Encode(b)
		b.End()
		for _, out := range fb.conn.Handle(b.Bytes()) {
			msgs, _ := nl.Split(out)
			for _, m := range msgs {
				if m.Type != sched.RTM_NEWTCLASS && m.Type != sched.RTM_NEWQDISC || len(m.Data) < 20 {
					continue
				}
				tb := nl.Parse(m.Data[20:], sched.TCA_MAX)
				if k := tb.Get(sched.TCA_KIND); k == nil || k.Str() != "htb" {
					continue
				}
				for _, js := range []bool{false, true} {
					p := tc.NewPrinter(js, false)
					p.Details, p.Stats, p.Raw = true, true, true
					if o := tb.Get(sched.TCA_OPTIONS); o != nil {
						if m.Type == sched.RTM_NEWTCLASS {
							htb.Syntax.(tc.ClassSyntax).PrintClass(p, o.Data)
						} else {
							htb.Syntax.PrintQdisc(p, o.Data)
						}
					}
					if x := tb.Get(sched.TCA_XSTATS); x != nil {
						if err := htb.Syntax.(tc.XstatsPrinter).PrintXstats(p, x.Data); err != nil {
							t.Fatalf("our own xstats do not print: %v", err)
						}
					}
				}
			}
		}
	}
}

func options(data []byte) func(*nl.Builder) {
	return func(b *nl.Builder) {
		b.PutString(sched.TCA_KIND, "htb")
		b.Put(sched.TCA_OPTIONS, data)
	}
}

// Arbitrary TCA_OPTIONS for the qdisc and for classes: refused or taken,
// never a panic, and whatever is taken dumps and prints.
func FuzzOptions(f *testing.F) {
	glob := htb.Glob{Version: 3, Rate2Quantum: 10, DefCls: 0x10}.Append(nil)
	opt := htb.Opt{Rate: tc.RateSpec{Rate: 125000}, Ceil: tc.RateSpec{Rate: 250000}, Buffer: 200000, CBuffer: 100000, Prio: 3}.Append(nil)
	enc := func(typ uint16, v []byte) []byte {
		b := nl.NewBuilder()
		b.Put(typ, v)
		return b.Bytes()
	}
	f.Add(enc(htb.TCA_HTB_INIT, glob), enc(htb.TCA_HTB_PARMS, opt), uint16(0x10), uint16(0))
	f.Add(enc(htb.TCA_HTB_INIT, glob[:10]), append(enc(htb.TCA_HTB_PARMS, opt), enc(htb.TCA_HTB_RATE64, make([]byte, 8))...), uint16(1), uint16(1))
	f.Add(append(enc(htb.TCA_HTB_INIT, glob), enc(htb.TCA_HTB_OFFLOAD, []byte{1})...), enc(htb.TCA_HTB_RTAB, make([]byte, 1024)), uint16(2), uint16(2))
	var fb *fuzzBed
	f.Fuzz(func(t *testing.T, qopts, copts []byte, minor, parent uint16) {
		if fb == nil {
			fb = newFuzzBed(f)
		}
		b := fb.b
		b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_REPLACE, sched.TCMsg{Parent: tc.Root, Handle: 0x10000}, options(qopts))
		b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_REPLACE, sched.TCMsg{Parent: tc.Root, Handle: 0x10000}, options(append(
			enc(htb.TCA_HTB_INIT, glob), qopts...)))
		for i := uint16(0); i < 3; i++ {
			b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, sched.TCMsg{Parent: tc.Handle(0x10000 | uint32(parent+i)),
				Handle: tc.Handle(0x10000 | uint32(minor+i))}, options(copts))
		}
		fb.dump(t)
		b.Do(sched.RTM_DELTCLASS, 0, sched.TCMsg{Handle: tc.Handle(0x10000 | uint32(minor))}, nil)
		b.Do(sched.RTM_DELQDISC, 0, sched.TCMsg{Parent: tc.Root}, nil)
	})
}

// Arbitrary words for tc's qdisc and class syntax: an error or options
// that print and that the kernel side takes or refuses without a panic.
func FuzzSyntax(f *testing.F) {
	for _, s := range []string{
		"default 10 r2q 5 direct_qlen 7",
		"debug 0123 offload",
		"rate 1mbit ceil 2mbit burst 10k/8 cburst 1k prio 3 quantum 1500",
		"rate 10gbit ceil 50gbit mpu 64 overhead 20 linklayer atm mtu 9000",
		"rate 50% ceil 1x",
		"buffer 1m cbuffer 2 maxburst 3 cmaxburst 4 rate 8bit",
	} {
		f.Add(s)
	}
	var fb *fuzzBed
	f.Fuzz(func(t *testing.T, s string) {
		if fb == nil {
			fb = newFuzzBed(f)
		}
		words := strings.Fields(s)
		qb := nl.NewBuilder()
		if htb.Syntax.ParseQdisc(tc.NewArgs(words), qb) == nil {
			printBack(t, qb.Bytes(), false)
			fb.b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_REPLACE, sched.TCMsg{Parent: tc.Root, Handle: 0x10000}, func(b *nl.Builder) {
				b.PutString(sched.TCA_KIND, "htb")
				b.Raw(qb.Bytes())
			})
		}
		cb := nl.NewBuilder()
		if htb.Syntax.(tc.ClassSyntax).ParseClass(tc.NewArgs(words), cb) == nil {
			printBack(t, cb.Bytes(), true)
			fb.b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, sched.TCMsg{Parent: tc.Root, Handle: 0x10005}, func(b *nl.Builder) {
				b.PutString(sched.TCA_KIND, "htb")
				b.Raw(cb.Bytes())
			})
			fb.dump(t)
			fb.b.Do(sched.RTM_DELTCLASS, 0, sched.TCMsg{Handle: 0x10005}, nil)
		}
	})
}

// printBack prints the TCA_OPTIONS a parse produced.
func printBack(t *testing.T, attrs []byte, class bool) {
	tb := nl.Parse(attrs, sched.TCA_MAX)
	o := tb.Get(sched.TCA_OPTIONS)
	if o == nil {
		t.Fatal("no TCA_OPTIONS")
	}
	p := tc.NewPrinter(false, false)
	var err error
	if class {
		err = htb.Syntax.(tc.ClassSyntax).PrintClass(p, o.Data)
	} else {
		err = htb.Syntax.PrintQdisc(p, o.Data)
	}
	if err != nil {
		t.Fatalf("our own options do not print: %v", err)
	}
}
