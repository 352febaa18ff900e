package sim_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/netsched/netsched/sim"
)

func run(t testing.TB, yaml string) *sim.Result {
	t.Helper()
	return build(t, yaml).Run()
}

func flowNamed(t testing.TB, r *sim.Result, name string) sim.FlowResult {
	t.Helper()
	for _, f := range r.Flows {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no flow %q", name)
	return sim.FlowResult{}
}

func classNamed(t testing.TB, r *sim.Result, host, dev, handle string) sim.TCResult {
	t.Helper()
	for _, c := range r.Classes {
		if c.Host == host && c.Dev == dev && c.Handle == handle {
			return c
		}
	}
	t.Fatalf("no class %s on %s:%s", handle, host, dev)
	return sim.TCResult{}
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

// A constant-rate flow over an idle cable arrives at its rate, each
// packet after exactly its serialisation and propagation delay.
func TestCBRIdleLink(t *testing.T) {
	r := run(t, `
duration: 2s
links:
  - {a: a, b: b, rate: 10mbit, delay: 5ms}
traffic:
  - {name: cbr, type: cbr, from: a, to: b, rate: 1mbit, size: 1000}
`)
	f := flowNamed(t, r, "cbr")
	// 1000-byte frames at 1 Mbit/s: one every 8 ms, 250 in 2 s.
	if f.SentPackets != 250 || f.RecvPackets != 250 || f.Lost != 0 {
		t.Fatalf("sent %d recv %d lost %d", f.SentPackets, f.RecvPackets, f.Lost)
	}
	// 1000 bytes at 10 Mbit/s is 0.8 ms on the wire, plus 5 ms.
	if f.Delay.Min != 5.8 || f.Delay.Max != 5.8 || f.Jitter != 0 {
		t.Fatalf("delay %+v jitter %g", f.Delay, f.Jitter)
	}
	if !within(f.Throughput, 1e6, 0.01) {
		t.Fatalf("throughput %g", f.Throughput)
	}
}

// A queue builds when a flow offers more than the cable carries: the
// cable runs at its rate, the pfifo holds its limit and drops the rest,
// and each packet waits for the limit's worth of packets before it.
func TestFifoBottleneck(t *testing.T) {
	r := run(t, `
duration: 4s
warmup: 1s
links:
  - a: {host: a, tc: "qdisc add root pfifo limit 100"}
    b: b
    rate: 10mbit
traffic:
  - {name: flood, type: cbr, from: a, to: b, rate: 20mbit, size: 1250}
`)
	f := flowNamed(t, r, "flood")
	if !within(f.Throughput, 10e6, 0.005) {
		t.Fatalf("throughput %g, want the cable's 10 Mbit/s", f.Throughput)
	}
	// 100 packets of 1250 bytes ahead at 10 Mbit/s: 100 ms in the queue.
	if f.Delay.P50 < 99 || f.Delay.P50 > 102 {
		t.Fatalf("delay p50 %g ms, want about 100 ms", f.Delay.P50)
	}
	if f.Lost < f.SentPackets/2-120 || f.Lost > f.SentPackets/2+120 {
		t.Fatalf("lost %d of %d, want half", f.Lost, f.SentPackets)
	}
	if r.Links[0].Utilisation < 0.99 {
		t.Fatalf("utilisation %g", r.Links[0].Utilisation)
	}
}

// htb shapes to its rate: the class's measured rate is its configured
// rate within 1%, whatever the cable.
func TestHTBShapedRate(t *testing.T) {
	r := run(t, `
duration: 5s
warmup: 1s
links:
  - a:
      host: a
      tc: |
        qdisc add root handle 1: htb default 10
        class add parent 1: classid 1:10 htb rate 7mbit
    b: b
    rate: 100mbit
traffic:
  - {name: udp, type: cbr, from: a, to: b, rate: 20mbit}
`)
	c := classNamed(t, r, "a", "eth0", "1:10")
	if !within(c.Rate, 7e6, 0.01) {
		t.Fatalf("class rate %g, want 7 Mbit/s within 1%%", c.Rate)
	}
}

// Two runs with the same seed give the same JSON, byte for byte; another
// seed gives another run.
func TestDeterministicJSON(t *testing.T) {
	const sc = `
duration: 3s
warmup: 500ms
links:
  - a: {host: a, tc: "qdisc add root pfifo limit 50"}
    b: r
    rate: 20mbit
    delay: 2ms
    jitter: 1ms
    loss: 0.5%
  - {a: r, b: c, rate: 50mbit, delay: 3ms}
traffic:
  - {name: tcp, type: tcp, from: a, to: c, count: 2, cc: cubic}
  - {name: poisson, type: poisson, from: a, to: c, rate: 2mbit, size: 500}
  - {name: onoff, type: onoff, from: c, to: a, rate: 5mbit, on: 100ms, off: 200ms}
  - {name: rr, type: reqresp, from: c, to: a, request: 100, response: 5000, interval: 20ms, poisson: true}
`
	out := func(seed uint64) []byte {
		sc, err := sim.Parse([]byte(sc))
		if err != nil {
			t.Fatal(err)
		}
		s, err := sim.New(sc, sim.Options{Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := sim.WriteJSON(&b, s.Run()); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b, c := out(1), out(1), out(2)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different JSON")
	}
	if bytes.Equal(a, c) {
		t.Fatal("another seed gave the same JSON")
	}
}

// Random loss on a cable drops the configured share of packets, from a
// seeded stream.
func TestLinkLoss(t *testing.T) {
	r := run(t, `
duration: 10s
links:
  - {a: a, b: b, rate: 100mbit, loss: 2%}
traffic:
  - {name: cbr, type: cbr, from: a, to: b, rate: 10mbit, size: 1000}
`)
	f := flowNamed(t, r, "cbr")
	got := float64(f.Lost) / float64(f.SentPackets)
	// 12500 packets: the binomial's standard deviation is 0.13%.
	if math.Abs(got-0.02) > 0.005 {
		t.Fatalf("lost %.4f of packets, want 0.02", got)
	}
	if r.Links[0].Lost != f.Lost {
		t.Fatalf("link lost %d, flow lost %d", r.Links[0].Lost, f.Lost)
	}
}

// Jitter spreads the delay over delay±jitter but keeps packets in order,
// as a cable does.
func TestLinkJitterKeepsOrder(t *testing.T) {
	r := run(t, `
duration: 5s
links:
  - {a: a, b: b, rate: 1gbit, delay: 10ms, jitter: 2ms}
traffic:
  - {name: cbr, type: cbr, from: a, to: b, rate: 1mbit, size: 200}
`)
	f := flowNamed(t, r, "cbr")
	if f.Reordered != 0 {
		t.Fatalf("%d packets reordered", f.Reordered)
	}
	if f.Delay.Min < 8 || f.Delay.Max > 12.01 || f.Delay.P90-f.Delay.P50 < 0.3 || f.Jitter == 0 {
		t.Fatalf("delay %+v jitter %g", f.Delay, f.Jitter)
	}
}

// Routing is automatic along shortest paths, in IPv4 and IPv6; routers
// forward, decrementing the TTL.
func TestRoutingIPv6(t *testing.T) {
	r := run(t, `
duration: 1s
links:
  - {a: {host: a, addr: [2001:db8:1::1/64, 10.0.1.1/24]}, b: {host: r1, addr: [2001:db8:1::2/64, 10.0.1.2/24]}}
  - {a: {host: r1, addr: [2001:db8:2::1/64]}, b: {host: r2, addr: [2001:db8:2::2/64]}}
  - {a: {host: r2, addr: [2001:db8:3::1/64]}, b: {host: c, addr: [2001:db8:3::2/64]}}
traffic:
  - {name: v6, type: tcp, from: a, to: c, family: ipv6, bytes: 1mb}
`)
	f := flowNamed(t, r, "v6")
	if f.TCP.BytesAcked != 1<<20 || f.TCP.CompletedAt == 0 {
		t.Fatalf("acked %d at %g", f.TCP.BytesAcked, f.TCP.CompletedAt)
	}
	if !strings.HasPrefix(f.Dst, "[2001:db8:3::2]") {
		t.Fatalf("dst %s", f.Dst)
	}
	for _, h := range r.Hosts {
		if h.NoRoute+h.NoSocket+h.NotLocal+h.TTLExceeded != 0 {
			t.Fatalf("host %s dropped: %+v", h.Name, h)
		}
	}
}

// A request/response flow on an idle path answers in one round trip plus
// the response's serialisation.
func TestRequestResponse(t *testing.T) {
	r := run(t, `
duration: 2s
links:
  - {a: client, b: server, rate: 100mbit, delay: 10ms}
traffic:
  - {name: rr, type: reqresp, from: client, to: server, request: 100, response: 3000, interval: 100ms}
`)
	f := flowNamed(t, r, "rr")
	if f.RR.Requests != 20 || f.RR.Completed != 20 || f.RR.Failed != 0 {
		t.Fatalf("%+v", f.RR)
	}
	// Request: 142-byte frame (0.011 ms) + 10 ms; response: three
	// frames of 1442, 1442 and 158 bytes back to back + 10 ms.
	want := 20 + (142+1442+1442+158)*8/100e6*1e3
	if math.Abs(f.RR.Latency.Max-want) > 0.01 || math.Abs(f.RR.Latency.Min-want) > 0.01 {
		t.Fatalf("latency %+v, want %.3f ms", f.RR.Latency, want)
	}
}

// Scenario errors name what is wrong.
func TestScenarioErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"duration: 1s\nlinks: [{a: a, b: b}]\nbogus: 1\n", "field bogus not found"},
		{"links: [{a: a, b: b}]\n", "duration"},
		{"duration: 10\nlinks: [{a: a, b: b}]\n", "give a unit"},
		{"duration: 1s\nlinks: [{a: a, b: b, rate: fast}]\n", "bad rate"},
		{"duration: 1s\nlinks: [{a: a, b: b, loss: 200%}]\n", "out of range"},
		{"duration: 1s\nlinks: [{a: a, b: b}]\ntraffic: [{type: cbr, from: a, to: c, rate: 1mbit}]\n", "neither a host nor an address"},
		{"duration: 1s\nlinks: [{a: a, b: b}]\ntraffic: [{type: cbr, from: a, to: b}]\n", "needs one"},
		{"duration: 1s\nlinks: [{a: a, b: b}]\ntraffic: [{type: tcp, cc: vegas, from: a, to: b}]\n", "unknown congestion control"},
		{"duration: 1s\nlinks: [{a: a, b: b}]\ntraffic: [{type: quic, from: a, to: b}]\n", "type \"quic\""},
		{"duration: 1s\nlinks: [{a: {host: a, tc: \"qdisc add root bogus\"}, b: b}]\n", "qdisc add dev eth0 root bogus"},
		{"duration: 1s\nlinks: [{a: a, b: b}]\nhosts: [{name: a}]\n", ""},
	} {
		sc, err := sim.Parse([]byte(c.yaml))
		if err == nil {
			_, err = sim.New(sc, sim.Options{})
		}
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.yaml, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yaml, err, c.want)
		}
	}
}

