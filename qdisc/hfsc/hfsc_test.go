package hfsc_test

import (
	"fmt"
	"math"
	"strings"
	"syscall"
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

type leaf struct {
	minor   uint32
	offered float64 // bit/s
	size    int
	want    float64 // bit/s
}

// run builds `qdisc add root handle 1: hfsc` and the classes (tc words
// after "class add"), sends the leaves' flows, marked with their class,
// over a link of rate bit/s for 4 s and checks the rates over [1 s, 4 s)
// within 1%.
func run(t *testing.T, rate float64, classes []string, leaves []leaf) *schedtest.Bed {
	t.Helper()
	b := schedtest.New(t, schedtest.Options{Rate: uint64(rate)})
	b.TC("qdisc add root handle 1: hfsc")
	for _, c := range classes {
		b.TC("class add " + c)
	}
	for _, l := range leaves {
		size := l.size
		if size == 0 {
			size = 1000
		}
		b.CBR(flow(l.minor, 1<<16|l.minor), uint64(l.offered), size, 0, 4e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 4e9
	b.Run(4e9)
	for _, l := range leaves {
		got := b.Sink.Rate(l.minor)
		if l.want == 0 {
			if got != 0 {
				t.Errorf("1:%x: %.0f bit/s, want nothing", l.minor, got)
			}
			continue
		}
		if math.Abs(got-l.want) > 0.01*l.want {
			t.Errorf("1:%x: %.0f bit/s, want %.0f (±1%%)", l.minor, got, l.want)
		} else {
			t.Logf("1:%x: %.0f bit/s", l.minor, got)
		}
	}
	return b
}

// Two classes, both backlogged, share the link in proportion to their
// link-sharing curves.
func TestLinkSharingByCurve(t *testing.T) {
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc ls m2 20mbit",
		"parent 1: classid 1:2 hfsc ls m2 60mbit",
	}, []leaf{{1, 150e6, 1000, 25e6}, {2, 150e6, 400, 75e6}})
}

// A class that empties after every packet starts a new backlog period
// each time, with a virtual time between its siblings' smallest and
// largest: as in the kernel, where the root class's period never moves
// (init_vf stops below the root), it then wins against a class that stays
// backlogged. Offered exactly the link's rate in frames that take exactly
// the time between them, 1:1 takes the whole link.
func TestNewPeriodEveryPacket(t *testing.T) {
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc ls m2 20mbit",
		"parent 1: classid 1:2 hfsc ls m2 60mbit",
	}, []leaf{{1, 100e6, 1000, 100e6}, {2, 100e6, 400, 0}})
}

func TestServiceCurvesSplitTheLink(t *testing.T) {
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc sc rate 30mbit",
		"parent 1: classid 1:2 hfsc sc rate 70mbit",
	}, []leaf{{1, 150e6, 1500, 30e6}, {2, 150e6, 200, 70e6}})
}

// A real-time guarantee holds against a greedy link-sharing class, and
// real-time service counts against the class's link share.
func TestRealTimeGuarantee(t *testing.T) {
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc rt m2 40mbit ls m2 10mbit",
		"parent 1: classid 1:2 hfsc ls m2 90mbit",
	}, []leaf{{1, 150e6, 1000, 40e6}, {2, 150e6, 1000, 60e6}})
}

// A class with only a real-time curve never sends above it, even on an
// idle link: the watchdog paces it.
func TestRealTimeOnlyIsPaced(t *testing.T) {
	b := run(t, 100e6, []string{"parent 1: classid 1:1 hfsc rt m2 20mbit"}, []leaf{{1, 100e6, 1000, 20e6}})
	if q := b.Qdisc("1:"); q.Qstats.Overlimits == 0 {
		t.Fatal("no overlimits: the qdisc never waited")
	}
}

func TestUpperLimit(t *testing.T) {
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc ls m2 80mbit ul m2 30mbit",
		"parent 1: classid 1:2 hfsc ls m2 20mbit ul m2 45mbit",
	}, []leaf{{1, 150e6, 1000, 30e6}, {2, 150e6, 1000, 45e6}})
}

func TestHierarchy(t *testing.T) {
	// 1:1 and 1:2 split the link 50:50; 1:1's half goes 1:4 to its
	// children, though the busier child would take more.
	run(t, 100e6, []string{
		"parent 1: classid 1:1 hfsc ls m2 50mbit",
		"parent 1:1 classid 1:11 hfsc ls m2 10mbit",
		"parent 1:1 classid 1:12 hfsc ls m2 40mbit",
		"parent 1: classid 1:2 hfsc ls m2 50mbit",
	}, []leaf{{0x11, 150e6, 1000, 10e6}, {0x12, 150e6, 600, 40e6}, {2, 150e6, 1500, 50e6}})
}

