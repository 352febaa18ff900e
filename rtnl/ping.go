package rtnl

import (
	"syscall"

	"github.com/netsched/netsched/nl"
)

// ping is filled in with the stack's echo support.
func (c *Conn) ping(m *nl.Msg) error { return syscall.EOPNOTSUPP }
