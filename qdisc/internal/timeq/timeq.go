// Package timeq is the time-ordered packet queue that netem's tfifo and
// fq's flows keep: packets sorted by their TimeToSend, a linear list for
// those that come in order (the common case: O(1)) and a binary heap for
// those that do not (O(log n)), as the kernel keeps a list beside an
// rbtree. Equal times leave in arrival order. Nothing allocates per packet
// once the heap's array has grown to the queue's size.
package timeq

import "github.com/netsched/netsched/pkt"

// entry is a packet out of order, with its time and arrival rank.
type entry struct {
	t   int64
	seq uint64
	p   *pkt.Packet
}

// Queue is one time-ordered queue. The zero value is empty.
type Queue struct {
	head, tail *pkt.Packet // in order of TimeToSend, linked through Next
	heap       []entry
	heapMax    int64 // the largest time the heap holds (valid when not empty)
	seq        uint64
	n          int
}

// Len is the number of packets queued.
func (q *Queue) Len() int { return q.n }

// Push queues p at p.TimeToSend: after the tail of the list if not
// earlier than it (tfifo_enqueue's fast path), else into the heap.
func (q *Queue) Push(p *pkt.Packet) {
	q.n++
	t := p.TimeToSend
	if q.tail == nil || t >= q.tail.TimeToSend {
		p.Next = nil
		if q.tail == nil {
			q.head = p
		} else {
			q.tail.Next = p
		}
		q.tail = p
		return
	}
	q.seq++
	if len(q.heap) == 0 || t > q.heapMax {
		q.heapMax = t
	}
	q.heap = append(q.heap, entry{t, q.seq, p})
	q.up(len(q.heap) - 1)
}

func less(a, b *entry) bool { return a.t < b.t || a.t == b.t && a.seq < b.seq }

// The heap is 4-ary, sifted by moving a hole rather than swapping: half
// the depth of a binary heap for a few more comparisons per level, which
// suits small entries kept inline.
const arity = 4

func (q *Queue) up(i int) {
	h := q.heap
	e := h[i]
	for i > 0 {
		parent := (i - 1) / arity
		if !less(&e, &h[parent]) {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
}

func (q *Queue) down(i int) {
	h := q.heap
	n := len(h)
	e := h[i]
	for {
		first := arity*i + 1
		if first >= n {
			break
		}
		m := first
		last := min(first+arity, n)
		for c := first + 1; c < last; c++ {
			if less(&h[c], &h[m]) {
				m = c
			}
		}
		if !less(&h[m], &e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

// Peek returns the packet to send first: the heap's earliest if strictly
// earlier than the list's head, else the head (netem_peek, fq_peek).
func (q *Queue) Peek() *pkt.Packet {
	if len(q.heap) == 0 {
		return q.head
	}
	if q.head == nil || q.heap[0].t < q.head.TimeToSend {
		return q.heap[0].p
	}
	return q.head
}

// Pop removes and returns the packet Peek returns.
func (q *Queue) Pop() *pkt.Packet {
	p := q.Peek()
	if p == nil {
		return nil
	}
	q.n--
	if p == q.head {
		q.head = p.Next
		if q.head == nil {
			q.tail = nil
		}
		p.Next = nil
		return p
	}
	last := len(q.heap) - 1
	q.heap[0] = q.heap[last]
	q.heap[last] = entry{}
	q.heap = q.heap[:last]
	if last > 0 {
		q.down(0)
	}
	return p
}

// Last returns the latest time queued, and whether the queue holds any
// packet (netem's rate uses it as its reference point).
func (q *Queue) Last() (int64, bool) {
	switch {
	case q.tail != nil && len(q.heap) != 0:
		return max(q.tail.TimeToSend, q.heapMax), true
	case q.tail != nil:
		return q.tail.TimeToSend, true
	case len(q.heap) != 0:
		return q.heapMax, true
	}
	return 0, false
}

// Purge frees every packet and empties the queue, keeping the heap's
// array.
func (q *Queue) Purge() {
	for p := q.head; p != nil; {
		next := p.Next
		p.Next = nil
		p.Free()
		p = next
	}
	for i := range q.heap {
		q.heap[i].p.Free()
		q.heap[i] = entry{}
	}
	q.heap = q.heap[:0]
	q.head, q.tail, q.n = nil, nil, 0
}

// Each calls fn for every packet queued, in no particular order.
func (q *Queue) Each(fn func(p *pkt.Packet)) {
	for p := q.head; p != nil; p = p.Next {
		fn(p)
	}
	for i := range q.heap {
		fn(q.heap[i].p)
	}
}