// A tc line "A || B" runs B when A fails, and says so.
func TestTCFallback(t *testing.T) {
	s := build(t, `
duration: 100ms
links:
  - a: {host: a, tc: "qdisc add root handle 1: nosuchkind || qdisc add root handle 1: pfifo limit 7"}
    b: b
`)
	r := s.Run()
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "pfifo limit 7") {
		t.Fatalf("notes %q", r.Notes)
	}
	if len(r.TCStats) != 1 || !strings.Contains(r.TCStats[0].Qdiscs, "qdisc pfifo 1: root refcnt 2 limit 7p") {
		t.Fatalf("tc stats %+v", r.TCStats)
	}
}

// A multiqueue device gets mq with a child per queue; flows spread over
// the queues by their hash, and the cable serves the queues in turn.
func TestMultiQueue(t *testing.T) {
	r := run(t, `
duration: 3s
warmup: 1s
links:
  - a: {host: a, queues: 4, tc: "qdisc show"}
    b: b
    rate: 100mbit
traffic:
  - {name: cbr, type: cbr, from: a, to: b, count: 16, rate: 20mbit}
`)
	busy := 0
	for _, q := range r.Qdiscs {
		if q.Host == "a" && q.Kind == "pfifo_fast" && q.Packets > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Fatalf("%d queues carried traffic: %+v", busy, r.Qdiscs)
	}
	var sum float64
	for _, f := range r.Flows {
		sum += f.Throughput
	}
	if !within(sum, 100e6, 0.01) {
		t.Fatalf("total %g", sum)
	}
	if !strings.Contains(r.TC[0].Output, "qdisc mq 0: root") {
		t.Fatalf("tc qdisc show: %q", r.TC[0].Output)
	}
}

