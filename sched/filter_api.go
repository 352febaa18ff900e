package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
)

// PLACEHOLDER: replaced by the cls_api work in progress.

// FilterCtl answers RTM_NEWTFILTER, RTM_DELTFILTER and RTM_GETTFILTER.
func FilterCtl(n *Net, devs func(int32) *Dev, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	return syscall.EOPNOTSUPP
}

// ChainCtl answers RTM_NEWCHAIN, RTM_DELCHAIN and RTM_GETCHAIN.
func ChainCtl(n *Net, devs func(int32) *Dev, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	return syscall.EOPNOTSUPP
}

// DumpFilters answers a filter dump.
func DumpFilters(n *Net, devs func(int32) *Dev, r *Request, add func(fill func(b *nl.Builder) bool)) error {
	return nil
}

// DumpChains answers a chain dump.
func DumpChains(n *Net, devs func(int32) *Dev, r *Request, add func(fill func(b *nl.Builder) bool)) error {
	return nil
}
