package netdev

import "github.com/netsched/netsched/sched"

// names is a namespace's sched.DeviceNames: classifiers resolve the
// device names their filters carry through it (under the control lock).
type names struct{ ns *Namespace }

var _ sched.DeviceNames = names{}

func (n names) IfindexByName(name string) int32 {
	if d := n.ns.ByName(name); d != nil {
		return d.Ifindex()
	}
	return 0
}

func (n names) NameByIfindex(ifindex int32) string {
	if d := n.ns.ByIndex(ifindex); d != nil {
		return d.Name()
	}
	return ""
}
