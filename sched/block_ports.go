package sched

import (
	"slices"
	"sync/atomic"
)

// Block ports (block->ports): the devices whose qdiscs hold a shared
// block, which mirred sends to when its target is a block. The control
// plane counts the holds of each device under the control lock (a clsact
// may hold one block for ingress and egress); the data path reads a
// snapshot of every block's ports, in ifindex order as the kernel's
// xarray walks them, that each change replaces.
type blockPorts struct {
	holds map[uint32]map[*Dev]int
	snap  atomic.Pointer[map[uint32][]*Dev]
}

// AddBlockPort records that a qdisc of d holds the shared block b.
func (n *Net) AddBlockPort(b *Block, d *Dev) {
	if b == nil || !b.Shared() || d == nil {
		return
	}
	if n.ports.holds == nil {
		n.ports.holds = map[uint32]map[*Dev]int{}
	}
	h := n.ports.holds[b.Index]
	if h == nil {
		h = map[*Dev]int{}
		n.ports.holds[b.Index] = h
	}
	h[d]++
	n.publishPorts()
}

// DelBlockPort undoes AddBlockPort.
func (n *Net) DelBlockPort(b *Block, d *Dev) {
	if b == nil || !b.Shared() || d == nil {
		return
	}
	h := n.ports.holds[b.Index]
	if h[d] == 0 {
		return
	}
	if h[d]--; h[d] == 0 {
		delete(h, d)
	}
	if len(h) == 0 {
		delete(n.ports.holds, b.Index)
	}
	n.publishPorts()
}

func (n *Net) publishPorts() {
	snap := make(map[uint32][]*Dev, len(n.ports.holds))
	for index, h := range n.ports.holds {
		devs := make([]*Dev, 0, len(h))
		for d := range h {
			devs = append(devs, d)
		}
		slices.SortFunc(devs, func(a, b *Dev) int { return int(a.Ifindex()) - int(b.Ifindex()) })
		snap[index] = devs
	}
	n.ports.snap.Store(&snap)
}

// BlockPorts returns the devices holding shared block index, in ifindex
// order (nil when none). The data path may call it; the slice is not to
// be changed.
func (n *Net) BlockPorts(index uint32) []*Dev {
	if s := n.ports.snap.Load(); s != nil {
		return (*s)[index]
	}
	return nil
}
