package clstest_test

import "github.com/netsched/netsched/netdev"

var schedtestLinkSpec = netdev.LinkSpec{Name: "eth1", Kind: "netdevsim", NumTx: 1}
