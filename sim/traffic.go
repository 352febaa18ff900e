package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
)

// buildTraffic makes the flows of every traffic entry.
func (s *Sim) buildTraffic() error {
	for ti := range s.sc.Traffic {
		ts := &s.sc.Traffic[ti]
		if err := s.buildEntry(ti, ts); err != nil {
			name := ts.Name
			if name == "" {
				name = fmt.Sprint(ti + 1)
			}
			return fmt.Errorf("traffic %s: %w", name, err)
		}
	}
	return nil
}

func (s *Sim) buildEntry(ti int, ts *TrafficSpec) error {
	if ts.Name == "" {
		ts.Name = fmt.Sprintf("%s%d", ts.Type, ti+1)
	}
	src := s.byName[ts.From]
	if src == nil {
		return fmt.Errorf("from: no host %q", ts.From)
	}
	v6 := ts.Family == "ipv6"
	if ts.Family != "" && ts.Family != "ipv4" && ts.Family != "ipv6" {
		return fmt.Errorf("family %q: ipv4 or ipv6", ts.Family)
	}
	var dstBase netip.Addr
	if d := s.byName[ts.To]; d != nil {
		a, ok := d.addrFor(v6)
		if !ok {
			return fmt.Errorf("to: host %s has no address of that family", ts.To)
		}
		dstBase = a
	} else {
		a, err := netip.ParseAddr(ts.To)
		if err != nil {
			return fmt.Errorf("to: %q is neither a host nor an address", ts.To)
		}
		dstBase = a
	}
	count := ts.Count
	if count == 0 {
		count = 1
	}
	if count < 0 || count > 100000 {
		return fmt.Errorf("count %d out of 1..100000", count)
	}
	switch ts.Vary {
	case "", "sport", "dport", "dst":
	default:
		return fmt.Errorf("vary %q: sport, dport or dst", ts.Vary)
	}
	start, err := parseDur("start", ts.Start, 0)
	if err != nil {
		return err
	}
	stop, err := parseDur("stop", ts.Stop, s.duration)
	if err != nil {
		return err
	}
	prio, err := parsePriority(ts.Priority)
	if err != nil {
		return fmt.Errorf("priority %q: %w", ts.Priority, err)
	}
	proto := uint8(protoUDP)
	if ts.Type == "tcp" {
		proto = protoTCP
	}
	var tos uint8
	if ts.TOS != nil {
		tos = *ts.TOS
	}
	var tr *trace
	if ts.Type == "pcap" {
		if ts.File == "" {
			return fmt.Errorf("pcap: file is missing")
		}
		path := ts.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.sc.dir, path)
		}
		if tr, err = readTrace(path, packetBuffer-64); err != nil {
			return err
		}
		if tr.skipped > 0 {
			s.notes = append(s.notes, fmt.Sprintf("traffic %s: %d frames of %s skipped (not IP, or too long)",
				ts.Name, tr.skipped, ts.File))
		}
	}
	for i := 0; i < count; i++ {
		dst := dstBase
		sport, dport := ts.SPort, ts.DPort
		if dport == 0 {
			dport = uint16(5001 + ti)
		}
		if sport == 0 {
			sport = uint16(32768 + (len(s.flows)*7)%28000)
		}
		switch ts.Vary {
		case "", "sport":
			sport += uint16(i)
		case "dport":
			dport += uint16(i)
		case "dst":
			dst = addrAdd(dstBase, i)
		}
		f := &flow{s: s, id: uint32(len(s.flows)), group: ts.Name, kind: ts.Type, spec: ts, src: src,
			start: start, stop: stop}
		f.name = ts.Name
		if count > 1 {
			f.name = fmt.Sprintf("%s/%d", ts.Name, i+1)
		}
		if err := s.wireFlow(f, dst, proto, tos, prio, ts.Mark, sport, dport); err != nil {
			return err
		}
		if err := s.makeSource(f, ts, tr); err != nil {
			return err
		}
		s.flows = append(s.flows, f)
	}
	return nil
}

// wireFlow resolves the flow's destination host, routes and headers.
func (s *Sim) wireFlow(f *flow, dst netip.Addr, proto, tos uint8, prio, mark uint32, sport, dport uint16) error {
	src := f.src
	for _, h := range s.hosts {
		if h.isLocal(dst) {
			f.dst = h
			break
		}
	}
	if f.dst == nil {
		return fmt.Errorf("no host has address %s", dst)
	}
	if f.dst == src {
		return fmt.Errorf("%s sends to itself", src.name)
	}
	f.fwdPort = src.lookup(dst)
	if f.fwdPort == nil {
		return fmt.Errorf("%s has no route to %s", src.name, dst)
	}
	saddr, ok := src.srcFor(f.fwdPort, dst)
	if !ok {
		return fmt.Errorf("%s has no address to send to %s from", src.name, dst)
	}
	f.revPort = f.dst.lookup(saddr)
	if f.revPort == nil {
		return fmt.Errorf("%s has no route back to %s", f.dst.name, saddr)
	}
	if prio == 0 && !dst.Is6() {
		prio = tos2prio(tos)
	}
	f.fwd = header{v6: dst.Is6(), proto: proto, tos: tos, src: saddr, dst: dst, sport: sport, dport: dport,
		priority: prio, mark: mark}
	f.fwd.init()
	f.fwd.setMAC(f.fwdPort.mac, f.fwdPort.peer.mac)
	// The answering socket: for request/response, the server's socket
	// with the same TOS, priority and mark (an application marks both
	// ends); for TCP, the receiver's accepted socket with default options.
	f.rev = header{v6: dst.Is6(), proto: proto, src: dst, dst: saddr, sport: dport, dport: sport}
	if f.kind == "reqresp" {
		f.rev.tos, f.rev.priority, f.rev.mark = tos, prio, mark
	}
	f.rev.init()
	f.rev.setMAC(f.revPort.mac, f.revPort.peer.mac)
	return nil
}

