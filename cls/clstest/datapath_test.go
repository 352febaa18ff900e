package clstest_test

import (
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/schedtest"
)

var a = schedtest.Addr

func htbBed(t *testing.T) *clstest.Bed {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 root handle 1: htb default 30",
		"class add dev eth0 parent 1: classid 1:10 htb rate 1gbit",
		"class add dev eth0 parent 1: classid 1:20 htb rate 1gbit",
		"class add dev eth0 parent 1: classid 1:30 htb rate 1gbit",
		"qdisc add dev eth0 parent 1:10 handle 10: pfifo limit 10000",
		"qdisc add dev eth0 parent 1:20 handle 20: pfifo limit 10000",
		"qdisc add dev eth0 parent 1:30 handle 30: pfifo limit 10000")
	return b
}

func counts(b *clstest.Bed, ps []schedtest.Packet) [3]uint64 {
	for i := range ps {
		b.Transmit(&ps[i])
	}
	b.Run(1e9)
	var c [3]uint64
	for i, h := range []string{"10:", "20:", "30:"} {
		c[i] = b.Qdisc(h).Bstats.Packets
	}
	return c
}

var (
	udp4  = schedtest.Packet{Src: a("192.0.2.1"), Dst: a("10.0.0.1"), Proto: 17, SPort: 1000, DPort: 53}
	tcp4  = schedtest.Packet{Src: a("192.0.2.1"), Dst: a("10.0.0.2"), Proto: 6, SPort: 1000, DPort: 80, TCPFlags: 0x02}
	udp6  = schedtest.Packet{Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: 17, SPort: 1000, DPort: 53}
	tcp6  = schedtest.Packet{Src: a("2001:db8::1"), Dst: a("2001:db8::3"), Proto: 6, SPort: 1000, DPort: 443}
	vlan4 = schedtest.Packet{Src: a("192.0.2.1"), Dst: a("10.0.0.4"), Proto: 17, SPort: 1, DPort: 2, VLAN: 7}
)

func with(p schedtest.Packet, f func(*schedtest.Packet)) schedtest.Packet {
	f(&p)
	return p
}

// TestIntoClasses sends IPv4, IPv6, TCP, UDP and VLAN-tagged frames
// through each classifier into htb classes and counts every packet.
func TestIntoClasses(t *testing.T) {
	cases := []struct {
		name    string
		filters []string
		packets []schedtest.Packet
		want    [3]uint64
	}{
		{"flower", []string{
			"filter add dev eth0 parent 1: protocol ip prio 1 flower ip_proto tcp dst_port 80 tcp_flags 0x2/0x2 classid 1:10",
			"filter add dev eth0 parent 1: protocol ipv6 prio 2 flower ip_proto tcp dst_ip 2001:db8::/64 dst_port 400-500 classid 1:20",
			"filter add dev eth0 parent 1: protocol 802.1q prio 3 flower vlan_id 7 vlan_ethtype ipv4 ip_proto udp classid 1:20",
			"filter add dev eth0 parent 1: protocol ip prio 4 flower ip_proto udp src_ip 192.0.2.0/24 dst_port 53 classid 1:10",
		}, []schedtest.Packet{udp4, tcp4, udp6, tcp6, vlan4, with(tcp4, func(p *schedtest.Packet) { p.TCPFlags = 0x10 })}, [3]uint64{2, 2, 2}},
		{"fw", []string{
			"filter add dev eth0 parent 1: prio 1 handle 5 fw classid 1:10",
			"filter add dev eth0 parent 1: prio 2 handle 0x10/0xf0 fw classid 1:20",
		}, []schedtest.Packet{with(udp4, func(p *schedtest.Packet) { p.Mark = 5 }), with(udp6, func(p *schedtest.Packet) { p.Mark = 0x1f }),
			with(tcp4, func(p *schedtest.Packet) { p.Mark = 0x10 }), tcp6, vlan4}, [3]uint64{1, 2, 2}},
		{"basic", []string{
			"filter add dev eth0 parent 1: protocol ip prio 1 basic match 'cmp(u8 at 9 layer network eq 6) and cmp(u16 at 2 layer transport eq 80)' classid 1:10",
			"filter add dev eth0 parent 1: protocol ipv6 prio 2 basic match 'meta(priority eq 7) or u32(u16 0x01bb 0xffff at 42)' classid 1:20",
			"filter add dev eth0 parent 1: protocol all prio 3 basic match 'not nbyte(\"\\x0a\\x00\" at 16 layer network)' classid 1:20",
		}, []schedtest.Packet{udp4, tcp4, udp6, tcp6, vlan4, with(udp6, func(p *schedtest.Packet) { p.Priority = 7 })}, [3]uint64{1, 3, 2}},
		{"cgroup", []string{
			"filter add dev eth0 parent 1: prio 1 handle 1 cgroup match 'cmp(u8 at 9 layer network eq 17)'",
		}, []schedtest.Packet{with(udp4, func(p *schedtest.Packet) { p.CgroupClassID = 0x10010 }),
			with(tcp4, func(p *schedtest.Packet) { p.CgroupClassID = 0x10010 }), udp6,
			with(udp4, func(p *schedtest.Packet) { p.CgroupClassID = 0x10020 })}, [3]uint64{1, 1, 2}},
		{"flow", []string{
			"filter add dev eth0 parent 1: protocol all prio 1 handle 1 flow map key priority baseclass 1:10",
		}, []schedtest.Packet{udp4, with(tcp6, func(p *schedtest.Packet) { p.Priority = 0x10 }), with(udp6, func(p *schedtest.Packet) { p.Priority = 0x20 })},
			[3]uint64{1, 1, 1}},
		{"route", []string{
			"filter add dev eth0 parent 1: protocol ip prio 1 route to 2 classid 1:10",
			"filter add dev eth0 parent 1: protocol ip prio 1 route from 3 to 4 classid 1:20",
		}, []schedtest.Packet{with(udp4, func(p *schedtest.Packet) { p.RouteClassID = 2 }), with(tcp4, func(p *schedtest.Packet) { p.RouteClassID = 3<<16 | 4 }),
			with(tcp4, func(p *schedtest.Packet) { p.RouteClassID = 5<<16 | 2 }), udp4}, [3]uint64{2, 1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := htbBed(t)
			b.MustTc(c.filters...)
			if got := counts(b, c.packets); got != c.want {
				out, _ := b.Tc("filter show dev eth0")
				t.Errorf("class counts %v, want %v\n%s", got, c.want, out)
			}
		})
	}
}

