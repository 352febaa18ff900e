package qfq_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

func flow(id, prio uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"),
		SPort: uint16(id), DPort: 9, Priority: prio}
}

func jain(xs []float64) float64 {
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	return s * s / (float64(len(xs)) * s2)
}

type cls struct {
	minor   uint32
	words   string // after "qfq"
	size    int
	offered float64
}

// rates runs the classes' flows through 1: qfq on a 100 Mbit/s link and
// returns their rates over [1 s, 3 s).
func rates(t *testing.T, classes []cls) []float64 {
	t.Helper()
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: qfq")
	for _, c := range classes {
		b.TC(fmt.Sprintf("class add parent 1: classid 1:%x qfq %s", c.minor, c.words))
		b.CBR(flow(c.minor, 1<<16|c.minor), uint64(c.offered), c.size, 0, 3e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	out := make([]float64, len(classes))
	for i, c := range classes {
		out[i] = b.Sink.Rate(c.minor)
	}
	return out
}

func TestEqualWeightsAreFair(t *testing.T) {
	got := rates(t, []cls{
		{1, "", 200, 80e6}, {2, "", 576, 80e6}, {3, "", 1000, 80e6}, {4, "", 1500, 80e6},
		{5, "weight 1 maxpkt 1500", 64, 80e6},
	})
	if j := jain(got); j < 0.99 {
		t.Fatalf("Jain's index %.4f < 0.99: %.0f", j, got)
	} else {
		t.Logf("Jain's index %.5f: %.0f", j, got)
	}
}

func TestWeightsSetShares(t *testing.T) {
	// Weights 1:2:4:8 in different groups (lmax/weight differ), frames
	// of different sizes.
	got := rates(t, []cls{
		{1, "weight 1", 1000, 90e6}, {2, "weight 2", 600, 90e6},
		{3, "weight 4 maxpkt 1000", 1000, 90e6}, {4, "weight 8 maxpkt 4000", 1400, 90e6},
	})
	var sum float64
	for _, r := range got {
		sum += r
	}
	for i, w := range []float64{1, 2, 4, 8} {
		want := w / 15
		if share := got[i] / sum; math.Abs(share-want) > 0.02*want {
			t.Errorf("weight %.0f: share %.4f, want %.4f (±2%%)", w, share, want)
		} else {
			t.Logf("weight %.0f: share %.4f of %.0f", w, share, sum)
		}
	}
}

func TestManyClassesInOneAggregate(t *testing.T) {
	// Twenty classes of the same weight and lmax share aggregates of at
	// most eight; fairness holds across and within them.
	var cs []cls
	for i := uint32(1); i <= 20; i++ {
		cs = append(cs, cls{i, "weight 3", 500 + 50*int(i), 20e6})
	}
	got := rates(t, cs)
	if j := jain(got); j < 0.99 {
		t.Fatalf("Jain's index %.4f < 0.99: %.0f", j, got)
	}
}

func TestUnderloadedClassGetsWhatItOffers(t *testing.T) {
	got := rates(t, []cls{
		{1, "weight 10", 1000, 5e6}, {2, "weight 1", 1000, 90e6}, {3, "weight 1", 1000, 90e6},
	})
	for i, want := range []float64{5e6, 47.5e6, 47.5e6} {
		if math.Abs(got[i]-want) > 0.01*want {
			t.Errorf("class %d: %.0f bit/s, want %.0f", i+1, got[i], want)
		}
	}
}

// A packet larger than the class's lmax moves the class to an aggregate of
// that lmax, which dumps show.
func TestBigPacketRaisesLmax(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: qfq")
	b.TC("class add parent 1: classid 1:1 qfq weight 5 maxpkt 512")
	b.Send(flow(1, 0x10001), 1000)
	b.Send(flow(1, 0x10001), 700)
	b.Run(1e9)
	if b.Sink.Total.Packets != 2 {
		t.Fatalf("delivered %d", b.Sink.Total.Packets)
	}
	if got := dumpOptions(t, b, "1:1"); got != "weight 5 maxpkt 1000 " {
		t.Fatalf("class options %q", got)
	}
}

// The sum of weights is bounded by QFQ_MAX_WSUM.
func TestWeightSum(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: qfq")
	for i := 1; i <= 64; i++ {
		b.TC(fmt.Sprintf("class add parent 1: classid 1:%x qfq weight 1024", i))
	}
	err := b.TryTC("class add parent 1: classid 1:100 qfq weight 1")
	if want := "sch_qfq: total weight out of range (1 + 65536)"; sched.MsgOf(err) != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	b.TC("class change classid 1:1 qfq weight 1")
	b.TC("class add parent 1: classid 1:100 qfq weight 1000")
	err = b.TryTC("class change classid 1:100 qfq weight 1024")
	if want := "sch_qfq: total weight out of range (24 + 65513)"; sched.MsgOf(err) != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// Deleting a backlogged class, and grafting over one, keep the counts
// right and the others flowing.
func TestDeleteAndGraftBacklogged(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: qfq")
	for i := 1; i <= 3; i++ {
		b.TC(fmt.Sprintf("class add parent 1: classid 1:%d qfq weight %d", i, i))
	}
	for r := 0; r < 5; r++ {
		for i := uint32(1); i <= 3; i++ {
			b.Send(flow(i, 0x10000|i), 1000)
		}
	}
	q := b.Qdisc("1:")
	b.TC("class del classid 1:2")
	b.TC("qdisc add parent 1:3 handle 30: pfifo")
	if q.QLen != 4 || q.Backlog() != 4000 {
		t.Fatalf("qlen %d backlog %d, want 4 and 4000", q.QLen, q.Backlog())
	}
	b.Send(flow(3, 0x10003), 1000)
	b.Run(1e9)
	if b.Sink.Flows[1].Packets != 5 || b.Sink.Flows[3].Packets != 1 {
		t.Fatalf("delivered %d and %d", b.Sink.Flows[1].Packets, b.Sink.Flows[3].Packets)
	}
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
	}
}

// A packet longer than QFQ_MAX_LMAX (a size table's overhead can make one,
// tdc 5993) cannot get an aggregate: it is dropped and counted.
func TestGiantPacketDropped(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: qfq")
	b.TC("class add parent 1: classid 1:1 qfq weight 100")
	q := b.Qdisc("1:")
	for i := 0; i < 22; i++ {
		p := b.Pool.Get()
		b.Frame(p, flow(1, 0x10001), 100, 0)
		p.PktLen = 1000000099
		if v := q.Enqueue(p); !v.IsDrop() {
			t.Fatalf("verdict %v", v)
		}
	}
	if q.Qstats.Drops != 22 || q.QLen != 0 {
		t.Fatalf("drops %d qlen %d", q.Qstats.Drops, q.QLen)
	}
	if got := dumpOptions(t, b, "1:1"); got != "weight 100 maxpkt 1514 " {
		t.Fatalf("class changed: %q", got)
	}
}
