package codel_test

import (
	"slices"
	"testing"

	"github.com/netsched/netsched/pkt"

	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// standing measures the standing queue: the minimum sojourn time (from
// enqueue to dequeue) of the packets of each 100 ms after from, whose
// median it returns. The sink's delay less the link's propagation and
// transmission time is the sojourn time.
func standing(b *schedtest.Bed, from, to, prop, tx int64) float64 {
	var mins []int64
	cur, end := int64(1<<62), from+100e6
	prev := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) {
		if now := b.Clock.Now(); now >= from {
			for now >= end {
				mins = append(mins, cur)
				cur, end = 1<<62, end+100e6
			}
			cur = min(cur, now-p.Sent-prop-tx)
		}
		prev(p)
	}
	b.Run(to)
	slices.Sort(mins)
	return float64(mins[len(mins)/2])
}

// RFC 8289 sections 2 and 3: CoDel keeps the standing queue, the minimum
// sojourn time over an interval, near target, where a FIFO of the same
// limit lets responsive flows fill it. Four TCP-like flows (package
// schedtest's AIMD) share a 10 Mbit/s link with a 20 ms round trip;
// 1000-byte frames take 0.8 ms on the wire.
func TestStandingQueueNearTarget(t *testing.T) {
	for _, tt := range []struct {
		cmd      string
		min, max float64 // ms of standing queue
	}{
		{"qdisc add root handle 1: codel", 2.5, 10},
		{"qdisc add root handle 1: codel target 10ms", 5, 20},
		{"qdisc add root handle 1: pfifo limit 1000", 300, 1000},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			b := schedtest.New(t, schedtest.Options{Rate: 10e6, Delay: 10e6})
			b.TC(tt.cmd)
			for i := uint32(1); i <= 4; i++ {
				b.AIMD(flow(i), 1000, 10e6, 0, 30e9)
			}
			ms := standing(b, 10e9, 30e9, 10e6, 800e3) / 1e6
			if ms < tt.min || ms > tt.max {
				t.Fatalf("standing queue %.2f ms, want within [%g, %g] ms", ms, tt.min, tt.max)
			}
			if got := b.Sink.Total.Packets; got < 30*1250*9/10 {
				t.Fatalf("%d packets delivered in 30 s: the link was not kept busy", got)
			}
		})
	}
}

// RFC 8289 section 3.2: a burst that drains within one interval is left
// alone: its sojourn time is above target for less than interval.
func TestShortBurstUntouched(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: codel")
	for i := 0; i < 100; i++ { // 80 ms of queue at 10 Mbit/s
		b.Send(flow(1), 1000)
	}
	b.Run(1e9)
	q := b.Qdisc("1:")
	if q.Qstats.Drops != 0 || b.Sink.Total.Packets != 100 {
		t.Fatalf("drops %d, delivered %d; want 0 and 100", q.Qstats.Drops, b.Sink.Total.Packets)
	}
	if max := b.Sink.Total.DelayMax; max < 79e6 {
		t.Fatalf("max delay %d ns: the burst did queue", max)
	}
}

// A longer burst is cut: sojourn time stays above target beyond an
// interval, CoDel enters the dropping state and drops at the head.
func TestLongBurstDropped(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: codel")
	for i := 0; i < 500; i++ { // 400 ms of queue
		b.Send(flow(1), 1000)
	}
	b.Run(2e9)
	q := b.Qdisc("1:")
	if q.Qstats.Drops == 0 {
		t.Fatal("no drops")
	}
	if got := b.Sink.Total.Packets + uint64(q.Qstats.Drops); got != 500 {
		t.Fatalf("delivered+dropped %d, want 500", got)
	}
}

// The limit trims the queue from the head on change, as codel_change does.
func TestChangeTrimsToLimit(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: codel limit 10")
	for i := 0; i < 11; i++ {
		b.Send(flow(1), 1000)
	}
	q := b.Qdisc("1:")
	if q.QLen != 10 {
		t.Fatalf("qlen %d, want 10", q.QLen)
	}
	b.TC("qdisc change root handle 1: codel limit 1")
	if q.QLen != 1 || q.Qstats.Drops != 9 || q.Backlog() != 1000 {
		t.Fatalf("after trim qlen %d drops %d backlog %d", q.QLen, q.Qstats.Drops, q.Backlog())
	}
}

func BenchmarkCodelEnqueueDequeue(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: codel limit 1000")
	q := bed.Qdisc("1:")
	p := bed.Pool.Get()
	bed.Frame(p, flow(1), 1000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.Enqueue(p)
		if q.Dequeue() != p {
			b.Fatal("lost the packet")
		}
	}
}
