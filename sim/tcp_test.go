package sim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/netsched/netsched/std"
)

// TCP Reno under random loss follows the Mathis formula: throughput =
// MSS/RTT * sqrt(3/2) / sqrt(p) (Mathis, Semke, Mahdavi, Ott 1997), within
// 20%, averaged over eight flows to tame the variance of 0.1% loss.
func TestTCPRenoMathis(t *testing.T) {
	skipUnderRace(t)
	r := run(t, `
seed: 3
duration: 100s
warmup: 10s
links:
  - a: sender
    b: receiver
    rate: 1gbit
    delay: 20ms
    loss: 0.1%
    reverse: {loss: "0"}
traffic:
  - {name: reno, type: tcp, cc: reno, from: sender, to: receiver, count: 8}
`)
	var sum float64
	for _, f := range r.Flows {
		sum += f.Goodput
	}
	got := sum / float64(len(r.Flows))
	f := r.Flows[0]
	rtt := f.TCP.MinRTT / 1e3
	want := float64(f.TCP.MSS) * 8 / rtt * math.Sqrt(1.5) / math.Sqrt(0.001)
	t.Logf("goodput %.3f Mbit/s per flow, Mathis %.3f Mbit/s (MSS %d, RTT %.1f ms)", got/1e6, want/1e6, f.TCP.MSS, rtt*1e3)
	if !within(got, want, 0.2) {
		t.Fatalf("goodput %.3f Mbit/s, Mathis says %.3f", got/1e6, want/1e6)
	}
}

// A flow that is window-limited gets a window per round trip: 64 KB over
// a 100 ms path is 5.2 Mbit/s of payload.
func TestTCPReceiveWindow(t *testing.T) {
	r := run(t, `
duration: 20s
warmup: 5s
links:
  - {a: a, b: b, rate: 1gbit, delay: 50ms}
traffic:
  - {name: tcp, type: tcp, from: a, to: b, rwnd: 65536, delack: false}
`)
	f := flowNamed(t, r, "tcp")
	rtt := f.TCP.MinRTT / 1e3
	// The window is a whole number of segments in flight: 44 of 1460.
	want := float64(65536/f.TCP.MSS*f.TCP.MSS) * 8 / rtt
	if !within(f.Goodput, want, 0.02) {
		t.Fatalf("goodput %g, want %g", f.Goodput, want)
	}
}

// With fq_codel marking ECN, an ECN flow is slowed by CE marks, not
// losses: congestion window reductions and no retransmissions.
func TestTCPECN(t *testing.T) {
	if std.Registry().Qdisc("fq_codel") == nil {
		t.Skip("qdisc kind fq_codel not registered")
	}
	r := run(t, `
duration: 10s
warmup: 2s
links:
  - {a: a, b: r, rate: 1gbit}
  - a: {host: r, tc: "qdisc add root fq_codel ecn"}
    b: b
    rate: 20mbit
    delay: 10ms
traffic:
  - {name: ecn, type: tcp, cc: cubic, ecn: true, from: a, to: b}
`)
	f := flowNamed(t, r, "ecn")
	if f.TCP.Reductions == 0 || f.TCP.Retransmits != 0 {
		t.Fatalf("tcp %+v", f.TCP)
	}
	if !within(f.Throughput, 20e6, 0.05) {
		t.Fatalf("throughput %g", f.Throughput)
	}
	// CoDel keeps the standing queue near its 5 ms target.
	if l := r.Links[2]; l.Sojourn.P50 > 10 {
		t.Fatalf("sojourn %+v", l.Sojourn)
	}
}

// CUBIC recovers a large window faster than Reno on a long fat path
// with rare losses.
func TestTCPCubicBeatsRenoOnLongFatPath(t *testing.T) {
	skipUnderRace(t)
	const sc = `
seed: 5
duration: 60s
warmup: 10s
links:
  - {a: a, b: b, rate: 1gbit, delay: 50ms, loss: 0.001%%, reverse: {loss: "0"}}
traffic:
  - {name: tcp, type: tcp, cc: %s, from: a, to: b}
`
	reno := flowNamed(t, run(t, fmt.Sprintf(sc, "reno")), "tcp")
	cubic := flowNamed(t, run(t, fmt.Sprintf(sc, "cubic")), "tcp")
	if cubic.Goodput < 1.5*reno.Goodput {
		t.Fatalf("cubic %g, reno %g", cubic.Goodput, reno.Goodput)
	}
}
