package sim

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
)

// Sim is one simulation: an engine on a virtual clock with the scenario's
// hosts, cables, tc configuration and traffic.
type Sim struct {
	sc    *Scenario
	seed  uint64
	clk   *clock.Virtual
	e     *rtnl.Engine
	pool  *pkt.Pool
	kinds *sched.Registry

	hosts  []*host
	byName map[string]*host
	wires  []*wire
	flows  []*flow // by id; flows[0] is nil

	duration, warmup, sample int64
	hops                     uint64
	notes                    []string
	tcLog                    []TCRun

	smp *sampler
	// progress, when set, hears of the virtual time now and then.
	progress func(now, end int64)
}

// Options change how a scenario runs.
type Options struct {
	// Seed overrides the scenario's seed when set.
	Seed *uint64
	// Kinds is the registry of kinds; nil is std.Registry().
	Kinds *sched.Registry
	// Progress is called with the virtual time as the run advances.
	Progress func(now, end int64)
}

// packetBuffer is the pool's buffer size: the largest frame (MTU 1500 and
// its Ethernet header) with room to spare for headers pushed in front.
const packetBuffer = 2048

// New builds a simulation: namespaces, devices and cables, addresses and
// routes, the tc commands, and the traffic, ready to Run.
func New(sc *Scenario, o Options) (*Sim, error) {
	s := &Sim{sc: sc, seed: sc.Seed, byName: map[string]*host{}, flows: []*flow{nil}, progress: o.Progress}
	if o.Seed != nil {
		s.seed = *o.Seed
	}
	var err error
	if s.duration, err = parseDur("duration", sc.Duration, 0); err != nil {
		return nil, err
	}
	if s.duration <= 0 {
		return nil, fmt.Errorf("duration: a scenario needs one (\"30s\")")
	}
	if s.warmup, err = parseDur("warmup", sc.Warmup, 0); err != nil {
		return nil, err
	}
	if s.warmup >= s.duration {
		return nil, fmt.Errorf("warmup %s is not shorter than the duration", sc.Warmup)
	}
	if s.sample, err = parseDur("sample", sc.Sample, 0); err != nil {
		return nil, err
	}
	if sc.Sample != "" && (s.sample <= 0 || s.duration/s.sample > 100000) {
		return nil, fmt.Errorf("sample %s: between 1 and 100000 samples per run", sc.Sample)
	}
	s.clk = clock.NewVirtual()
	s.e = rtnl.New(rtnl.Options{Clock: s.clk, Kinds: o.Kinds, PacketSize: packetBuffer})
	s.e.Lock()
	s.pool = s.e.World().Pool
	s.pool.OnFree = s.tsqRelease
	err = s.buildTopology()
	s.e.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.routeAll(); err != nil {
		return nil, err
	}
	if err := s.configureTC(); err != nil {
		return nil, err
	}
	if err := s.buildTraffic(); err != nil {
		return nil, err
	}
	s.smp = newSampler(s)
	return s, nil
}

// defaultSample gives about 300 points per series, fewer when there are
// many qdiscs and classes to read (at most about 300,000 readings in a
// run), rounded down to 1, 2 or 5 times a power of ten.
func defaultSample(d int64, objects int) int64 {
	n := int64(300)
	if objects > 1000 {
		n = max(300_000/int64(objects), 20)
	}
	x := d / n
	if x < 1_000_000 {
		return 1_000_000
	}
	p := int64(1)
	for p*10 <= x {
		p *= 10
	}
	switch {
	case x >= 5*p:
		return 5 * p
	case x >= 2*p:
		return 2 * p
	}
	return p
}

// hostNamed returns the host of that name, making it on first mention.
func (s *Sim) hostNamed(name string, spec *HostSpec) (*host, error) {
	if h := s.byName[name]; h != nil {
		if spec != nil {
			return nil, fmt.Errorf("host %q declared twice", name)
		}
		return h, nil
	}
	if name == "" || strings.ContainsAny(name, " /:") {
		return nil, fmt.Errorf("bad host name %q", name)
	}
	if spec == nil {
		spec = &HostSpec{Name: name}
	}
	h := &host{s: s, name: name, index: len(s.hosts), spec: spec}
	h.ns = s.e.Namespace(name)
	h.ns.Deliver = h.deliver
	s.hosts = append(s.hosts, h)
	s.byName[name] = h
	return h, nil
}

