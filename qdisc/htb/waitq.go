package htb

// waitQueue is one level's event queue (the kernel's wait_pq): the classes
// that are not in CAN_SEND mode, ordered by the time their mode may change.
// The kernel keeps an rbtree where equal times go right, so equal times
// leave in the order they came; a binary heap ordered by (time, arrival)
// gives the same order with better locality. Each class knows its index in
// the heap, so that a class can leave from anywhere in O(log n).
type waitQueue struct {
	heap []*class
	seq  uint64
}

func (w *waitQueue) less(a, b *class) bool {
	return a.pqKey < b.pqKey || a.pqKey == b.pqKey && a.pqSeq < b.pqSeq
}

// push queues cl with its pqKey set.
func (w *waitQueue) push(cl *class) {
	w.seq++
	cl.pqSeq = w.seq
	cl.pqIndex = len(w.heap)
	w.heap = append(w.heap, cl)
	w.up(cl.pqIndex)
}

// first returns the class with the earliest event, or nil.
func (w *waitQueue) first() *class {
	if len(w.heap) == 0 {
		return nil
	}
	return w.heap[0]
}

// remove takes cl out; a class that is not queued is left alone (the
// kernel's htb_safe_rb_erase on an empty node).
func (w *waitQueue) remove(cl *class) {
	i := cl.pqIndex
	if i < 0 {
		return
	}
	last := len(w.heap) - 1
	if i != last {
		w.swap(i, last)
	}
	w.heap[last] = nil
	w.heap = w.heap[:last]
	cl.pqIndex = -1
	if i != last {
		if !w.down(i) {
			w.up(i)
		}
	}
}

// clear empties the queue (htb_reset's memset of the levels).
func (w *waitQueue) clear() {
	for i, cl := range w.heap {
		cl.pqIndex = -1
		w.heap[i] = nil
	}
	w.heap = w.heap[:0]
}

func (w *waitQueue) swap(i, j int) {
	h := w.heap
	h[i], h[j] = h[j], h[i]
	h[i].pqIndex = i
	h[j].pqIndex = j
}

func (w *waitQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !w.less(w.heap[i], w.heap[p]) {
			return
		}
		w.swap(i, p)
		i = p
	}
}

func (w *waitQueue) down(i int) bool {
	start := i
	n := len(w.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && w.less(w.heap[r], w.heap[l]) {
			m = r
		}
		if !w.less(w.heap[m], w.heap[i]) {
			break
		}
		w.swap(i, m)
		i = m
	}
	return i > start
}
