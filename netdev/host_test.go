package netdev_test

import (
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/std"
)

// world returns a world whose host stacks run under mu, on clk (a
// monotonic clock locked by mu when clk is nil).
func world(t *testing.T, clk clock.Clock) (*netdev.World, *sync.Mutex) {
	t.Helper()
	mu := &sync.Mutex{}
	if clk == nil {
		clk = clock.NewMonotonicLocked(mu)
	}
	reg := std.Registry()
	handles := sched.NewHandles()
	w := netdev.NewWorld(func() *sched.Net {
		n := sched.NewNet(clk, reg, handles)
		n.Default = std.DefaultQdisc
		return n
	}, pkt.NewPool(65536+256))
	w.Lock = mu
	return w, mu
}

func addr(t *testing.T, d *netdev.Device, p string) {
	t.Helper()
	if err := d.AddAddr(&netdev.Addr{Prefix: netip.MustParsePrefix(p)}, false); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, ns *netdev.Namespace, s *netdev.LinkSpec) *netdev.Device {
	t.Helper()
	d, err := ns.AddLink(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ping sends one echo request from ns to dst, bound to dev, and waits up
// to wait for the reply.
func ping(t *testing.T, mu *sync.Mutex, ns *netdev.Namespace, dev *netdev.Device, dst string,
	e netdev.Echo, wait time.Duration) ([]netdev.EchoReply, netdev.Route, error) {
	t.Helper()
	mu.Lock()
	h := ns.Host()
	rt, err := h.Route(netip.MustParseAddr(dst), dev)
	if err != nil {
		mu.Unlock()
		return nil, rt, err
	}
	pg := h.NewPinger()
	err = pg.Send(rt, e)
	mu.Unlock()
	defer func() { mu.Lock(); pg.Close(); mu.Unlock() }()
	select {
	case <-pg.Ready():
	case <-time.After(wait):
	}
	return pg.Take(), rt, err
}

func stats(mu *sync.Mutex, d *netdev.Device) netdev.Stats {
	mu.Lock()
	defer mu.Unlock()
	return d.Stats
}

func TestPingOwnAddressGoesThroughLo(t *testing.T) {
	w, mu := world(t, nil)
	mu.Lock()
	ns := w.Namespace("a")
	lo := ns.ByName("lo")
	lo.SetUp(true)
	dummy := link(t, ns, &netdev.LinkSpec{Name: "dummy1", Kind: "dummy", Up: true})
	addr(t, dummy, "10.10.10.10/24")
	mu.Unlock()

	r, rt, err := ping(t, mu, ns, dummy, "10.10.10.10", netdev.Echo{Seq: 1, DataLen: 56}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Local || rt.Dev != lo || rt.Src != netip.MustParseAddr("10.10.10.10") {
		t.Errorf("route = %+v, want local through lo from 10.10.10.10", rt)
	}
	if len(r) != 1 || r[0].Seq != 1 || r[0].Bytes != 64 || r[0].TTL != 64 {
		t.Fatalf("replies = %+v, want one of 64 bytes, seq 1, ttl 64", r)
	}
	if s := stats(mu, dummy); s.TxPackets != 0 {
		t.Errorf("dummy sent %d packets; a local destination must not use it", s.TxPackets)
	}
	if s := stats(mu, lo); s.TxBytes != 2*98 || s.TxPackets != 2 {
		t.Errorf("lo sent %d bytes in %d packets, want request and reply of 98 bytes", s.TxBytes, s.TxPackets)
	}
}

func TestPingNoarpDeviceSendsDirectly(t *testing.T) {
	w, mu := world(t, nil)
	mu.Lock()
	ns := w.Namespace("a")
	dummy := link(t, ns, &netdev.LinkSpec{Name: "dummy1", Kind: "dummy", Up: true})
	addr(t, dummy, "10.10.10.10/24")
	mu.Unlock()
	for _, c := range []struct {
		datalen int
		bytes   uint64
	}{{56, 98}, {1400, 1442}, {0, 42}, {1, 43}} {
		before := stats(mu, dummy)
		r, _, err := ping(t, mu, ns, dummy, "10.10.10.1", netdev.Echo{Seq: 1, DataLen: c.datalen}, 20*time.Millisecond)
		if err != nil || len(r) != 0 {
			t.Fatalf("-s %d: err %v, replies %v; want none from a dummy", c.datalen, err, r)
		}
		s := stats(mu, dummy)
		if got := s.TxBytes - before.TxBytes; got != c.bytes || s.TxPackets-before.TxPackets != 1 {
			t.Errorf("-s %d: dummy sent %d bytes, want one frame of %d", c.datalen, got, c.bytes)
		}
	}
}

func TestPingVethResolvesThenAnswers(t *testing.T) {
	w, mu := world(t, nil)
	mu.Lock()
	a, b := w.Namespace("a"), w.Namespace("b")
	v0 := link(t, a, &netdev.LinkSpec{Name: "v0", Kind: "veth", PeerName: "v1", PeerNS: b, Up: true})
	v1 := v0.Peer()
	v1.SetUp(true)
	addr(t, v0, "10.0.0.1/24")
	addr(t, v1, "10.0.0.2/24")
	mu.Unlock()

	r, rt, err := ping(t, mu, a, nil, "10.0.0.2", netdev.Echo{Seq: 7, DataLen: 56, TOS: 0x1c}, 2*time.Second)
	if err != nil || len(r) != 1 || r[0].Seq != 7 || r[0].From != netip.MustParseAddr("10.0.0.2") {
		t.Fatalf("err %v, replies %+v; want the reply to seq 7 from 10.0.0.2", err, r)
	}
	if rt.Dev != v0 || rt.Src != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("route = %+v, want v0 from 10.0.0.1", rt)
	}
	// ARP request (42) then the echo (98); the answers the same way back.
	if s := stats(mu, v0); s.TxBytes != 140 || s.TxPackets != 2 {
		t.Errorf("v0 sent %d bytes in %d packets, want 140 in 2", s.TxBytes, s.TxPackets)
	}
	if s := stats(mu, v1); s.TxBytes != 140 || s.TxPackets != 2 {
		t.Errorf("v1 sent %d bytes in %d packets, want 140 in 2", s.TxBytes, s.TxPackets)
	}
	// Resolved now: the next echo goes alone.
	if r, _, _ := ping(t, mu, a, v0, "10.0.0.2", netdev.Echo{Seq: 8, DataLen: 1400}, 2*time.Second); len(r) != 1 || r[0].Bytes != 1408 {
		t.Fatalf("second ping: replies %+v, want one of 1408 bytes", r)
	}
	if s := stats(mu, v0); s.TxBytes != 140+1442 {
		t.Errorf("v0 sent %d bytes, want 140+1442", s.TxBytes)
	}
}

func TestARPGivesUpAfterThreeProbes(t *testing.T) {
	vc := clock.NewVirtual()
	w, mu := world(t, vc)
	mu.Lock()
	defer mu.Unlock()
	a, b := w.Namespace("a"), w.Namespace("b")
	v0 := link(t, a, &netdev.LinkSpec{Name: "v0", Kind: "veth", PeerName: "v1", PeerNS: b, Up: true})
	v0.Peer().SetUp(true)
	addr(t, v0, "10.0.0.1/24")
	h := a.Host()
	rt, err := h.Route(netip.MustParseAddr("10.0.0.9"), v0)
	if err != nil {
		t.Fatal(err)
	}
	pg := h.NewPinger()
	defer pg.Close()
	if err := pg.Send(rt, netdev.Echo{Seq: 1, DataLen: 56}); err != nil {
		t.Fatal(err)
	}
	want := []uint64{1, 2, 3, 3}
	for i, n := range want {
		if v0.Stats.TxPackets != n || v0.Stats.TxBytes != 42*n {
			t.Errorf("after %d s: v0 sent %d packets (%d bytes), want %d ARP requests", i, v0.Stats.TxPackets, v0.Stats.TxBytes, n)
		}
		vc.Advance(1_000_000_000)
	}
	// The failed entry is forgotten: a new echo starts a new probe.
	if err := pg.Send(rt, netdev.Echo{Seq: 2, DataLen: 56}); err != nil {
		t.Fatal(err)
	}
	if v0.Stats.TxPackets != 4 {
		t.Errorf("v0 sent %d packets, want a 4th ARP request", v0.Stats.TxPackets)
	}
}

func TestRouteErrors(t *testing.T) {
	w, mu := world(t, nil)
	mu.Lock()
	defer mu.Unlock()
	ns := w.Namespace("a")
	down := link(t, ns, &netdev.LinkSpec{Name: "d0", Kind: "dummy"})
	up := link(t, ns, &netdev.LinkSpec{Name: "d1", Kind: "dummy", Up: true})
	addr(t, up, "192.168.1.1/24")
	h := ns.Host()
	for _, c := range []struct {
		dst  string
		oif  *netdev.Device
		want error
		src  string
	}{
		{"10.0.0.1", down, syscall.ENETUNREACH, ""},
		{"10.0.0.1", nil, syscall.ENETUNREACH, ""},
		{"192.168.1.7", nil, nil, "192.168.1.1"},
		// Bound to a device, any destination is on its link.
		{"10.0.0.1", up, nil, "192.168.1.1"},
	} {
		rt, err := h.Route(netip.MustParseAddr(c.dst), c.oif)
		if err != c.want {
			t.Errorf("route to %s: err %v, want %v", c.dst, err, c.want)
			continue
		}
		if err == nil && rt.Src.String() != c.src {
			t.Errorf("route to %s: source %s, want %s", c.dst, rt.Src, c.src)
		}
	}
}

func TestTOS2Priority(t *testing.T) {
	for _, c := range []struct {
		tos  uint8
		prio uint32
	}{{0x00, 0}, {0x02, 0}, {0x04, 0}, {0x08, 2}, {0x0c, 2}, {0x10, 6}, {0x14, 6}, {0x18, 4}, {0x1c, 4}, {0xbc, 4}} {
		if got := netdev.TOS2Priority(c.tos); got != c.prio {
			t.Errorf("TOS2Priority(%#x) = %d, want %d", c.tos, got, c.prio)
		}
	}
	if netdev.EchoFrameLen(56) != 98 {
		t.Errorf("EchoFrameLen(56) = %d, want 98", netdev.EchoFrameLen(56))
	}
}

// SendFrame is a packet socket's send: the frame goes through the
// device's qdiscs as it is, and the peer of a veth receives it.
func TestSendFrame(t *testing.T) {
	w, mu := world(t, nil)
	mu.Lock()
	defer mu.Unlock()
	ns := w.Namespace("a")
	v0 := link(t, ns, &netdev.LinkSpec{Name: "v0", Kind: "veth", PeerName: "v1"})
	v1 := v0.Peer()
	v0.SetUp(true)
	v1.SetUp(true)
	frame := make([]byte, 54)
	for i := range 6 {
		frame[i] = 0xff
	}
	frame[12], frame[13], frame[14] = 0x08, 0x00, 0x45
	for range 3 {
		if v := v0.SendFrame(frame); v != sched.Success {
			t.Fatalf("verdict %v", v)
		}
	}
	if v0.Stats.TxPackets != 3 || v0.Stats.TxBytes != 3*54 || v1.Stats.RxPackets != 3 || v1.Stats.RxBytes != 3*54 {
		t.Fatalf("tx %d pkts %d bytes, peer rx %d pkts %d bytes; want 3 frames of 54 bytes",
			v0.Stats.TxPackets, v0.Stats.TxBytes, v1.Stats.RxPackets, v1.Stats.RxBytes)
	}
	v0.SetUp(false)
	if v := v0.SendFrame(frame); v != sched.CN || v1.Stats.RxPackets != 3 {
		t.Fatalf("a down device: verdict %v, peer rx %d", v, v1.Stats.RxPackets)
	}
}
