package clock

// Virtual is a clock that moves only when Advance or Step moves it. Timers
// fire in order of their time, ties in the order they were armed, on the
// goroutine that moves the clock. A Virtual clock is not safe for concurrent
// use; a simulation drives it from one goroutine.
type Virtual struct {
	now  int64
	seq  uint64
	heap []*vtimer // min-heap on (at, seq)
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
	t := v.heap[0]
	v.remove(t)
	if t.at > v.now {
		v.now = t.at
	}
	t.f()
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
	seq uint64
	idx int // position in the heap, -1 when stopped
}

func (t *vtimer) Reset(at int64) {
	v := t.clk
	v.seq++
	t.seq = v.seq
	t.at = at
	if t.idx >= 0 {
		v.fix(t.idx)
		return
	}
	t.idx = len(v.heap)
	v.heap = append(v.heap, t)
	v.up(t.idx)
}

func (t *vtimer) Stop() bool {
	if t.idx < 0 {
		return false
	}
	t.clk.remove(t)
	return true
}

func (t *vtimer) Pending() (int64, bool) { return t.at, t.idx >= 0 }

func (v *Virtual) less(i, j int) bool {
	a, b := v.heap[i], v.heap[j]
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

func (v *Virtual) swap(i, j int) {
	v.heap[i], v.heap[j] = v.heap[j], v.heap[i]
	v.heap[i].idx = i
	v.heap[j].idx = j
}

func (v *Virtual) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !v.less(i, p) {
			return
		}
		v.swap(i, p)
		i = p
	}
}

func (v *Virtual) down(i int) bool {
	start := i
	n := len(v.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && v.less(r, l) {
			m = r
		}
		if !v.less(m, i) {
			break
		}
		v.swap(i, m)
		i = m
	}
	return i > start
}

func (v *Virtual) fix(i int) {
	if !v.down(i) {
		v.up(i)
	}
}

func (v *Virtual) remove(t *vtimer) {
	i := t.idx
	last := len(v.heap) - 1
	if i != last {
		v.swap(i, last)
	}
	v.heap[last] = nil
	v.heap = v.heap[:last]
	if i != last {
		v.fix(i)
	}
	t.idx = -1
}
