package htb_test

import (
	"fmt"
	"testing"

	"github.com/netsched/netsched/kerneldiff"
)

// setup makes the device every script works on: a veth that is up (the
// kernel's namespace has IPv6 off, so no packet moves).
var setup = []string{
	"ip link add v0 type veth peer name v1",
	"ip link set v0 up",
	"ip link set v1 up",
}

// htbScripts are run on the real kernel and on netsched; the transcripts
// (stdout, stderr, exit code of each command) must be identical.
var htbScripts = map[string][]string{
	"tree": {
		"tc qdisc add dev v0 root handle 1: htb default 20 r2q 5 direct_qlen 77",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 100mbit ceil 100mbit",
		"tc class add dev v0 parent 1:1 classid 1:10 htb rate 30mbit ceil 100mbit prio 1",
		"tc class add dev v0 parent 1:1 classid 1:20 htb rate 20mbit ceil 50mbit burst 15k cburst 30k quantum 1500",
		"tc class add dev v0 parent 1:1 classid 1:30 htb rate 10kbit ceil 1mbit prio 7 mtu 9000",
		"tc class add dev v0 parent 1:10 classid 1:100 htb rate 1mbit ceil 30mbit mpu 64 overhead 24",
		"tc class add dev v0 parent 1:10 classid 1:101 htb rate 2mbit linklayer atm",
		"tc class show dev v0",
		"tc -d class show dev v0",
		"tc -s class show dev v0",
		"tc -s -d class show dev v0",
		"tc -s -d qdisc show dev v0",
		"tc qdisc show dev v0 invisible",
		"tc -d class show dev v0 parent 1:10",
		"tc class show dev v0 classid 1:20",
		"tc class show dev v0 classid 1:99",
		"tc -r -d class show dev v0",
		"tc -iec class show dev v0",
		"tc -j -s -d qdisc show dev v0",
		"tc -s class show dev v0 parent 1:",
	},
	"leaf qdiscs": {
		"tc qdisc add dev v0 root handle 1: htb default 10",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 10mbit",
		"tc class add dev v0 parent 1:1 classid 1:10 htb rate 5mbit ceil 10mbit",
		"tc class add dev v0 parent 1:1 classid 1:20 htb rate 5mbit ceil 10mbit",
		"tc qdisc add dev v0 parent 1:10 handle 10: pfifo limit 50",
		"tc qdisc add dev v0 parent 1:20 handle 20: bfifo limit 30000",
		"tc qdisc add dev v0 parent 1:1 handle 11: pfifo",
		"tc qdisc add dev v0 parent 1:30 handle 30: pfifo",
		"tc qdisc add dev v0 parent 1:10 handle 12: pfifo",
		"tc qdisc replace dev v0 parent 1:10 handle 12: pfifo limit 7",
		"tc qdisc show dev v0",
		"tc class show dev v0",
		"tc qdisc add dev v0 parent 20: handle 21: pfifo",
		"tc qdisc replace dev v0 parent 1:20 handle 20: bfifo limit 1000",
		"tc -s qdisc show dev v0",
		"tc qdisc del dev v0 parent 1:20",
		"tc qdisc show dev v0 invisible",
		"tc class show dev v0",
		"tc qdisc add dev v0 parent 1:20 handle 22: htb default 3",
		"tc class add dev v0 parent 22: classid 22:3 htb rate 1mbit",
		"tc qdisc show dev v0",
		"tc class show dev v0",
		"tc -s class show dev v0 parent 22:",
		"tc qdisc del dev v0 parent 1:10 handle 12:",
		"tc qdisc show dev v0 invisible",
	},
	"deletion order": {
		"tc qdisc add dev v0 root handle 1: htb",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 10mbit",
		"tc class add dev v0 parent 1:1 classid 1:2 htb rate 5mbit",
		"tc class add dev v0 parent 1:2 classid 1:3 htb rate 1mbit",
		"tc class add dev v0 parent 1:2 classid 1:4 htb rate 1mbit",
		"tc qdisc add dev v0 parent 1:3 handle 3: pfifo",
		"tc class del dev v0 classid 1:1",
		"tc class del dev v0 classid 1:2",
		"tc class del dev v0 classid 1:3",
		"tc -d class show dev v0",
		"tc qdisc show dev v0 invisible",
		"tc class del dev v0 classid 1:4",
		"tc -d class show dev v0",
		"tc qdisc show dev v0 invisible",
		"tc class del dev v0 classid 1:2",
		"tc class del dev v0 classid 1:2",
		"tc -d class show dev v0",
		"tc class add dev v0 parent 1:1 classid 1:2 htb rate 3mbit",
		"tc class del dev v0 parent 1: classid 1:1",
		"tc class del dev v0 classid 1:2",
		"tc class del dev v0 classid 1:1",
		"tc class show dev v0",
		"tc qdisc show dev v0 invisible",
		"tc class del dev v0 classid 1:0",
		"tc class del dev v0 classid 2:1",
		"tc qdisc del dev v0 root",
		"tc class show dev v0",
		"tc qdisc show dev v0",
	},
	"change": {
		"tc qdisc add dev v0 root handle 1: htb default 10",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 10mbit",
		"tc class add dev v0 parent 1:1 classid 1:10 htb rate 5mbit ceil 10mbit prio 2",
		"tc class change dev v0 classid 1:10 htb rate 6mbit ceil 8mbit prio 5 quantum 3000",
		"tc -d -s class show dev v0",
		"tc class change dev v0 parent 1:1 classid 1:10 htb rate 7mbit prio 9",
		"tc class change dev v0 classid 1:1 htb rate 20mbit prio 4 quantum 2000",
		"tc -d class show dev v0",
		"tc class replace dev v0 parent 1:1 classid 1:10 htb rate 1mbit",
		"tc class replace dev v0 parent 1:1 classid 1:11 htb rate 1mbit",
		"tc class change dev v0 parent 1:1 classid 1:12 htb rate 1mbit",
		"tc -d class show dev v0",
		"tc class change dev v0 classid 1:10 htb rate 100gbit",
		"tc class change dev v0 classid 1:11 htb rate 8kbit",
		"tc class change dev v0 classid 1:11 htb rate 8kbit quantum 500",
		"tc class change dev v0 classid 1:10 htb rate 10gbit ceil 40gbit",
		"tc -d class show dev v0",
		"tc class change dev v0 classid 1:10 htb rate 1mbit r2q 3",
		"tc qdisc change dev v0 root handle 1: htb default 11",
		"tc qdisc replace dev v0 root handle 1: htb default 11",
		"tc qdisc replace dev v0 root handle 2: htb default 11",
		"tc qdisc show dev v0",
		"tc class show dev v0",
	},
	"errors": {
		"tc qdisc add dev v0 root handle 1: htb offload",
		"tc qdisc add dev v0 root handle 1: htb bogus",
		"tc qdisc add dev v0 root handle 1: htb r2q x",
		"tc qdisc add dev v0 root handle 1: htb default",
		"tc qdisc add dev v0 root handle 1: htb r2q 0 default 0x10001",
		"tc qdisc show dev v0",
		"tc class add dev v0 parent 1: classid 1:1 htb",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit rate 2mbit",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit ceil x",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit burst 10k/3",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit what",
		"tc class add dev v0 parent 1: classid 1:1 htb help",
		"tc class add dev v0 parent 1: classid 2:1 htb rate 1mbit",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit",
		"tc class add dev v0 parent 1:1 classid 1:2 htb rate 1mbit",
		"tc class add dev v0 parent 1:2 classid 1:3 htb rate 1mbit",
		"tc class add dev v0 parent 1:3 classid 1:4 htb rate 1mbit",
		"tc class add dev v0 parent 1:4 classid 1:5 htb rate 1mbit",
		"tc class add dev v0 parent 1:5 classid 1:6 htb rate 1mbit",
		"tc class add dev v0 parent 1:6 classid 1:7 htb rate 1mbit",
		"tc class add dev v0 parent 1:7 classid 1:8 htb rate 1mbit",
		"tc class add dev v0 parent 1:8 classid 1:9 htb rate 1mbit",
		"tc class add dev v0 parent 1:99 classid 1:77 htb rate 1mbit",
		"tc class add dev v0 parent 1: classid 1:0 htb rate 1mbit",
		"tc class add dev v0 parent 1: classid 1:ffff htb rate 1gbit",
		"tc class add dev v0 parent 1: htb rate 1mbit",
		"tc -d class show dev v0",
		"tc qdisc add dev v0 parent 1:2 handle 5: pfifo",
		"tc qdisc add dev v0 parent 1:8 handle 1: pfifo",
		"tc qdisc add dev v0 parent 1:8 handle 5: htb",
		"tc qdisc add dev v0 parent 5: handle 6: pfifo",
		"tc qdisc add dev v1 root handle 1: htb",
		"tc class add dev v1 parent 1: classid 1:1 htb rate 1mbit ceil 1bit",
		"tc class add dev v1 parent 1: classid 1:1 htb rate 1bit",
		"tc class add dev v1 parent 2: classid 2:1 htb rate 1mbit",
		"tc class add dev v1 parent 1: classid 1:1 estimator 1s 8s htb rate 1mbit",
		"tc class change dev v1 parent 1: classid 1:1 estimator 2s 8s htb rate 1mbit",
		"tc class change dev v1 parent 1: classid 1:1 estimator 250ms 100ms htb rate 1mbit",
		"tc class add dev v1 parent 1: classid 1:2 estimator 250ms 1s htb rate 1mbit",
		"tc -s class show dev v1",
		"tc class add dev v1 parent 1: classid 1:3 pfifo",
		"tc class add dev v0 parent 1: classid 1:3 ingress_block 1 htb rate 1mbit",
		"tc qdisc add dev v1 clsact",
		"tc class add dev v1 parent ffff: classid ffff:1 htb rate 1mbit",
	},
}

func TestHTBMatchesKernel(t *testing.T) {
	kerneldiff.Requirements(t)
	d := kerneldiff.StartDaemon(t)
	for name, cmds := range htbScripts {
		t.Run(name, func(t *testing.T) {
			kerneldiff.Compare(t, d, append(append([]string{}, setup...), cmds...))
		})
	}
}

// Many classes under one parent: `tc class show` prints them in the
// kernel's hash order, which depends on the table's growth.
func TestHTBClassOrderMatchesKernel(t *testing.T) {
	kerneldiff.Requirements(t)
	d := kerneldiff.StartDaemon(t)
	cmds := append([]string{}, setup...)
	cmds = append(cmds, "tc qdisc add dev v0 root handle 1: htb default 1")
	for i := 1; i <= 70; i++ {
		cmds = append(cmds, fmt.Sprintf("tc class add dev v0 parent 1: classid 1:%x htb rate %dkbit", i*37%4096+1, 100+i))
	}
	cmds = append(cmds, "tc class show dev v0", "tc class del dev v0 classid 1:26", "tc class del dev v0 classid 1:4b",
		"tc -s class show dev v0", "tc qdisc show dev v0 invisible")
	kerneldiff.Compare(t, d, cmds)
}
