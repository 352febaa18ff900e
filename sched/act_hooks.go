package sched

import "github.com/netsched/netsched/pkt"

// ActionHooks receive what actions hand to the rest of the kernel, which
// netsched has no equivalent of: simple's log line (pr_info) and sample's
// packets (psample, whose netlink group user space reads). Each is
// optional; a hook runs on the data path, under the lock of the hook or
// qdisc that ran the action, and must not keep the packet.
type ActionHooks struct {
	// Printk receives a kernel log line, without its newline.
	Printk func(line string)
	// Psample receives a sampled packet (psample_sample_packet).
	Psample func(s Sample, p *pkt.Packet)
}

// Sample is what psample reports with a sampled packet
// (struct psample_metadata and the group).
type Sample struct {
	Group      uint32
	Rate       uint32
	TruncSize  uint32
	InIfindex  int32
	OutIfindex int32
}

// SetActionHooks sets the namespace's action hooks. Call it before
// traffic flows.
func (n *Net) SetActionHooks(h ActionHooks) { n.acts().hooks = h }

// Hooks returns the action hooks of the action's namespace.
func (a *Action) Hooks() *ActionHooks { return &a.net.acts().hooks }
