package qfq

import "math/bits"

// This file is QFQ+'s scheduler proper: groups of aggregates, their slots
// (bucket lists) and the four group bitmaps, and the virtual-time
// arithmetic, as sch_qfq.c does it so that service orders match the
// kernel's. Times are fixed point with fracBits fraction bits and compared
// modulo 2^64.

// Group states: indexes of the bitmaps (eligible/ineligible, ready/blocked).
const (
	ER = iota
	IR
	EB
	IB
	numStates
)

// updateReason says why an aggregate's timestamps are recomputed.
type updateReason int

const (
	onEnqueue updateReason = iota // idle, now backlogged
	onRequeue                     // used its budget, rescheduled
)

// group is struct qfq_group: the aggregates of one slot size, in slots of
// 2^slotShift virtual time from S.
type group struct {
	S, F      uint64 // approximate timestamps
	slotShift uint32
	index     uint32
	front     uint32 // index of the front slot
	fullSlots uint64 // non-empty slots, relative to front
	slots     [MaxSlots]*agg
}

// gt is qfq_gt: a > b, with wraparound.
func gt(a, b uint64) bool { return int64(a-b) > 0 }

// roundDown rounds a timestamp to its slot.
func roundDown(ts uint64, shift uint32) uint64 { return ts &^ (uint64(1)<<shift - 1) }

// ffs is the group of the lowest index in bitmap.
func (s *qfq) ffs(bitmap uint64) *group { return &s.groups[bits.TrailingZeros64(bitmap)] }

// maskFrom keeps the bits of bitmap at from and above.
func maskFrom(bitmap uint64, from uint32) uint64 { return bitmap &^ (uint64(1)<<from - 1) }

// fls64 is __fls: the index of the highest set bit.
func fls64(x uint64) int { return bits.Len64(x) - 1 }

// calcState computes a group's state: ineligible if it starts after V,
// blocked if a lower ready group finishes before it (qfq_calc_state).
func (s *qfq) calcState(g *group) int {
	state := 0
	if gt(g.S, s.V) {
		state = IR
	}
	if mask := maskFrom(s.bitmaps[ER], g.index); mask != 0 {
		if next := s.ffs(mask); gt(g.F, next.F) {
			state |= EB
		}
	}
	return state
}

func (s *qfq) moveGroups(mask uint64, src, dst int) {
	s.bitmaps[dst] |= s.bitmaps[src] & mask
	s.bitmaps[src] &^= mask
}

func (s *qfq) unblockGroups(index uint32, oldF uint64) {
	if mask := maskFrom(s.bitmaps[ER], index+1); mask != 0 {
		if next := s.ffs(mask); !gt(next.F, oldF) {
			return
		}
	}
	mask := uint64(1)<<index - 1
	s.moveGroups(mask, EB, ER)
	s.moveGroups(mask, IB, IR)
}

// makeEligible moves groups whose slot V has passed to the eligible
// states. The kernel takes fls of the slot difference as a 32-bit int;
// so does this.
func (s *qfq) makeEligible() {
	vslot := s.V >> s.minSlotShift
	oldVslot := s.oldV >> s.minSlotShift
	if vslot == oldVslot {
		return
	}
	var mask uint64
	if last := bits.Len32(uint32(vslot ^ oldVslot)); last > 31 {
		mask = ^uint64(0)
	} else {
		mask = uint64(1)<<last - 1
	}
	s.moveGroups(mask, IR, ER)
	s.moveGroups(mask, IB, EB)
}

// slotInsert puts a in the slot of roundedS, moving its timestamps back if
// the slot would be past the last usable one (qfq_slot_insert).
func (g *group) slotInsert(a *agg, roundedS uint64) {
	slot := (roundedS - g.S) >> g.slotShift
	if slot > MaxSlots-2 {
		deltaS := roundedS - g.S - uint64(MaxSlots-2)<<g.slotShift
		a.S -= deltaS
		a.F -= deltaS
		slot = MaxSlots - 2
	}
	i := (uint64(g.front) + slot) % MaxSlots
	a.slotAddHead(&g.slots[i])
	g.fullSlots |= 1 << slot
}

