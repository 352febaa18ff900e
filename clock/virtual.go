package clock

// Virtual is a clock that moves only when Advance or Step moves it. Timers
// fire in order of their time, ties in the order they were armed, on the
// goroutine that moves the clock. A Virtual clock is not safe for concurrent
// use; a simulation drives it from one goroutine.
//
// The timers are a binary min-heap whose entries hold the sort key (time,
// arming order) next to the timer, so that sifting compares without
// following pointers: a simulation arms and fires a few timers per packet,
// and this heap is its event queue.
type Virtual struct {
	now  int64
	seq  uint64
	heap []ventry // min-heap on (at, seq)
}

type ventry struct {
	at  int64
	seq uint64
	t   *vtimer
}

// NewVirtual returns a virtual clock at time 0.
func NewVirtual() *Virtual { return &Virtual{} }

// Now returns the virtual time.
func (v *Virtual) Now() int64 { return v.now }

// NewTimer returns a stopped timer.
func (v *Virtual) NewTimer(f func()) Timer { return &vtimer{clk: v, f: f, idx: -1} }

// Next reports the time of the earliest armed timer.
func (v *Virtual) Next() (int64, bool) {
	if len(v.heap) == 0 {
		return 0, false
	}
	return v.heap[0].at, true
}

// Step moves the clock to the earliest armed timer (never backwards) and fires
// it. It reports false when no timer is armed.
func (v *Virtual) Step() bool {
	if len(v.heap) == 0 {
		return false
	}
	e := v.heap[0]
	t := e.t
	if e.at > v.now {
		v.now = e.at
	}
	// The timer is no longer armed while its function runs (Pending
	// reports false), but keeps its heap slot until the function is done,
	// so that a function that re-arms its own timer (the common case: a
	// periodic source, a link's next transmission) costs one sift instead
	// of a removal and an insertion.
	t.firing = true
	t.f()
	if t.firing {
		// Not re-armed nor stopped by its function: take it out now.
		t.firing = false
		v.removeAt(t.idx)
	}
	return true
}

// AdvanceTo fires, in order, every timer due at or before at, then sets the
// clock to at (if that is later than now).
func (v *Virtual) AdvanceTo(at int64) {
	for len(v.heap) > 0 && v.heap[0].at <= at {
		v.Step()
	}
	if at > v.now {
		v.now = at
	}
}

// Advance moves the clock forward by d nanoseconds, firing due timers.
func (v *Virtual) Advance(d int64) { v.AdvanceTo(v.now + d) }

type vtimer struct {
	clk *Virtual
	f   func()
	at  int64
	idx int // position in the heap, -1 when not in it
	// firing is set while Step runs the timer's function with the timer
	// still in the heap.
	firing bool
}

func (t *vtimer) Reset(at int64) {
	v := t.clk
	v.seq++
	t.at = at
	t.firing = false
	if t.idx >= 0 {
		v.heap[t.idx].at = at
		v.heap[t.idx].seq = v.seq
		v.fix(t.idx)
		return
	}
	t.idx = len(v.heap)
	v.heap = append(v.heap, ventry{at: at, seq: v.seq, t: t})
	v.up(t.idx)
}

func (t *vtimer) Stop() bool {
	if t.idx < 0 {
		return false
	}
	if t.firing {
		t.firing = false
		t.clk.removeAt(t.idx)
		return false
	}
	t.clk.removeAt(t.idx)
	return true
}

func (t *vtimer) Pending() (int64, bool) { return t.at, t.idx >= 0 && !t.firing }

func (v *Virtual) swap(i, j int) {
	h := v.heap
	h[i], h[j] = h[j], h[i]
	h[i].t.idx = i
	h[j].t.idx = j
}

func (v *Virtual) up(i int) {
	h := v.heap
	e := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !(e.at < h[p].at || e.at == h[p].at && e.seq < h[p].seq) {
			break
		}
		h[i] = h[p]
		h[i].t.idx = i
		i = p
	}
	h[i] = e
	e.t.idx = i
}

func (v *Virtual) down(i int) bool {
	h := v.heap
	n := len(h)
	start := i
	e := h[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && (h[r].at < h[l].at || h[r].at == h[l].at && h[r].seq < h[l].seq) {
			m = r
		}
		if !(h[m].at < e.at || h[m].at == e.at && h[m].seq < e.seq) {
			break
		}
		h[i] = h[m]
		h[i].t.idx = i
		i = m
	}
	h[i] = e
	e.t.idx = i
	return i > start
}

func (v *Virtual) fix(i int) {
	if !v.down(i) {
		v.up(i)
	}
}

func (v *Virtual) removeAt(i int) {
	t := v.heap[i].t
	last := len(v.heap) - 1
	if i != last {
		v.swap(i, last)
	}
	v.heap[last] = ventry{}
	v.heap = v.heap[:last]
	if i != last {
		v.fix(i)
	}
	t.idx = -1
}
