package clstest

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// Classification through filters and actions allocates nothing per
// packet, on egress into a classful qdisc and on the ingress hook.
func TestFilteringAllocatesNothing(t *testing.T) {
	b := New(t)
	b.MustTc(
		"qdisc add dev eth0 root handle 1: prio",
		"filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff flowid 1:2 action pass",
		"filter add dev eth0 parent 1: protocol ip prio 2 matchall classid 1:3",
		"qdisc add dev eth0 ingress",
		"filter add dev eth0 parent ffff: protocol ip prio 1 flower ip_proto udp action gact pipe action skbedit mark 7",
	)
	s := schedtest.Packet{Src: schedtest.Addr("192.0.2.1"), Dst: schedtest.Addr("10.0.0.1"), Proto: 17, SPort: 1, DPort: 2}
	q := b.Dev.Sched.Root()
	p := b.Packet(&s)
	egress := testing.AllocsPerRun(1000, func() {
		q.Enqueue(p)
		if q.Dequeue() != p {
			t.Fatal("packet lost")
		}
	})
	ingress := testing.AllocsPerRun(1000, func() {
		if !b.Dev.Sched.Receive(p) {
			t.Fatal("ingress took the packet")
		}
	})
	if egress != 0 || ingress != 0 {
		t.Fatalf("allocations per packet: egress %v, ingress %v", egress, ingress)
	}
}
