package cake_test

import (
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/cake"
	"github.com/netsched/netsched/qdisc/internal/facetest"
)

func FuzzWire(f *testing.F) {
	b := nl.NewBuilder()
	b.PutU64(cake.TCA_CAKE_BASE_RATE64, 125000)
	b.PutU32(cake.TCA_CAKE_DIFFSERV_MODE, cake.Diffserv8)
	b.PutU32(cake.TCA_CAKE_FLOW_MODE, cake.FlowTriple)
	b.PutU32(cake.TCA_CAKE_ATM, cake.ATMATM)
	b.PutU32(cake.TCA_CAKE_OVERHEAD, 0xfffffff0)
	b.PutU32(cake.TCA_CAKE_MPU, 64)
	b.PutU32(cake.TCA_CAKE_ACK_FILTER, cake.AckAggressive)
	b.PutU32(cake.TCA_CAKE_WASH, 1)
	b.PutU32(cake.TCA_CAKE_INGRESS, 1)
	b.PutU32(cake.TCA_CAKE_FWMARK, 0xf0)
	b.PutU32(cake.TCA_CAKE_MEMORY, 10000)
	b2 := nl.NewBuilder()
	b2.PutU32(cake.TCA_CAKE_AUTORATE, 1)
	b2.PutU32(cake.TCA_CAKE_DIFFSERV_MODE, 7)
	b2.PutU32(cake.TCA_CAKE_FLOW_MODE, 99)
	facetest.Wire(f, "cake", cake.Syntax, b.Bytes(), b2.Bytes(), nil)
}

func FuzzParse(f *testing.F) {
	facetest.Parse(f, "cake", cake.Syntax,
		"bandwidth 100mbit diffserv4 dual-dsthost nat wash ack-filter-aggressive split-gso rtt 50ms pppoe-ptm ether-vlan mpu 64 memlimit 4mb fwmark 0xf0 ingress",
		"besteffort flowblind nonat nowash no-ack-filter no-split-gso satellite docsis egress unlimited",
		"diffserv8 lan overhead -10 raw conservative autorate-ingress",
		"precedence interplanetary atm ethernet srchost hosts flows")
}
