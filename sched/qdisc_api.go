package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// maxDepth is how deep a qdisc may sit below the root (parent->depth >= 7).
const maxDepth = 7

// allocHandle finds a free auto-handle, 8001: upward and wrapping below
// ffff: (qdisc_alloc_handle).
func (d *Dev) allocHandle() tc.Handle {
	h := d.net.Handles
	for i := 0x8000; i > 0; i-- {
		h.next += 0x10000
		if h.next == 0xFFFF0000 {
			h.next = 0x80000000
		}
		if d.Lookup(tc.Handle(h.next)) == nil {
			return tc.Handle(h.next)
		}
	}
	return 0
}

// leaf finds the qdisc attached to class classid of p (qdisc_leaf).
func leaf(p *Qdisc, classid tc.Handle) (*Qdisc, error) {
	cf, ok := p.Discipline.(Classful)
	if !ok {
		return nil, Err(syscall.EOPNOTSUPP, "Parent qdisc is not classful")
	}
	c := cf.Find(classid)
	if c == nil {
		return nil, Err(syscall.ENOENT, "Specified class not found")
	}
	return cf.Leaf(c), nil
}

// checkLoop reports whether p sits anywhere below q (check_loop).
func checkLoop(q, p *Qdisc, depth int) bool {
	cf, ok := q.Discipline.(Classful)
	if !ok {
		return false
	}
	loop := false
	cf.Walk(func(c Class) bool {
		l := cf.Leaf(c)
		if l == nil {
			return true
		}
		if l == p || depth > 7 || checkLoop(l, p, depth+1) {
			loop = true
			return false
		}
		return true
	})
	return loop
}

