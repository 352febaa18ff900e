package tbf_test

import (
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
)

var flow = &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}

// departures records the arrival time and size of every frame; the link
// has no delay and a fixed size, so arrivals are departures shifted by one
// transmission time.
type departures struct {
	at   []int64
	size []int
}

func record(b *schedtest.Bed) *departures {
	d := &departures{}
	b.Link.Deliver = func(p *pkt.Packet) {
		d.at = append(d.at, b.Clock.Now())
		d.size = append(d.size, len(p.Data))
		b.Sink.Receive(p)
	}
	return d
}

// maxExcess is the largest amount by which the bytes sent in any interval
// [t_i, t_k] exceed rate*(t_k-t_i): a flow obeys a token bucket of depth B
// exactly when this is at most B.
func (d *departures) maxExcess(rate float64) float64 {
	var excess, cum float64
	best := 1e300 // min over i of C_{i-1} - R*t_i
	for k := range d.at {
		t := float64(d.at[k]) / 1e9
		best = min(best, cum-rate*t)
		cum += float64(d.size[k])
		excess = max(excess, cum-rate*t-best)
	}
	return excess
}

// Under overload tbf sends at its rate (within 0.5% over 10 s), and no
// interval ever carries more than burst bytes above the rate.
func TestRateAndBurst(t *testing.T) {
	for _, tt := range []struct {
		name    string
		cmd     string
		rate    float64 // bytes/s
		burst   float64 // bytes
		offered uint64  // bit/s
		size    int
	}{
		{"10mbit", "qdisc add root handle 1: tbf rate 10mbit burst 20k latency 50ms", 10e6 / 8, 20480, 30e6, 1000},
		{"1mbit small burst", "qdisc add root handle 1: tbf rate 1mbit burst 1600 limit 100k", 1e6 / 8, 1600, 5e6, 1500},
		{"100mbit", "qdisc add root handle 1: tbf rate 100mbit burst 64k latency 10ms", 100e6 / 8, 65536, 200e6, 1400},
		{"peak", "qdisc add root handle 1: tbf rate 10mbit burst 100k latency 50ms peakrate 20mbit mtu 1500", 10e6 / 8, 102400, 50e6, 1500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := schedtest.New(t, schedtest.Options{Rate: 1e9})
			b.TC(tt.cmd)
			d := record(b)
			// Idle for a second (full bucket), then 11 s of overload.
			b.CBR(flow, tt.offered, tt.size, 1e9, 12e9)
			b.Sink.WindowStart, b.Sink.WindowEnd = 2e9, 12e9
			b.Run(13e9)
			got := b.Sink.Rate(1) / 8
			if dev := (got - tt.rate) / tt.rate; dev > 0.005 || dev < -0.005 {
				t.Errorf("rate %.0f B/s, want %.0f (±0.5%%)", got, tt.rate)
			}
			// Exact to the byte (up to float rounding).
			if ex := d.maxExcess(tt.rate); ex > tt.burst+1 {
				t.Errorf("an interval carried %.0f bytes above the rate; burst is %.0f", ex, tt.burst)
			}
			q := b.Qdisc("1:")
			if q.Qstats.Overlimits == 0 {
				t.Error("no overlimits counted under overload")
			}
			t.Logf("rate %.4f%% of target, max excess %.0f of burst %.0f, drops %d",
				100*got/tt.rate, d.maxExcess(tt.rate), tt.burst, q.Qstats.Drops)
		})
	}
}

// The peak rate caps bursts: right after an idle period packets leave at
// most at the peak rate, not the link's.
func TestPeakRateSpacing(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: tbf rate 10mbit burst 100k latency 50ms peakrate 20mbit mtu 1500")
	d := record(b)
	for i := 0; i < 20; i++ {
		b.Send(flow, 1500)
	}
	b.Run(1e9)
	if len(d.at) != 20 {
		t.Fatalf("%d delivered, want 20", len(d.at))
	}
	// 1500 bytes at 20 Mbit/s: 600 us apart (the first leaves at once).
	for i := 1; i < len(d.at); i++ {
		if gap := d.at[i] - d.at[i-1]; gap < 599e3 || gap > 601e3 {
			t.Fatalf("gap %d: %d ns, want 600 us", i, gap)
		}
	}
}

// A packet larger than the bucket can never leave: it is dropped at once
// rather than blocking the queue.
func TestOversizeDropped(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: tbf rate 1mbit burst 1000 limit 10k")
	b.Send(flow, 1400)
	b.Send(flow, 900)
	b.Run(1e9)
	q := b.Qdisc("1:")
	if q.Qstats.Drops != 1 || b.Sink.Total.Packets != 1 {
		t.Fatalf("drops %d delivered %d, want 1 and 1", q.Qstats.Drops, b.Sink.Total.Packets)
	}
}

// Throttled, tbf sleeps on its watchdog: the clock has exactly one timer
// for it, set for when the next packet may leave.
func TestWatchdogNotPolling(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: tbf rate 8mbit burst 1000 limit 100k")
	for i := 0; i < 3; i++ {
		b.Send(flow, 1000)
	}
	// The first frame used the bucket; the second waits 1 ms.
	b.Run(10e3) // the wire is free again after 8 us
	at, ok := b.Clock.Next()
	if !ok || at != 1e6 {
		t.Fatalf("next timer at %d (%v), want 1 ms", at, ok)
	}
	b.Run(5e9)
	if b.Sink.Total.Packets != 3 {
		t.Fatalf("delivered %d, want 3", b.Sink.Total.Packets)
	}
	if _, ok := b.Clock.Next(); ok {
		t.Fatal("a timer is still armed with nothing to send")
	}
}

func BenchmarkEnqueueDequeue(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: tbf rate 100gbit burst 100m limit 100m")
	q := bed.Qdisc("1:")
	p := bed.Pool.Get()
	bed.Frame(p, flow, 1000, 0)
	step := int64(1000 * 8 * 1e9 / 100e9)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.Enqueue(p)
		if q.Dequeue() != p {
			b.Fatal("lost the packet")
		}
		bed.Clock.Advance(step)
	}
}
