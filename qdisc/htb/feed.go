package htb

import (
	"math/bits"

	"github.com/netsched/netsched/pkt"
)

// A class's mode (enum htb_cmode).
type mode uint8

const (
	cantSend  mode = iota // over its ceil: may neither send nor borrow
	mayBorrow             // over its rate: may borrow from its parent
	canSend               // within its rate
)

func lowestBit(m uint32) int { return bits.TrailingZeros32(m) }

// addToWaitTree queues cl's next mode change delay ns from now
// (htb_add_to_wait_tree).
func (h *htb) addToWaitTree(cl *class, delay int64) {
	cl.pqKey = h.now + delay
	if cl.pqKey == h.now {
		cl.pqKey++
	}
	if h.nearEv[cl.level] > cl.pqKey {
		h.nearEv[cl.level] = cl.pqKey
	}
	h.levels[cl.level].wait.push(cl)
}

// addClassToRow puts cl in its level's rows at the priorities of mask.
func (h *htb) addClassToRow(cl *class, mask uint32) {
	h.rowMask[cl.level] |= mask
	for ; mask != 0; mask &= mask - 1 {
		prio := lowestBit(mask)
		h.levels[cl.level].prio[prio].tree.insert(&cl.node[prio])
	}
}

// removeClassFromRow takes cl out of its level's rows at the priorities of
// mask; a DRR pointer on it moves to the next class.
func (h *htb) removeClassFromRow(cl *class, mask uint32) {
	var emptied uint32
	lv := &h.levels[cl.level]
	for ; mask != 0; mask &= mask - 1 {
		prio := lowestBit(mask)
		hp := &lv.prio[prio]
		if hp.ptr == &cl.node[prio] {
			hp.ptr = next(hp.ptr)
		}
		hp.tree.erase(&cl.node[prio])
		if hp.tree.empty() {
			emptied |= 1 << prio
		}
	}
	h.rowMask[cl.level] &^= emptied
}

// activatePrios connects cl, in its (new) mode, to its ancestors' feeds
// while it borrows, and to its row once a class on the way may send
// (htb_activate_prios).
func (h *htb) activatePrios(cl *class) {
	p := cl.parent
	mask := cl.prioActivity
	for cl.cmode == mayBorrow && p != nil && mask != 0 {
		for m := mask; m != 0; m &= m - 1 {
			prio := lowestBit(m)
			feed := &p.inner.prio[prio]
			if !feed.tree.empty() {
				// The parent is already active at prio.
				mask &^= 1 << prio
			}
			feed.tree.insert(&cl.node[prio])
		}
		p.prioActivity |= mask
		cl = p
		p = cl.parent
	}
	if cl.cmode == canSend && mask != 0 {
		h.addClassToRow(cl, mask)
	}
}

// deactivatePrios disconnects cl, in its old mode, from feeds and rows
// (htb_deactivate_prios).
func (h *htb) deactivatePrios(cl *class) {
	p := cl.parent
	mask := cl.prioActivity
	for cl.cmode == mayBorrow && p != nil && mask != 0 {
		m := mask
		mask = 0
		for ; m != 0; m &= m - 1 {
			prio := lowestBit(m)
			feed := &p.inner.prio[prio]
			if feed.ptr == &cl.node[prio] {
				// Forget the pointer, remember where the round was.
				feed.lastPtrID = cl.id
				feed.ptr = nil
			}
			feed.tree.erase(&cl.node[prio])
			if feed.tree.empty() {
				mask |= 1 << prio
			}
		}
		p.prioActivity &^= mask
		cl = p
		p = cl.parent
	}
	if cl.cmode == canSend && mask != 0 {
		h.removeClassFromRow(cl, mask)
	}
}

// classMode is the mode cl has diff ns after its checkpoint; when it is
// not canSend, diff becomes the time until that may change
// (htb_class_mode, without hysteresis as the kernel's default).
func classMode(cl *class, diff *int64) mode {
	if toks := cl.ctokens + *diff; toks < 0 {
		*diff = -toks
		return cantSend
	}
	toks := cl.tokens + *diff
	if toks >= 0 {
		return canSend
	}
	*diff = -toks
	return mayBorrow
}

// changeClassMode moves cl to its current mode, relinking it
// (htb_change_class_mode). The caller handles the event queue.
func (h *htb) changeClassMode(cl *class, diff *int64) {
	m := classMode(cl, diff)
	if m == cl.cmode {
		return
	}
	if m == cantSend {
		cl.overlimits++
		h.overlimits++
	}
	if cl.prioActivity != 0 {
		if cl.cmode != cantSend {
			h.deactivatePrios(cl)
		}
		cl.cmode = m
		if m != cantSend {
			h.activatePrios(cl)
		}
	} else {
		cl.cmode = m
	}
}

// activate makes a leaf with packets active at its priority.
func (h *htb) activate(cl *class) {
	if cl.prioActivity == 0 {
		cl.prioActivity = 1 << cl.prio
		h.activatePrios(cl)
	}
}

// deactivate takes a leaf out of every feed and row.
func (h *htb) deactivate(cl *class) {
	if cl.prioActivity == 0 {
		return
	}
	h.deactivatePrios(cl)
	cl.prioActivity = 0
}

func (cl *class) accountTokens(bytes uint32, diff int64) {
	toks := min(diff+cl.tokens, cl.buffer)
	toks -= int64(cl.rate.L2T(bytes))
	if toks <= -cl.mbuffer {
		toks = 1 - cl.mbuffer
	}
	cl.tokens = toks
}

