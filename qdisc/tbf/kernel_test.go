package tbf_test

import (
	"testing"

	"github.com/netsched/netsched/kerneldiff"
)

// tbfScripts are run on the real kernel and on netsched; the transcripts
// (stdout, stderr, exit code of each command) must be identical.
var tbfScripts = map[string][]string{
	"options": {
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 10ms",
		"tc qdisc show dev v0",
		"tc -d -r qdisc show dev v0",
		"tc -j -s -d qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 10gbit burst 100k/64 limit 1m peakrate 20gbit mtu 9000/8 overhead 20 linklayer atm mpu 64",
		"tc qdisc show dev v0",
		"tc -d -r qdisc show dev v0",
		"tc -j -s -d -r qdisc show dev v0",
		"tc -p -j qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 2mbit minburst 1500",
		"tc qdisc show dev v0",
		"tc -j qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 2mbit minburst 1",
		"tc qdisc replace dev v0 root handle 1: tbf rate 100gbit burst 10m latency 1s peakrate 200gbit mtu 64k",
		"tc -d qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 8bit burst 1 latency 1s",
		"tc -d qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 1kbit burst 4g latency 1000s mtu 1",
		"tc qdisc replace dev v0 root handle 1: tbf rate 1kbit burst 1k latency 1000s mtu 1",
		"tc -d qdisc show dev v0",
		"tc qdisc replace dev v0 root handle 1: tbf rate 1mbit buffer 5k latency 1ms linklayer adsl overhead 10",
		"tc -s -d qdisc show dev v0",
		"tc qdisc change dev v0 root handle 1: tbf rate 2mbit maxburst 5k/16 limit 3000",
		"tc -s -d qdisc show dev v0 invisible",
	},
	"errors": {
		"tc qdisc add dev v0 root handle 1: tbf",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k limit 10k peakrate 2mbit",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 10ms limit 5",
		"tc qdisc add dev v0 root handle 1: tbf limit 5 latency 3",
		"tc qdisc add dev v0 root handle 1: tbf burst 1 burst 2",
		"tc qdisc add dev v0 root handle 1: tbf rate x",
		"tc qdisc add dev v0 root handle 1: tbf peak 1x",
		"tc qdisc add dev v0 root handle 1: tbf overhead 70000",
		"tc qdisc add dev v0 root handle 1: tbf linklayer foo",
		"tc qdisc add dev v0 root handle 1: tbf foo",
		"tc qdisc add dev v0 root handle 1: tbf help",
		"tc qdisc add dev v0 root handle 1: tbf limit",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 1mbit mtu 1500",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 500kbit mtu 1500",
		"tc qdisc show dev v0",
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 1 limit 100",
		"tc qdisc show dev v0",
		"tc class add dev v0 parent 1: classid 1:2 tbf",
		"tc class del dev v0 classid 1:1",
		"tc class change dev v0 classid 1:1 htb rate 1mbit",
	},
	"child": {
		"tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 10ms",
		"tc qdisc show dev v0 invisible",
		"tc -s class show dev v0",
		"tc qdisc add dev v0 parent 1:1 handle 10: pfifo limit 5",
		"tc qdisc add dev v0 parent 1:7 handle 11: pfifo limit 5",
		"tc qdisc show dev v0",
		"tc class show dev v0",
		"tc qdisc change dev v0 root handle 1: tbf rate 1mbit burst 10k limit 20k",
		"tc qdisc show dev v0",
		"tc qdisc del dev v0 parent 1:1",
		"tc qdisc show dev v0 invisible",
		"tc class show dev v0",
		"tc qdisc change dev v0 root handle 1: tbf rate 1mbit burst 10k latency 10ms",
		"tc qdisc show dev v0 invisible",
		"tc qdisc change dev v0 root handle 1: tbf rate 1mbit burst 10k limit 20k",
		"tc -d qdisc show dev v0 invisible",
		"tc qdisc add dev v0 parent 1:1 handle 20: htb default 1",
		"tc class add dev v0 parent 20: classid 20:1 htb rate 1mbit",
		"tc qdisc change dev v0 root handle 1: tbf rate 1mbit burst 10k limit 20k",
		"tc -s qdisc show dev v0",
		"tc class show dev v0",
		"tc qdisc del dev v0 root",
		"tc qdisc add dev v0 root handle 1: htb default 1",
		"tc class add dev v0 parent 1: classid 1:1 htb rate 1mbit",
		"tc qdisc add dev v0 parent 1:1 handle 2: tbf rate 1mbit burst 2k latency 50ms",
		"tc qdisc show dev v0",
		"tc class show dev v0",
		"tc qdisc add dev v0 parent 2:1 handle 3: tbf rate 1mbit burst 2k latency 50ms",
		"tc -d qdisc show dev v0",
		"tc class show dev v0",
	},
}

func TestTBFMatchesKernel(t *testing.T) {
	kerneldiff.Requirements(t)
	d := kerneldiff.StartDaemon(t)
	for name, cmds := range tbfScripts {
		t.Run(name, func(t *testing.T) {
			kerneldiff.Compare(t, d, append([]string{
				"ip link add v0 type veth peer name v1",
				"ip link set v0 up",
				"ip link set v1 up",
			}, cmds...))
		})
	}
}
