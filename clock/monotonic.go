package clock

import (
	"sync"
	"time"
)

// Monotonic is the host's monotonic clock. Timers run their functions on
// their own goroutines, as hrtimer callbacks run in their own context.
type Monotonic struct {
	origin time.Time
	// lock, when set, is held while a timer function runs; a timer that is
	// stopped or re-armed by a holder of lock before its function got the
	// lock does not run. The daemon passes its control lock, so that timer
	// work (watchdogs, estimators) is ordered with configuration changes.
	lock sync.Locker
}

// NewMonotonic returns a monotonic clock whose origin is now.
func NewMonotonic() *Monotonic { return &Monotonic{origin: time.Now()} }

// NewMonotonicLocked returns a monotonic clock whose timer functions run
// holding lock.
func NewMonotonicLocked(lock sync.Locker) *Monotonic {
	return &Monotonic{origin: time.Now(), lock: lock}
}

// Now returns nanoseconds since the clock's origin.
func (m *Monotonic) Now() int64 { return int64(time.Since(m.origin)) }

// NewTimer returns a stopped timer.
func (m *Monotonic) NewTimer(f func()) Timer { return &monoTimer{clk: m, f: f} }

type monoTimer struct {
	clk *Monotonic
	f   func()

	mu sync.Mutex // guards t, at and armed
	t  *time.Timer
	at int64
	// armed is false once the timer fired or was stopped; a Go timer that
	// already started its function cannot tell us that itself.
	armed bool
	gen   uint64 // which Reset the running function belongs to
}

func (t *monoTimer) Reset(at int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.at, t.armed = at, true
	t.gen++
	gen := t.gen
	d := time.Duration(at - t.clk.Now())
	if d < 0 {
		d = 0
	}
	if t.t != nil {
		t.t.Stop()
	}
	t.t = time.AfterFunc(d, func() {
		if l := t.clk.lock; l != nil {
			l.Lock()
			defer l.Unlock()
		}
		t.mu.Lock()
		if !t.armed || t.gen != gen {
			t.mu.Unlock()
			return
		}
		t.armed = false
		t.mu.Unlock()
		t.f()
	})
}

func (t *monoTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.armed
	t.armed = false
	if t.t != nil {
		t.t.Stop()
	}
	return was
}

func (t *monoTimer) Pending() (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.at, t.armed
}
