package sched

import "github.com/netsched/netsched/pkt"

// Forwarder carries a packet an action sends to a device of the namespace:
// out of it (mirred egress: dev_queue_xmit) or into it (mirred ingress:
// netif_receive_skb). netdev implements it.
//
// The kernel forwards synchronously from inside the action, with no qdisc
// lock held on its ingress and clsact paths. Here actions run under the
// lock of the hook or qdisc that classifies, and veth delivers to its peer
// under the sender's root lock, so a synchronous forward could come back
// to a lock its own call chain holds. A Forwarder therefore queues the
// packet and sends it once that chain has returned, at the same instant on
// the namespace's clock (as netif_rx's backlog does for nested mirred).
type Forwarder interface {
	// Device returns the device of that ifindex, or nil (dev_get_by_index).
	// Control path only.
	Device(ifindex int32) *Dev
	// Forward takes p to be sent out of d, or received on it when ingress
	// is set. It owns p from here; false means it dropped p at once.
	Forward(d *Dev, p *pkt.Packet, ingress bool) bool
}

// Ifindex is the device's ifindex.
func (d *Dev) Ifindex() int32 { return d.link.Ifindex() }