func (g *group) slotHead() *agg { return g.slots[g.front] }

// frontSlotRemove takes the head aggregate off the front slot.
func (g *group) frontSlotRemove() {
	g.slotHead().slotDel()
	if g.slots[g.front] == nil {
		g.fullSlots &^= 1
	}
}

// slotScan returns the first aggregate of the first non-empty slot, and
// makes that slot the front (qfq_slot_scan).
func (g *group) slotScan() *agg {
	if g.fullSlots == 0 {
		return nil
	}
	if i := uint32(bits.TrailingZeros64(g.fullSlots)); i > 0 {
		g.front = (g.front + i) % MaxSlots
		g.fullSlots >>= i
	}
	return g.slotHead()
}

// slotRotate moves the front back for a start time below the group's
// (qfq_slot_rotate); the shift is 32-bit as in the kernel.
func (g *group) slotRotate(roundedS uint64) {
	i := uint32((g.S - roundedS) >> g.slotShift)
	g.fullSlots <<= i
	g.front = (g.front - i) % MaxSlots
}

// slotRemove takes a off its slot, wherever it is (qfq_slot_remove).
func (g *group) slotRemove(a *agg) {
	roundedS := roundDown(a.S, g.slotShift)
	offset := uint32((roundedS - g.S) >> g.slotShift)
	i := (g.front + offset) % MaxSlots
	a.slotDel()
	if g.slots[i] == nil {
		g.fullSlots &^= 1 << offset
	}
}

func (s *qfq) updateEligible() {
	ineligible := s.bitmaps[IR] | s.bitmaps[IB]
	if ineligible == 0 {
		return
	}
	if s.bitmaps[ER] == 0 {
		if g := s.ffs(ineligible); gt(g.S, s.V) {
			s.V = g.S
		}
	}
	s.makeEligible()
}

// updateStart gives an aggregate becoming backlogged a start time: its old
// finish time if still valid, else V, unless that would break the order of
// a blocking group (qfq_update_start).
func (s *qfq) updateStart(a *agg) {
	shift := a.grp.slotShift
	roundedF := roundDown(a.F, shift)
	limit := roundDown(s.V, shift) + uint64(1)<<shift
	if !gt(a.F, s.V) || gt(roundedF, limit) {
		// The timestamp is stale.
		if mask := maskFrom(s.bitmaps[ER], a.grp.index); mask != 0 {
			if next := s.ffs(mask); gt(roundedF, next.F) {
				if gt(limit, next.F) {
					a.S = next.F
				} else {
					a.S = limit
				}
				return
			}
		}
		a.S = s.V
	} else {
		a.S = a.F
	}
}

// updateTimestamps sets S and the largest F the aggregate may reach with a
// full budget (qfq_update_agg_ts).
func (s *qfq) updateTimestamps(a *agg, why updateReason) {
	if why != onRequeue {
		s.updateStart(a)
	} else {
		a.S = a.F
	}
	a.F = a.S + uint64(a.budgetmax)*uint64(a.invW)
}

// chargeActualService sets F from the service the aggregate really had.
func (a *agg) chargeActualService() {
	received := min(a.budgetmax, a.initialBudget-a.budget)
	a.F = a.S + uint64(received)*uint64(a.invW)
}

// schedule puts an aggregate in its group's slots (qfq_schedule_agg).
func (s *qfq) schedule(a *agg) {
	g := a.grp
	roundedS := roundDown(a.S, g.slotShift)
	if g.fullSlots != 0 {
		if !gt(g.S, a.S) {
			g.slotInsert(a, roundedS)
			return
		}
		// Make room for this start time; the group was surely
		// ineligible.
		g.slotRotate(roundedS)
		s.bitmaps[IR] &^= 1 << g.index
		s.bitmaps[IB] &^= 1 << g.index
	} else if s.bitmaps[ER] == 0 && gt(roundedS, s.V) && s.inServ == nil {
		s.V = roundedS
	}
	g.S = roundedS
	g.F = roundedS + uint64(2)<<g.slotShift
	s.bitmaps[s.calcState(g)] |= 1 << g.index
	g.slotInsert(a, roundedS)
}