// buildTopology makes the hosts, devices and cables (control lock held).
func (s *Sim) buildTopology() error {
	for i := range s.sc.Hosts {
		hs := &s.sc.Hosts[i]
		if _, err := s.hostNamed(hs.Name, hs); err != nil {
			return err
		}
	}
	for li := range s.sc.Links {
		ls := &s.sc.Links[li]
		a, err := s.makePort(&ls.A, li, 1)
		if err != nil {
			return fmt.Errorf("link %d: %w", li+1, err)
		}
		b, err := s.makePort(&ls.B, li, 2)
		if err != nil {
			return fmt.Errorf("link %d: %w", li+1, err)
		}
		a.peer, b.peer = b, a
		fwd, rev := ls.LinkParams, ls.LinkParams
		if r := ls.Reverse; r != nil {
			rev = mergeParams(rev, *r)
		}
		if a.out, err = s.makeWire(a, b, fwd, li, 0); err != nil {
			return fmt.Errorf("link %d: %w", li+1, err)
		}
		if b.out, err = s.makeWire(b, a, rev, li, 1); err != nil {
			return fmt.Errorf("link %d (reverse): %w", li+1, err)
		}
		a.out.attach(a.dev)
		b.out.attach(b.dev)
	}
	for _, h := range s.hosts {
		if f := h.spec.Forward; f != nil {
			h.forward = *f
		} else {
			h.forward = len(h.ports) >= 2
		}
		for _, l := range h.spec.Local {
			pfx, err := netip.ParsePrefix(l)
			if err != nil {
				return fmt.Errorf("host %s: local %q: %w", h.name, l, err)
			}
			h.localNets = append(h.localNets, pfx.Masked())
		}
	}
	return nil
}

func mergeParams(a, b LinkParams) LinkParams {
	if b.Rate != "" {
		a.Rate = b.Rate
	}
	if b.Delay != "" {
		a.Delay = b.Delay
	}
	if b.Jitter != "" {
		a.Jitter = b.Jitter
	}
	if b.Loss != "" {
		a.Loss = b.Loss
	}
	if b.Overhead != nil {
		a.Overhead = b.Overhead
	}
	return a
}

