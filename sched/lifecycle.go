package sched

import (
	"github.com/netsched/netsched/tc"
)

// alloc makes a qdisc of kind k on queue txq (qdisc_alloc).
func (d *Dev) alloc(txq *TxQueue, k *Kind) *Qdisc {
	q := &Qdisc{kind: k, dev: d, queue: txq, refcnt: 1}
	if k.Flags&KindIngress != 0 {
		q.Flags |= Ingress
	}
	q.Discipline = k.New(q)
	return q
}

// CreateDefault makes a qdisc of kind k with no options, attached under
// parent, with handle 0 (qdisc_create_dflt). It returns nil if the kind
// refuses to start without options.
func (d *Dev) CreateDefault(txq *TxQueue, k *Kind, parent tc.Handle, ext *Ext) *Qdisc {
	q := d.alloc(txq, k)
	q.Parent = parent
	if err := q.Discipline.Init(nil, ext); err != nil {
		q.Put()
		return nil
	}
	return q
}

// Hold takes a reference (qdisc_refcount_inc).
func (q *Qdisc) Hold() {
	if q.Flags&Builtin == 0 {
		q.refcnt++
	}
}

// Put drops a reference and destroys the qdisc with the last (qdisc_put).
func (q *Qdisc) Put() {
	if q == nil || q.Flags&Builtin != 0 {
		return
	}
	q.refcnt--
	if q.refcnt == 0 {
		q.destroy()
	}
}

// destroy releases the qdisc whatever its count (__qdisc_destroy).
func (q *Qdisc) destroy() {
	if q.Flags&Builtin != 0 {
		return
	}
	q.dev.hashDel(q)
	q.stab = nil
	if q.est != nil {
		q.est.Stop()
		q.est = nil
	}
	q.resetAll()
	if x, ok := q.Discipline.(Destroyer); ok {
		x.Destroy()
	}
}

// graftQueue attaches q as the sleeping qdisc of txq and makes the active one
// noop until activation; it returns the old sleeping qdisc (dev_graft_qdisc).
func (t *TxQueue) graft(q *Qdisc) *Qdisc {
	old := t.sleeping
	if q == nil {
		q = noopQdisc
	}
	l := &old.mu
	l.Lock()
	t.sleeping = q
	t.qdisc.Store(noopQdisc)
	l.Unlock()
	return old
}

// GraftQueue is dev_graft_qdisc, for kinds that attach children to queues
// themselves (mq's attach).
func (t *TxQueue) GraftQueue(q *Qdisc) *Qdisc { return t.graft(q) }
