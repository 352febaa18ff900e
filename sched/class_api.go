package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// ClassCtl answers RTM_NEWTCLASS, RTM_DELTCLASS and RTM_GETTCLASS
// (__tc_ctl_tclass). A get sends the class through reply.
func (d *Dev) ClassCtl(r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	// parent == Unspec: unspecified; Root: the class is a root; X:0 its
	// parent is the root class; X:Y a node; 0:Y means X:Y with X:0 the
	// qdisc. handle 0:0 asks for a generated id, 0:Y means X:Y.
	portid := r.TCM.Parent
	clid := r.TCM.Handle
	qid := clid.Maj()
	if portid != tc.Root {
		qid1 := portid.Maj()
		switch {
		case qid != 0 && qid1 != 0:
			if qid != qid1 {
				return syscall.EINVAL
			}
		case qid1 != 0:
			qid = qid1
		case qid == 0:
			qid = d.qdisc.Handle
		}
		if portid != 0 {
			portid = tc.Make(uint32(qid), uint32(portid))
		}
	} else if qid == 0 {
		qid = d.qdisc.Handle
	}

	q := d.Lookup(qid)
	if q == nil {
		return syscall.ENOENT
	}
	cf, ok := q.Discipline.(Classful)
	if !ok {
		return syscall.EINVAL
	}
	if clid == 0 {
		if portid == tc.Root {
			clid = qid
		}
	} else {
		clid = tc.Make(uint32(qid), uint32(clid))
	}
	var c Class
	if clid != 0 {
		c = cf.Find(clid)
	}
	if c == nil {
		if r.Type != RTM_NEWTCLASS || !r.Has(nl.NLM_F_CREATE) {
			return syscall.ENOENT
		}
	} else {
		switch r.Type {
		case RTM_NEWTCLASS:
			if r.Has(nl.NLM_F_EXCL) {
				return syscall.EEXIST
			}
		case RTM_DELTCLASS:
			err := d.deleteClass(r, q, c)
			// Filters let go of the class whatever the outcome, as
			// in the kernel.
			d.bindClass(q, clid, nil)
			return err
		case RTM_GETTCLASS:
			reply(func(b *nl.Builder) bool {
				return FillClass(b, q, c, r.Pid, r.Seq, 0, RTM_NEWTCLASS, nil)
			})
			return nil
		default:
			return syscall.EINVAL
		}
	}
	if r.Attrs.Has(TCA_INGRESS_BLOCK) || r.Attrs.Has(TCA_EGRESS_BLOCK) {
		return Err(syscall.EOPNOTSUPP, "Shared blocks are not supported for classes")
	}
	if clid == tc.Root {
		return Err(syscall.EINVAL, "Cannot create traffic class with classid TC_H_ROOT")
	}
	ch, ok := q.Discipline.(ClassChanger)
	if !ok {
		return syscall.EOPNOTSUPP
	}
	var nc Class
	err := q.underLock(func() error {
		var err error
		nc, err = ch.ChangeClass(&ClassChange{
			ClassID:  clid,
			ParentID: portid,
			Options:  r.Attrs.Get(TCA_OPTIONS),
			Rate:     r.Attrs.Get(TCA_RATE),
		}, c, &r.Ext)
		return err
	})
	if err != nil {
		return err
	}
	r.notify(func(b *nl.Builder) bool {
		return FillClass(b, q, nc, r.Pid, r.Seq, 0, RTM_NEWTCLASS, &r.Ext)
	})
	if c == nil {
		d.bindClass(q, clid, nc)
	}
	return nil
}

// deleteClass is tclass_del_notify: the notification is filled before the
// class goes, and sent only if the delete succeeds.
func (d *Dev) deleteClass(r *Request, q *Qdisc, c Class) error {
	del, ok := q.Discipline.(ClassDeleter)
	if !ok {
		return syscall.EOPNOTSUPP
	}
	var msg *nl.Builder
	if r.wanted() {
		msg = nl.NewBuilder()
		if !FillClass(msg, q, c, r.Pid, r.Seq, 0, RTM_DELTCLASS, &r.Ext) {
			return syscall.EINVAL
		}
	}
	if err := q.underLock(func() error { return del.DeleteClass(c, &r.Ext) }); err != nil {
		return err
	}
	if msg != nil {
		r.notify(func(b *nl.Builder) bool { b.Raw(msg.Bytes()); return true })
	}
	return nil
}

// DumpClasses calls fn with each qdisc whose classes a dump of classes with
// tcm_parent parent shows, in the kernel's order (__tc_dump_tclass).
func (d *Dev) DumpClasses(parent tc.Handle, fn func(q *Qdisc) bool) {
	visit := func(q *Qdisc) bool {
		if q.dumpIgnore(false) {
			return true
		}
		if _, ok := q.Discipline.(Classful); !ok {
			return true
		}
		if parent != 0 && parent.Maj() != q.Handle {
			return true
		}
		return fn(q)
	}
	root := d.qdisc
	if !visit(root) {
		return
	}
	if parent != 0 {
		if q := d.matchFromRoot(root, parent.Maj()); q != nil && q != root {
			if !visit(q) {
				return
			}
		}
	} else if !d.eachHashed(visit) {
		return
	}
	if d.ingress != nil {
		visit(d.ingress.sleeping)
	}
}
