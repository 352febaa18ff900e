package ets_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// benchBands keeps every band backlogged with two packets: each iteration
// dequeues one and enqueues it again into its band.
func benchBands(b *testing.B, words string, bands int) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: ets " + words)
	q := bed.Qdisc("1:")
	for r := 0; r < 2; r++ {
		for i := 1; i <= bands; i++ {
			p := bed.Pool.Get()
			bed.Frame(p, flow(uint32(i), 1<<16|uint32(i)), 1000, 0)
			q.Enqueue(p)
		}
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

// Sixteen sharing bands: deficit round robin.
func BenchmarkEnqueueDequeue16Sharing(b *testing.B) { benchBands(b, "bands 16", 16) }

// Eight strict bands over eight sharing ones: the strict band 1 is always
// served.
func BenchmarkEnqueueDequeue8Strict8Sharing(b *testing.B) { benchBands(b, "bands 16 strict 8", 16) }
