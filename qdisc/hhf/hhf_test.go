package hhf_test

import (
	"math"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/hhf"
	"github.com/netsched/netsched/qdisc/internal/facetest"
	"github.com/netsched/netsched/schedtest"
)

func flowN(i int) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: uint32(i), Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.1.1"),
		SPort: uint16(1000 + i), DPort: 80}
}

// The multistage filter catches a flow sending more than admit_bytes per
// reset_timeout (here 20 KB per 40 ms: 4 Mbit/s) as a heavy hitter, and
// leaves a light flow alone; the light flow, in the non-heavy-hitter
// bucket weighted twice, keeps its rate and a short queue
// (sch_hhf.c hhf_classify, hhf_dequeue).
func TestHeavyHitterIsolated(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: hhf admit_bytes 20000")
	b.CBR(flowN(1), 30e6, 1000, 0, 10e9)
	b.CBR(flowN(2), 1e6, 200, 0, 10e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 10e9
	b.Run(11e9)
	if n := hhf.Flows(b.Qdisc("1:")); n != 1 {
		t.Fatalf("%d heavy hitters in the table, want 1", n)
	}
	light, heavy := b.Sink.Flows[2], b.Sink.Flows[1]
	if r := b.Sink.Rate(2); math.Abs(r-1e6)/1e6 > 0.02 {
		t.Errorf("light flow got %.0f bit/s, want 1 Mbit/s", r)
	}
	if light.MeanDelay() > 5e6 || light.MeanDelay() > heavy.MeanDelay()/10 {
		t.Errorf("light flow delay %.0f ns, heavy %.0f ns", light.MeanDelay(), heavy.MeanDelay())
	}
}

// Over the limit, hhf drops from the heavy-hitter bucket first.
func TestDropsHeavyFirst(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: hhf limit 20 admit_bytes 1000")
	var got []uint32
	b.Link.Deliver = func(p *pkt.Packet) { got = append(got, p.Flow); p.Free() }
	for i := 0; i < 30; i++ {
		b.Send(flowN(1), 1000) // becomes a heavy hitter after 1000 bytes
	}
	for i := 0; i < 5; i++ {
		b.Send(flowN(2), 100)
	}
	b.Run(10e9)
	light := 0
	for _, f := range got {
		if f == 2 {
			light++
		}
	}
	if light != 5 {
		t.Fatalf("%d of 5 light packets delivered", light)
	}
}

func BenchmarkHHF(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: hhf")
	q := bed.Qdisc("1:")
	bed.Dev.SetUp(false)
	for i := 0; i < 64; i++ {
		p := bed.Pool.Get()
		bed.Frame(p, flowN(i), 1000, 0)
		q.Enqueue(p)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := q.Dequeue()
		q.Enqueue(p)
	}
}

func FuzzWire(f *testing.F) {
	b := nl.NewBuilder()
	b.PutU32(hhf.TCA_HHF_BACKLOG_LIMIT, 10)
	b.PutU32(hhf.TCA_HHF_HH_FLOWS_LIMIT, 1)
	b.PutU32(hhf.TCA_HHF_ADMIT_BYTES, 100)
	b.PutU32(hhf.TCA_HHF_NON_HH_WEIGHT, 3)
	facetest.Wire(f, "hhf", hhf.Syntax, b.Bytes(), nil)
}

func FuzzParse(f *testing.F) {
	facetest.Parse(f, "hhf", hhf.Syntax,
		"limit 10 quantum 2000 hh_limit 100 reset_timeout 10ms admit_bytes 20k evict_timeout 2s non_hh_weight 3",
		"hh_limit 4294967295", "quantum 0")
}

// hh_limit caps the heavy-hitter table (hhf_flows_limit): a second heavy
// flow past a limit of 1 is refused and counted in hh_overlimit.
func TestFlowsLimit(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: hhf hh_limit 1 admit_bytes 1000")
	for i := 0; i < 10; i++ {
		b.Send(flowN(1), 1000)
		b.Send(flowN(2), 1000)
	}
	if n := hhf.Flows(b.Qdisc("1:")); n != 1 {
		t.Fatalf("%d heavy hitters, want 1", n)
	}
}
