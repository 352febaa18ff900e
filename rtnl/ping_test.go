package rtnl_test

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
)

// pingWorld is an engine with namespace "t": lo up, dummy1 up with
// 10.10.10.10/24, d0 down, d2 up without an address.
func pingWorld(t *testing.T) (*rtnl.Engine, *rtnl.Conn) {
	t.Helper()
	e := rtnl.New(rtnl.Options{})
	e.Lock()
	ns := e.Namespace("t")
	ns.ByName("lo").SetUp(true)
	for _, s := range []*netdev.LinkSpec{
		{Name: "dummy1", Kind: "dummy", Up: true},
		{Name: "d0", Kind: "dummy"},
		{Name: "d2", Kind: "dummy", Up: true},
	} {
		if _, err := ns.AddLink(s); err != nil {
			t.Fatal(err)
		}
	}
	err := ns.ByName("dummy1").AddAddr(&netdev.Addr{Prefix: netip.MustParsePrefix("10.10.10.10/24")}, false)
	e.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	return e, e.Connect("t", 0, true, func([]byte) {})
}

func pingMsg(r rtnl.PingRequest) []byte {
	b := nl.NewBuilder()
	b.Begin(rtnl.NSCHED_PING, nl.NLM_F_REQUEST, 9, 0)
	r.Put(b)
	b.End()
	return b.Bytes()
}

