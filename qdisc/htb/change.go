package htb

import (
	"syscall"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// ChangeClass creates a class (c nil) or changes one (htb_change_class).
func (h *htb) ChangeClass(req *sched.ClassChange, c sched.Class, ext *sched.Ext) (sched.Class, error) {
	cc, err := parseClassConfig(req.Options)
	if err != nil {
		return nil, err
	}
	var parent *class
	if req.ParentID != tc.Root {
		// A parent that does not exist makes a root class.
		parent = h.find(req.ParentID)
	}
	hopt := &cc.opt
	var cl *class
	if c != nil {
		cl = c.(*class)
		if req.Rate != nil {
			est, err := sched.NewEstimator(h.clock(), &cl.bstats, req.Rate.Data, cl.est)
			if err != nil {
				return nil, err
			}
			cl.est = est
		}
	} else {
		if cl, err = h.newClass(req, parent, hopt); err != nil {
			return nil, err
		}
	}

	cl.rate = sched.NewRateCfg(hopt.Rate, cc.rate64)
	cl.ceil = sched.NewRateCfg(hopt.Ceil, cc.ceil64)
	warn := 0
	// Only a leaf takes quantum and priority: the test used to be
	// missing, and corrupted inner classes.
	if cl.level == 0 {
		cl.quantum, warn = leafQuantum(hopt.Quantum, cl.rate.BytesPerSec, h.r2q)
		cl.prio = min(hopt.Prio, NumPrio-1)
	}
	cl.buffer = sched.TicksToNs(uint64(hopt.Buffer))
	cl.cbuffer = sched.TicksToNs(uint64(hopt.CBuffer))
	if warn != 0 {
		size := "big"
		if warn < 0 {
			size = "small"
		}
		ext.Warn("sch_htb: quantum of class %X is %s. Consider r2q change.", uint32(cl.id), size)
	}
	h.classes.Grow()
	return cl, nil
}

// newClass makes a leaf under parent, turning parent into an inner class
// if it was a leaf.
func (h *htb) newClass(req *sched.ClassChange, parent *class, hopt *Opt) (*class, error) {
	id := req.ClassID
	if id == 0 || id.Maj() != h.q.Handle || h.find(id) != nil {
		return nil, syscall.EINVAL
	}
	if parent != nil && parent.parent != nil && parent.parent.level < 2 {
		return nil, sched.Err(syscall.EINVAL, "sch_htb: tree is too deep")
	}
	cl := newClass(id)
	cl.block = sched.NewBlock(h.q)
	if req.Rate != nil {
		est, err := sched.NewEstimator(h.clock(), &cl.bstats, req.Rate.Data, nil)
		if err != nil {
			h.q.Dev().Net().PutBlock(cl.block)
			return nil, err
		}
		cl.est = est
	}
	leaf := h.newLeafQdisc(id, nil)

	var parentQdisc *sched.Qdisc
	if parent != nil && parent.level == 0 {
		// The parent becomes inner: its packets go, and so does its
		// place in feeds, rows and the event queue.
		parent.leaf.PurgeQueue()
		parentQdisc = parent.leaf
		h.deactivate(parent)
		if parent.cmode != canSend {
			h.levels[0].wait.remove(parent)
			parent.cmode = canSend
		}
		if parent.parent != nil {
			parent.level = parent.parent.level - 1
		} else {
			parent.level = MaxDepth - 1
		}
		parent.inner = &innerState{}
		parent.leaf = nil
		parent.deficit = [MaxDepth]int32{}
	}
	if leaf == nil {
		leaf = sched.NoopQdisc()
	}
	cl.leaf = leaf
	cl.parent = parent
	// A new class starts with full buckets, allowed to send.
	cl.tokens = sched.TicksToNs(uint64(hopt.Buffer))
	cl.ctokens = sched.TicksToNs(uint64(hopt.CBuffer))
	cl.mbuffer = mbuffer
	cl.tc = h.q.Now()
	cl.cmode = canSend

	h.classes.Insert(id, cl)
	h.index.set(id.Minor(), cl)
	if parent != nil {
		parent.children++
	}
	if !leaf.IsNoop() {
		h.q.Dev().HashAdd(leaf, true)
	}
	if id == h.defaultID() {
		h.defClass = cl
	}
	if parentQdisc != nil {
		parentQdisc.Put()
	}
	return cl, nil
}

// DeleteClass removes a class without children or filters; a leaf that was
// its parent's last child makes the parent a leaf again (htb_delete).
func (h *htb) DeleteClass(c sched.Class, ext *sched.Ext) error {
	cl := c.(*class)
	if cl.children != 0 || cl.filterCnt > 0 {
		return sched.Err(syscall.EBUSY, "HTB class in use")
	}
	lastChild := cl.level == 0 && cl.parent != nil && cl.parent.children <= 1
	var newQ *sched.Qdisc
	if lastChild {
		newQ = h.newLeafQdisc(cl.parent.id, nil)
	}
	if cl.level == 0 {
		cl.leaf.PurgeQueue()
	}
	h.classes.Remove(cl.id)
	h.index.set(cl.id.Minor(), nil)
	if cl.parent != nil {
		cl.parent.children--
	}
	h.deactivate(cl)
	if cl.cmode != canSend {
		h.levels[cl.level].wait.remove(cl)
	}
	if lastChild {
		h.parentToLeaf(cl, newQ)
	}
	if h.defClass == cl {
		h.defClass = nil
	}
	h.forgetBlockUser(cl)
	cl.destroy(h.q.Dev().Net())
	return nil
}

// parentToLeaf makes cl's parent a leaf with qdisc newQ (htb_parent_to_leaf).
// The kernel does not add that qdisc to the device's hash.
func (h *htb) parentToLeaf(cl *class, newQ *sched.Qdisc) {
	p := cl.parent
	if p.cmode != canSend {
		h.levels[p.level].wait.remove(p)
	}
	p.level = 0
	p.inner = nil
	p.deficit = [MaxDepth]int32{}
	if newQ == nil {
		newQ = sched.NoopQdisc()
	}
	p.leaf = newQ
	p.tokens = p.buffer
	p.ctokens = p.cbuffer
	p.tc = h.q.Now()
	p.cmode = canSend
}

func (h *htb) clock() clock.Clock { return h.q.Dev().Net().Clock }
