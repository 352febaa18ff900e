package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// DeviceNames resolves the namespace's device names for classifiers that
// name devices (u32 and flower's indev, route's fromif): by name when a
// filter is changed, by ifindex when it is dumped, as the kernel looks
// the device up at both times. netdev sets it; nil resolves nothing.
type DeviceNames interface {
	// IfindexByName returns the ifindex of the device of that name, or 0.
	IfindexByName(name string) int32
	// NameByIfindex returns the name of the device of that ifindex, or "".
	NameByIfindex(ifindex int32) string
}

// ChangeIndev resolves a filter's indev attribute (tcf_change_indev): the
// name must fit IFNAMSIZ and name a device of the namespace.
func ChangeIndev(n *Net, a *nl.Attr) (int32, error) {
	if nameTooLong(a) {
		return 0, Err(syscall.EINVAL, "Interface name too long")
	}
	var ifindex int32
	if n != nil && n.Names != nil {
		ifindex = n.Names.IfindexByName(a.Str())
	}
	if ifindex == 0 {
		return 0, Err(syscall.ENODEV, "Network device not found")
	}
	return ifindex, nil
}

// DeviceName is the name of a device of the namespace, "" if none.
func (n *Net) DeviceName(ifindex int32) string {
	if n == nil || n.Names == nil {
		return ""
	}
	return n.Names.NameByIfindex(ifindex)
}

// MatchIndev is tcf_match_indev: a filter bound to a device (ifindex not
// 0) matches only packets that arrived on it.
func MatchIndev(p *pkt.Packet, ifindex int32) bool {
	if ifindex == 0 {
		return true
	}
	return p.InIfindex != 0 && p.InIfindex == ifindex
}

// Net returns the namespace's scheduling state the proto lives in.
func (tp *Proto) Net() *Net { return tp.Chain.Block.net }

// Net returns the namespace's scheduling state the block lives in (for
// chain templates, which have no proto).
func (b *Block) Net() *Net { return b.net }
