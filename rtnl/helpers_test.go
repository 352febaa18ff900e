package rtnl_test

import "github.com/netsched/netsched/tc"

func tcHandle(v uint32) tc.Handle { return tc.Handle(v) }