// tos2prio is the priority a socket's IP_TOS gives its packets.
func tos2prio(tos uint8) uint32 {
	table := [16]uint32{0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4}
	return table[(tos&0x1e)>>1]
}

// makeSource sets up the flow's protocol machine.
func (s *Sim) makeSource(f *flow, ts *TrafficSpec, tr *trace) error {
	mtu := int(f.fwdPort.dev.MTU())
	maxFrame := mtu + ethLen
	rng := rand.New(rand.NewPCG(s.stream(2, uint64(f.id)), uint64(f.id)))
	switch ts.Type {
	case "cbr", "poisson", "onoff":
		rate, err := parseRate("rate", ts.Rate, 0)
		if err != nil || rate == 0 {
			return fmt.Errorf("rate: a %s source needs one (\"1mbit\")", ts.Type)
		}
		size, err := parseSize("size", ts.Size, uint64(maxFrame))
		if err != nil {
			return err
		}
		if size < uint64(f.fwd.n) || size > uint64(maxFrame) {
			return fmt.Errorf("size %d: frames are %d to %d bytes here", size, f.fwd.n, maxFrame)
		}
		u := &udpSource{f: f, kind: ts.Type, size: int(size), rng: rng, expDist: ts.Dist != "const"}
		u.gap = float64(size) * 8 * 1e9 / float64(rate)
		if ts.Count > 1 && ts.Type != "poisson" {
			u.phase = rng.Float64() * u.gap
		}
		if ts.Type == "onoff" {
			on, err := parseDur("on", ts.On, 0)
			if err != nil {
				return err
			}
			off, err := parseDur("off", ts.Off, 0)
			if err != nil {
				return err
			}
			if on <= 0 {
				return fmt.Errorf("on: an onoff source needs its on time")
			}
			if ts.Dist != "" && ts.Dist != "exp" && ts.Dist != "const" {
				return fmt.Errorf("dist %q: exp or const", ts.Dist)
			}
			u.on, u.off = float64(on), float64(off)
		}
		f.udp = u
	case "reqresp":
		req, err := parseSize("request", ts.Request, 100)
		if err != nil {
			return err
		}
		resp, err := parseSize("response", ts.Response, 1000)
		if err != nil {
			return err
		}
		interval, err := parseDur("interval", ts.Interval, 0)
		if err != nil {
			return err
		}
		if interval <= 0 {
			return fmt.Errorf("interval: a reqresp source needs one (\"10ms\")")
		}
		timeout, err := parseDur("timeout", ts.Timeout, 1_000_000_000)
		if err != nil {
			return err
		}
		r := &reqResp{f: f, respLen: int(resp), interval: float64(interval), poisson: ts.Poisson,
			timeout: timeout, rng: rng, maxPay: mtu - (f.fwd.n - ethLen)}
		r.reqSize = min(f.fwd.n+max(int(req), 12), maxFrame)
		f.rr = r
	case "tcp":
		o := &tcpOptions{ecn: ts.ECN, delack: ts.DelAck == nil || *ts.DelAck, sack: ts.SACK == nil || *ts.SACK}
		cc, err := newCongestion(ts.CC)
		if err != nil {
			return err
		}
		o.cc = cc
		o.mss = uint32(mtu - (f.fwd.n - ethLen))
		if ts.MSS != 0 {
			if ts.MSS < 64 || uint32(ts.MSS) > o.mss {
				return fmt.Errorf("mss %d out of 64..%d", ts.MSS, o.mss)
			}
			o.mss = uint32(ts.MSS)
		}
		if o.bytes, err = parseSize("bytes", ts.Bytes, math.MaxUint64); err != nil {
			return err
		}
		if o.rwnd, err = parseSize("rwnd", ts.RWnd, 16<<20); err != nil {
			return err
		}
		if o.rwnd < uint64(o.mss) {
			return fmt.Errorf("rwnd %d is less than one segment", o.rwnd)
		}
		if o.minRTO, err = parseDur("minrto", ts.MinRTO, 200_000_000); err != nil {
			return err
		}
		f.tcp = newTCP(s, f, o)
	case "pcap":
		speed := ts.Speed
		if speed == 0 {
			speed = 1
		}
		if speed < 0 {
			return fmt.Errorf("speed %g: must be positive", speed)
		}
		f.pc = &replay{f: f, t: tr, speed: speed, loop: ts.Loop, rewrite: ts.Rewrite == nil || *ts.Rewrite}
	case "":
		return fmt.Errorf("type: tcp, cbr, poisson, onoff, reqresp or pcap")
	default:
		return fmt.Errorf("type %q: tcp, cbr, poisson, onoff, reqresp or pcap", ts.Type)
	}
	return nil
}

// begin starts the flow's source at its start time.
func (f *flow) begin() {
	switch {
	case f.tcp != nil:
		t := f.s.clk.NewTimer(f.tcp.open)
		t.Reset(f.start)
	case f.udp != nil:
		f.udp.begin()
	case f.rr != nil:
		f.rr.begin()
	case f.pc != nil:
		f.pc.begin()
	}
}
