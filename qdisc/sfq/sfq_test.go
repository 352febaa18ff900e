package sfq_test

import (
	"math"
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/internal/facetest"
	"github.com/netsched/netsched/qdisc/sfq"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

func flowN(i int) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: uint32(i), Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.1.1"),
		SPort: uint16(1000 + i), DPort: 80}
}

// SFQ shares the link equally among backlogged flows whatever their
// offered load (round robin by quantum, sch_sfq.c): four flows offering
// 2, 3, 4 and 6 Mbit/s into 4 Mbit/s each get 1 Mbit/s within 3%.
func TestSharesEqually(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 4e6})
	b.TC("qdisc add root handle 1: sfq")
	for i, r := range []uint64{2e6, 3e6, 4e6, 6e6} {
		b.CBR(flowN(i), r, 1000, 0, 20e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 20e9
	b.Run(21e9)
	for i := 0; i < 4; i++ {
		if r := b.Sink.Rate(uint32(i)); math.Abs(r-1e6)/1e6 > 0.03 {
			t.Errorf("flow %d got %.0f bit/s, want 1 Mbit/s within 3%%", i, r)
		}
	}
}

// A flow below its share is served in full; the others split the rest.
func TestSparseFlowUnharmed(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 4e6})
	b.TC("qdisc add root handle 1: sfq")
	b.CBR(flowN(0), 500e3, 500, 0, 20e9)
	b.CBR(flowN(1), 8e6, 1000, 0, 20e9)
	b.CBR(flowN(2), 8e6, 1000, 0, 20e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 20e9
	b.Run(21e9)
	if r := b.Sink.Rate(0); math.Abs(r-500e3)/500e3 > 0.02 {
		t.Errorf("sparse flow got %.0f bit/s, want 500 kbit/s", r)
	}
	for i := uint32(1); i <= 2; i++ {
		if r := b.Sink.Rate(i); math.Abs(r-1.75e6)/1.75e6 > 0.03 {
			t.Errorf("bulk flow %d got %.0f bit/s, want 1.75 Mbit/s", i, r)
		}
	}
}

// Perturbation rehashes queued packets (sfq_rehash) without reordering a
// flow; the timer runs on the engine's clock.
func TestPerturbKeepsOrder(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 2e6})
	b.TC("qdisc add root handle 1: sfq perturb 1 limit 100 depth 50")
	last := map[uint32]uint64{}
	b.Link.Deliver = func(p *pkt.Packet) {
		if s, ok := last[p.Flow]; ok && p.Seq <= s {
			t.Fatalf("flow %d: packet %d after %d", p.Flow, p.Seq, s)
		}
		last[p.Flow] = p.Seq
		p.Free()
	}
	for i := 0; i < 6; i++ {
		i := i
		var seq uint64
		f := flowN(i)
		tm := b.Clock.NewTimer(nil)
		var send func()
		send = func() {
			p := b.Pool.Get()
			b.Frame(p, f, 800, seq)
			seq++
			b.Dev.Transmit(p)
			if b.Clock.Now() < 10e9 {
				tm.Reset(b.Clock.Now() + 2e6)
			}
		}
		tm = b.Clock.NewTimer(send)
		tm.Reset(int64(i) * 1000)
	}
	b.Run(12e9)
	if len(last) != 6 {
		t.Fatalf("%d flows delivered", len(last))
	}
}

// Over the limit the longest flow loses its tail; with headdrop its head
// (sfq_drop): a burst of one flow keeps the oldest or the newest packets.
func TestDropTailOrHead(t *testing.T) {
	for _, tt := range []struct {
		args     string
		wantLast uint64
	}{{"limit 10", 10}, {"limit 10 headdrop", 29}} {
		b := schedtest.New(t, schedtest.Options{Rate: 8e6})
		b.TC("qdisc add root handle 1: sfq " + tt.args)
		var got []uint64
		b.Link.Deliver = func(p *pkt.Packet) { got = append(got, p.Seq); p.Free() }
		for i := 0; i < 30; i++ {
			p := b.Pool.Get()
			b.Frame(p, flowN(1), 1000, uint64(i))
			b.Dev.Transmit(p)
		}
		b.Run(1e9)
		// The link took packet 0 at once; sfq kept 10 of the other 29.
		if len(got) != 11 || got[len(got)-1] != tt.wantLast {
			t.Errorf("%s: delivered %v", tt.args, got)
		}
		if q := b.Qdisc("1:"); q.Qstats.Drops != 19 {
			t.Errorf("%s: drops %d, want 19", tt.args, q.Qstats.Drops)
		}
	}
}

// sfq has no change operation; the kernel refuses `tc qdisc change`.
func TestNoChange(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: sfq")
	if err := b.TryTC("qdisc change root handle 1: sfq limit 10"); err == nil {
		t.Fatalf("change accepted")
	}
	if err := b.TryTC("qdisc replace root handle 2: sfq limit 2 depth 1 flows 1"); err == nil || err.Error() != "sch_sfq: invalid limit" {
		t.Fatalf("derived limit 1: %v", err)
	}
}

func BenchmarkSFQ64Flows(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: sfq limit 1000 depth 100")
	q := bed.Qdisc("1:")
	bed.Dev.SetUp(false)
	ps := make([]*pkt.Packet, 64)
	for i := range ps {
		ps[i] = bed.Pool.Get()
		bed.Frame(ps[i], flowN(i), 1000, 0)
		q.Enqueue(ps[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := q.Dequeue()
		q.Enqueue(p)
	}
}

func FuzzWire(f *testing.F) {
	o := sfq.QoptV1{Qopt: sfq.Qopt{Quantum: 1514, Limit: 100, Divisor: 256, Flows: 64, PerturbPeriod: 1},
		Depth: 20, Headdrop: 1, Limit: 100000, QthMin: 8000, QthMax: 60000, Wlog: 6, Plog: 18, MaxP: 858993459, Flags: 3}
	facetest.Wire(f, "sfq", sfq.Syntax, o.Encode(), o.Encode()[:20], make([]byte, 72), nil)
}

func FuzzParse(f *testing.F) {
	facetest.Parse(f, "sfq", sfq.Syntax,
		"limit 100 perturb 5 quantum 2k divisor 256 flows 64 depth 20 headdrop",
		"redflowlimit 100000 min 8000 max 60000 probability 0.2 ecn harddrop",
		"redflowlimit 10000 burst 1 avpkt 100",
		"limit 2 depth 1 divisor 1")
}

// Classes are the buckets that hold a flow (sfq_walk): one per active
// flow while they are queued, none once empty.
func TestClassesAreActiveFlows(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: sfq")
	for i := 0; i < 5; i++ {
		b.Send(flowN(i), 1000)
		b.Send(flowN(i), 1000)
	}
	q := b.Qdisc("1:")
	count := func() int {
		n := 0
		q.Discipline.(sched.Classful).Walk(func(sched.Class) bool { n++; return true })
		return n
	}
	if n := count(); n != 5 {
		t.Fatalf("%d classes with 5 flows queued", n)
	}
	b.Run(1e9)
	if n := count(); n != 0 {
		t.Fatalf("%d classes once empty", n)
	}
}
