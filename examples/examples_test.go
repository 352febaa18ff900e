// Package examples holds scenarios for `netsched sim`, each in its own
// folder with a README. This test runs every one of them and checks its
// figures against theory.
package examples_test

import (
	"math"
	"strings"
	"testing"

	"github.com/netsched/netsched/sim"
	"github.com/netsched/netsched/std"
)

// needs skips the test, with the precise reason, when a kind the
// scenario uses is not registered in this build (package std).
func needs(t *testing.T, qdiscs []string, classifiers ...string) {
	t.Helper()
	reg := std.Registry()
	for _, k := range qdiscs {
		if reg.Qdisc(k) == nil {
			t.Skipf("qdisc kind %s not registered", k)
		}
	}
	for _, k := range classifiers {
		if reg.Classifier(k) == nil {
			t.Skipf("classifier kind %s not registered", k)
		}
	}
}

// runExample runs an example scenario. The race detector slows the
// simulator tenfold and finds nothing in its one goroutine (package sim's
// tests run under it): the examples run without it, as scripts/test does.
func runExample(t *testing.T, path string) *sim.Result {
	t.Helper()
	if raceEnabled {
		t.Skip("the examples run without -race (scripts/test runs them so)")
	}
	sc, err := sim.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Run()
	var b strings.Builder
	sim.WriteText(&b, r)
	t.Log("\n" + b.String())
	return r
}

