package sim_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// fifoBottleneck is a sender, a router and a receiver: eight UDP flows
// offer 1.6 Gbit/s to a 1 Gbit/s link behind a pfifo.
const fifoBottleneck = `
name: fifo-bottleneck
duration: %s
links:
  - a: sender
    b: router
    rate: 10gbit
    delay: 1ms
  - a:
      host: router
      tc: qdisc add root handle 1 pfifo limit 1000
    b: receiver
    rate: 1gbit
    delay: 1ms
traffic:
  - type: cbr
    from: sender
    to: receiver
    count: 8
    rate: 200mbit
`

// cpuTime is the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runBench runs a scenario b.N times and reports packet-hops per second
// of wall time and per second of CPU time (the latter is steadier on a
// machine that other work shares).
func runBench(b *testing.B, scenario string) {
	b.ReportAllocs()
	var hops uint64
	var wall, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := build(b, scenario)
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime()
		r := s.Run()
		wall += time.Since(t0)
		cpu += cpuTime() - c0
		hops += r.PacketHops
	}
	b.ReportMetric(float64(hops)/wall.Seconds(), "hops/s")
	b.ReportMetric(float64(hops)/cpu.Seconds(), "hops/cpu-s")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/run")
}

// BenchmarkFifoBottleneck measures packet-hops per second: packets put
// on a wire, each through a device's qdisc and its cable (10 simulated
// seconds a run).
func BenchmarkFifoBottleneck(b *testing.B) {
	runBench(b, fmt.Sprintf(fifoBottleneck, "10s"))
}

// tcpHTBFqCodel is 64 TCP flows through htb + fq_codel on a router's
// 1 Gbit/s link.
const tcpHTBFqCodel = `
name: tcp64
duration: %s
links:
  - a: sender
    b: router
    rate: 10gbit
    delay: 1ms
  - a:
      host: router
      tc: |
        qdisc add root handle 1: htb default 1
        class add parent 1: classid 1:1 htb rate 1gbit ceil 1gbit
        qdisc add parent 1:1 handle 10: fq_codel || qdisc add parent 1:1 handle 10: pfifo limit 1000
    b: receiver
    rate: 1gbit
    delay: 10ms
traffic:
  - type: tcp
    cc: cubic
    from: sender
    to: receiver
    count: 64
`

// BenchmarkTCP64 is 60 simulated seconds of 64 TCP flows through htb and
// fq_codel on a 1 Gbit/s link (the README's figure).
func BenchmarkTCP64(b *testing.B) {
	runBench(b, fmt.Sprintf(tcpHTBFqCodel, "60s"))
}
