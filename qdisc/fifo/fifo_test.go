package fifo_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/schedtest"
)

var flow = &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}

// A burst larger than the limit: the link takes one frame at once, the
// fifo holds limit more, the rest are dropped; everything queued leaves at
// the link's rate.
func TestLimits(t *testing.T) {
	for _, tt := range []struct {
		name, cmd string
		size      int
		burst     int
		delivered int
	}{
		{"pfifo", "qdisc add root handle 1: pfifo limit 10", 1000, 50, 11},
		{"bfifo", "qdisc add root handle 1: bfifo limit 5000", 1000, 50, 6},
		{"head_drop", "qdisc add root handle 1: pfifo_head_drop limit 10", 1000, 50, 11},
		{"pfifo zero", "qdisc add root handle 1: pfifo_head_drop limit 0", 1000, 5, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := schedtest.New(t, schedtest.Options{Rate: 8e6})
			b.TC(tt.cmd)
			for i := 0; i < tt.burst; i++ {
				b.Send(flow, tt.size)
			}
			q := b.Qdisc("1:")
			wantQ := tt.delivered - 1
			if tt.delivered == 0 {
				wantQ = 0
			}
			if q.QLen != wantQ {
				t.Fatalf("qlen %d, want %d", q.QLen, wantQ)
			}
			if got, want := int(q.Qstats.Drops), tt.burst-tt.delivered; got != want {
				t.Fatalf("drops %d, want %d", got, want)
			}
			b.Run(1e9)
			if got := int(b.Sink.Total.Packets); got != tt.delivered {
				t.Fatalf("delivered %d, want %d", got, tt.delivered)
			}
			if q.QLen != 0 || q.Backlog() != 0 {
				t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
			}
			// 1000-byte frames at 8 Mbit/s: one per millisecond.
			if tt.delivered > 1 {
				if got, want := b.Sink.Total.Last, int64(tt.delivered)*1e6; got != want {
					t.Fatalf("last arrival %d ns, want %d", got, want)
				}
			}
		})
	}
}

// Head drop keeps the newest packets.
func TestHeadDropKeepsNewest(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: pfifo_head_drop limit 3")
	for i := 0; i < 10; i++ {
		f := *flow
		f.ID = uint32(i)
		b.Send(&f, 1000)
	}
	b.Run(1e9)
	for _, id := range []uint32{0, 7, 8, 9} {
		if b.Sink.Flows[id] == nil {
			t.Fatalf("flow %d lost; want the first (on the wire) and the three newest", id)
		}
	}
	if len(b.Sink.Flows) != 4 {
		t.Fatalf("%d flows delivered, want 4", len(b.Sink.Flows))
	}
}

// Default limits follow the device: txqueuelen packets, times MTU plus
// header for bfifo.
func TestDefaults(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: bfifo")
	if got := fifo.Limit(b.Qdisc("1:")); got != 1000*1514 {
		t.Fatalf("bfifo default limit %d, want %d", got, 1000*1514)
	}
	// Same handle, other kind: the kernel refuses to change the kind.
	if err := b.TryTC("qdisc replace root handle 1: pfifo"); err == nil || err.Error() != "Invalid qdisc name: must match existing qdisc" {
		t.Fatalf("replace with another kind: %v", err)
	}
	b.TC("qdisc replace root handle 2: pfifo")
	if got := fifo.Limit(b.Qdisc("2:")); got != 1000 {
		t.Fatalf("pfifo default limit %d, want 1000", got)
	}
}

func BenchmarkPfifoEnqueueDequeue(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: pfifo limit 1000")
	q := bed.Qdisc("1:")
	p := bed.Pool.Get()
	bed.Frame(p, flow, 1000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.Enqueue(p)
		if q.Dequeue() != p {
			b.Fatal("lost the packet")
		}
	}
}
