package hfsc

import (
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Which curves a class has (hfsc_class_flags).
const (
	hasRSC = 1 << iota // real time
	hasFSC             // link sharing
	hasUSC             // upper limit
)

// class is struct hfsc_class. Times are in ticks, work in bytes.
type class struct {
	id     tc.Handle
	h      *hfsc
	parent *class
	// children are the class's children in no particular order (only
	// their levels matter); sib is the class's index among its parent's.
	children []*class
	sib      int
	level    uint32 // 0 for a leaf
	leaf     *sched.Qdisc

	block     *sched.Block
	blockUser int // index in hfsc.blockUsers, -1 if not there
	filterCnt int
	est       *sched.Estimator
	bstats    sched.BasicStats
	drops     uint32

	elNode node // in the qdisc's eligible tree, by e
	vtNode node // in the parent's vt tree, by vt
	cfNode node // in the parent's cf tree, by f
	vtTree tree // active children by vt
	cfTree tree // active children by f

	total  uint64 // work done
	cumul  uint64 // work done by real-time criteria
	d      uint64 // deadline
	e      uint64 // eligible time
	vt     uint64 // virtual time
	f      uint64 // fit time for link sharing: max(myf, cfmin)
	myf    uint64 // own fit time, from the upper limit
	cfmin  uint64 // earliest fit time among the children
	cvtmin uint64 // smallest vt among the fit children, this period
	vtadj  uint64 // vt adjustment within the period
	cvtoff uint64 // largest vt seen among the children

	rsc, fsc, usc internalSC
	deadline      runtimeSC
	eligible      runtimeSC
	virtual       runtimeSC
	ulimit        runtimeSC

	flags        uint8
	vtperiod     uint32 // vt period number
	parentperiod uint32 // the parent's vt period number
	nactive      uint32 // active children
}

func (cl *class) init(h *hfsc, id tc.Handle) {
	cl.id, cl.h, cl.blockUser = id, h, -1
	cl.elNode.cl, cl.vtNode.cl, cl.cfNode.cl = cl, cl, cl
	cl.vtTree.aug = augF
}

// setF changes the fit time, which the parent's vt tree summarizes.
func (cl *class) setF(f uint64) {
	cl.f = f
	if cl.parent != nil {
		cl.parent.vtTree.fix(&cl.vtNode)
	}
}

// inElOrVtTree is cl_in_el_or_vttree: the class is already scheduled.
func (cl *class) inElOrVtTree() bool {
	return cl.flags&hasFSC != 0 && cl.nactive != 0 || cl.flags&hasRSC != 0 && cl.elNode.in
}

func (h *hfsc) find(id tc.Handle) *class {
	if h.classes == nil {
		return nil
	}
	cl, _ := h.classes.Find(id)
	return cl
}

func (h *hfsc) eltreeInsert(cl *class) { h.eligible.insert(&cl.elNode, cl.e) }

func (h *hfsc) eltreeRemove(cl *class) {
	if cl.elNode.in {
		h.eligible.remove(&cl.elNode)
	}
}

func (h *hfsc) eltreeUpdate(cl *class) { h.eligible.update(&cl.elNode, cl.e) }

// minDeadline is the eligible class with the earliest deadline, the first
// in the tree's order on a tie (eltree_get_mindl).
func (h *hfsc) minDeadline(cur uint64) *class {
	if n := h.eligible.minValueUpTo(cur); n != nil {
		return n.cl
	}
	return nil
}

func (cl *class) vttreeInsert() { cl.parent.vtTree.insert(&cl.vtNode, cl.vt) }
func (cl *class) vttreeRemove() {
	if cl.vtNode.in {
		cl.parent.vtTree.remove(&cl.vtNode)
	}
}
func (cl *class) cftreeInsert() { cl.parent.cfTree.insert(&cl.cfNode, cl.f) }
func (cl *class) cftreeUpdate() { cl.parent.cfTree.update(&cl.cfNode, cl.f) }
func (cl *class) cftreeRemove() {
	if cl.cfNode.in {
		cl.parent.cfTree.remove(&cl.cfNode)
	}
}

// firstFit is the child with the smallest vt that fits at cur
// (vttree_firstfit).
func (cl *class) firstFit(cur uint64) *class {
	if n := cl.vtTree.firstValueAtMost(cur); n != nil {
		return n.cl
	}
	return nil
}

// minVT walks down from cl by smallest fitting vt to a leaf, raising each
// parent's cvtmin on the way (vttree_get_minvt).
func (cl *class) minVT(cur uint64) *class {
	if cl.cfmin > cur {
		return nil
	}
	for cl.level > 0 {
		if cl = cl.firstFit(cur); cl == nil {
			return nil
		}
		if cl.parent.cvtmin < cl.vt {
			cl.parent.cvtmin = cl.vt
		}
	}
	return cl
}

// updateCfmin is update_cfmin: the earliest fit time of the children.
func (cl *class) updateCfmin() {
	if n := cl.cfTree.first(); n != nil {
		cl.cfmin = n.cl.f
	} else {
		cl.cfmin = 0
	}
}

// initED starts a backlog period for real time: the deadline curve is the
// minimum of the old one and the rt curve placed now, the eligible curve
// is the deadline curve for a concave rt curve and its linear part for a
// convex one (init_ed).
func (h *hfsc) initED(cl *class, nextLen uint32) {
	cur := h.now()
	cl.deadline.min(&cl.rsc, cur, cl.cumul)
	cl.eligible = cl.deadline
	if cl.rsc.sm1 <= cl.rsc.sm2 {
		cl.eligible.dx, cl.eligible.dy = 0, 0
	}
	cl.e = cl.eligible.y2x(cl.cumul)
	cl.d = cl.deadline.y2x(cl.cumul + uint64(nextLen))
	h.eltreeInsert(cl)
}

// updateED moves e and d after real-time service (update_ed).
func (h *hfsc) updateED(cl *class, nextLen uint32) {
	cl.e = cl.eligible.y2x(cl.cumul)
	cl.d = cl.deadline.y2x(cl.cumul + uint64(nextLen))
	h.eltreeUpdate(cl)
}

// updateD moves d after link-sharing service (update_d); the class stays
// where it is in the eligible tree.
func (cl *class) updateD(nextLen uint32) {
	cl.d = cl.deadline.y2x(cl.cumul + uint64(nextLen))
	cl.h.eligible.fix(&cl.elNode)
}

// initVF makes cl and the ancestors that were passive active in their
// parents' vt and cf trees (init_vf). A class starting a period takes the
// mean of the smallest and largest vt among its active siblings (or the
// parent's cvtoff if it is the first), never going back within the
// parent's period.
func (h *hfsc) initVF(cl *class, _ uint32) {
	var cur uint64
	goActive := true
	for ; cl.parent != nil; cl = cl.parent {
		p := cl.parent
		if goActive {
			goActive = cl.nactive == 0
			cl.nactive++
		}
		if goActive {
			if n := p.vtTree.last(); n != nil {
				vt := n.cl.vt
				if p.cvtmin != 0 {
					vt = (p.cvtmin + vt) / 2
				}
				if p.vtperiod != cl.parentperiod || vt > cl.vt {
					cl.vt = vt
				}
			} else {
				// First child of a new parent backlog period.
				cl.vt = p.cvtoff
				p.cvtmin = 0
			}
			cl.virtual.min(&cl.fsc, cl.vt, cl.total)
			cl.vtadj = 0
			cl.vtperiod++
			cl.parentperiod = p.vtperiod
			if p.nactive == 0 {
				cl.parentperiod++
			}
			cl.f = 0 // before the insert, which reads it
			cl.vttreeInsert()
			cl.cftreeInsert()
			if cl.flags&hasUSC != 0 {
				if cur == 0 {
					cur = h.now()
				}
				cl.ulimit.min(&cl.usc, cur, cl.total)
				cl.myf = cl.ulimit.y2x(cl.total)
			}
		}
		if f := max(cl.myf, cl.cfmin); f != cl.f {
			cl.setF(f)
			cl.cftreeUpdate()
		}
		p.updateCfmin()
	}
}

// updateVF charges len bytes to cl and its ancestors' virtual times; a
// leaf that emptied goes passive, and so does each ancestor left with no
// active child (update_vf).
func (h *hfsc) updateVF(cl *class, length uint32) {
	goPassive := cl.leaf.QLen == 0 && cl.flags&hasFSC != 0 && cl.nactive != 0
	for ; cl.parent != nil; cl = cl.parent {
		p := cl.parent
		cl.total += uint64(length)
		if cl.flags&hasFSC == 0 || cl.nactive == 0 {
			continue
		}
		if goPassive {
			cl.nactive--
			goPassive = cl.nactive == 0
		}
		cl.vt = cl.virtual.y2x(cl.total) + cl.vtadj
		// A vt below cvtmin means the class was skipped for not
		// fitting: adjust.
		if cl.vt < p.cvtmin {
			cl.vtadj += p.cvtmin - cl.vt
			cl.vt = p.cvtmin
		}
		if goPassive {
			if cl.vt > p.cvtoff {
				p.cvtoff = cl.vt
			}
			cl.vttreeRemove()
			cl.cftreeRemove()
			p.updateCfmin()
			continue
		}
		cl.parent.vtTree.update(&cl.vtNode, cl.vt)
		if cl.flags&hasUSC != 0 {
			cl.myf = cl.ulimit.y2x(cl.total)
		}
		if f := max(cl.myf, cl.cfmin); f != cl.f {
			cl.setF(f)
			cl.cftreeUpdate()
			p.updateCfmin()
		}
	}
}

// adjustLevels recomputes the levels from cl up (hfsc_adjust_levels).
func (cl *class) adjustLevels() {
	for ; cl != nil; cl = cl.parent {
		var level uint32
		for _, c := range cl.children {
			if c.level >= level {
				level = c.level + 1
			}
		}
		cl.level = level
	}
}

// raiseLevels is adjustLevels after c was added: levels only grow, so the
// walk stops at the first ancestor already high enough, without visiting
// children (a parent of thousands of classes stays cheap to add to).
func (c *class) raiseLevels() {
	for p, lvl := c.parent, c.level+1; p != nil; p, lvl = p.parent, p.level+1 {
		if p.level >= lvl {
			return
		}
		p.level = lvl
	}
}

func (cl *class) addChild(c *class) {
	c.sib = len(cl.children)
	cl.children = append(cl.children, c)
}

func (cl *class) removeChild(c *class) {
	last := len(cl.children) - 1
	cl.children[c.sib] = cl.children[last]
	cl.children[c.sib].sib = c.sib
	cl.children[last] = nil
	cl.children = cl.children[:last]
}

func (cl *class) changeRSC(sc *ServiceCurve, cur uint64) {
	cl.rsc = sc.toInternal()
	cl.deadline.init(&cl.rsc, cur, cl.cumul)
	cl.eligible = cl.deadline
	if cl.rsc.sm1 <= cl.rsc.sm2 {
		cl.eligible.dx, cl.eligible.dy = 0, 0
	}
	cl.flags |= hasRSC
}

func (cl *class) changeFSC(sc *ServiceCurve) {
	cl.fsc = sc.toInternal()
	cl.virtual.init(&cl.fsc, cl.vt, cl.total)
	cl.flags |= hasFSC
}

func (cl *class) changeUSC(sc *ServiceCurve, cur uint64) {
	cl.usc = sc.toInternal()
	cl.ulimit.init(&cl.usc, cur, cl.total)
	cl.flags |= hasUSC
}

// upgradeRT gives an inner class with only a real-time curve the same
// curve for link sharing, which inner classes need (hfsc_upgrade_rt).
func (cl *class) upgradeRT() {
	cl.fsc = cl.rsc
	cl.virtual.init(&cl.fsc, cl.vt, cl.total)
	cl.flags |= hasFSC
}

// reset forgets the class's times and packets (hfsc_reset_class).
func (cl *class) reset() {
	cl.total, cl.cumul = 0, 0
	cl.d, cl.e, cl.vt, cl.vtadj = 0, 0, 0, 0
	cl.cvtmin, cl.cvtoff = 0, 0
	cl.vtperiod, cl.parentperiod = 0, 0
	cl.f, cl.myf, cl.cfmin = 0, 0, 0
	cl.nactive = 0
	cl.vtTree.clear()
	cl.cfTree.clear()
	cl.elNode = node{cl: cl}
	cl.vtNode = node{cl: cl}
	cl.cfNode = node{cl: cl}
	cl.leaf.Reset()
	if cl.flags&hasRSC != 0 {
		cl.deadline.init(&cl.rsc, 0, 0)
	}
	if cl.flags&hasFSC != 0 {
		cl.virtual.init(&cl.fsc, 0, 0)
	}
	if cl.flags&hasUSC != 0 {
		cl.ulimit.init(&cl.usc, 0, 0)
	}
}

// destroy releases what the class holds (hfsc_destroy_class).
func (cl *class) destroy() {
	if cl.block != nil {
		cl.h.q.Dev().Net().PutBlock(cl.block)
		cl.block = nil
	}
	cl.leaf.Put()
	if cl.est != nil {
		cl.est.Stop()
		cl.est = nil
	}
}