// On/off and Poisson sources average their rates: on 100 ms of every
// 400 ms at 4 Mbit/s is 1 Mbit/s; Poisson's mean is its rate.
func TestSourceRates(t *testing.T) {
	r := run(t, `
duration: 40s
links:
  - {a: a, b: b, rate: 1gbit}
traffic:
  - {name: onoff, type: onoff, from: a, to: b, rate: 4mbit, on: 100ms, off: 300ms, dist: const, size: 1000}
  - {name: onoff-exp, type: onoff, from: a, to: b, rate: 4mbit, on: 100ms, off: 300ms, size: 1000}
  - {name: poisson, type: poisson, from: a, to: b, rate: 2mbit, size: 500}
`)
	if f := flowNamed(t, r, "onoff"); !within(f.Throughput, 1e6, 0.01) {
		t.Errorf("onoff const: %g", f.Throughput)
	}
	if f := flowNamed(t, r, "onoff-exp"); !within(f.Throughput, 1e6, 0.1) {
		t.Errorf("onoff exp: %g", f.Throughput)
	}
	// 20000 packets: the count's standard deviation is 0.7%.
	if f := flowNamed(t, r, "poisson"); !within(f.Throughput, 2e6, 0.03) {
		t.Errorf("poisson: %g", f.Throughput)
	}
}