// A concave real-time curve bounds the delay of a light class by dmax
// (plus the packet on the wire when it arrives), though a greedy class
// has the rest of the link as its real-time curve, and link sharing
// besides: it is eligible with earlier deadlines most of the time, and
// the light class waits for its deadline. The guarantee holds because the
// real-time curves sum to no more than the link: umax/dmax (2.4 Mbit/s
// for 5 ms, 12 for 1 ms) plus the greedy rate.
func TestDelayBound(t *testing.T) {
	for _, tt := range []struct{ dmax, greedy string }{{"5ms", "97.6mbit"}, {"1ms", "88mbit"}} {
		dmax := tt.dmax
		t.Run(dmax, func(t *testing.T) {
			b := schedtest.New(t, schedtest.Options{Rate: 100e6})
			b.TC("qdisc add root handle 1: hfsc")
			b.TC("class add parent 1: classid 1:1 hfsc rt umax 1500 dmax " + dmax + " rate 1mbit")
			b.TC("class add parent 1: classid 1:2 hfsc rt m2 " + tt.greedy + " ls m2 100mbit")
			b.CBR(flow(2, 0x10002), 150e6, 1500, 0, 4e9)
			// 1500 bytes every 20 ms: 600 kbit/s.
			b.CBR(flow(1, 0x10001), 600e3, 1500, 3e6, 4e9)
			b.Run(4e9)
			bound, _ := tc.ParseTime(dmax)
			wire := int64(1500 * 8 * 1e9 / 100e6) // ns per frame
			f := b.Sink.Flows[1]
			if f == nil || f.Packets < 190 {
				t.Fatalf("light class delivered %v", f)
			}
			// The sink's delay includes the frame's own time on the
			// wire, and one frame may be on the wire already.
			if max := int64(bound)*1000 + 2*wire; f.DelayMax > max {
				t.Fatalf("max delay %d ns > %d", f.DelayMax, max)
			}
			if f.DelayMax < int64(bound)*1000/2 {
				t.Fatalf("max delay %d ns: the greedy class never delayed it", f.DelayMax)
			}
			t.Logf("%d packets, max delay %.3f ms, mean %.3f ms", f.Packets, float64(f.DelayMax)/1e6, f.MeanDelay()/1e6)
		})
	}
}

