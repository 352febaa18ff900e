// Package facetest holds the fuzz drivers that sfq, fq, hhf, cake and
// netem share: arbitrary TCA_OPTIONS through the engine (the wire
// decoders) and arbitrary words through a kind's tc face (the parser),
// each followed by a dump of qdiscs and classes printed back with the
// face, text and JSON, with statistics, so that every decoder and printer
// sees what the kind writes.
package facetest

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// Bed is a bench shared by a fuzz run's iterations.
type Bed struct {
	B    *schedtest.Bed
	conn *rtnl.Conn
	kind string
	face tc.QdiscSyntax
}

// New makes a bench for kind.
func New(f *testing.F, kind string, face tc.QdiscSyntax) *Bed {
	b := schedtest.New(f, schedtest.Options{})
	return &Bed{B: b, conn: b.E.Connect("bench", 0, true, func([]byte) {}), kind: kind, face: face}
}

var flow = &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}

// Traffic sends a few packets of several flows and runs the clock a
// little, so that dumps have queues and state to show.
func (fb *Bed) Traffic() {
	b := fb.B
	for i := 0; i < 20; i++ {
		fs := *flow
		fs.ID = uint32(i % 5)
		fs.SPort = uint16(i % 5)
		fs.TOS = uint8(i * 8)
		p := b.Pool.Get()
		b.Frame(p, &fs, 100+50*i, uint64(i))
		b.Dev.Transmit(p)
	}
	b.Run(b.Clock.Now() + 1e6)
}

// Dump lists the device's qdiscs and classes and prints every payload of
// the kind with its face, text and JSON, with statistics and details.
func (fb *Bed) Dump(t *testing.T) {
	for _, typ := range []uint16{sched.RTM_GETTCLASS, sched.RTM_GETQDISC} {
		b := nl.NewBuilder()
		b.Begin(typ, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, 1, 0)
		(&sched.TCMsg{Ifindex: fb.B.Dev.Ifindex()}).Encode(b)
		b.End()
		for _, out := range fb.conn.Handle(b.Bytes()) {
			msgs, _ := nl.Split(out)
			for _, m := range msgs {
				if m.Type != sched.RTM_NEWTCLASS && m.Type != sched.RTM_NEWQDISC || len(m.Data) < 20 {
					continue
				}
				tb := nl.Parse(m.Data[20:], sched.TCA_MAX)
				if k := tb.Get(sched.TCA_KIND); k == nil || k.Str() != fb.kind {
					continue
				}
				for _, js := range []bool{false, true} {
					p := tc.NewPrinter(js, false)
					p.Details, p.Stats = true, true
					if o := tb.Get(sched.TCA_OPTIONS); o != nil && m.Type == sched.RTM_NEWQDISC {
						if err := fb.face.PrintQdisc(p, o.Data); err != nil {
							t.Fatalf("our own options do not print: %v", err)
						}
					}
					x := tb.Get(sched.TCA_XSTATS)
					if s2 := tb.Get(sched.TCA_STATS2); s2 != nil {
						if a := nl.Parse(s2.Data, sched.TCA_STATS_PKT64).Get(sched.TCA_STATS_APP); a != nil {
							x = a
						}
					}
					if xp, ok := fb.face.(tc.XstatsPrinter); ok && x != nil {
						if err := xp.PrintXstats(p, x.Data); err != nil {
							t.Fatalf("our own xstats do not print: %v", err)
						}
					}
				}
			}
		}
	}
}

func (fb *Bed) add(flags uint16, opts []byte, raw bool) error {
	return fb.B.Do(sched.RTM_NEWQDISC, flags, sched.TCMsg{Parent: tc.Root, Handle: 0x10000}, func(b *nl.Builder) {
		b.PutString(sched.TCA_KIND, fb.kind)
		if raw {
			b.Raw(opts)
		} else if opts != nil {
			b.Put(sched.TCA_OPTIONS, opts)
		}
	})
}

func (fb *Bed) del() {
	fb.B.Do(sched.RTM_DELQDISC, 0, sched.TCMsg{Parent: tc.Root}, nil)
}

// Wire feeds arbitrary TCA_OPTIONS payloads to create and then change the
// kind: refused or taken, never a panic, and what is taken carries
// traffic, dumps and prints.
func Wire(f *testing.F, kind string, face tc.QdiscSyntax, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s, s)
	}
	var fb *Bed
	f.Fuzz(func(t *testing.T, create, change []byte) {
		if fb == nil {
			fb = New(f, kind, face)
		}
		if fb.add(nl.NLM_F_CREATE|nl.NLM_F_EXCL, create, false) == nil {
			fb.Traffic()
			fb.add(0, change, false)
			fb.Traffic()
			fb.Dump(t)
			fb.del()
		}
		fb.B.Run(fb.B.Clock.Now() + 1e9)
	})
}

// Parse feeds arbitrary words to the kind's tc face: an error, or
// attributes that print back and that the engine takes or refuses without
// a panic.
func Parse(f *testing.F, kind string, face tc.QdiscSyntax, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	var fb *Bed
	f.Fuzz(func(t *testing.T, s string) {
		if fb == nil {
			fb = New(f, kind, face)
		}
		b := nl.NewBuilder()
		a := tc.NewArgs(strings.Fields(s))
		a.Dev = "eth0"
		if face.ParseQdisc(a, b) != nil {
			return
		}
		if o := nl.Parse(b.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS); o != nil {
			for _, js := range []bool{false, true} {
				if err := face.PrintQdisc(tc.NewPrinter(js, false), o.Data); err != nil {
					t.Fatalf("%q: parsed options do not print: %v", s, err)
				}
			}
		}
		if fb.add(nl.NLM_F_CREATE|nl.NLM_F_EXCL, b.Bytes(), true) == nil {
			fb.Traffic()
			fb.Dump(t)
			fb.del()
		}
	})
}

// Packet returns a framed packet of the shared test flow.
func Packet(b *schedtest.Bed, size int) *pkt.Packet {
	p := b.Pool.Get()
	b.Frame(p, flow, size, 0)
	return p
}
