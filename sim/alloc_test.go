package sim_test

import (
	"runtime"
	"testing"
)

// The data path allocates nothing per packet: sources, frames, cables,
// the host stack, TCP and the statistics reuse what they have. What a
// run allocates is set-up and the samples of its time series.
func TestNoAllocationPerPacket(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	s := build(t, `
duration: 5s
sample: 1s
links:
  - a: {host: a, tc: "qdisc add root pfifo limit 100"}
    b: r
    rate: 100mbit
    delay: 1ms
    loss: 0.1%
    jitter: 100us
  - {a: r, b: b, rate: 50mbit, delay: 2ms}
traffic:
  - {name: tcp, type: tcp, cc: cubic, from: a, to: b, count: 4}
  - {name: cbr, type: cbr, from: a, to: b, rate: 5mbit}
  - {name: poisson, type: poisson, from: b, to: a, rate: 5mbit, size: 300}
  - {name: rr, type: reqresp, from: b, to: a, interval: 10ms, response: 10kb}
`)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	r := s.Run()
	runtime.ReadMemStats(&m1)
	allocs := m1.Mallocs - m0.Mallocs
	t.Logf("%d packet-hops, %d allocations", r.PacketHops, allocs)
	if r.PacketHops < 50000 {
		t.Fatalf("only %d hops", r.PacketHops)
	}
	// Five samples and the end: a few thousand allocations for the
	// dumps, whatever the number of packets.
	if allocs > 10000 {
		t.Fatalf("%d allocations for %d packet-hops", allocs, r.PacketHops)
	}
}