// makePort creates the device of one end of link li.
func (s *Sim) makePort(es *EndSpec, li, side int) (*port, error) {
	h, err := s.hostNamed(es.Host, nil)
	if err != nil {
		return nil, err
	}
	name := es.Dev
	if name == "" {
		name = fmt.Sprintf("eth%d", len(h.ports))
	}
	queues := es.Queues
	if queues == 0 {
		queues = 1
	}
	if queues < 0 || queues > 64 {
		return nil, fmt.Errorf("%s:%s: queues %d out of 1..64", h.name, name, queues)
	}
	n := uint32(len(s.hosts)<<16 | li<<1 | side)
	mac := [6]byte{0x02, 0x00, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	spec := &netdev.LinkSpec{Name: name, Kind: "netdevsim", NumTx: queues, NumRx: queues,
		TxQLen: es.TxQueueLen, HWAddr: &mac}
	if es.MTU != 0 {
		mtu := es.MTU
		spec.MTU = &mtu
	}
	d, err := h.ns.AddLink(spec)
	if err != nil {
		return nil, fmt.Errorf("%s:%s: %w", h.name, name, err)
	}
	pt := &port{h: h, dev: d, name: d.Name(), mac: mac, end: es}
	for _, a := range es.Addr {
		pfx, err := netip.ParsePrefix(a)
		if err != nil {
			return nil, fmt.Errorf("%s:%s: address %q: %w", h.name, name, a, err)
		}
		pt.addrs = append(pt.addrs, pfx)
	}
	if len(pt.addrs) == 0 {
		// 100.64.0.0/10 (shared address space): unlikely to clash with
		// the addresses a scenario writes itself.
		base := netip.AddrFrom4([4]byte{100, byte(64 + li>>8), byte(li), byte(side)})
		pt.addrs = append(pt.addrs, netip.PrefixFrom(base, 24))
	}
	for _, a := range pt.addrs {
		if err := d.AddAddr(&netdev.Addr{Prefix: a}, false); err != nil {
			return nil, fmt.Errorf("%s:%s: address %s: %w", h.name, name, a, err)
		}
		h.local = append(h.local, a.Addr())
	}
	for int(d.Ifindex()) >= len(h.byIndex) {
		h.byIndex = append(h.byIndex, nil)
	}
	h.byIndex[d.Ifindex()] = pt
	h.ports = append(h.ports, pt)
	d.SetUp(true)
	return pt, nil
}

// makeWire makes one direction of a link.
func (s *Sim) makeWire(from, to *port, lp LinkParams, li, dir int) (*wire, error) {
	rate, err := parseRate("rate", lp.Rate, 1e9)
	if err != nil {
		return nil, err
	}
	delay, err := parseDur("delay", lp.Delay, 0)
	if err != nil {
		return nil, err
	}
	jitter, err := parseDur("jitter", lp.Jitter, 0)
	if err != nil {
		return nil, err
	}
	loss, err := parseLoss("loss", lp.Loss)
	if err != nil {
		return nil, err
	}
	overhead := 0
	if lp.Overhead != nil {
		overhead = *lp.Overhead
	}
	if overhead < 0 || overhead > 256 {
		return nil, fmt.Errorf("overhead %d out of 0..256", overhead)
	}
	w := newWire(s, from, to, rate, delay, jitter, loss, overhead, s.stream(1, uint64(li<<1|dir)))
	s.wires = append(s.wires, w)
	return w, nil
}

// tsqRelease gives a TCP segment's bytes back to its socket when it
// leaves the sending host or is freed there (pkt.Pool.OnFree).
func (s *Sim) tsqRelease(p *pkt.Packet) {
	if p.Seq&tsqSeq == 0 {
		return
	}
	p.Seq &^= tsqSeq
	if int(p.Flow) < len(s.flows) {
		if f := s.flows[p.Flow]; f != nil && f.tcp != nil {
			f.tcp.tsqRelease(len(p.Data))
		}
	}
}

// stream derives the seed of one random stream from the run's seed, so
// that every link and source draws from its own sequence and adding one
// leaves the others unchanged.
func (s *Sim) stream(kind, index uint64) uint64 {
	return mix64(mix64(s.seed^0x5eed) ^ kind<<56 ^ index)
}

// routeAll fills the routing tables: connected routes, the scenario's
// routes, then (routing: auto) a route to every other host's addresses
// and local prefixes along a shortest path.
func (s *Sim) routeAll() error {
	for _, h := range s.hosts {
		for _, pt := range h.ports {
			for _, a := range pt.addrs {
				h.addRoute(a, pt)
			}
		}
		for _, r := range h.spec.Routes {
			pt := h.portNamed(r.Dev)
			if pt == nil {
				return fmt.Errorf("host %s: route to %s: no device %q", h.name, r.To, r.Dev)
			}
			var pfxs []netip.Prefix
			if r.To == "default" {
				pfxs = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
			} else {
				pfx, err := netip.ParsePrefix(r.To)
				if err != nil {
					a, err2 := netip.ParseAddr(r.To)
					if err2 != nil {
						return fmt.Errorf("host %s: route to %q: %w", h.name, r.To, err)
					}
					pfx = netip.PrefixFrom(a, a.BitLen())
				}
				pfxs = []netip.Prefix{pfx}
			}
			for _, p := range pfxs {
				h.addRoute(p, pt)
			}
		}
	}
	switch s.sc.Routing {
	case "", "auto":
	case "manual":
		return nil
	default:
		return fmt.Errorf("routing %q: auto or manual", s.sc.Routing)
	}
	for _, h := range s.hosts {
		first := s.firstHops(h)
		for _, d := range s.hosts {
			pt := first[d.index]
			if d == h || pt == nil {
				continue
			}
			for _, a := range d.local {
				h.addRoute(netip.PrefixFrom(a, a.BitLen()), pt)
			}
			for _, n := range d.localNets {
				h.addRoute(n, pt)
			}
		}
	}
	return nil
}

// firstHops is a breadth-first search from h over the cables: for each
// host, the port of h its shortest path leaves by (ties: the first link).
func (s *Sim) firstHops(h *host) []*port {
	first := make([]*port, len(s.hosts))
	seen := make([]bool, len(s.hosts))
	seen[h.index] = true
	type item struct {
		h   *host
		via *port
	}
	queue := []item{}
	for _, pt := range h.ports {
		if d := pt.peer.h; !seen[d.index] {
			seen[d.index] = true
			first[d.index] = pt
			queue = append(queue, item{d, pt})
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, pt := range it.h.ports {
			if d := pt.peer.h; !seen[d.index] {
				seen[d.index] = true
				first[d.index] = it.via
				queue = append(queue, item{d, it.via})
			}
		}
	}
	return first
}

func (h *host) portNamed(name string) *port {
	for _, pt := range h.ports {
		if pt.name == name {
			return pt
		}
	}
	return nil
}

// addrFor returns the host's first address of the family (IPv6 when v6).
func (h *host) addrFor(v6 bool) (netip.Addr, bool) {
	for _, a := range h.local {
		if a.Is6() == v6 {
			return a, true
		}
	}
	for _, n := range h.localNets {
		if n.Addr().Is6() == v6 {
			return n.Addr().Next(), true
		}
	}
	return netip.Addr{}, false
}

// srcFor is the source address a socket of h gets towards dst out of pt
// (inet_select_addr: an address of the device in the family, else any).
func (h *host) srcFor(pt *port, dst netip.Addr) (netip.Addr, bool) {
	for _, a := range pt.addrs {
		if a.Addr().Is6() == dst.Is6() && a.Contains(dst) {
			return a.Addr(), true
		}
	}
	for _, a := range pt.addrs {
		if a.Addr().Is6() == dst.Is6() {
			return a.Addr(), true
		}
	}
	return h.addrFor(dst.Is6())
}
