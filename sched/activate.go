package sched

import "github.com/netsched/netsched/tc"

// defaultKindFor is the kind of a queue's default qdisc
// (attach_one_default_qdisc): noqueue for IFF_NO_QUEUE devices, else the
// namespace's default.
func (d *Dev) defaultKindFor() *Kind {
	if d.link.NoQueue() {
		return NoQueue
	}
	return d.net.Default
}

// DefaultQdiscKind is get_default_qdisc_ops for the children mq makes: the
// default kind for real queues, pfifo_fast for the rest. fallback is
// pfifo_fast, which the core does not know by itself.
func (d *Dev) DefaultQdiscKind(ntx int, fallback *Kind) *Kind {
	if ntx < d.link.RealNumTxQueues() {
		return d.net.Default
	}
	return fallback
}

// attachDefaults gives the device its default qdiscs (attach_default_qdiscs):
// one per queue, with dev->qdisc the first one's, or an mq root on a
// multiqueue device that queues.
func (d *Dev) attachDefaults() {
	txq0 := d.txq[0]
	if !d.Multiqueue() || d.link.NoQueue() {
		k := d.defaultKindFor()
		for _, t := range d.txq {
			q := d.CreateDefault(t, k, tc.Root, nil)
			if q == nil {
				continue
			}
			if !d.Multiqueue() {
				q.Flags |= OneTxQueue | NoParent
			}
			t.sleeping = q
		}
		d.qdisc = txq0.sleeping
		d.qdisc.Hold()
	} else if mq := d.net.Kinds.Qdisc("mq"); mq != nil {
		if q := d.CreateDefault(txq0, mq, tc.Root, nil); q != nil {
			d.qdisc = q
			if a, ok := q.Discipline.(Attacher); ok {
				a.Attach()
			}
		}
	}
	if d.qdisc.IsNoop() {
		// The default failed to start: fall back to noqueue, as the
		// kernel does.
		if q := d.CreateDefault(txq0, NoQueue, tc.Root, nil); q != nil {
			txq0.sleeping = q
			d.qdisc = q
			q.Hold()
		}
	}
	if !d.qdisc.IsNoop() {
		d.hashAdd(d.qdisc, false)
	}
}

// transition makes the sleeping qdisc of t the active one.
func transition(t *TxQueue) {
	s := t.sleeping
	if s.Flags&Builtin == 0 {
		s.deactivated = false
	}
	t.qdisc.Store(s)
}

// Activate is dev_activate, run when the device comes up: default qdiscs if
// none is attached, then each queue's sleeping qdisc becomes active (only
// with carrier, as the kernel delays activation until carrier is on).
func (d *Dev) Activate() {
	if d.qdisc.IsNoop() {
		d.attachDefaults()
	}
	if !d.link.Carrier() {
		return
	}
	for _, t := range d.txq {
		transition(t)
	}
	if d.ingress != nil {
		transition(d.ingress)
	}
}

// Deactivate is dev_deactivate, run when the device goes down or loses
// carrier: every queue runs noop, and the sleeping qdiscs are reset (their
// packets dropped, their statistics kept).
func (d *Dev) Deactivate() {
	for _, t := range d.txq {
		d.deactivateQueue(t)
	}
	if d.ingress != nil {
		d.deactivateQueue(d.ingress)
	}
}

func (d *Dev) deactivateQueue(t *TxQueue) {
	s := t.sleeping
	l := &s.mu
	l.Lock()
	if s.Flags&Builtin == 0 {
		s.deactivated = true
	}
	t.qdisc.Store(noopQdisc)
	if t.index >= 0 && s.Flags&Builtin == 0 {
		s.resetAll()
	}
	l.Unlock()
}

// Shutdown is dev_shutdown, run when the device is unregistered: every
// qdisc is released and the device is left with noop.
func (d *Dev) Shutdown() {
	for _, t := range d.txq {
		old := t.graft(noopQdisc)
		old.Put()
	}
	if d.ingress != nil {
		old := d.ingress.graft(noopQdisc)
		old.Put()
	}
	d.qdisc.Put()
	d.qdisc = noopQdisc
}

// IsDeactivated reports whether the qdisc's tree was deactivated (the device
// went down); watchdogs do not arm then.
func (q *Qdisc) IsDeactivated() bool { return q.Root().deactivated }
