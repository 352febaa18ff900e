package cake_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/facetest"
)

// Words, errors, text and JSON of cake, its per-tin statistics included, as
// iproute2 6.1 has them (qdisc/internal/facetest.Compare).
func TestFaceMatchesIproute2(t *testing.T) {
	facetest.Compare(t, []string{
		"qdisc add dev d0 root handle 1: cake bandwidth 100mbit diffserv4 dual-dsthost nat wash ack-filter-aggressive split-gso rtt 50ms pppoe-ptm ether-vlan mpu 64 memlimit 4mb fwmark 0xf0 ingress",
		"qdisc show dev d0",
		"-s qdisc show dev d0",
		"-j qdisc show dev d0",
		"-s -j qdisc show dev d0",
		"-s -d qdisc show dev d0",
		"qdisc change dev d0 root cake besteffort flowblind nonat nowash no-ack-filter no-split-gso satellite docsis egress unlimited",
		"-s qdisc show dev d0",
		"qdisc change dev d0 root cake diffserv8 lan lan",
		"qdisc change dev d0 root cake diffserv8 lan metro",
		"qdisc change dev d0 root cake precedence overhead 300",
		"qdisc change dev d0 root cake overhead -10 raw",
		"qdisc show dev d0",
		"-s qdisc show dev d0",
		"qdisc change dev d0 root cake mpu 1000",
		"qdisc change dev d0 root cake fwmark x",
		"qdisc change dev d0 root cake memlimit x",
		"qdisc change dev d0 root cake bogus",
		"qdisc change dev d0 root cake autorate-ingress conservative",
		"-s qdisc show dev d0",
		"class show dev d0",
	})
}