func flow(t *testing.T, r *sim.Result, name string) sim.FlowResult {
	t.Helper()
	for _, f := range r.Flows {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no flow %q", name)
	return sim.FlowResult{}
}

func group(t *testing.T, r *sim.Result, name string) sim.GroupResult {
	t.Helper()
	for _, g := range r.Groups {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no traffic %q", name)
	return sim.GroupResult{}
}

func class(t *testing.T, r *sim.Result, host, dev, handle string) sim.TCResult {
	t.Helper()
	for _, c := range r.Classes {
		if c.Host == host && c.Dev == dev && c.Handle == handle {
			return c
		}
	}
	t.Fatalf("no class %s on %s %s", handle, host, dev)
	return sim.TCResult{}
}

func link(t *testing.T, r *sim.Result, from string) sim.LinkResult {
	t.Helper()
	for _, l := range r.Links {
		if l.From == from {
			return l
		}
	}
	t.Fatalf("no link from %s", from)
	return sim.LinkResult{}
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

func mbit(v float64) float64 { return v / 1e6 }

// Home router: htb shapes the uplink to 19 Mbit/s (within 1%), so the
// modem's queue stays empty; with fq_codel as htb's leaf, the voice
// call's packets wait less than CoDel's 5 ms target.
func TestHomeRouter(t *testing.T) {
	needs(t, []string{"htb"})
	r := runExample(t, "home-router/scenario.yaml")
	c := class(t, r, "router", "wan0", "1:1")
	if !within(c.Rate, 19e6, 0.01) {
		t.Errorf("htb class 1:1 sent %.3f Mbit/s, shaped to 19", mbit(c.Rate))
	}
	if up := group(t, r, "upload"); up.Throughput < 0.95*19e6-80e3 {
		t.Errorf("the uploads got %.3f Mbit/s of 19", mbit(up.Throughput))
	}
	if m := link(t, r, "modem:dsl0"); m.Sojourn.P99 > 1 {
		t.Errorf("the modem's queue: sojourn p99 %.2f ms, want it empty", m.Sojourn.P99)
	}
	if std.Registry().Qdisc("fq_codel") == nil {
		t.Skip("qdisc kind fq_codel not registered: the scenario ran its pfifo fallback; sparse-flow delay not checked")
	}
	voip := flow(t, r, "voip")
	if q := voip.Delay.P99 - voip.Delay.Min; q >= 5 {
		t.Errorf("voice call queueing delay p99 %.2f ms, over fq_codel's 5 ms target", q)
	}
	if voip.Lost != 0 {
		t.Errorf("voice call lost %d packets", voip.Lost)
	}
}

// Without shaping, the modem's 1000-packet buffer fills: the voice call's
// packets wait hundreds of milliseconds (1000 full frames at 20 Mbit/s
// are 606 ms).
func TestHomeRouterBufferbloat(t *testing.T) {
	r := runExample(t, "home-router/bufferbloat.yaml")
	// The path alone takes 10.3 ms.
	voip := flow(t, r, "voip")
	if voip.Delay.P50 < 300 {
		t.Errorf("voice call delay p50 %.0f ms: no bufferbloat?", voip.Delay.P50)
	}
	if m := link(t, r, "modem:dsl0"); m.Sojourn.Max < 500 || m.Sojourn.Max > 620 {
		t.Errorf("modem sojourn max %.0f ms, want up to 606", m.Sojourn.Max)
	}
}

// WAN emulation: netem's delay is what the probe sees one way, and TCP
// Reno under netem's random loss gets the Mathis throughput,
// MSS/RTT * sqrt(3/2) / sqrt(p), within 20%.
func TestWANEmulation(t *testing.T) {
	needs(t, []string{"netem"})
	r := runExample(t, "wan-emulation/scenario.yaml")
	probe := flow(t, r, "probe")
	if probe.Delay.Min < 40 || probe.Delay.P50 > 40.5 {
		t.Errorf("probe one-way delay %+v, netem adds 40 ms", probe.Delay)
	}
	up := group(t, r, "upload")
	f := flow(t, r, "upload/1")
	rtt := f.TCP.MinRTT / 1e3
	const p = 0.002
	want := float64(f.TCP.MSS) * 8 / rtt * math.Sqrt(1.5) / math.Sqrt(p)
	got := up.Goodput / float64(up.Flows)
	t.Logf("Reno goodput %.3f Mbit/s per flow, Mathis %.3f (MSS %d, RTT %.1f ms, p %g)",
		mbit(got), mbit(want), f.TCP.MSS, rtt*1e3, p)
	if !within(got, want, 0.2) {
		t.Errorf("Reno goodput %.3f Mbit/s per flow, Mathis says %.3f", mbit(got), mbit(want))
	}
}

// ISP: u32 hashing filters find each of the 2,000 subscribers' htb
// classes; every subscriber, offered 1.5 Mbit/s, gets their 1 Mbit/s plan
// within 1%, and nothing falls to the default class.
func TestISPSubscribers(t *testing.T) {
	needs(t, []string{"htb", "pfifo"}, "u32")
	r := runExample(t, "isp-subscribers/scenario.yaml")
	n := 0
	for _, c := range r.Classes {
		if c.Host != "bras" || c.Handle == "1:1" {
			continue
		}
		if c.Handle == "1:ffff" {
			if c.Packets != 0 {
				t.Errorf("the default class sent %d packets: some subscriber was not classified", c.Packets)
			}
			continue
		}
		n++
		if !within(c.Rate, 1e6, 0.01) {
			t.Errorf("class %s: %.4f Mbit/s, plan 1", c.Handle, mbit(c.Rate))
		}
	}
	if n != 2000 {
		t.Errorf("%d subscriber classes", n)
	}
	g := group(t, r, "subscriber")
	if g.Flows != 2000 || !within(g.MinThroughput, 1e6, 0.01) || !within(g.MaxThroughput, 1e6, 0.01) {
		t.Errorf("subscribers got %.4f to %.4f Mbit/s", mbit(g.MinThroughput), mbit(g.MaxThroughput))
	}
}

// DC priority, prio: strict priority serves the RPC band first (no
// request fails, answers stay fast), replication takes the rest of the
// link, and backup, in the lowest band, starves.
func TestDCPriorityPrio(t *testing.T) {
	needs(t, []string{"prio"})
	r := runExample(t, "dc-priority/prio.yaml")
	rpc := flow(t, r, "rpc")
	if rpc.RR.Failed != 0 || rpc.RR.Latency.P99 > 3 {
		t.Errorf("rpc: %d failed, p99 %.2f ms", rpc.RR.Failed, rpc.RR.Latency.P99)
	}
	band0 := class(t, r, "server", "eth0", "1:1")
	band1 := class(t, r, "server", "eth0", "1:2")
	if !within(band0.Rate+band1.Rate, 1e9, 0.01) {
		t.Errorf("bands 0 and 1 sent %.1f Mbit/s of the 1000", mbit(band0.Rate+band1.Rate))
	}
	if b := group(t, r, "backup"); b.Throughput > 0.01*1e9 {
		t.Errorf("backup got %.1f Mbit/s under strict priority", mbit(b.Throughput))
	}
}

// DC priority, ETS: the strict band still serves RPC, and the two
// bandwidth bands share the rest 4500:1500, 3 to 1, within 5%.
func TestDCPriorityETS(t *testing.T) {
	needs(t, []string{"ets"})
	r := runExample(t, "dc-priority/ets.yaml")
	rpc := flow(t, r, "rpc")
	if rpc.RR.Failed != 0 || rpc.RR.Latency.P99 > 3 {
		t.Errorf("rpc: %d failed, p99 %.2f ms", rpc.RR.Failed, rpc.RR.Latency.P99)
	}
	repl := class(t, r, "server", "eth0", "1:2")
	backup := class(t, r, "server", "eth0", "1:3")
	if !within(repl.Rate/backup.Rate, 3, 0.05) {
		t.Errorf("replication %.1f : backup %.1f Mbit/s, quanta say 3:1", mbit(repl.Rate), mbit(backup.Rate))
	}
}

// CAKE on an asymmetric line: each direction is shaped to cake's
// bandwidth (within 1%), and the call's packets wait less than cake's
// 5 ms target in both directions while bulk flows fill the line.
func TestCakeAsymmetric(t *testing.T) {
	needs(t, []string{"cake"})
	r := runExample(t, "cake-asymmetric/scenario.yaml")
	var up, down sim.TCResult
	for _, q := range r.Qdiscs {
		if q.Kind == "cake" && q.Host == "router" {
			up = q
		}
		if q.Kind == "cake" && q.Host == "isp" {
			down = q
		}
	}
	if !within(up.Rate, 9.5e6, 0.01) || !within(down.Rate, 95e6, 0.01) {
		t.Errorf("cake sent %.3f Mbit/s up (9.5) and %.3f down (95)", mbit(up.Rate), mbit(down.Rate))
	}
	for _, name := range []string{"call-up", "call-down"} {
		f := flow(t, r, name)
		if q := f.Delay.P99 - f.Delay.Min; q >= 5 {
			t.Errorf("%s queueing delay p99 %.2f ms, over cake's 5 ms target", name, q)
		}
	}
}