func matchallFilter(t *testing.T, b *schedtest.Bed, parent string, words string) {
	t.Helper()
	h, err := tc.ParseClassID(parent)
	if err != nil {
		t.Fatal(err)
	}
	m := sched.TCMsg{Parent: h, Info: 1<<16 | 0x0300}
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

// Classification: a leaf in skb->priority, else the filters of the root
// then of inner classes, else the default class; an inner default drops.
func TestClassify(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: hfsc default 2")
	b.TC("class add parent 1: classid 1:1 hfsc ls m2 10mbit")
	b.TC("class add parent 1:1 classid 1:11 hfsc ls m2 10mbit")
	b.TC("class add parent 1: classid 1:2 hfsc ls m2 10mbit")
	send := func(prio uint32) {
		b.Send(flow(prio, prio), 100)
		b.Run(b.Clock.Now() + 1e6)
	}
	count := func(minor uint32) uint64 {
		h, _ := tc.ParseClassID(fmt.Sprintf("1:%x", minor))
		q := b.Dev.Sched.Lookup(1 << 16)
		return q.Discipline.(sched.Classful).Leaf(q.Discipline.(sched.Classful).Find(h)).Bstats.Packets
	}
	send(0)       // default 1:2
	send(0x10011) // leaf by priority
	send(0x10001) // inner class by priority: default
	if count(2) != 2 || count(0x11) != 1 {
		t.Fatalf("1:2 %d, 1:11 %d", count(2), count(0x11))
	}
	// Root filter to inner 1:1, whose filter picks 1:11.
	matchallFilter(t, b, "1:", "classid 1:1")
	matchallFilter(t, b, "1:1", "classid 1:11")
	send(0)
	if count(0x11) != 2 {
		t.Fatalf("via filters: 1:11 has %d", count(0x11))
	}
	// An inner default class drops what nothing else classifies.
	b2 := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b2.TC("qdisc add root handle 1: hfsc default 1")
	b2.TC("class add parent 1: classid 1:1 hfsc ls m2 10mbit")
	b2.TC("class add parent 1:1 classid 1:11 hfsc ls m2 10mbit")
	b2.Send(flow(1, 0), 100)
	if q := b2.Qdisc("1:"); q.Qstats.Drops != 1 || q.QLen != 0 {
		t.Fatalf("inner default: drops %d qlen %d", q.Qstats.Drops, q.QLen)
	}
}

// Creation, change and deletion rules, with the kernel's errnos (hfsc
// parses without an extack: no texts but "HFSC class in use").
func TestClassRules(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: hfsc")
	b.TC("class add parent 1: classid 1:1 hfsc ls m2 10mbit")
	b.TC("class add parent 1:1 classid 1:11 hfsc ls m2 10mbit")
	b.TC("class add parent 1: classid 1:2 hfsc rt m2 10mbit")
	ulOnly := func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, "hfsc")
		nb.Nest(sched.TCA_OPTIONS)
		nb.Put(3, make([]byte, 12))
		nb.Put(3, []byte{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
		nb.EndNest()
	}
	for _, tt := range []struct {
		cmd   string
		errno syscall.Errno
		msg   string
	}{
		{"class del classid 1:1", syscall.EBUSY, "HFSC class in use"},
		{"class del classid 1:", syscall.EBUSY, "HFSC class in use"},
		{"class add parent 1:9 classid 1:3 hfsc ls m2 1mbit", syscall.ENOENT, ""},
		{"class change parent 1:2 classid 1:11 hfsc ls m2 1mbit", syscall.EINVAL, ""},
		{"class change parent 1:1 classid 1:11 hfsc ls m2 1mbit", 0, ""},
		{"qdisc add parent 1:1 handle 10: pfifo", syscall.EINVAL, ""},
		{"qdisc add parent 1:11 handle 10: pfifo", 0, ""},
		{"class del classid 1:11", 0, ""},
		{"class del classid 1:1", 0, ""},
	} {
		err := b.TryTC(tt.cmd)
		if sched.ErrnoOf0(err) != tt.errno || sched.MsgOf(err) != tt.msg {
			t.Errorf("%s: %v, want %q (%d)", tt.cmd, err, tt.msg, tt.errno)
		}
	}
	m := sched.TCMsg{Parent: tc.Make(1, 0), Handle: tc.Make(1, 3)}
	if err := b.Do(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, m, ulOnly); sched.ErrnoOf0(err) != syscall.EINVAL {
		t.Errorf("a class with only an upper limit: %v", err)
	}
	matchallFilter(t, b, "1:", "classid 1:2")
	if err := b.TryTC("class del classid 1:2"); sched.MsgOf(err) != "HFSC class in use" {
		t.Errorf("deleting a bound class: %v", err)
	}
}

// A leaf that gets a child loses its packets; the parent with only a
// real-time curve gets it for link sharing too.
func TestLeafBecomesInner(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: hfsc")
	b.TC("class add parent 1: classid 1:1 hfsc rt m2 1mbit")
	for i := 0; i < 5; i++ {
		b.Send(flow(1, 0x10001), 1000)
	}
	q := b.Qdisc("1:")
	if q.QLen != 4 {
		t.Fatalf("qlen %d", q.QLen)
	}
	b.TC("class add parent 1:1 classid 1:10 hfsc rt m2 1mbit")
	if q.QLen != 0 || q.Backlog() != 0 || q.Qstats.Drops != 4 {
		t.Fatalf("after the child: qlen %d backlog %d drops %d", q.QLen, q.Backlog(), q.Qstats.Drops)
	}
	b.Send(flow(1, 0x10010), 1000)
	b.Run(1e9)
	if b.Sink.Total.Packets != 2 {
		t.Fatalf("delivered %d, want 2", b.Sink.Total.Packets)
	}
}

// Without classes the root class is the leaf: default 0 names it.
func TestRootAsLeaf(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: hfsc")
	for i := 0; i < 3; i++ {
		b.Send(flow(1, 0), 1000)
	}
	b.Run(1e9)
	if b.Sink.Total.Packets != 3 {
		t.Fatalf("delivered %d, want 3", b.Sink.Total.Packets)
	}
}

// Taking the device down resets the qdisc; a real-time class that was
// backlogged then is scheduled again by its next packet.
func TestResetThenTraffic(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: hfsc")
	b.TC("class add parent 1: classid 1:1 hfsc rt m2 1mbit")
	for i := 0; i < 5; i++ {
		b.Send(flow(1, 0x10001), 1000)
	}
	b.E.Lock()
	b.Dev.SetUp(false)
	b.Dev.SetUp(true)
	b.E.Unlock()
	b.Send(flow(1, 0x10001), 1000)
	b.Send(flow(1, 0x10001), 1000)
	b.Run(b.Clock.Now() + 1e9)
	if q := b.Qdisc("1:"); q.QLen != 0 {
		t.Fatalf("qlen %d after the reset's traffic", q.QLen)
	}
}