// ModifyQdisc creates, replaces or changes a qdisc (RTM_NEWQDISC,
// __tc_modify_qdisc), with the kernel's reading of NLM_F_CREATE, EXCL and
// REPLACE.
func (d *Dev) ModifyQdisc(r *Request) error {
	var q, p *Qdisc
	clid := r.TCM.Parent
	handle := r.TCM.Handle
	if clid != 0 {
		if clid != tc.Root {
			if clid != tc.Ingress {
				p = d.Lookup(clid.Maj())
				if p == nil {
					return Err(syscall.ENOENT, "Failed to find specified qdisc")
				}
				if p.Flags&Ingress != 0 {
					return Err(syscall.EOPNOTSUPP, "Cannot add children to ingress/clsact qdisc")
				}
				var err error
				if q, err = leaf(p, clid); err != nil {
					return err
				}
			} else {
				q = d.ingressQueueCreate().sleeping
			}
		} else {
			q = d.qdisc
		}
		// It may be a default qdisc: ignore it.
		if q != nil && q.Handle == 0 {
			q = nil
		}
		if q == nil || handle == 0 || q.Handle != handle {
			if handle != 0 {
				if q != nil && !r.Has(nl.NLM_F_REPLACE) {
					return Err(syscall.EEXIST, "NLM_F_REPLACE needed to override")
				}
				if handle.Min() != 0 {
					return Err(syscall.EINVAL, "Invalid minor handle")
				}
				q = d.Lookup(handle)
				if q == nil {
					return d.createAndGraft(r, p, clid, false)
				}
				if q.Parent != r.TCM.Parent {
					return Err(syscall.EINVAL, "Cannot move an existing qdisc to a different parent")
				}
				if r.Has(nl.NLM_F_EXCL) {
					return Err(syscall.EEXIST, "Exclusivity flag on, cannot override")
				}
				if !r.kindIs(q.kind.ID) {
					return Err(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
				}
				if q.Flags&Ingress != 0 {
					return Err(syscall.EINVAL, "Cannot regraft ingress or clsact Qdiscs")
				}
				if q == p || (p != nil && checkLoop(q, p, 0)) {
					return Err(syscall.ELOOP, "Qdisc parent/child loop detected")
				}
				if clid == tc.Ingress {
					return Err(syscall.EINVAL, "Ingress cannot graft directly")
				}
				q.Hold()
				if err := d.graft(r, p, clid, q, nil); err != nil {
					q.Put()
					return err
				}
				return nil
			}
			if q == nil {
				return d.createAndGraft(r, p, clid, false)
			}
			// The "magic test": a different kind under the same parent
			// means create and graft when the request says create,
			// and also for a plain change (the API's hole).
			if !r.kindIs(q.kind.ID) {
				if r.createOrReplace() || r.createExclusive() {
					return d.createAndGraft(r, p, clid, false)
				} else if r.isChange() {
					return d.createAndGraft(r, p, clid, true)
				}
			}
		}
	} else {
		if handle == 0 {
			return Err(syscall.EINVAL, "Handle cannot be zero")
		}
		q = d.Lookup(handle)
	}

	// Change qdisc parameters.
	if q == nil {
		return Err(syscall.ENOENT, "Specified qdisc not found")
	}
	if r.Has(nl.NLM_F_EXCL) {
		return Err(syscall.EEXIST, "Exclusivity flag on, cannot modify")
	}
	if !r.kindIs(q.kind.ID) {
		return Err(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
	}
	if err := q.change(r); err != nil {
		return err
	}
	r.notify(func(b *nl.Builder) bool { return notifyFill(b, r, clid, nil, q) })
	return nil
}

// createAndGraft is the create_n_graft path of __tc_modify_qdisc; change is
// the create_n_graft2 entry that skips the NLM_F_CREATE test.
func (d *Dev) createAndGraft(r *Request, p *Qdisc, clid tc.Handle, change bool) error {
	if !change && !r.Has(nl.NLM_F_CREATE) {
		return Err(syscall.ENOENT, "Qdisc not found. To create specify NLM_F_CREATE flag")
	}
	var q *Qdisc
	var err error
	if clid == tc.Ingress {
		if d.ingress == nil {
			return Err(syscall.ENOENT, "Cannot find ingress queue for specified device")
		}
		q, err = d.create(d.ingress, r.TCM.Parent, r.TCM.Parent, r)
	} else {
		txq := d.txq[0]
		if p != nil {
			if s, ok := p.Discipline.(QueueSelector); ok {
				txq = s.SelectQueue(&r.TCM)
			} else {
				txq = p.queue
			}
		}
		q, err = d.create(txq, r.TCM.Parent, r.TCM.Handle, r)
	}
	if err != nil {
		return err
	}
	if err := d.graft(r, p, clid, q, nil); err != nil {
		q.Put()
		return err
	}
	return nil
}

// create makes and initialises a qdisc from a request (qdisc_create).
func (d *Dev) create(txq *TxQueue, parent, handle tc.Handle, r *Request) (*Qdisc, error) {
	id, _ := r.Kind()
	k := d.net.Kinds.Qdisc(id)
	if k == nil || r.Attrs.Get(TCA_KIND) == nil {
		return nil, Err(syscall.ENOENT, "Specified qdisc kind is unknown")
	}
	q := d.alloc(txq, k)
	q.Parent = parent
	if handle == tc.Ingress {
		if q.Flags&Ingress == 0 {
			return nil, Err(syscall.EINVAL, "Specified parent ID is reserved for ingress and clsact Qdiscs")
		}
		handle = tc.Make(uint32(tc.Ingress), 0)
	} else {
		if handle == 0 {
			handle = d.allocHandle()
			if handle == 0 {
				return nil, Err(syscall.ENOSPC, "Maximum number of qdisc handles was exceeded")
			}
		}
		if !d.Multiqueue() {
			q.Flags |= OneTxQueue
		}
	}
	q.Handle = handle
	// The kernel's loophole: IFF_NO_QUEUE with txqueuelen 0 gets 1000 back.
	if d.link.NoQueue() && d.link.TxQueueLen() == 0 {
		d.link.SetTxQueueLen(1000)
	}
	if err := q.setBlocks(r); err != nil {
		return nil, err
	}
	if a := r.Attrs.Get(TCA_STAB); a != nil {
		st, err := ParseSizeTable(a.Data)
		if err != nil {
			return nil, err
		}
		q.stab = st
	}
	if err := q.Discipline.Init(r.Attrs.Get(TCA_OPTIONS), &r.Ext); err != nil {
		// The kernel destroys even when init failed.
		q.destroyFailed()
		return nil, err
	}
	if a := r.Attrs.Get(TCA_RATE); a != nil {
		if q.Flags&MQRoot != 0 {
			q.destroyFailed()
			return nil, Err(syscall.EOPNOTSUPP, "Cannot attach rate estimator to a multi-queue root qdisc")
		}
		est, err := NewEstimator(d.net.Clock, &q.Bstats, a.Data, nil)
		if err != nil {
			q.destroyFailed()
			return nil, &Error{Errno: ErrnoOf(err), Msg: "Failed to generate new estimator"}
		}
		q.est = est
	}
	d.hashAdd(q, false)
	return q, nil
}

// destroyFailed releases a qdisc whose creation failed after init started.
func (q *Qdisc) destroyFailed() {
	if x, ok := q.Discipline.(Destroyer); ok {
		x.Destroy()
	}
	q.stab = nil
}

// setBlocks applies TCA_INGRESS_BLOCK and TCA_EGRESS_BLOCK
// (qdisc_block_indexes_set).
func (q *Qdisc) setBlocks(r *Request) error {
	bs, _ := q.Discipline.(BlockSharer)
	if a := r.Attrs.Get(TCA_INGRESS_BLOCK); a != nil {
		idx := a.U32()
		if idx == 0 {
			return Err(syscall.EINVAL, "Ingress block index cannot be 0")
		}
		if bs == nil {
			return Err(syscall.EOPNOTSUPP, "Ingress block sharing is not supported")
		}
		bs.SetIngressBlock(idx)
	}
	if a := r.Attrs.Get(TCA_EGRESS_BLOCK); a != nil {
		idx := a.U32()
		if idx == 0 {
			return Err(syscall.EINVAL, "Egress block index cannot be 0")
		}
		if bs == nil || !bs.CanSetEgressBlock() {
			return Err(syscall.EOPNOTSUPP, "Egress block sharing is not supported")
		}
		bs.SetEgressBlock(idx)
	}
	return nil
}

// change applies a change request to q (qdisc_change).
func (q *Qdisc) change(r *Request) error {
	if opt := r.Attrs.Get(TCA_OPTIONS); opt != nil {
		ch, ok := q.Discipline.(Changer)
		if !ok {
			return Err(syscall.EINVAL, "Change operation not supported by specified qdisc")
		}
		if r.Attrs.Has(TCA_INGRESS_BLOCK) || r.Attrs.Has(TCA_EGRESS_BLOCK) {
			return Err(syscall.EOPNOTSUPP, "Change of blocks is not supported")
		}
		if err := q.underLock(func() error { return ch.Change(opt, &r.Ext) }); err != nil {
			return err
		}
	}
	var st *SizeTable
	if a := r.Attrs.Get(TCA_STAB); a != nil {
		var err error
		if st, err = ParseSizeTable(a.Data); err != nil {
			return err
		}
	}
	q.stab = st
	if a := r.Attrs.Get(TCA_RATE); a != nil && q.Flags&MQRoot == 0 {
		// Errors are ignored: the change cannot be undone.
		if est, err := NewEstimator(q.dev.net.Clock, &q.Bstats, a.Data, q.est); err == nil {
			q.est = est
		}
	}
	return nil
}

// underLock runs fn holding q's tree lock (sch_tree_lock), except for mq
// roots, whose children each have their own.
func (q *Qdisc) underLock(fn func() error) error {
	if q.Flags&MQRoot != 0 {
		return fn()
	}
	l := q.RootLock()
	l.Lock()
	defer l.Unlock()
	return fn()
}

// graft attaches new in place of old under parent p's class classid, or at
// the device's root when p is nil (qdisc_graft); on success the old qdisc
// is notified away and released.
func (d *Dev) graft(r *Request, p *Qdisc, classid tc.Handle, new, old *Qdisc) error {
	if p == nil {
		return d.graftRoot(r, classid, new, old)
	}
	cf, ok := p.Discipline.(Classful)
	if !ok {
		return syscall.EOPNOTSUPP
	}
	c := cf.Find(classid)
	if c == nil {
		return Err(syscall.ENOENT, "Specified class not found")
	}
	if new != nil && new.kind == NoQueue {
		return Err(syscall.EINVAL, "Cannot assign noqueue to a class")
	}
	if new != nil && p.Flags&MQRoot == 0 && new.stab != nil {
		return Err(syscall.EINVAL, "STAB not supported on a non root")
	}
	if new != nil && p.depth >= maxDepth {
		return Err(syscall.E2BIG, "Qdisc hierarchy is too deep")
	}
	var prev *Qdisc
	err := p.underLock(func() error {
		var err error
		prev, err = cf.Graft(c, new, &r.Ext)
		return err
	})
	if err != nil {
		return err
	}
	if new != nil {
		new.depth = p.depth + 1
	}
	d.notifyAndDestroy(r, classid, prev, new)
	return nil
}

func (d *Dev) graftRoot(r *Request, classid tc.Handle, new, old *Qdisc) error {
	if new != nil {
		new.depth = 0
	}
	q := old
	ingress := (q != nil && q.Flags&Ingress != 0) || (new != nil && new.Flags&Ingress != 0)
	var dq *TxQueue
	if ingress {
		dq = d.ingress
		if dq == nil {
			return Err(syscall.ENOENT, "Device does not have an ingress queue")
		}
		// The kernel takes the current ingress qdisc's last reference
		// here (qdisc_refcount_dec_if_one), so its deletion notice says
		// refcnt 0.
		if cur := dq.sleeping; cur.Flags&Builtin == 0 {
			if cur.refcnt != 1 {
				return Err(syscall.EBUSY, "Current ingress or clsact Qdisc has ongoing filter requests")
			}
			cur.refcnt = 0
		}
	}
	up := d.link.IsUp()
	if up {
		d.Deactivate()
	}
	_, attaches := Discipline(nil), false
	if new != nil {
		_, attaches = new.Discipline.(Attacher)
	}
	switch {
	case ingress:
		prev := dq.graft(nil)
		d.notifyQdisc(r, classid, prev, new)
		prev.destroy()
		dq.graft(new)
	case !attaches:
		for i, t := range d.txq {
			prev := t.graft(new)
			if new != nil && i > 0 {
				new.Hold()
			}
			prev.Put()
		}
	}
	if !ingress {
		prev := d.qdisc
		if new != nil && !attaches {
			new.Hold()
		}
		if new != nil {
			d.qdisc = new
		} else {
			d.qdisc = noopQdisc
		}
		d.notifyAndDestroy(r, classid, prev, new)
		if attaches {
			new.Discipline.(Attacher).Attach()
		}
	}
	if up {
		d.Activate()
	}
	return nil
}

// notifyQdisc sends the replacement of old by new (qdisc_notify).
func (d *Dev) notifyQdisc(r *Request, clid tc.Handle, old, new *Qdisc) {
	if !r.wanted() {
		return
	}
	r.notify(func(b *nl.Builder) bool { return notifyFill(b, r, clid, old, new) })
}

func notifyFill(b *nl.Builder, r *Request, clid tc.Handle, old, new *Qdisc) bool {
	wrote := false
	if old != nil && !old.dumpIgnore(false) {
		wrote = FillQdisc(b, old, clid, r.Pid, r.Seq, 0, RTM_DELQDISC, &r.Ext) || wrote
	}
	if new != nil && !new.dumpIgnore(false) {
		var flags uint16
		if old != nil {
			flags = nl.NLM_F_REPLACE
		}
		wrote = FillQdisc(b, new, clid, r.Pid, r.Seq, flags, RTM_NEWQDISC, &r.Ext) || wrote
	}
	return wrote
}

// notifyAndDestroy is notify_and_destroy: tell, then drop old's reference.
func (d *Dev) notifyAndDestroy(r *Request, clid tc.Handle, old, new *Qdisc) {
	if old != nil || new != nil {
		d.notifyQdisc(r, clid, old, new)
	}
	if old != nil {
		old.Put()
	}
}

// dumpIgnore is tc_qdisc_dump_ignore.
func (q *Qdisc) dumpIgnore(invisible bool) bool {
	if q.Flags&Builtin != 0 {
		return true
	}
	return q.Flags&Invisible != 0 && !invisible
}

// GetQdisc answers RTM_GETQDISC and RTM_DELQDISC for one qdisc
// (__tc_get_qdisc). A get sends the qdisc to the requester through reply.
func (d *Dev) GetQdisc(r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	var q, p *Qdisc
	clid := r.TCM.Parent
	if clid != 0 {
		if clid != tc.Root {
			if clid.Maj() != tc.Ingress.Maj() {
				p = d.Lookup(clid.Maj())
				if p == nil {
					return Err(syscall.ENOENT, "Failed to find qdisc with specified classid")
				}
				var err error
				if q, err = leaf(p, clid); err != nil {
					return err
				}
			} else if d.ingress != nil {
				q = d.ingress.sleeping
			}
		} else {
			q = d.qdisc
		}
		if q == nil {
			return Err(syscall.ENOENT, "Cannot find specified qdisc on specified device")
		}
		if r.TCM.Handle != 0 && q.Handle != r.TCM.Handle {
			return Err(syscall.EINVAL, "Invalid handle")
		}
	} else {
		q = d.Lookup(r.TCM.Handle)
		if q == nil {
			return Err(syscall.ENOENT, "Failed to find qdisc with specified handle")
		}
	}
	if !r.kindIs(q.kind.ID) {
		return Err(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
	}
	if r.Type == RTM_DELQDISC {
		if clid == 0 {
			return Err(syscall.EINVAL, "Classid cannot be zero")
		}
		if q.Handle == 0 {
			return Err(syscall.ENOENT, "Cannot delete qdisc with handle of zero")
		}
		return d.graft(r, p, clid, nil, q)
	}
	reply(func(b *nl.Builder) bool {
		if q.dumpIgnore(false) {
			return false
		}
		return FillQdisc(b, q, clid, r.Pid, r.Seq, 0, RTM_NEWQDISC, nil)
	})
	return nil
}

// DumpQdiscs calls fn for each qdisc a dump shows, in the kernel's order:
// the root, the hash, then the ingress root (tc_dump_qdisc_root).
func (d *Dev) DumpQdiscs(invisible bool, fn func(q *Qdisc) bool) bool {
	root := d.qdisc
	if !root.dumpIgnore(invisible) && !fn(root) {
		return false
	}
	if !d.eachHashed(func(q *Qdisc) bool {
		return q.dumpIgnore(invisible) || fn(q)
	}) {
		return false
	}
	if d.ingress != nil {
		if s := d.ingress.sleeping; !s.dumpIgnore(invisible) && !fn(s) {
			return false
		}
	}
	return true
}