func (cl *class) accountCTokens(bytes uint32, diff int64) {
	toks := min(diff+cl.ctokens, cl.cbuffer)
	toks -= int64(cl.ceil.L2T(bytes))
	if toks <= -cl.mbuffer {
		toks = 1 - cl.mbuffer
	}
	cl.ctokens = toks
}

// chargeClass charges p, sent by leaf cl borrowing at level lv, to cl and
// its ancestors: ceil tokens of all, rate tokens of those at lv and above;
// each class's mode and event follow (htb_charge_class).
func (h *htb) chargeClass(cl *class, lv int, p *pkt.Packet) {
	bytes := p.PktLen
	for ; cl != nil; cl = cl.parent {
		diff := min(h.now-cl.tc, cl.mbuffer)
		if cl.level >= lv {
			if cl.level == lv {
				cl.lends++
			}
			cl.accountTokens(bytes, diff)
		} else {
			cl.borrows++
			cl.tokens += diff // the checkpoint moves
		}
		cl.accountCTokens(bytes, diff)
		cl.tc = h.now

		old := cl.cmode
		diff = 0
		h.changeClassMode(cl, &diff)
		if old != cl.cmode {
			if old != canSend {
				h.levels[cl.level].wait.remove(cl)
			}
			if cl.cmode != canSend {
				h.addToWaitTree(cl, diff)
			}
		}
		if cl.level > 0 {
			cl.bstats.Update(p) // leaves count at dequeue
		}
	}
}

// doEvents applies the mode changes due at level lv and returns the time of
// the next one, 0 when none is queued (htb_do_events). The kernel stops
// after two jiffies of work; a virtual clock has no jiffies, and each
// event applied moves to the future, so all due events are applied.
func (h *htb) doEvents(lv int) int64 {
	wq := &h.levels[lv].wait
	for {
		cl := wq.first()
		if cl == nil {
			return 0
		}
		if cl.pqKey > h.now {
			return cl.pqKey
		}
		wq.remove(cl)
		diff := min(h.now-cl.tc, cl.mbuffer)
		h.changeClassMode(cl, &diff)
		if cl.cmode != canSend {
			h.addToWaitTree(cl, diff)
		}
	}
}

// lookupLeaf follows the DRR pointers from a row down the feeds to the
// leaf whose turn it is (htb_lookup_leaf). A pointer at the end of its tree
// rewinds to the first class and advances the pointer one level up.
func (h *htb) lookupLeaf(hp *prioState, prio int) *class {
	if hp.tree.empty() {
		return nil
	}
	var stk [MaxDepth]*prioState
	sp := 0
	stk[0] = hp
	for i := 0; i < 65535; i++ {
		s := stk[sp]
		if s.ptr == nil && s.lastPtrID != 0 {
			// The pointer was invalidated: resume at the remembered
			// id or the next one.
			s.ptr = s.tree.lowerBound(uint32(s.lastPtrID))
		}
		s.lastPtrID = 0
		if s.ptr == nil {
			s.ptr = s.tree.first()
			if sp > 0 {
				sp--
				if stk[sp].ptr == nil {
					return nil // the kernel warns: cannot happen
				}
				stk[sp].ptr = next(stk[sp].ptr)
			}
			continue
		}
		cl := s.ptr.cl
		if cl.level == 0 {
			return cl
		}
		sp++
		stk[sp] = &cl.inner.prio[prio]
	}
	return nil
}

// advance moves the DRR pointer past leaf cl at level lv: its parent's
// feed pointer when it borrows, else the level-0 row pointer.
func (h *htb) advance(cl *class, lv, prio int) {
	var ptr **rbNode
	if lv > 0 {
		ptr = &cl.parent.inner.prio[prio].ptr
	} else {
		ptr = &h.levels[0].prio[prio].ptr
	}
	if *ptr != nil {
		*ptr = next(*ptr)
	}
}

// dequeueTree dequeues from the classes of row (lv, prio), which must not
// be empty (htb_dequeue_tree).
func (h *htb) dequeueTree(prio, lv int) *pkt.Packet {
	hp := &h.levels[lv].prio[prio]
	start := h.lookupLeaf(hp, prio)
	cl := start
	var p *pkt.Packet
	for {
		if cl == nil {
			return nil
		}
		if cl.leaf.QLen == 0 {
			// Empty: a leaf qdisc that dropped at enqueue, or a graft
			// since the last dequeue. Skip it.
			h.deactivate(cl)
			if h.rowMask[lv]&(1<<prio) == 0 {
				return nil
			}
			nxt := h.lookupLeaf(hp, prio)
			if cl == start {
				start = nxt
			}
			cl = nxt
			continue
		}
		if p = cl.leaf.Dequeue(); p != nil {
			break
		}
		// A non-work-conserving leaf qdisc: try the next class.
		h.advance(cl, lv, prio)
		if cl = h.lookupLeaf(hp, prio); cl == start {
			return nil
		}
	}
	cl.bstats.Update(p)
	cl.deficit[lv] -= int32(p.PktLen)
	if cl.deficit[lv] < 0 {
		cl.deficit[lv] += cl.quantum
		h.advance(cl, lv, prio)
	}
	if cl.leaf.QLen == 0 {
		h.deactivate(cl)
	}
	h.chargeClass(cl, lv, p)
	return p
}
