package qfq_test

import (
	"fmt"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// benchClasses makes n classes (weights cycling through 1..weights) with
// two packets each, marked with their class; each iteration dequeues one
// packet and enqueues it again, so every class stays backlogged.
func benchClasses(b *testing.B, n, weights int) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: qfq")
	for i := 1; i <= n; i++ {
		bed.TC(fmt.Sprintf("class add parent 1: classid 1:%x qfq weight %d", i, 1+i%weights))
	}
	q := bed.Qdisc("1:")
	for r := 0; r < 2; r++ {
		for i := 1; i <= n; i++ {
			p := bed.Pool.Get()
			bed.Frame(p, flow(uint32(i), 1<<16|uint32(i)), 200+i%1300, 0)
			q.Enqueue(p)
		}
	}
	if q.QLen != 2*n {
		b.Fatalf("qlen %d, want %d", q.QLen, 2*n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := q.Dequeue()
		if p == nil {
			b.Fatal("nothing to send")
		}
		q.Enqueue(p)
	}
}

func BenchmarkEnqueueDequeue64(b *testing.B) { benchClasses(b, 64, 8) }

// The weights' sum caps the classes at 65536 of weight 1.
func BenchmarkEnqueueDequeue10k(b *testing.B) { benchClasses(b, 10000, 4) }
