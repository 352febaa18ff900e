package clstest_test

import (
	"net/netip"
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/tc"

	"github.com/netsched/netsched/netdev"
)

// TestRouteRealms: the host's packets take a static route added with
// `ip route add ... realm N`; cls_route classifies them by that realm into
// htb classes.
func TestRouteRealms(t *testing.T) {
	// A dummy device: no ARP, so the host's packets go straight to its
	// qdiscs.
	b := clstest.New(t)
	for _, c := range []string{
		"link add dum0 type dummy",
		"link set dum0 up",
		"addr add 10.9.0.1/24 dev dum0",
	} {
		if _, err := b.IP(c); err != nil {
			t.Fatalf("ip %s: %v", c, err)
		}
	}
	// netsched's own ip has no `route` yet: the routes go in as
	// RTM_NEWROUTE would put them (iproute2's ip does it through the
	// shim: see kerneldiff's routes script).
	dum := b.NS.ByName("dum0")
	for _, r := range []*netdev.StaticRoute{
		{Dst: netip.MustParsePrefix("10.8.0.0/24"), Dev: dum, Realms: 2, Table: 254, Type: 1, Scope: 253, Protocol: 3},
		{Dst: netip.MustParsePrefix("10.7.0.0/16"), Dev: dum, Realms: 3<<16 | 4, Table: 254, Type: 1, Scope: 253, Protocol: 3},
	} {
		if err := b.NS.AddRoute(r, true, false); err != nil {
			t.Fatal(err)
		}
	}
	b.MustTc("qdisc add dev dum0 root handle 1: htb default 30",
		"class add dev dum0 parent 1: classid 1:10 htb rate 1gbit",
		"class add dev dum0 parent 1: classid 1:20 htb rate 1gbit",
		"class add dev dum0 parent 1: classid 1:30 htb rate 1gbit",
		"qdisc add dev dum0 parent 1:10 handle 10: pfifo limit 10000",
		"qdisc add dev dum0 parent 1:20 handle 20: pfifo limit 10000",
		"qdisc add dev dum0 parent 1:30 handle 30: pfifo limit 10000",
		"filter add dev dum0 parent 1: protocol ip prio 1 route to 2 classid 1:10",
		"filter add dev dum0 parent 1: protocol ip prio 1 route from 3 to 4 classid 1:20")
	h := b.NS.Host()
	pg := h.NewPinger()
	defer pg.Close()
	send := func(dst string, n int) {
		b.E.Lock()
		defer b.E.Unlock()
		rt, err := h.Route(a(dst), nil)
		if err != nil {
			t.Fatalf("route to %s: %v", dst, err)
		}
		for i := 0; i < n; i++ {
			if err := pg.Send(rt, netdev.Echo{Seq: uint16(i), DataLen: 56}); err != nil {
				t.Fatalf("send to %s: %v", dst, err)
			}
		}
	}
	send("10.8.0.5", 3) // realm 2: 1:10
	send("10.7.1.1", 2) // realms 3/4: 1:20
	send("10.9.0.7", 4) // connected, no realm: default
	b.Run(1e9)
	var got [3]uint64
	for i, q := range []uint32{0x100000, 0x200000, 0x300000} {
		got[i] = dum.Sched.Lookup(tc.Handle(q)).Bstats.Packets
	}
	if want := [3]uint64{3, 2, 4}; got != want {
		t.Errorf("class counts %v, want %v", got, want)
	}
}
