package u32_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/schedtest"
)

var (
	a = schedtest.Addr
)

// htbBed is a bench with an htb root, classes 1:10, 1:20, 1:30 (default)
// and a pfifo leaf each, so that every classification is counted there.
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

// counts sends the packets, lets the link drain them and returns how many
// each leaf saw.
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

func TestShow(t *testing.T) {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 ingress",
		"filter add dev eth0 ingress protocol ip prio 1 u32 match ip src 127.0.0.1/32 flowid 1:1",
		"filter add dev eth0 ingress prio 99 handle 42: u32 divisor 256",
		"filter add dev eth0 ingress protocol ip prio 98 u32 link 42: hashkey mask 0x0000ff00 at 12 match ip src 192.168.0.0/16",
		"filter add dev eth0 ingress protocol ip prio 98 u32 ht 42:7 match tcp dst 80 0xffff offset at 0 mask 0x0f00 shift 6 eat classid 1:2")
	out, err := b.Tc("filter show dev eth0 ingress")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"filter protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:1 not_in_hw \n  match 7f000001/ffffffff at 12\n",
		"filter protocol all pref 99 u32 chain 0 fh 42: ht divisor 256 \n",
		"filter protocol ip pref 98 u32 chain 0 fh 802::800 order 2048 key ht 802 bkt 0 link 42: not_in_hw \n  match c0a80000/ffff0000 at 12\n    hash mask 0000ff00 at 12 \n",
		"fh 42:7:800 order 2048 key ht 42 bkt 7 *flowid 1:2 not_in_hw \n  match 00000050/0000ffff at nexthdr+0\n    offset 0f00>>6 at 0  eat \n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestErrors(t *testing.T) {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 ingress", "filter add dev eth0 ingress prio 1 handle 43: u32 divisor 1")
	for _, c := range []struct{ cmd, err string }{
		{"filter add dev eth0 ingress prio 1 handle 44: u32 divisor 3", `Illegal "divisor"`},
		{"filter replace dev eth0 ingress prio 1 handle 42:42 u32 divisor 256", "Divisor can only be used on a hash table"},
		{"filter add dev eth0 ingress prio 1 u32 ht 47: match u8 0 0", "Specified hash table not found"},
		{"filter add dev eth0 ingress prio 1 u32 ht 43:1 match u8 0 0", "Specified hash table buckets exceed configured value"},
		{"filter add dev eth0 ingress prio 1 u32 match u8 0 0 link 800:", "Not linking to root node"},
		{"filter add dev eth0 ingress prio 1 u32 match u8 0 0 indev nosuch", "Network device not found"},
		{"filter add dev eth0 ingress prio 1 u32 classid 1:1", "Selector not specified"},
		{"filter del dev eth0 ingress prio 1 handle 800: u32", "Not allowed to delete root node"},
	} {
		if _, err := b.Tc(c.cmd); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want %q", c.cmd, err, c.err)
		}
	}
	b.MustTc("filter add dev eth0 ingress prio 1 u32 match u8 0 0 link 43:")
	if _, err := b.Tc("filter del dev eth0 ingress prio 1 handle 43: u32"); err == nil || !strings.Contains(err.Error(), "Can not delete in-use filter") {
		t.Errorf("deleting a linked table: %v", err)
	}
}

// TestClassify sends real frames through u32 filters into htb classes.
func TestClassify(t *testing.T) {
	b := htbBed(t)
	b.MustTc(
		// 10.0.0.0/24 to 1:10; TCP port 80 (at 20 bytes of IP header) to 1:20;
		// IPv6 to 1:20; the rest to the default class.
		"filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.0/24 flowid 1:10",
		"filter add dev eth0 parent 1: protocol ip prio 2 u32 match ip protocol 6 0xff match ip dport 80 0xffff flowid 1:20",
		"filter add dev eth0 parent 1: protocol ipv6 prio 3 u32 match ip6 dst 2001:db8::/32 flowid 1:20",
		// A VLAN-tagged packet's protocol is 802.1Q: a filter for it.
		"filter add dev eth0 parent 1: protocol 802.1q prio 4 u32 match u8 0 0 flowid 1:10",
	)
	ps := []schedtest.Packet{
		{Src: a("192.0.2.1"), Dst: a("10.0.0.5"), Proto: 17, SPort: 1, DPort: 2},
		{Src: a("192.0.2.1"), Dst: a("10.0.0.6"), Proto: 6, SPort: 1, DPort: 80},
		{Src: a("192.0.2.1"), Dst: a("10.9.0.6"), Proto: 6, SPort: 1, DPort: 80},
		{Src: a("192.0.2.1"), Dst: a("10.9.0.6"), Proto: 6, SPort: 1, DPort: 81},
		{Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: 17, SPort: 1, DPort: 2},
		{Src: a("2001:db9::1"), Dst: a("2001:db9::2"), Proto: 17, SPort: 1, DPort: 2},
		{Src: a("192.0.2.1"), Dst: a("10.9.0.6"), Proto: 17, VLAN: 5},
	}
	if got, want := counts(b, ps), [3]uint64{3, 2, 2}; got != want {
		t.Errorf("class counts %v, want %v", got, want)
	}
}

// TestHashLink classifies through a 256-bucket table keyed on the last
// byte of the destination, as the kernel's u32 how-to does.
func TestHashLink(t *testing.T) {
	b := htbBed(t)
	b.MustTc(
		"filter add dev eth0 parent 1: prio 5 handle 2: protocol ip u32 divisor 256",
		"filter add dev eth0 parent 1: prio 5 protocol ip u32 ht 800:: match ip dst 10.0.0.0/16 hashkey mask 0x000000ff at 16 link 2:",
		"filter add dev eth0 parent 1: prio 5 protocol ip u32 ht 2:7: match ip dst 10.0.0.7 flowid 1:10",
		"filter add dev eth0 parent 1: prio 5 protocol ip u32 ht 2:8: match ip dst 10.0.0.8 flowid 1:20",
	)
	ps := []schedtest.Packet{
		{Src: a("192.0.2.1"), Dst: a("10.0.0.7"), Proto: 17},
		{Src: a("192.0.2.1"), Dst: a("10.0.0.8"), Proto: 17},
		{Src: a("192.0.2.1"), Dst: a("10.0.1.8"), Proto: 17}, // bucket 8, no key match
		{Src: a("192.0.2.1"), Dst: a("10.1.0.7"), Proto: 17}, // no link
	}
	if got, want := counts(b, ps), [3]uint64{1, 1, 2}; got != want {
		t.Errorf("class counts %v, want %v", got, want)
	}
}
