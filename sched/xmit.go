package sched

import "github.com/netsched/netsched/pkt"

// PickTx chooses the TX queue for p (netdev_pick_tx): the recorded queue
// mapping when valid, else a hash over the real queues.
func (d *Dev) PickTx(p *pkt.Packet) *TxQueue {
	n := d.link.RealNumTxQueues()
	if n <= 1 {
		return d.txq[0]
	}
	if int(p.QueueMapping) < n && p.QueueMapping != 0 {
		return d.txq[p.QueueMapping]
	}
	i := int((uint64(p.Hash) * uint64(n)) >> 32)
	return d.txq[i]
}

// Transmit sends p out of the device (__dev_queue_xmit): through the root
// qdisc of its TX queue, or straight to the driver when the root is
// noqueue. The packet is owned by the device from here: it is sent, queued,
// or dropped and freed.
func (d *Dev) Transmit(p *pkt.Packet) Verdict {
	p.PktLen = uint32(len(p.Data))
	p.Dev = d
	if !d.egress(p) {
		return Success
	}
	t := d.PickTx(p)
	p.QueueMapping = uint16(t.index)
	for {
		root := t.qdisc.Load()
		if root.kind.Flags&KindNoQueue != 0 {
			// noqueue: no queue, straight to the driver; a busy
			// driver means a drop.
			if d.link.IsUp() && !t.stopped.Load() && d.link.Xmit(p, t.index) {
				return Success
			}
			p.Free()
			return Dropped
		}
		root.mu.Lock()
		if t.qdisc.Load() != root {
			root.mu.Unlock()
			continue
		}
		if root.stab != nil {
			root.stab.Apply(p)
		}
		v := root.Discipline.Enqueue(p)
		root.run(t)
		root.mu.Unlock()
		return v
	}
}

// Schedule runs the queue (__netif_schedule followed by net_tx_action):
// the watchdog calls it when a shaper may send again, and drivers call Wake.
func (t *TxQueue) Schedule() {
	root := t.qdisc.Load()
	if root.Flags&Builtin != 0 || root.kind.Flags&KindNoQueue != 0 {
		return
	}
	root.mu.Lock()
	if t.qdisc.Load() == root {
		root.run(t)
	}
	root.mu.Unlock()
}

// Stop is netif_tx_stop_queue: the driver has no room.
func (t *TxQueue) Stop() { t.stopped.Store(true) }

// Stopped reports whether the driver stopped the queue.
func (t *TxQueue) Stopped() bool { return t.stopped.Load() }

// Wake is netif_tx_wake_queue: the driver has room again; the queue runs.
func (t *TxQueue) Wake() {
	t.stopped.Store(false)
	t.Schedule()
	// A root shared by several queues (a non-mq root on a multiqueue
	// device) may hold packets for this queue that only a run from this
	// queue will send; Schedule ran the shared root already.
}

// run dequeues and transmits until the qdisc is empty, throttled, or the
// driver stops (__qdisc_run and qdisc_restart). Caller holds the root lock.
func (q *Qdisc) run(t *TxQueue) {
	d := q.dev
	for {
		var p *pkt.Packet
		if r := q.requeued.Head; r != nil {
			// A packet the driver refused before goes first, when its
			// queue has room.
			if d.txqOf(q, t, r).stopped.Load() {
				return
			}
			p = q.requeued.PopFront()
			q.QLen--
			q.Qstats.Backlog -= p.PktLen
		} else {
			if q.Flags&OneTxQueue != 0 && t.stopped.Load() {
				return
			}
			p = q.Discipline.Dequeue()
			if p == nil {
				return
			}
		}
		out := d.txqOf(q, t, p)
		if out.stopped.Load() || !d.link.Xmit(p, out.index) {
			// NETDEV_TX_BUSY: keep the packet at the head
			// (dev_requeue_skb).
			q.requeued.PushFront(p)
			q.QLen++
			q.Qstats.Backlog += p.PktLen
			q.Qstats.Requeues++
			return
		}
	}
}

// txqOf is the queue a dequeued packet leaves on: its own queue for a
// per-queue root, the packet's mapping for a root shared by all queues.
func (d *Dev) txqOf(q *Qdisc, t *TxQueue, p *pkt.Packet) *TxQueue {
	if q.Flags&OneTxQueue != 0 || len(d.txq) == 1 {
		return t
	}
	if int(p.QueueMapping) < len(d.txq) {
		return d.txq[p.QueueMapping]
	}
	return t
}