// TestIngressPolice: a u32 filter on ingress with a policer that drops
// beyond its burst.
func TestIngressPolice(t *testing.T) {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 ingress")
	c := "filter add dev eth0 ingress protocol ip prio 1 u32 match ip protocol 17 0xff police rate 1mbit burst 3000 drop"
	if _, err := b.Tc(c); err != nil {
		// The police action's tc face is the action helper's; the
		// classifier side is tested through the tdc cases.
		t.Skipf("%s: %v", c, err)
	}
	passed, dropped := 0, 0
	for i := 0; i < 10; i++ {
		s := udp4
		s.Size = 1014
		if b.Receive(&s) {
			passed++
		} else {
			dropped++
		}
	}
	// A 3000-byte bucket holds two 1000-byte packets and not a third
	// at once (the policer counts the length past the MAC header).
	if passed+dropped != 10 || passed == 0 || dropped == 0 {
		t.Errorf("police: %d passed, %d dropped", passed, dropped)
	}
}

// TestIngressMirred: a flower filter on ingress redirects IPv6 TCP to a
// second device; the rest goes on.
func TestIngressMirred(t *testing.T) {
	b := clstest.New(t)
	b.E.Lock()
	_, err := b.NS.AddLink(&schedtestLinkSpec)
	if err == nil {
		b.NS.ByName("eth1").SetUp(true)
	}
	b.E.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	b.MustTc("qdisc add dev eth0 ingress",
		"qdisc add dev eth1 root handle 1: pfifo limit 1000")
	c := "filter add dev eth0 ingress protocol ipv6 prio 2 flower ip_proto tcp action mirred egress redirect dev eth1"
	if _, err := b.Tc(c); err != nil {
		t.Skipf("%s: %v", c, err)
	}
	for i := 0; i < 5; i++ {
		if b.Receive(&tcp6) {
			t.Errorf("a redirected packet went on to the stack")
		}
		if !b.Receive(&udp6) {
			t.Errorf("a packet that matches nothing did not go on")
		}
	}
	b.Run(1e9)
	if q := b.NS.ByName("eth1").Sched.Root(); q.Bstats.Packets != 5 {
		t.Errorf("eth1 sent %d packets, want 5", q.Bstats.Packets)
	}
}
