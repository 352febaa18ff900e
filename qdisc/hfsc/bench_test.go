package hfsc_test

import (
	"fmt"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// benchLeaves builds n leaves under `parents` inner classes, each leaf
// with class words leaf, two packets queued in each; each iteration
// dequeues one packet and enqueues it again into its class. The clock
// advances by the packet's time at link bits per second.
func benchLeaves(b *testing.B, n, parents int, leaf string, link float64) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: hfsc")
	for p := 1; p <= parents; p++ {
		bed.TC(fmt.Sprintf("class add parent 1: classid 1:%x hfsc ls m2 100mbit", 0x8000+p))
	}
	for i := 1; i <= n; i++ {
		parent := fmt.Sprintf("1:%x", 0x8000+1+i%parents)
		bed.TC(fmt.Sprintf("class add parent %s classid 1:%x hfsc %s", parent, i, leaf))
	}
	q := bed.Qdisc("1:")
	for r := 0; r < 2; r++ {
		for i := 1; i <= n; i++ {
			p := bed.Pool.Get()
			bed.Frame(p, flow(uint32(i), 1<<16|uint32(i)), 1000, 0)
			q.Enqueue(p)
		}
	}
	if q.QLen != 2*n {
		b.Fatalf("qlen %d, want %d", q.QLen, 2*n)
	}
	step := int64(1000 * 8 * 1e9 / link)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := q.Dequeue()
		if p == nil {
			bed.Clock.Advance(step)
			if p = q.Dequeue(); p == nil {
				b.Fatalf("iteration %d: nothing to send", i)
			}
		}
		q.Enqueue(p)
		bed.Clock.Advance(step)
	}
}

// Link sharing only: the vt trees, two levels.
func BenchmarkEnqueueDequeueLS1k(b *testing.B) { benchLeaves(b, 1000, 10, "ls m2 1mbit", 10e9) }
func BenchmarkEnqueueDequeueLS10k(b *testing.B) {
	benchLeaves(b, 10000, 100, "ls m2 100kbit", 10e9)
}

// Real time and link sharing: eligible classes are scanned for the
// earliest deadline, as the kernel does, so the cost grows with the
// number of eligible classes.
func BenchmarkEnqueueDequeueSC64(b *testing.B) { benchLeaves(b, 64, 4, "sc rate 10mbit", 10e9) }
func BenchmarkEnqueueDequeueSC1k(b *testing.B) { benchLeaves(b, 1000, 10, "sc rate 1mbit", 10e9) }
