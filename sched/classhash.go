package sched

import "github.com/netsched/netsched/tc"

// ClassHash is a qdisc's table of classes by id, with the kernel's layout
// (Qdisc_class_hash): buckets of a power-of-two size, new entries at the
// head of their bucket, doubled when the load passes 3/4. Its walking order
// is the order `tc class show` prints classes in, so it follows the kernel
// exactly; lookups also go through a Go map, so that finding a class costs
// O(1) however full the buckets are.
type ClassHash[C any] struct {
	buckets [][]hashEntry[C] // each bucket ordered head first
	byID    map[tc.Handle]C
	n       int
}

type hashEntry[C any] struct {
	id tc.Handle
	c  C
}

// NewClassHash returns an empty table of 4 buckets (qdisc_class_hash_init).
func NewClassHash[C any]() *ClassHash[C] {
	return &ClassHash[C]{buckets: make([][]hashEntry[C], 4), byID: map[tc.Handle]C{}}
}

func classHash(id tc.Handle, mask uint32) int {
	x := uint32(id)
	x ^= x >> 8
	x ^= x >> 4
	return int(x & mask)
}

// Len is the number of classes.
func (h *ClassHash[C]) Len() int { return h.n }

// Find returns the class with id and whether it exists.
func (h *ClassHash[C]) Find(id tc.Handle) (C, bool) {
	c, ok := h.byID[id]
	return c, ok
}

// Insert adds a class at the head of its bucket (qdisc_class_hash_insert).
// Call Grow afterwards, as kinds call qdisc_class_hash_grow.
func (h *ClassHash[C]) Insert(id tc.Handle, c C) {
	b := classHash(id, uint32(len(h.buckets)-1))
	h.buckets[b] = append(h.buckets[b], hashEntry[C]{})
	copy(h.buckets[b][1:], h.buckets[b])
	h.buckets[b][0] = hashEntry[C]{id, c}
	h.byID[id] = c
	h.n++
}

// Remove deletes a class (qdisc_class_hash_remove).
func (h *ClassHash[C]) Remove(id tc.Handle) {
	if _, ok := h.byID[id]; !ok {
		return
	}
	delete(h.byID, id)
	b := classHash(id, uint32(len(h.buckets)-1))
	bk := h.buckets[b]
	for i := range bk {
		if bk[i].id == id {
			h.buckets[b] = append(bk[:i], bk[i+1:]...)
			break
		}
	}
	h.n--
}

// Grow doubles the table when more than 3/4 full, moving entries bucket by
// bucket, each to the head of its new bucket (qdisc_class_hash_grow).
func (h *ClassHash[C]) Grow() {
	if h.n*4 <= len(h.buckets)*3 {
		return
	}
	nb := make([][]hashEntry[C], 2*len(h.buckets))
	mask := uint32(len(nb) - 1)
	for _, bk := range h.buckets {
		for _, e := range bk {
			i := classHash(e.id, mask)
			// head insertion: prepend
			nb[i] = append(nb[i], hashEntry[C]{})
			copy(nb[i][1:], nb[i])
			nb[i][0] = e
		}
	}
	h.buckets = nb
}

// Walk calls fn in the kernel's walking order until fn returns false.
func (h *ClassHash[C]) Walk(fn func(id tc.Handle, c C) bool) {
	for _, bk := range h.buckets {
		for _, e := range bk {
			if !fn(e.id, e.c) {
				return
			}
		}
	}
}
