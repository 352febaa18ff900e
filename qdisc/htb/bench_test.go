package htb_test

import (
	"fmt"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// benchLeaves builds 1:1 (rate root) with n leaves 1:2..1:n+1 and queues
// two packets in each, marked with their class in skb->priority; each
// iteration dequeues one packet and enqueues it again into its class, so
// all n leaves stay backlogged. The clock advances by the packet's time
// at linkBits per second.
func benchLeaves(b *testing.B, n int, root, leaf string, linkBits float64) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: htb")
	bed.TC("class add parent 1: classid 1:1 htb " + root)
	for i := 0; i < n; i++ {
		bed.TC(fmt.Sprintf("class add parent 1:1 classid 1:%x htb %s", i+2, leaf))
	}
	q := bed.Qdisc("1:")
	for r := 0; r < 2; r++ {
		for i := 0; i < n; i++ {
			p := bed.Pool.Get()
			bed.Frame(p, &schedtest.FlowSpec{ID: uint32(i), Src: schedtest.Addr("10.0.0.1"),
				Dst: schedtest.Addr("10.0.0.2"), Priority: 1<<16 | uint32(i+2)}, 1000, 0)
			q.Enqueue(p)
		}
	}
	if q.QLen != 2*n {
		b.Fatalf("qlen %d, want %d", q.QLen, 2*n)
	}
	step := int64(1000 * 8 * 1e9 / linkBits)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := q.Dequeue()
		if p == nil {
			// Throttled: let time pass to the next event.
			bed.Clock.Advance(step)
			if p = q.Dequeue(); p == nil {
				b.Fatalf("iteration %d: nothing to send", i)
			}
		}
		q.Enqueue(p)
		bed.Clock.Advance(step)
	}
	b.StopTimer()
}

// Every class within its rate: DRR over the leaves' row.
func BenchmarkEnqueueDequeue10kCanSend(b *testing.B) {
	benchLeaves(b, 10000, "rate 100gbit", "rate 10gbit ceil 100gbit", 10e9)
}

// Every leaf over its rate, borrowing from the root: DRR over the root's
// feed, with mode changes and events.
func BenchmarkEnqueueDequeue10kBorrowing(b *testing.B) {
	benchLeaves(b, 10000, "rate 10gbit", "rate 100kbit ceil 10gbit", 10e9)
}

// A few classes, for comparison.
func BenchmarkEnqueueDequeue64Borrowing(b *testing.B) {
	benchLeaves(b, 64, "rate 10gbit", "rate 10mbit ceil 10gbit", 10e9)
}
