package netdev

import (
	"sync"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// forwarder is a namespace's sched.Forwarder: the packets actions send to
// one of its devices (mirred) wait in a queue that a timer at the current
// instant drains, once the hook or qdisc that ran the action has returned
// and released its lock (see sched.Forwarder for why). Under a virtual
// clock the packets move when the clock is next advanced or stepped, at
// the same virtual time.
type forwarder struct {
	ns    *Namespace
	timer clock.Timer

	mu    sync.Mutex // guards q and spare
	q     []fwdItem
	spare []fwdItem
}

type fwdItem struct {
	d       *Device
	p       *pkt.Packet
	ingress bool
}

var _ sched.Forwarder = (*forwarder)(nil)

func newForwarder(ns *Namespace) *forwarder {
	f := &forwarder{ns: ns}
	f.timer = ns.Net.Clock.NewTimer(f.run)
	return f
}

// Device is dev_get_by_index.
func (f *forwarder) Device(ifindex int32) *sched.Dev {
	if d := f.ns.ByIndex(ifindex); d != nil {
		return d.Sched
	}
	return nil
}

// Forward queues p for d.
func (f *forwarder) Forward(sd *sched.Dev, p *pkt.Packet, ingress bool) bool {
	d, ok := sd.Link().(*Device)
	if !ok {
		p.Free()
		return false
	}
	f.mu.Lock()
	f.q = append(f.q, fwdItem{d, p, ingress})
	arm := len(f.q) == 1
	f.mu.Unlock()
	if arm {
		f.timer.Reset(f.ns.Net.Clock.Now())
	}
	return true
}

// run sends what is queued, and what that sends in turn, in order:
// transmitted through the device's qdiscs, or received as
// netif_receive_skb does (ingress hook, then the stack; no driver
// counters).
func (f *forwarder) run() {
	for {
		f.mu.Lock()
		batch := f.q
		f.q, f.spare = f.spare[:0], nil
		f.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for i, it := range batch {
			if it.ingress {
				it.d.receiveRedirected(it.p)
			} else {
				it.d.Transmit(it.p)
			}
			batch[i] = fwdItem{}
		}
		f.mu.Lock()
		if f.spare == nil {
			f.spare = batch[:0]
		}
		f.mu.Unlock()
	}
}

// receiveRedirected takes a packet an action redirected or mirrored to
// the device's ingress (netif_receive_skb): the device's ingress hook,
// then the namespace's stack.
func (d *Device) receiveRedirected(p *pkt.Packet) {
	if d.dead {
		p.Free()
		return
	}
	p.InIfindex = d.index
	if !d.Sched.Receive(p) {
		return
	}
	if d.ns.Deliver != nil {
		d.ns.Deliver(d, p)
		return
	}
	d.ns.world.netifRx(d, p)
}

// Type is the device's ARPHRD type (dev->type), as actions that only edit
// Ethernet frames ask.
func (d *Device) Type() uint16 { return d.kind.Type }
