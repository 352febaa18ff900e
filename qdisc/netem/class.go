package netem

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// netem has one class, 1, whose leaf is the optional child qdisc: packets
// leave the tfifo into it when due. Without a child the class does not
// dump (netem_dump_class answers ENOENT).

type theClass struct{}

// Find answers the class for any id (netem_find).
func (n *netem) Find(tc.Handle) sched.Class { return theClass{} }

// Leaf is the child, or nil.
func (n *netem) Leaf(sched.Class) *sched.Qdisc { return n.child }

// Graft replaces the child (qdisc_replace): nil removes it; the old one is
// purged.
func (n *netem) Graft(_ sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	if new != nil && new.IsNoop() {
		new = nil
	}
	old := n.child
	n.child = new
	if old != nil {
		old.PurgeQueue()
	}
	return old, nil
}

// Walk visits the one class.
func (n *netem) Walk(fn func(sched.Class) bool) { fn(theClass{}) }

func (n *netem) DumpClass(_ sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	if n.child == nil {
		return syscall.ENOENT
	}
	m.Handle |= 1
	m.Info = uint32(n.child.Handle)
	return nil
}
