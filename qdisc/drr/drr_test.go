package drr_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

func flow(id, prio uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"),
		SPort: uint16(id), DPort: 9, Priority: prio}
}

// matchall adds `filter add parent P prio N protocol all matchall WORDS`.
func matchallFilter(t *testing.T, b *schedtest.Bed, parent string, prio uint32, words string) {
	t.Helper()
	h, err := tc.ParseClassID(parent)
	if err != nil {
		t.Fatal(err)
	}
	m := sched.TCMsg{Parent: h, Info: prio<<16 | 0x0300} // htons(ETH_P_ALL)
	err = b.Do(sched.RTM_NEWTFILTER, nl.NLM_F_CREATE|nl.NLM_F_EXCL, m, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, "matchall")
		if _, err := matchall.Syntax.ParseFilter(tc.NewArgs(strings.Fields(words)), "", nb); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatalf("filter add parent %s matchall %s: %v", parent, words, err)
	}
}

// jain is Jain's fairness index of xs.
func jain(xs []float64) float64 {
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	return s * s / (float64(len(xs)) * s2)
}

type flowSpec struct {
	minor   uint32
	quantum string // class words after "drr"
	size    int    // frame bytes
	offered float64
}

// share runs the flows through 1: drr on a 100 Mbit/s link for 3 s and
// returns each class's rate over [1 s, 3 s).
func share(t *testing.T, flows []flowSpec) []float64 {
	t.Helper()
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: drr")
	for _, f := range flows {
		b.TC(fmt.Sprintf("class add parent 1: classid 1:%x drr %s", f.minor, f.quantum))
		b.CBR(flow(f.minor, 1<<16|f.minor), uint64(f.offered), f.size, 0, 3e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	out := make([]float64, len(flows))
	for i, f := range flows {
		out[i] = b.Sink.Rate(f.minor)
	}
	return out
}

func TestEqualQuantaAreFairInBytes(t *testing.T) {
	// Frames of different sizes, all classes overloaded: DRR shares
	// bytes, not packets.
	got := share(t, []flowSpec{
		{1, "", 200, 80e6}, {2, "", 576, 80e6}, {3, "", 1000, 80e6}, {4, "", 1500, 80e6},
	})
	if j := jain(got); j < 0.99 {
		t.Fatalf("Jain's index %.4f < 0.99: %.0f", j, got)
	} else {
		t.Logf("Jain's index %.5f: %.0f", j, got)
	}
}

func TestQuantaSetShares(t *testing.T) {
	got := share(t, []flowSpec{
		{1, "quantum 1500", 1000, 80e6}, {2, "quantum 3000", 1000, 80e6}, {3, "quantum 4500", 1000, 80e6},
	})
	var sum float64
	for _, r := range got {
		sum += r
	}
	for i, want := range []float64{1.0 / 6, 2.0 / 6, 3.0 / 6} {
		if d := got[i]/sum - want; math.Abs(d) > 0.01*want {
			t.Errorf("class %d: share %.4f, want %.4f (±1%%)", i+1, got[i]/sum, want)
		}
	}
}

func TestUnderloadedClassGetsWhatItOffers(t *testing.T) {
	// 10 Mbit/s is below the fair share: the other two split the rest.
	got := share(t, []flowSpec{
		{1, "", 1000, 10e6}, {2, "", 1000, 80e6}, {3, "", 1000, 80e6},
	})
	// The link carries frames; the sink counts frame bytes, so the
	// rates add up to 100 Mbit/s.
	if math.Abs(got[0]-10e6) > 0.01*10e6 {
		t.Errorf("light class: %.0f bit/s, want 10 Mbit/s", got[0])
	}
	for _, r := range got[1:] {
		if math.Abs(r-45e6) > 0.01*45e6 {
			t.Errorf("heavy class: %.0f bit/s, want 45 Mbit/s", r)
		}
	}
}

// Without a class named by priority, the qdisc's filters decide; with no
// filter, or one naming no class, the packet is dropped.
func TestClassifyByFilter(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: drr")
	b.TC("class add parent 1: classid 1:1 drr")
	q := b.Qdisc("1:")
	b.Send(flow(1, 0), 1000)
	if q.Qstats.Drops != 1 || b.Link.Sent != 0 {
		t.Fatalf("unclassified: drops %d sent %d, want a drop", q.Qstats.Drops, b.Link.Sent)
	}
	matchallFilter(t, b, "1:", 1, "classid 1:1")
	b.Send(flow(1, 0), 1000)
	b.Send(flow(1, 7), 1000) // a priority that names no class
	b.Run(1e9)
	if b.Sink.Total.Packets != 2 || q.Qstats.Drops != 1 {
		t.Fatalf("delivered %d drops %d, want 2 and 1", b.Sink.Total.Packets, q.Qstats.Drops)
	}
	// A class a filter points at cannot go.
	err := b.TryTC("class del classid 1:1")
	if sched.MsgOf(err) != "DRR class is in use" {
		t.Fatalf("deleting a bound class: %v", err)
	}
	// Classes have no filter blocks.
	h, _ := tc.ParseClassID("1:1")
	err = b.Do(sched.RTM_NEWTFILTER, nl.NLM_F_CREATE|nl.NLM_F_EXCL, sched.TCMsg{Parent: h, Info: 1<<16 | 0x0300},
		func(nb *nl.Builder) { nb.PutString(sched.TCA_KIND, "matchall") })
	if sched.MsgOf(err) != "DRR classid must be zero" {
		t.Fatalf("filter on a class: %v", err)
	}
}

// Deleting a backlogged class drops its packets from the qdisc's counts
// and takes it off the active list; the rest keep flowing.
func TestDeleteBackloggedClass(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6}) // 1 ms per 1000 bytes
	b.TC("qdisc add root handle 1: drr")
	b.TC("class add parent 1: classid 1:1 drr")
	b.TC("class add parent 1: classid 1:2 drr")
	for i := 0; i < 10; i++ {
		b.Send(flow(1, 0x10001), 1000)
		b.Send(flow(2, 0x10002), 1000)
	}
	q := b.Qdisc("1:")
	if q.QLen != 19 || q.Backlog() != 19000 {
		t.Fatalf("qlen %d backlog %d", q.QLen, q.Backlog())
	}
	b.TC("class del classid 1:1")
	if q.QLen != 10 || q.Backlog() != 10000 {
		t.Fatalf("after delete: qlen %d backlog %d, want 10 and 10000", q.QLen, q.Backlog())
	}
	b.Run(1e9)
	if got := b.Sink.Flows[2].Packets; got != 10 {
		t.Fatalf("class 1:2 delivered %d, want 10", got)
	}
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
	}
}

