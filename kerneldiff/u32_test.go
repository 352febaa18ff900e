package kerneldiff_test

import (
	"testing"

	"github.com/netsched/netsched/kerneldiff"
)

// The u32 classifier (the one classifier this kernel has), each script
// run on the real kernel and on netsched; transcripts must be identical.
// The kernel here has no gact: actions are mirred's.
var u32Scripts = map[string][]string{
	"selectors": {
		"ip link add v0 type veth peer name v1",
		"tc qdisc add dev v0 root handle 1: htb default 30",
		"tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip src 10.0.0.0/8 match ip dst 192.168.1.1 flowid 1:10",
		"tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip protocol 6 0xff match ip dport 80 0xffff match ip tos 0x10 0xff classid 1:20",
		"tc filter add dev v0 parent 1: protocol ip prio 2 u32 match u32 0x01020304 0xffffffff at 12 match u16 0x0800 0xffff at -2 match u8 5 0x0f at 0 flowid 1:30",
		"tc filter add dev v0 parent 1: protocol ipv6 prio 3 u32 match ip6 src 2001:db8::/32 match ip6 dst 2001:db8:1::1/128 match ip6 dport 443 0xffff flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match ip nofrag match ip df match ip firstfrag match ip mf flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match icmp type 8 0xff match icmp code 0 0xff flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match ether src 02:00:00:00:00:01 match ether dst 02:00:00:00:00:02 flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match ip sport 53 0xffff indev v0 flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match u8 0 0 skip_hw flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 match u8 0 0 skip_sw flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 handle 800::ab u32 match u8 0 0 flowid 1:10",
		"tc filter add dev v0 parent 1: prio 4 u32 order 5 match u8 0 0 flowid 1:11",
		"tc filter show dev v0",
		"tc -j filter show dev v0",
		"tc filter get dev v0 parent 1: prio 4 handle 803::ab protocol all u32",
	},
	"hashtables": {
		"ip link add v0 type veth peer name v1",
		"tc qdisc add dev v0 ingress",
		"tc filter add dev v0 ingress prio 1 handle 2: protocol ip u32 divisor 256",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 800:: match ip dst 10.0.0.0/16 hashkey mask 0x000000ff at 16 link 2:",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 2:7: match ip dst 10.0.0.7 flowid 1:7",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 2:8: match ip dst 10.0.0.8 flowid 1:8",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 2:8: match ip dst 10.0.1.8 flowid 1:9",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 2: sample ip dst 10.0.0.9 match ip dst 10.0.0.9 flowid 1:9",
		"tc filter add dev v0 ingress prio 1 protocol ip u32 ht 2: sample u32 0x0a000009 0xff divisor 16 match u8 0 0 flowid 1:9",
		"tc filter add dev v0 ingress prio 2 handle 5: u32 divisor 16",
		"tc filter add dev v0 ingress prio 2 u32 ht 800:: match ip protocol 6 0xff offset at 0 mask 0x0f00 shift 6 eat link 5:",
		"tc filter add dev v0 ingress prio 2 u32 ht 800:: match ip protocol 17 0xff offset plus 20 link 5:",
		"tc filter add dev v0 ingress prio 2 u32 ht 5: match tcp dst 22 0xffff flowid 1:22",
		"tc filter add dev v0 ingress prio 2 u32 ht 5: match udp src 53 0xffff flowid 1:53",
		"tc filter add dev v0 ingress prio 3 handle 6: u32 divisor 3",
		"tc filter add dev v0 ingress prio 3 handle 6: u32 divisor 512",
		"tc filter add dev v0 ingress prio 3 handle 7: u32 divisor 2 skip_sw",
		"tc filter add dev v0 ingress prio 3 handle 7:1 u32 divisor 2",
		"tc filter add dev v0 ingress prio 3 u32 ht 9: match u8 0 0",
		"tc filter add dev v0 ingress prio 3 u32 ht 2:300: match u8 0 0",
		"tc filter add dev v0 ingress prio 3 u32 match u8 0 0 link 800:",
		"tc filter add dev v0 ingress prio 3 u32 match u8 0 0 link 99:",
		"tc filter add dev v0 ingress prio 3 u32 match u8 0 0 indev nosuchdev",
		"tc filter add dev v0 ingress prio 3 u32 classid 1:1",
		"tc filter add dev v0 ingress prio 3 handle 2:1:5 u32 ht 5: match u8 0 0",
		"tc filter show dev v0 ingress",
	},
	"delete": {
		"ip link add v0 type veth peer name v1",
		"tc qdisc add dev v0 root handle 1: htb",
		"tc filter add dev v0 parent 1: prio 1 handle 3: u32 divisor 4",
		"tc filter add dev v0 parent 1: prio 1 u32 match u8 0 0 link 3:",
		"tc filter add dev v0 parent 1: prio 1 u32 ht 3:2: match u8 1 0xff flowid 1:1",
		"tc filter add dev v0 parent 1: prio 2 u32 match u16 7 0xff flowid 1:2",
		"tc filter add dev v0 parent 1: prio 2 u32 match u16 8 0xff flowid 1:3",
		"tc filter show dev v0",
		"tc filter del dev v0 parent 1: prio 1 handle 3: u32",
		"tc filter del dev v0 parent 1: prio 1 handle 800: u32",
		"tc filter del dev v0 parent 1: prio 1 handle 800::800 u32",
		"tc filter del dev v0 parent 1: prio 1 handle 800::800 u32",
		// Deleting 3: right after the node that linked to it is not
		// compared: the kernel drops the link's reference in RCU work,
		// so whether the table is still in use then is a race in the
		// kernel itself (seen both ways).
		"tc filter del dev v0 parent 1: prio 2 handle 801::801 u32",
		"tc filter show dev v0",
		"tc filter del dev v0 parent 1: prio 2",
		"tc filter show dev v0",
		"tc filter replace dev v0 parent 1: prio 1 handle 800::800 u32 match u8 9 0xff flowid 1:4",
		"tc filter add dev v0 parent 1: prio 1 u32 match u8 9 0xff flowid 1:4",
		"tc filter replace dev v0 parent 1: prio 1 handle 800::800 u32 match u8 9 0xff flowid 1:5",
		"tc filter change dev v0 parent 1: prio 1 handle 800::800 u32 flowid 1:6",
		"tc filter show dev v0",
		"tc filter del dev v0 parent 1:",
		"tc filter show dev v0",
		"tc filter add dev v0 parent 1: prio 7 u32 match u8 0 0 flowid 1:7",
		"tc filter show dev v0",
		"tc filter replace dev v0 parent 1: prio 7 handle 800::800 u32 match u8 0 0 skip_hw flowid 1:7",
		"tc filter add dev v0 parent 1: prio 7 handle 800::800 u32 match u8 0 0 flowid 1:7",
		"tc filter add dev v0 parent 1: prio 7 handle 800::801 u32 match u8 0 0 flowid 1:8",
		"tc filter add dev v0 parent 1: prio 7 handle 1: u32 divisor 2",
		"tc filter add dev v0 parent 1: prio 7 handle 1: u32 divisor 2",
		"tc filter replace dev v0 parent 1: prio 7 handle 1: u32 divisor 4",
		"tc filter replace dev v0 parent 1: prio 7 handle 800::801 u32 link 1:",
		"tc filter del dev v0 parent 1: prio 7 handle 1: u32",
		"tc filter replace dev v0 parent 1: prio 7 handle 800::801 u32 link 0:",
		// The kernel lets go of the replaced node's link after an RCU
		// grace period (tcf_queue_work); netsched at once.
		"sleep 0.5",
		"tc filter del dev v0 parent 1: prio 7 handle 1: u32",
		"tc filter show dev v0",
		"tc filter get dev v0 parent 1: prio 7 handle 800::801 protocol all u32",
		"tc filter get dev v0 parent 1: prio 7 handle 800::999 protocol all u32",
	},
}

func TestU32MatchesKernel(t *testing.T) {
	kerneldiff.Requirements(t)
	d := kerneldiff.StartDaemon(t)
	for name, cmds := range u32Scripts {
		t.Run(name, func(t *testing.T) { kerneldiff.Compare(t, d, cmds) })
	}
}
