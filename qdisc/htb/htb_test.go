package htb_test

import (
	"fmt"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

func flowN(id uint32, prio uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"),
		SPort: uint16(id), DPort: 9, Priority: prio}
}

// class id 1:x as skb->priority, which selects the leaf directly.
func classPrio(minor uint32) uint32 { return 1<<16 | minor }

type share struct {
	minor   uint32
	cmd     string  // class words after "class add parent 1:1 classid 1:minor htb"
	offered float64 // bit/s
	want    float64 // bit/s
}

// run builds root 1:1 (rate root) under a 1 Gbit/s link, the leaves, and
// measures each leaf's rate over [2 s, 12 s).
func run(t *testing.T, root string, leaves []share) {
	t.Helper()
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb")
	b.TC("class add parent 1: classid 1:1 htb " + root)
	for _, l := range leaves {
		b.TC(fmt.Sprintf("class add parent 1:1 classid 1:%x htb %s", l.minor, l.cmd))
		if l.offered > 0 {
			b.CBR(flowN(l.minor, classPrio(l.minor)), uint64(l.offered), 1000, 0, 13e9)
		}
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
	b.Run(13e9)
	for _, l := range leaves {
		got := b.Sink.Rate(l.minor)
		if l.want == 0 {
			if got != 0 {
				t.Errorf("1:%x: %.0f bit/s, want nothing", l.minor, got)
			}
			continue
		}
		if dev := (got - l.want) / l.want; dev > 0.01 || dev < -0.01 {
			t.Errorf("1:%x: %.0f bit/s, want %.0f (±1%%)", l.minor, got, l.want)
		} else {
			t.Logf("1:%x: %.4f%% of %.0f", l.minor, 100*got/l.want, l.want)
		}
	}
}

func TestGuaranteedRatesUnderOverload(t *testing.T) {
	// Everyone offers twice the link: each gets exactly its rate, the
	// rates summing to the parent's.
	run(t, "rate 100mbit", []share{
		{0x10, "rate 20mbit ceil 100mbit", 200e6, 20e6},
		{0x20, "rate 30mbit ceil 100mbit", 200e6, 30e6},
		{0x30, "rate 50mbit ceil 100mbit", 200e6, 50e6},
	})
}

func TestSpareSharedByQuantum(t *testing.T) {
	// 80 Mbit/s spare goes 1:3 by quantum: 10+20 and 10+60.
	run(t, "rate 100mbit", []share{
		{0x10, "rate 10mbit ceil 100mbit quantum 1000", 200e6, 30e6},
		{0x20, "rate 10mbit ceil 100mbit quantum 3000", 200e6, 70e6},
	})
}

func TestSpareOfAnIdleSibling(t *testing.T) {
	// 1:30 uses 10 of its 40: the 30 left are shared equally.
	run(t, "rate 100mbit", []share{
		{0x10, "rate 30mbit ceil 100mbit", 200e6, 45e6},
		{0x20, "rate 30mbit ceil 100mbit", 200e6, 45e6},
		{0x30, "rate 40mbit ceil 100mbit", 10e6, 10e6},
	})
}

func TestNeverAboveCeil(t *testing.T) {
	run(t, "rate 100mbit", []share{
		{0x10, "rate 10mbit ceil 30mbit", 200e6, 30e6},
		{0x20, "rate 10mbit ceil 25mbit", 200e6, 25e6},
		{0x30, "rate 10mbit ceil 15mbit", 5e6, 5e6},
	})
}

func TestParentCeilBoundsBorrowing(t *testing.T) {
	// 1:2 may borrow from the root only up to its ceil of 60, which its
	// children split, although the root has 95 to spare.
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb")
	b.TC("class add parent 1: classid 1:1 htb rate 100mbit")
	b.TC("class add parent 1:1 classid 1:2 htb rate 40mbit ceil 60mbit")
	b.TC("class add parent 1:2 classid 1:10 htb rate 10mbit ceil 100mbit")
	b.TC("class add parent 1:2 classid 1:11 htb rate 10mbit ceil 100mbit")
	b.TC("class add parent 1:1 classid 1:3 htb rate 10mbit ceil 100mbit")
	b.CBR(flowN(0x10, classPrio(0x10)), 200e6, 1000, 0, 13e9)
	b.CBR(flowN(0x11, classPrio(0x11)), 200e6, 1000, 0, 13e9)
	b.CBR(flowN(0x3, classPrio(0x3)), 5e6, 1000, 0, 13e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
	b.Run(13e9)
	for m, want := range map[uint32]float64{0x10: 30e6, 0x11: 30e6, 0x3: 5e6} {
		if got := b.Sink.Rate(m); got < want*0.99 || got > want*1.01 {
			t.Errorf("1:%x: %.0f bit/s, want %.0f", m, got, want)
		}
	}
}

// Borrowing at different levels: the rates HTB gives match what the
// kernel gave on a veth pair in real time (1:10 2.43, 1:11 2.43, 1:3 5.20
// Mbit/s, measured over 5 s with tc -s) within 2%; the intuitive 3/3/4
// split is not what HTB does.
func TestMixedLevelBorrowingMatchesKernel(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb")
	b.TC("class add parent 1: classid 1:1 htb rate 10mbit")
	b.TC("class add parent 1:1 classid 1:2 htb rate 4mbit ceil 6mbit")
	b.TC("class add parent 1:2 classid 1:10 htb rate 1mbit ceil 10mbit")
	b.TC("class add parent 1:2 classid 1:11 htb rate 1mbit ceil 10mbit")
	b.TC("class add parent 1:1 classid 1:3 htb rate 1mbit ceil 10mbit")
	for _, m := range []uint32{0x10, 0x11, 0x3} {
		b.CBR(flowN(m, classPrio(m)), 20e6, 1000, 0, 13e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
	b.Run(13e9)
	for m, want := range map[uint32]float64{0x10: 2.43e6, 0x11: 2.43e6, 0x3: 5.20e6} {
		if got := b.Sink.Rate(m); got < want*0.98 || got > want*1.02 {
			t.Errorf("1:%x: %.0f bit/s, kernel %.0f", m, got, want)
		}
	}
}

func TestRootClassCannotBorrow(t *testing.T) {
	// A root class has nobody to borrow from: its ceil does not matter.
	run(t, "rate 40mbit ceil 60mbit", []share{
		{0x10, "rate 20mbit ceil 100mbit", 200e6, 20e6},
		{0x20, "rate 20mbit ceil 100mbit", 200e6, 20e6},
	})
}

func TestPriorityTakesSpareFirst(t *testing.T) {
	// Spare goes to the lower prio number first.
	run(t, "rate 100mbit", []share{
		{0x10, "rate 10mbit ceil 100mbit prio 1", 200e6, 10e6},
		{0x20, "rate 10mbit ceil 100mbit prio 0", 200e6, 90e6},
	})
}

// Unclassified packets go to the default class; without one (or with an
// inner default), to the direct queue, which is not shaped.
func TestDefaultAndDirect(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb default 20")
	b.TC("class add parent 1: classid 1:20 htb rate 8mbit")
	b.CBR(flowN(1, 0), 40e6, 1000, 0, 3e9)
	b.CBR(flowN(2, 1<<16), 40e6, 1000, 0, 3e9) // 1:0: direct
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	q := b.Qdisc("1:")
	if q.QLen == 0 {
		t.Error("the default class should hold a backlog")
	}
	b.Run(4e9)
	if got := b.Sink.Rate(1); got < 7.9e6 || got > 8.1e6 {
		t.Errorf("default class: %.0f bit/s, want 8 Mbit/s", got)
	}
	if got := b.Sink.Rate(2); got < 39e6 {
		t.Errorf("direct: %.0f bit/s, want all 40 Mbit/s", got)
	}
}

// Throttled, htb sleeps on its watchdog until the class's next event;
// nothing polls, and once all is sent no timer is left.
func TestWatchdogNotPolling(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb default 10")
	b.TC("class add parent 1: classid 1:10 htb rate 8mbit burst 1000 cburst 1000")
	for i := 0; i < 3; i++ {
		b.Send(flowN(1, 0), 1000)
	}
	// The first frame emptied the buckets (1000 bytes at 8 Mbit/s is
	// 1 ms); the next may go 1 ms later.
	b.Run(20e3)
	at, ok := b.Clock.Next()
	if !ok || at < 0.99e6 || at > 1.01e6 {
		t.Fatalf("next timer at %d (%v), want about 1 ms", at, ok)
	}
	b.Run(1e9)
	if b.Sink.Total.Packets != 3 {
		t.Fatalf("delivered %d, want 3", b.Sink.Total.Packets)
	}
	if at, ok := b.Clock.Next(); ok {
		t.Fatalf("a timer is still armed for %d with nothing to send", at)
	}
}
