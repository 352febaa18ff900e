package netem_test

import (
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
)

// benchPipeline keeps a qdisc in steady state: every iteration the clock
// moves 1 us, one packet goes in and the due one comes out. The device
// is down so that the watchdog does not run the queue behind our back.
func benchPipeline(b *testing.B, args string) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: " + args)
	q := bed.Qdisc("1:")
	bed.Dev.SetUp(false)
	tmpl := bed.Pool.Get()
	bed.Frame(tmpl, flow, 100, 0)
	get := func() *pkt.Packet {
		p := bed.Pool.Get()
		p.CopyFrom(tmpl)
		return p
	}
	now := int64(0)
	var spare *pkt.Packet
	step := func() {
		now += 1000
		bed.Clock.AdvanceTo(now)
		p := spare
		if p == nil {
			p = get() // the last one was lost
		}
		q.Enqueue(p)
		// The packet that leaves goes in again next time, as a
		// forwarding loop reuses its buffers.
		spare = q.Dequeue()
	}
	// Warm up: fill the delay line.
	for i := 0; i < 5000; i++ {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
}

// BenchmarkNetemDelayLoss: netem with a delay line of 1,000 packets and
// 1% loss, per enqueue+dequeue.
func BenchmarkNetemDelayLoss(b *testing.B) {
	benchPipeline(b, "netem limit 100000 delay 1ms loss 1%")
}

// BenchmarkNetemJitter: with jitter the tfifo's heap sorts (O(log n)).
func BenchmarkNetemJitter(b *testing.B) {
	benchPipeline(b, "netem limit 100000 delay 1ms 200us loss 1%")
}

// BenchmarkNetemLongLine: a delay line of 10,000 packets, which no longer
// fits the caches.
func BenchmarkNetemLongLine(b *testing.B) {
	benchPipeline(b, "netem limit 100000 delay 10ms loss 1%")
}
