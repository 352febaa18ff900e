package sim

import (
	"math"
	"strings"
)

// Run runs the simulation to its end and returns what it measured. A Sim
// runs once.
func (s *Sim) Run() *Result {
	for _, f := range s.flows[1:] {
		f.begin()
		if f.tcp != nil && f.stop < s.duration {
			c := f.tcp
			t := s.clk.NewTimer(func() { c.limit = min(c.limit, c.sndNxt) })
			t.Reset(f.stop)
		}
	}
	s.smp.start()
	s.clk.AdvanceTo(s.duration)
	for _, f := range s.flows[1:] {
		if f.rr != nil {
			f.rr.finish(s.duration)
		}
	}
	return s.result()
}

// Hops is the number of packets put on a wire so far.
func (s *Sim) Hops() uint64 { return s.hops }

// window is the measurement window in seconds.
func (s *Sim) window() float64 { return float64(s.duration-s.warmup) / 1e9 }

func (s *Sim) result() *Result {
	r := &Result{Scenario: s.sc.Name, Seed: s.seed, Duration: float64(s.duration) / 1e9,
		WindowStart: float64(s.warmup) / 1e9, Notes: s.notes, TC: s.tcLog, PacketHops: s.hops}
	win := s.window()
	groups := map[string]*GroupResult{}
	var gorder []*GroupResult
	gsum := map[string][2]float64{} // sum and sum of squares of throughputs
	for _, f := range s.flows[1:] {
		fr := s.flowResult(f, win)
		r.Flows = append(r.Flows, fr)
		g := groups[f.group]
		if g == nil {
			g = &GroupResult{Name: f.group, Type: f.kind, MinThroughput: math.Inf(1)}
			groups[f.group] = g
			gorder = append(gorder, g)
		}
		g.Flows++
		g.SentPackets += fr.SentPackets
		g.RecvPackets += fr.RecvPackets
		g.Lost += fr.Lost
		g.Throughput += fr.Throughput
		g.Goodput += fr.Goodput
		g.MinThroughput = min(g.MinThroughput, fr.Throughput)
		g.MaxThroughput = max(g.MaxThroughput, fr.Throughput)
		x := gsum[f.group]
		gsum[f.group] = [2]float64{x[0] + fr.Throughput, x[1] + fr.Throughput*fr.Throughput}
	}
	for _, g := range gorder {
		x := gsum[g.Name]
		if x[1] > 0 {
			g.Fairness = round6(x[0] * x[0] / (float64(g.Flows) * x[1]))
		}
		g.Throughput, g.Goodput = round6(g.Throughput), round6(g.Goodput)
		r.Groups = append(r.Groups, *g)
	}
	for _, ts := range s.smp.tc {
		e := ts.last
		tr := TCResult{Host: ts.key.host, Dev: ts.key.dev, Kind: e.kind,
			Handle: handleString(uint32(e.handle), ts.key.class), Parent: handleString(uint32(e.parent), true),
			Bytes: e.bytes, Packets: e.packets, Drops: e.drops, Overlimits: e.overlimits,
			Requeues: e.requeues, Backlog: e.backlog, Qlen: e.qlen, QueueDelay: delayOf(&ts.delay)}
		base := uint64(0)
		if ts.haveWarm {
			base = ts.warm.bytes
		}
		if e.bytes >= base {
			tr.Rate = round6(float64(e.bytes-base) * 8 / win)
		}
		if ts.key.class {
			r.Classes = append(r.Classes, tr)
		} else {
			r.Qdiscs = append(r.Qdiscs, tr)
		}
	}
	for _, w := range s.wires {
		r.Links = append(r.Links, LinkResult{From: w.from.String(), To: w.to.String(), Rate: w.rate,
			Delay: round6(float64(w.delay) / 1e6), Packets: w.packets, Bytes: w.bytes, Lost: w.lost,
			Utilisation: round6(float64(w.busyNs) / float64(s.duration)), Sojourn: delayOf(&w.sojourn)})
	}
	for _, h := range s.hosts {
		r.Hosts = append(r.Hosts, HostResult{Name: h.name, Forward: h.forward, NoRoute: h.noRoute,
			TTLExceeded: h.ttlExceeded, NotLocal: h.notLocal, NoSocket: h.noSocket, NotIP: h.notIP})
	}
	r.TCStats = s.tcStats()
	r.Series = s.series()
	return r
}