// Grafting a qdisc on a backlogged class purges the old one; the class
// leaves the active list and the qdisc's counts follow.
func TestGraftPurges(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: drr")
	b.TC("class add parent 1: classid 1:1 drr")
	b.TC("class add parent 1: classid 1:2 drr")
	for i := 0; i < 5; i++ {
		b.Send(flow(1, 0x10001), 1000)
		b.Send(flow(2, 0x10002), 1000)
	}
	b.TC("qdisc add parent 1:2 handle 20: pfifo limit 3")
	q := b.Qdisc("1:")
	if q.QLen != 4 {
		t.Fatalf("qlen %d after graft, want 4", q.QLen)
	}
	for i := 0; i < 5; i++ {
		b.Send(flow(2, 0x10002), 1000)
	}
	b.Run(1e9)
	if f1, f2 := b.Sink.Flows[1].Packets, b.Sink.Flows[2].Packets; f1 != 5 || f2 != 3 {
		t.Fatalf("delivered %d and %d, want 5 and 3 (limit 3 drops 2)", f1, f2)
	}
	// The purge counts as drops up the tree, as qdisc_tree_reduce_backlog
	// does: 5 purged, 2 over the limit.
	if q.QLen != 0 || q.Qstats.Drops != 7 {
		t.Fatalf("qlen %d drops %d, want 0 and 7", q.QLen, q.Qstats.Drops)
	}
}
