package qfq

import "syscall"

// agg is struct qfq_aggregate: classes of equal weight and lmax (at most
// maxAggClasses of them), scheduled together by timestamps and served
// among themselves by deficit round robin.
type agg struct {
	S, F uint64 // exact timestamps
	grp  *group

	classWeight uint32 // weight of each class
	lmax        uint32 // max packet size of the classes: the DRR quantum (bytes)
	invW        uint32 // ONE_FP / (sum of the classes' weights)
	budgetmax   uint32 // bytes
	initialBudget,
	budget uint32
	numClasses int

	active class // sentinel of the DRR list of active classes

	// Links of the slot bucket (an hlist: pprev points at whatever
	// points here).
	snext  *agg
	spprev **agg
	// Links of the list of aggregates with room for more classes.
	nfnext  *agg
	nfpprev **agg
}

func (a *agg) slotAddHead(head **agg) {
	a.snext = *head
	if a.snext != nil {
		a.snext.spprev = &a.snext
	}
	*head = a
	a.spprev = head
}

func (a *agg) slotDel() {
	*a.spprev = a.snext
	if a.snext != nil {
		a.snext.spprev = a.spprev
	}
	a.snext, a.spprev = nil, nil
}

// nonfullAdd is hlist_add_head on the qdisc's nonfull list.
func (s *qfq) nonfullAdd(a *agg) {
	a.nfnext = s.nonfull
	if a.nfnext != nil {
		a.nfnext.nfpprev = &a.nfnext
	}
	s.nonfull = a
	a.nfpprev = &s.nonfull
}

// nonfullDel is hlist_del_init: harmless when a is not on the list.
func (a *agg) nonfullDel() {
	if a.nfpprev == nil {
		return
	}
	*a.nfpprev = a.nfnext
	if a.nfnext != nil {
		a.nfnext.nfpprev = a.nfpprev
	}
	a.nfnext, a.nfpprev = nil, nil
}

func (a *agg) firstActive() *class {
	if a.active.next == &a.active {
		return nil
	}
	return a.active.next
}

func (a *agg) pushActive(cl *class) {
	last := a.active.prev
	cl.prev, cl.next = last, &a.active
	last.next = cl
	a.active.prev = cl
}

func (s *qfq) newAgg(lmax, weight uint32) *agg {
	a := &agg{lmax: lmax, classWeight: weight}
	a.active.prev, a.active.next = &a.active, &a.active
	s.nonfullAdd(a)
	return a
}

// findAgg returns an aggregate of that lmax and weight with room for a
// class.
func (s *qfq) findAgg(lmax, weight uint32) *agg {
	for a := s.nonfull; a != nil; a = a.nfnext {
		if a.lmax == lmax && a.classWeight == weight {
			return a
		}
	}
	return nil
}

// updateAgg adapts an aggregate to its new number of classes: budget,
// weight, and the qdisc's weight sum (qfq_update_agg). The group is chosen
// once, when the aggregate gets its first class.
func (s *qfq) updateAgg(a *agg, n int) {
	if uint32(n) == s.maxAggClasses {
		a.nonfullDel()
	}
	if a.numClasses > n && uint32(n) == s.maxAggClasses-1 {
		s.nonfullAdd(a)
	}
	a.budgetmax = uint32(n) * a.lmax
	a.invW = uint32(oneFP / uint64(a.classWeight*uint32(n)))
	if a.grp == nil {
		a.grp = &s.groups[calcIndex(a.invW, a.budgetmax, s.minSlotShift)]
	}
	s.wsum += uint32(int32(a.classWeight) * int32(n-a.numClasses))
	s.iwsum = uint32(oneFP / uint64(s.wsum))
	a.numClasses = n
}

// addToAgg puts a class in an aggregate, scheduling the aggregate if the
// class brings it its first packets (qfq_add_to_agg).
func (s *qfq) addToAgg(a *agg, cl *class) {
	cl.agg = a
	s.updateAgg(a, a.numClasses+1)
	if cl.leaf.QLen > 0 {
		a.pushActive(cl)
		if a.firstActive() == cl && s.inServ != a {
			s.activate(a, onEnqueue)
		}
	}
}

func (s *qfq) destroyAgg(a *agg) {
	a.nonfullDel()
	s.wsum -= a.classWeight
	if s.wsum != 0 {
		s.iwsum = uint32(oneFP / uint64(s.wsum))
	}
	if s.inServ == a {
		s.inServ = s.chooseNext()
	}
}

// deactivateClass takes a class off its aggregate's DRR list, and the
// aggregate off the schedule when it was the last (qfq_deactivate_class).
func (s *qfq) deactivateClass(cl *class) {
	a := cl.agg
	cl.unlink()
	if a.firstActive() == nil {
		s.deactivate(a)
	}
}

// rmFromAgg takes a class out of its aggregate, which goes with its last
// class (qfq_rm_from_agg).
func (s *qfq) rmFromAgg(cl *class) {
	a := cl.agg
	cl.agg = nil
	if a.numClasses == 1 {
		s.destroyAgg(a)
		return
	}
	s.updateAgg(a, a.numClasses-1)
}

func (s *qfq) deactRmFromAgg(cl *class) {
	if cl.isActive() {
		s.deactivateClass(cl)
	}
	s.rmFromAgg(cl)
}

// changeAgg moves a class to the aggregate of its new weight and lmax
// (qfq_change_agg): on enqueue, when a packet is larger than lmax.
func (s *qfq) changeAgg(cl *class, weight, lmax uint32) error {
	if lmax > MaxLmax {
		return syscall.EINVAL
	}
	a := s.findAgg(lmax, weight)
	if a == nil {
		a = s.newAgg(lmax, weight)
	}
	s.deactRmFromAgg(cl)
	s.addToAgg(a, cl)
	return nil
}