func (s *Sim) flowResult(f *flow, win float64) FlowResult {
	fr := FlowResult{Name: f.name, Group: f.group, Type: f.kind, From: f.src.name, To: f.dst.name,
		Src: hostPort(f.fwd.src, f.fwd.sport), Dst: hostPort(f.fwd.dst, f.fwd.dport),
		SentPackets: f.tx.packets, SentBytes: f.tx.bytes, RecvPackets: f.rx.packets, RecvBytes: f.rx.bytes,
		LocalDrops: f.tx.localDrops, Reordered: f.rx.reordered,
		Throughput: round6(float64(f.rx.wBytes) * 8 / win), Goodput: round6(float64(f.rx.wGood) * 8 / win),
		Delay: delayOf(&f.rx.delay)}
	if f.spec.Priority != "" {
		fr.Priority = f.spec.Priority
	}
	if f.rx.ipdvN > 0 {
		fr.Jitter = round6(float64(f.rx.ipdvSum) / float64(f.rx.ipdvN) / 1e6)
	}
	if f.tx.packets > f.rx.packets && f.rr == nil {
		fr.Lost = f.tx.packets - f.rx.packets
	}
	if c := f.tcp; c != nil {
		name := f.spec.CC
		if name == "" {
			name = "reno"
		}
		t := &TCPStats{CC: name, ECN: c.ecn, MSS: c.mss, Segments: c.st.segments, Retransmits: c.st.retrans,
			FastRecovery: c.st.fastRetrans, Timeouts: c.st.timeouts, Reductions: c.st.ecnReductions,
			SRTT: round6(float64(c.srtt) / 1e6), MinRTT: round6(float64(c.minRTT) / 1e6), Cwnd: c.cwnd,
			Ssthresh: min(c.ssthresh, 1<<31), BytesAcked: c.sndUna, AcksSent: c.st.acksSent}
		if c.st.done > 0 {
			t.CompletedAt = round6(float64(c.st.done) / 1e9)
		}
		if c.st.segments > 0 {
			t.RetransmitPct = round6(100 * float64(c.st.retrans) / float64(c.st.segments))
		}
		fr.TCP = t
		// Lost data: what was resent (the receiver's duplicates aside).
		fr.Lost = c.st.retrans
	}
	if rr := f.rr; rr != nil {
		fr.RR = &RRStats{Requests: rr.sent, Completed: rr.done, Failed: rr.failed, Latency: delayOf(&rr.latency)}
	}
	return fr
}

// tcStats runs `tc -s qdisc show` and `tc -s class show` on every device
// that the scenario configured, or that holds more than a default qdisc.
func (s *Sim) tcStats() []DeviceTC {
	var out []DeviceTC
	for _, h := range s.hosts {
		for _, pt := range h.ports {
			if !s.configured(h, pt) {
				continue
			}
			_, q, _ := s.tc("", "-n", h.name, "-s", "qdisc", "show", "dev", pt.name)
			_, c, _ := s.tc("", "-n", h.name, "-s", "class", "show", "dev", pt.name)
			out = append(out, DeviceTC{Host: h.name, Dev: pt.name, Qdiscs: q, Classes: c})
		}
	}
	return out
}

// configured reports whether tc commands of the scenario name the device.
func (s *Sim) configured(h *host, pt *port) bool {
	if len(pt.end.TC) > 0 {
		return true
	}
	for _, run := range h.spec.TC {
		w := strings.Fields(run.Text)
		for i := 0; i+1 < len(w); i++ {
			if w[i] == "dev" && w[i+1] == pt.name {
				return true
			}
		}
		if run.Batch != "" {
			return true
		}
	}
	return false
}

func (s *Sim) series() SeriesSet {
	sm := s.smp
	ss := SeriesSet{Interval: float64(s.sample) / 1e9, T: sm.times}
	n := len(sm.times)
	group := map[string]int{}
	for i, f := range s.flows[1:] {
		if i < maxFlowSeries {
			ss.Flows = append(ss.Flows, Series{Name: f.name, Values: f.series})
			if f.tcp != nil {
				ss.Cwnd = append(ss.Cwnd, Series{Name: f.name, Values: f.cwnd})
			}
		}
		gi, ok := group[f.group]
		if !ok {
			gi = len(ss.Groups)
			group[f.group] = gi
			ss.Groups = append(ss.Groups, Series{Name: f.group, Values: make([]float64, n)})
		}
		for k, v := range f.series {
			ss.Groups[gi].Values[k] += v
		}
	}
	for _, g := range ss.Groups {
		for k := range g.Values {
			g.Values[k] = round6(g.Values[k])
		}
	}
	for _, ts := range sm.tc {
		pad := func(v []float64) []float64 {
			for len(v) < n {
				v = append(v, 0)
			}
			return v
		}
		name := ts.key.String()
		if ts.key.class {
			ss.Classes = append(ss.Classes, Series{Name: name, Values: pad(ts.rate)})
		} else {
			ss.Qdiscs = append(ss.Qdiscs, Series{Name: qdiscName(ts.key, ts.last.kind), Values: pad(ts.qlen)})
		}
	}
	for i, w := range s.wires {
		name := w.from.String() + ">" + w.to.String()
		ws := sm.wires[i]
		ss.Sojourn = append(ss.Sojourn, Series{Name: name, Values: ws.sojMean})
		ss.SojournMax = append(ss.SojournMax, Series{Name: name, Values: ws.sojMax})
		ss.Util = append(ss.Util, Series{Name: name, Values: ws.util})
	}
	return ss
}

// qdiscName names a qdisc's series: "router wan0 fq_codel 10:", and a
// default qdisc by its place ("laptop eth0 pfifo_fast", ":1" under mq).
func qdiscName(k tcKey, kind string) string {
	name := k.host + " " + k.dev + " " + kind
	switch {
	case k.handle != 0:
		return name + " " + handleString(k.handle, false)
	case k.parent != 0xFFFFFFFF:
		return name + " " + handleString(k.parent, true)
	}
	return name
}
