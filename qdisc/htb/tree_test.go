package htb_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// checkCounts verifies that the qdisc's qlen and backlog are the sum of its
// leaves' (the invariant every tree operation must keep).
func checkCounts(t *testing.T, b *schedtest.Bed, step string, leaves ...string) {
	t.Helper()
	q := b.Qdisc("1:")
	qlen, backlog := 0, uint32(0)
	for _, h := range leaves {
		if h == "" {
			continue
		}
		if l := b.Qdisc(h); l != nil {
			qlen += l.QLen
			backlog += l.Backlog()
		}
	}
	if q.QLen != qlen || q.Backlog() != backlog {
		t.Fatalf("%s: htb qlen %d backlog %d, leaves hold %d and %d", step, q.QLen, q.Backlog(), qlen, backlog)
	}
}

// Packets leaving a leaf outside a dequeue (a graft, a purge, a class
// deleted or turned inner, a head drop) leave the htb's counts right, and
// every packet offered is sent, queued or counted as dropped.
func TestBacklogFollowsTreeChanges(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: htb")
	b.TC("class add parent 1: classid 1:1 htb rate 1kbit")
	for _, c := range []string{"10", "20", "30"} {
		b.TC("class add parent 1:1 classid 1:" + c + " htb rate 8bit ceil 8bit")
		b.TC("qdisc add parent 1:" + c + " handle " + c + ": pfifo_head_drop limit 5")
	}
	leaves := []string{"10:", "20:", "30:"}
	offered := 0
	send := func(minor uint32, n int) {
		for i := 0; i < n; i++ {
			b.Send(flowN(minor, classPrio(minor)), 500)
			offered++
		}
	}
	send(0x10, 8) // 3 head drops
	send(0x20, 4)
	send(0x30, 4)
	checkCounts(t, b, "after enqueue", leaves...)
	q := b.Qdisc("1:")
	// The first packet left at once on the bucket's burst; of the seven
	// others for 1:10, two made room.
	if q.Qstats.Drops != 2 {
		t.Fatalf("drops %d, want 2 head drops", q.Qstats.Drops)
	}

	b.TC("qdisc replace parent 1:10 handle 11: pfifo limit 3")
	leaves[0] = "11:"
	checkCounts(t, b, "after graft", leaves...)
	send(0x10, 5)
	checkCounts(t, b, "after refill", leaves...)

	b.TC("class del classid 1:20")
	leaves[1] = ""
	checkCounts(t, b, "after delete", leaves...)

	// 1:30 becomes inner: its packets go.
	b.TC("class add parent 1:30 classid 1:31 htb rate 8bit")
	leaves[2] = ""
	checkCounts(t, b, "after turning inner", leaves...)
	b.TC("class add parent 1: classid 1:40 htb rate 8mbit")
	send(0x31, 2)
	send(0x40, 2)
	b.Run(10e9)

	sent := int(b.Sink.Total.Packets)
	// In flight on the link: none after 10 s. Queued: the 8-bit classes.
	if sent+q.QLen+int(q.Qstats.Drops) != offered {
		t.Fatalf("offered %d = sent %d + queued %d + dropped %d does not hold", offered, sent, q.QLen, q.Qstats.Drops)
	}
}

// The leaf qdisc may refuse to send (a tbf): htb moves on to the next
// class, and the shaped leaf keeps the tbf's rate while its sibling takes
// the rest.
func TestNonWorkConservingLeaf(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb")
	b.TC("class add parent 1: classid 1:1 htb rate 20mbit")
	b.TC("class add parent 1:1 classid 1:10 htb rate 10mbit ceil 20mbit")
	b.TC("class add parent 1:1 classid 1:20 htb rate 10mbit ceil 20mbit")
	b.TC("qdisc add parent 1:10 handle 10: tbf rate 2mbit burst 3000 limit 30000")
	b.CBR(flowN(0x10, classPrio(0x10)), 40e6, 1000, 0, 13e9)
	b.CBR(flowN(0x20, classPrio(0x20)), 40e6, 1000, 0, 13e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
	b.Run(13e9)
	if got := b.Sink.Rate(0x10); got < 1.98e6 || got > 2.02e6 {
		t.Errorf("tbf leaf: %.0f bit/s, want 2 Mbit/s", got)
	}
	if got := b.Sink.Rate(0x20); got < 17.8e6 || got > 18.2e6 {
		t.Errorf("sibling: %.0f bit/s, want 18 Mbit/s", got)
	}
}

// An htb under a tbf: the tbf peeks through htb (qdisc_peek_dequeued) and
// bounds the total; htb still splits it by rate.
func TestUnderTBF(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: tbf rate 10mbit burst 5000 limit 100000")
	b.TC("qdisc add parent 1:1 handle 2: htb")
	b.TC("class add parent 2: classid 2:1 htb rate 100mbit")
	b.TC("class add parent 2:1 classid 2:10 htb rate 30mbit ceil 100mbit")
	b.TC("class add parent 2:1 classid 2:20 htb rate 10mbit ceil 100mbit")
	prio := func(m uint32) uint32 { return 2<<16 | m }
	b.CBR(flowN(0x10, prio(0x10)), 40e6, 1000, 0, 13e9)
	b.CBR(flowN(0x20, prio(0x20)), 40e6, 1000, 0, 13e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
	b.Run(13e9)
	total := b.Sink.Rate(0x10) + b.Sink.Rate(0x20)
	if total < 9.95e6 || total > 10.05e6 {
		t.Errorf("total %.0f bit/s, want tbf's 10 Mbit/s", total)
	}
	// Both are within their rates: DRR at level 0 shares by quantum,
	// rate/r2q: 200000 (capped) and 125000.
	if r := b.Sink.Rate(0x10) / total; r < 0.61 || r > 0.62 {
		t.Errorf("2:10 has %.3f of the total, want 200/325", r)
	}
}

// Link down resets the tree (htb_reset): queues empty, no class active;
// back up, traffic flows again.
func TestResetOnLinkDown(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: htb default 10")
	b.TC("class add parent 1: classid 1:1 htb rate 1mbit")
	b.TC("class add parent 1:1 classid 1:10 htb rate 100kbit ceil 1mbit")
	for i := 0; i < 50; i++ {
		b.Send(flowN(1, 0), 1000)
	}
	b.Run(1e8)
	b.E.Lock()
	b.Dev.SetUp(false)
	b.E.Unlock()
	q := b.Qdisc("1:")
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("after reset: qlen %d backlog %d", q.QLen, q.Backlog())
	}
	b.Run(2e8) // the frame on the wire lands
	b.E.Lock()
	b.Dev.SetUp(true)
	b.E.Unlock()
	before := b.Sink.Total.Packets
	for i := 0; i < 10; i++ {
		b.Send(flowN(1, 0), 1000)
	}
	b.Run(10e9)
	if got := b.Sink.Total.Packets - before; got != 10 {
		t.Fatalf("after up: %d delivered, want 10", got)
	}
}