// A cable's per-frame overhead takes wire time: 1000-byte frames with 24
// bytes of preamble, FCS and gap fill a 10 Mbit/s cable at 9.77 Mbit/s of
// frames.
func TestLinkOverhead(t *testing.T) {
	r := run(t, `
duration: 3s
warmup: 1s
links:
  - {a: a, b: b, rate: 10mbit, overhead: 24}
traffic:
  - {name: flood, type: cbr, from: a, to: b, rate: 20mbit, size: 1000}
`)
	f := flowNamed(t, r, "flood")
	if want := 10e6 * 1000 / 1024; !within(f.Throughput, want, 0.005) {
		t.Fatalf("throughput %g, want %g", f.Throughput, want)
	}
}

// A TCP flow with a size completes and says when; one with a stop time
// stops sending new data then.
func TestTCPBytesAndStop(t *testing.T) {
	r := run(t, `
duration: 10s
links:
  - {a: a, b: b, rate: 100mbit, delay: 10ms}
traffic:
  - {name: sized, type: tcp, from: a, to: b, bytes: 10mb}
  - {name: stopped, type: tcp, from: a, to: b, stop: 2s, start: 1s}
`)
	sized := flowNamed(t, r, "sized")
	if sized.TCP.BytesAcked != 10<<20 || sized.TCP.CompletedAt <= 0 || sized.TCP.CompletedAt > 3 {
		t.Fatalf("sized: %+v", sized.TCP)
	}
	stopped := flowNamed(t, r, "stopped")
	if stopped.TCP.CompletedAt < 2 || stopped.TCP.CompletedAt > 2.5 {
		t.Fatalf("stopped: %+v", stopped.TCP)
	}
}