// activate recharges an aggregate and serves or schedules it
// (qfq_activate_agg).
func (s *qfq) activate(a *agg, why updateReason) {
	a.initialBudget, a.budget = a.budgetmax, a.budgetmax
	s.updateTimestamps(a, why)
	if s.inServ == nil {
		s.inServ = a
		s.V, s.oldV = a.S, a.S
	} else if a != s.inServ {
		s.schedule(a)
	}
}

// deactivate deschedules an aggregate with no active class left
// (qfq_deactivate_agg).
func (s *qfq) deactivate(a *agg) {
	g := a.grp
	if a == s.inServ {
		a.chargeActualService()
		s.inServ = s.chooseNext()
		return
	}
	a.F = a.S
	g.slotRemove(a)
	bit := uint64(1) << g.index
	switch {
	case g.fullSlots == 0:
		s.bitmaps[IR] &^= bit
		s.bitmaps[EB] &^= bit
		s.bitmaps[IB] &^= bit
		// As in the kernel, this test cannot hold when the group's
		// own bit is set, so the unblocking never happens.
		if s.bitmaps[ER]&bit != 0 && s.bitmaps[ER]&^(bit-1) == 0 {
			mask := s.bitmaps[ER] & (bit - 1)
			if mask != 0 {
				mask = ^(uint64(1)<<fls64(mask) - 1)
			} else {
				mask = ^uint64(0)
			}
			s.moveGroups(mask, EB, ER)
			s.moveGroups(mask, IB, IR)
		}
		s.bitmaps[ER] &^= bit
	case g.slots[g.front] == nil:
		a = g.slotScan()
		roundedS := roundDown(a.S, g.slotShift)
		if g.S != roundedS {
			for i := range s.bitmaps {
				s.bitmaps[i] &^= bit
			}
			g.S = roundedS
			g.F = roundedS + uint64(2)<<g.slotShift
			s.bitmaps[s.calcState(g)] |= bit
		}
	}
}

// chooseNext takes the aggregate to serve next off its slot: the head of
// the front slot of the lowest ready eligible group (qfq_choose_next_agg).
func (s *qfq) chooseNext() *agg {
	s.updateEligible()
	s.oldV = s.V
	if s.bitmaps[ER] == 0 {
		return nil
	}
	g := s.ffs(s.bitmaps[ER])
	oldF := g.F
	a := g.slotHead()
	g.frontSlotRemove()
	if front := g.slotScan(); front == nil {
		s.bitmaps[ER] &^= 1 << g.index
	} else {
		roundedS := roundDown(front.S, g.slotShift)
		if g.S == roundedS {
			return a
		}
		g.S = roundedS
		g.F = roundedS + uint64(2)<<g.slotShift
		s.bitmaps[ER] &^= 1 << g.index
		s.bitmaps[s.calcState(g)] |= 1 << g.index
	}
	s.unblockGroups(g.index, oldF)
	return a
}

// calcIndex is the group of an aggregate: about log2 of its slot size
// budget/weight, scaled (qfq_calc_index).
func calcIndex(invW, maxlen, minSlotShift uint32) uint32 {
	slotSize := uint64(maxlen) * uint64(invW)
	sizeMap := slotSize >> minSlotShift
	if sizeMap == 0 {
		return 0
	}
	index := fls64(sizeMap) + 1
	if slotSize-uint64(1)<<(uint32(index)+minSlotShift-1) == 0 {
		index--
	}
	return uint32(max(index, 0))
}
