package fq

import (
	"github.com/netsched/netsched/qdisc/internal/timeq"
)

// flow is one flow (struct fq_flow): its packets in time order, its
// credit, its place in a round-robin list, in its bucket's search tree and
// in the tree of delayed (throttled) flows. Flows are pooled: a flow that
// the garbage collector frees goes back to the pool with its queue's
// array, so nothing allocates per packet once the pool is warm.
type flow struct {
	tq     timeq.Queue
	key    uint64 // the kernel's sk: (hash & orphan_mask) << 1 | 1
	qlen   int
	credit int32
	band   int

	// Round robin: next in a new or old list; throttled is set while the
	// flow waits in the delayed heap.
	next      *flow
	throttled bool
	detached  bool   // on no list (fq_flow_is_detached)
	age       uint64 // jiffies when it was detached

	timeNextPacket int64 // ns; 0: none

	// The bucket's search tree (a treap keyed by key, with a priority
	// mixed from the key).
	left, right *flow
	prio        uint64

	seq uint64 // arrival rank in the delayed heap, for ties
}

// flowList is struct fq_flow_head.
type flowList struct{ first, last *flow }

func (l *flowList) addTail(f *flow) {
	if l.first != nil {
		l.last.next = f
	} else {
		l.first = f
	}
	l.last = f
	f.next = nil
}

// mix64 is splitmix64's finalizer: the treap priority of a key.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// rotate helpers of the treap.
func rotRight(t *flow) *flow {
	l := t.left
	t.left, l.right = l.right, t
	return l
}

func rotLeft(t *flow) *flow {
	r := t.right
	t.right, r.left = r.left, t
	return r
}

// insert adds f (whose key is not in the tree) and returns the new root.
func insert(t, f *flow) *flow {
	if t == nil {
		f.left, f.right = nil, nil
		return f
	}
	if f.key < t.key {
		t.left = insert(t.left, f)
		if t.left.prio > t.prio {
			t = rotRight(t)
		}
	} else {
		t.right = insert(t.right, f)
		if t.right.prio > t.prio {
			t = rotLeft(t)
		}
	}
	return t
}

// remove takes the flow with key k out and returns the new root.
func remove(t *flow, k uint64) *flow {
	if t == nil {
		return nil
	}
	switch {
	case k < t.key:
		t.left = remove(t.left, k)
	case k > t.key:
		t.right = remove(t.right, k)
	default:
		switch {
		case t.left == nil:
			r := t.right
			t.right = nil
			return r
		case t.right == nil:
			l := t.left
			t.left = nil
			return l
		case t.left.prio > t.right.prio:
			t = rotRight(t)
			t.right = remove(t.right, k)
		default:
			t = rotLeft(t)
			t.left = remove(t.left, k)
		}
	}
	return t
}

// each calls fn for every flow of the tree (fn may not change the tree).
func each(t *flow, fn func(f *flow)) {
	if t == nil {
		return
	}
	each(t.left, fn)
	each(t.right, fn)
	fn(t)
}

// delayed is the min-heap of throttled flows by time of their next packet
// (q->delayed), ties in arrival order.
type delayed struct {
	h   []*flow
	seq uint64
}

func dless(a, b *flow) bool {
	return a.timeNextPacket < b.timeNextPacket || a.timeNextPacket == b.timeNextPacket && a.seq < b.seq
}

func (d *delayed) push(f *flow) {
	d.seq++
	f.seq = d.seq
	d.h = append(d.h, f)
	i := len(d.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !dless(d.h[i], d.h[p]) {
			break
		}
		d.h[i], d.h[p] = d.h[p], d.h[i]
		i = p
	}
}

func (d *delayed) first() *flow {
	if len(d.h) == 0 {
		return nil
	}
	return d.h[0]
}

func (d *delayed) pop() *flow {
	h := d.h
	f := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = nil
	d.h = h[:last]
	h = d.h
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && dless(h[r], h[l]) {
			m = r
		}
		if !dless(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return f
}

func (d *delayed) reset() {
	for i := range d.h {
		d.h[i] = nil
	}
	d.h = d.h[:0]
}
