package rtnl

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// NSCHED_NETNS lists or deletes the engine's namespaces, for `ip netns`
// (tools/nlshim/PROTOCOL.md). The payload is a u32 operation, then for a
// delete the namespace's name, NUL-terminated.
const NSCHED_NETNS = 0x7f20

// NSCHED_NETNS operations.
const (
	NetnsList   = 1
	NetnsDelete = 2
)

// netns answers NSCHED_NETNS: a list is one NSCHED_NETNS message holding
// the names, each NUL-terminated, in creation order.
func (c *Conn) netns(m *nl.Msg) error {
	if len(m.Data) < 4 {
		return syscall.EINVAL
	}
	switch binary.NativeEndian.Uint32(m.Data) {
	case NetnsList:
		b := nl.NewBuilder()
		b.Begin(NSCHED_NETNS, 0, m.Seq, c.Port)
		for _, ns := range c.e.world.Namespaces() {
			b.Raw(append([]byte(ns.Name), 0))
		}
		b.End()
		c.emit(b.Bytes())
		return nil
	case NetnsDelete:
		if !c.Privileged {
			return syscall.EPERM
		}
		name := nulString(m.Data[4:])
		if name == "" || c.e.world.Lookup(name) == nil {
			return sched.Err(syscall.ENOENT, "No such namespace")
		}
		if c.e.world.Lookup(name) == c.ns {
			return sched.Err(syscall.EBUSY, "Cannot delete the namespace of this socket")
		}
		// Sockets still open in it see an empty namespace afterwards.
		c.e.world.Delete(name)
		return nil
	}
	return syscall.EINVAL
}
