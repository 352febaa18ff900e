package netem_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/facetest"
)

// Words, errors, text and JSON of netem as iproute2 6.1 has them, including
// the distribution tables it loads (qdisc/internal/facetest.Compare).
func TestFaceMatchesIproute2(t *testing.T) {
	facetest.Compare(t, []string{
		"qdisc add dev d0 root handle 1: netem delay 100ms 10ms 25% distribution normal loss 1% 30% duplicate 2% 10% reorder 5% 50% gap 3 corrupt 0.1% 5% rate 1mbit 20 100 -5",
		"-s qdisc show dev d0",
		"-j qdisc show dev d0",
		"-j -p qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem loss state 1% 2% 3% 4% 5% ecn",
		"qdisc show dev d0",
		"-j qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem loss gemodel 1% 10% 70% 0.1%",
		"qdisc show dev d0",
		"-j qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem slot 10ms 20ms packets 10 bytes 20k",
		"qdisc show dev d0",
		"-j qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem slot distribution pareto 1ms 0.1ms packets 3",
		"qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem delay 1s 100ms distribution paretonormal",
		"qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem delay 1s 100ms distribution uniform",
		"qdisc change dev d0 root handle 1: netem delay 1s 100ms distribution experimental",
		"qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem reorder 10%",
		"qdisc change dev d0 root handle 1: netem gap 5",
		"qdisc change dev d0 root handle 1: netem ecn",
		"qdisc change dev d0 root handle 1: netem distribution normal",
		"qdisc change dev d0 root handle 1: netem bogus",
		"qdisc change dev d0 root handle 1: netem help",
		"qdisc change dev d0 root handle 1: netem loss 1% loss 2%",
		"qdisc change dev d0 root handle 1: netem loss what",
		"qdisc change dev d0 root handle 1: netem loss 101%",
		"qdisc change dev d0 root handle 1: netem delay 5000s",
		"qdisc change dev d0 root handle 1: netem delay",
		"qdisc change dev d0 root handle 1: netem slot 5ms 1ms",
		"qdisc change dev d0 root handle 1: netem slot foo",
		"qdisc change dev d0 root handle 1: netem slot distribution normal 1ms 0",
		"qdisc change dev d0 root handle 1: netem l 10 del 1ms",
		"qdisc show dev d0",
		"qdisc change dev d0 root handle 1: netem rate 50gbit",
		"qdisc show dev d0",
		"-j qdisc show dev d0",
		"qdisc add dev d0 parent 1:1 handle 2: pfifo limit 5",
		"class show dev d0",
		"-s qdisc show dev d0",
	})
}