func doPing(t *testing.T, c *rtnl.Conn, r rtnl.PingRequest, stop <-chan struct{}) rtnl.PingAnswer {
	t.Helper()
	out := c.HandlePing(pingMsg(r), stop)
	if len(out) != 1 {
		t.Fatalf("%d answers, want 1", len(out))
	}
	msgs, err := nl.Split(out[0])
	if err != nil || len(msgs) != 1 || msgs[0].Type != rtnl.NSCHED_PING || msgs[0].Seq != 9 {
		t.Fatalf("answer %v %+v, want one NSCHED_PING with seq 9", err, msgs)
	}
	a, err := rtnl.ParsePingAnswer(msgs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func req(dev, dst string, count, intervalMs, lingerMs uint32) rtnl.PingRequest {
	r := rtnl.DefaultPingRequest()
	r.Device, r.Dest = dev, netip.MustParseAddr(dst)
	r.Count, r.IntervalMs, r.LingerMs = count, intervalMs, lingerMs
	return r
}

func kinds(a rtnl.PingAnswer) []uint8 {
	var k []uint8
	for _, e := range a.Events {
		k = append(k, e.Kind)
	}
	return k
}

func TestPingOwnAddress(t *testing.T) {
	_, c := pingWorld(t)
	a := doPing(t, c, req("dummy1", "10.10.10.10", 2, 20, 1000), nil)
	if a.Errno != 0 || a.Stats.Transmitted != 2 || a.Stats.Received != 2 {
		t.Fatalf("answer %+v, want 2 sent and 2 received", a)
	}
	if a.Source != netip.MustParseAddr("10.10.10.10") || a.Flags&rtnl.PING_F_SRC_ELSEWHERE != 0 {
		t.Errorf("source %v flags %#x", a.Source, a.Flags)
	}
	want := []uint8{rtnl.PingSent, rtnl.PingReply, rtnl.PingSent, rtnl.PingReply}
	if got := kinds(a); string(got) != string(want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for _, e := range a.Events {
		if e.Kind == rtnl.PingReply && (e.Bytes != 64 || e.TTL != 64 || !e.Timed || e.Dup) {
			t.Errorf("reply %+v, want 64 bytes, ttl 64, timed", e)
		}
	}
	if a.Stats.TimeUs < 15_000 {
		t.Errorf("time %d µs, want the 20 ms interval between the two", a.Stats.TimeUs)
	}
}

func TestPingNoReply(t *testing.T) {
	_, c := pingWorld(t)
	start := time.Now()
	a := doPing(t, c, req("dummy1", "10.10.10.1", 2, 30, 20), nil)
	took := time.Since(start)
	if a.Stats.Transmitted != 2 || a.Stats.Received != 0 {
		t.Fatalf("stats %+v, want 2 sent, none received", a.Stats)
	}
	// Two sends 30 ms apart, then the linger time after the last.
	if took < 45*time.Millisecond || took > 2*time.Second {
		t.Errorf("took %v, want about 50 ms", took)
	}
}

func TestPingSetupErrors(t *testing.T) {
	_, c := pingWorld(t)
	for _, x := range []struct {
		dev, dst string
		errno    syscall.Errno
		where    string
	}{
		{"nosuch", "10.0.0.1", syscall.ENODEV, "SO_BINDTODEVICE nosuch"},
		{"d0", "10.0.0.1", syscall.ENETUNREACH, "connect"},
		{"", "192.168.7.7", syscall.ENETUNREACH, "connect"},
	} {
		r := req(x.dev, x.dst, 1, 10, 10)
		r.Flags |= rtnl.PING_F_PROBE
		a := doPing(t, c, r, nil)
		if a.Errno != x.errno || a.Where != x.where {
			t.Errorf("ping -I %q %s: %v at %q, want %v at %q", x.dev, x.dst, a.Errno, a.Where, x.errno, x.where)
		}
	}
	r := req("d2", "10.10.10.1", 1, 10, 10)
	r.Flags |= rtnl.PING_F_PROBE
	if a := doPing(t, c, r, nil); a.Errno != 0 || a.Flags&rtnl.PING_F_SRC_ELSEWHERE == 0 || a.Source != netip.MustParseAddr("10.10.10.10") {
		t.Errorf("d2 has no address: answer %+v, want dummy1's source and the warning flag", a)
	}
}

func TestPingStop(t *testing.T) {
	_, c := pingWorld(t)
	stop := make(chan struct{})
	time.AfterFunc(60*time.Millisecond, func() { close(stop) })
	a := doPing(t, c, req("dummy1", "10.10.10.10", 0, 10, 1000), stop)
	if a.Stats.Transmitted == 0 || a.Stats.Received == 0 {
		t.Errorf("stats %+v, want what was counted until stopped", a.Stats)
	}
}

// TestPingENOBUFS drops every echo request in the qdisc: ping retries
// every 10 ms (its minimum) until the linger time is used up, then counts
// the packet as sent with an error; the next packet gives up at once.
// Linux gives the same count (the retries are iputils').
func TestPingENOBUFS(t *testing.T) {
	e, c := pingWorld(t)
	e.Lock()
	ifindex := e.World().Lookup("t").ByName("dummy1").Ifindex()
	e.Unlock()
	b := nl.NewBuilder()
	b.Begin(sched.RTM_NEWQDISC, nl.NLM_F_REQUEST|nl.NLM_F_ACK|nl.NLM_F_CREATE|nl.NLM_F_EXCL, 1, 0)
	var tcm [20]byte
	binary.NativeEndian.PutUint32(tcm[4:], uint32(ifindex))
	binary.NativeEndian.PutUint32(tcm[8:], 0x10000)
	binary.NativeEndian.PutUint32(tcm[12:], 0xffffffff)
	b.Raw(tcm[:])
	b.PutString(sched.TCA_KIND, "pfifo_head_drop")
	b.Put(sched.TCA_OPTIONS, []byte{0, 0, 0, 0})
	b.End()
	out := c.Handle(b.Bytes())
	if len(out) != 1 || binary.NativeEndian.Uint32(out[0][16:]) != 0 {
		t.Fatalf("adding pfifo_head_drop limit 0 failed: %x", out)
	}
	a := doPing(t, c, req("dummy1", "10.10.10.1", 2, 10, 100), nil)
	if a.Stats.Transmitted != 2 || a.Stats.Received != 0 {
		t.Errorf("stats %+v, want 2 sent", a.Stats)
	}
	want := []uint8{rtnl.PingError, rtnl.PingError}
	if got := kinds(a); string(got) != string(want) {
		t.Errorf("events %v, want two errors", got)
	}
	for _, ev := range a.Events {
		if syscall.Errno(ev.Errno) != syscall.ENOBUFS {
			t.Errorf("error %v, want ENOBUFS", syscall.Errno(ev.Errno))
		}
	}
	e.Lock()
	drops := e.World().Lookup("t").ByName("dummy1").Sched.Root().Qstats.Drops
	e.Unlock()
	if drops != 11 {
		t.Errorf("the qdisc dropped %d, want 10 tries of the first packet and 1 of the second", drops)
	}
}

func TestPingAnswerRoundTrip(t *testing.T) {
	a := rtnl.PingAnswer{Source: netip.MustParseAddr("1.2.3.4"), Flags: rtnl.PING_F_SRC_ELSEWHERE,
		Stats: rtnl.PingStats{Transmitted: 5, Received: 4, Repeats: 1, TimeUs: 4001, TMin: 10, TMax: 90,
			TSum: 200, TSum2: 12000, RTT: 400, PipeSize: 2}}
	for i := 0; i < 7000; i++ { // more than one attribute holds
		a.Events = append(a.Events, rtnl.PingEvent{Kind: rtnl.PingReply, TTL: 64, Seq: uint16(i), Bytes: 64,
			RTTUs: uint32(i), Timed: true, Dup: i%2 == 0, From: netip.MustParseAddr("10.0.0.1")})
	}
	b := nl.NewBuilder()
	a.Put(b)
	got, err := rtnl.ParsePingAnswer(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != a.Source || got.Flags != a.Flags || got.Stats != a.Stats || len(got.Events) != len(a.Events) {
		t.Fatalf("round trip lost data: %+v", got.Stats)
	}
	for i := range a.Events {
		if got.Events[i] != a.Events[i] {
			t.Fatalf("event %d: %+v, want %+v", i, got.Events[i], a.Events[i])
		}
	}
}

func FuzzParsePing(f *testing.F) {
	b := nl.NewBuilder()
	r := req("dummy1", "10.0.0.1", 3, 10, 10)
	r.Put(b)
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = rtnl.ParsePingRequest(data)
		_, _ = rtnl.ParsePingAnswer(data)
	})
}
