package kerneldiff_test

import (
	"testing"

	"github.com/netsched/netsched/kerneldiff"
)

// Static routes with realms (RTA_FLOW), as cls_route reads them. No
// address is added: netsched does not list connected routes.
var routeScript = []string{
	"ip link add v0 type veth peer name v1",
	"ip link set v0 up",
	"ip route add 10.8.0.0/24 dev v0 realm 2",
	"ip route add 10.7.0.0/16 dev v0 realms 3/4 metric 5",
	"ip route add 10.8.0.0/24 dev v0 realm 2",
	"ip route replace 10.8.0.0/24 dev v0 realm 6",
	"ip route show",
	"ip -j route show",
	"ip route del 10.6.0.0/16 dev v0",
	"ip route del 10.7.0.0/16 dev v0 metric 5",
	"ip route show",
	"tc qdisc add dev v0 root handle 1: htb",
	"tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.8.0.0/24 flowid 1:2",
	"ip link del v0",
	"ip route show",
}

func TestRoutesMatchKernel(t *testing.T) {
	kerneldiff.Requirements(t)
	d := kerneldiff.StartDaemon(t)
	kerneldiff.Compare(t, d, routeScript)
}
