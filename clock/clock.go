// Package clock gives the scheduler its sense of time: a Clock that reads the
// time in nanoseconds and arms timers at absolute times. Monotonic follows the
// host's monotonic clock for live traffic; Virtual only moves when told, so
// that a simulation, and every test, is exact and repeatable.
package clock

// Clock is a source of time, in nanoseconds since an arbitrary origin, with
// timers. The scheduler never calls time.Now: it asks its Clock.
type Clock interface {
	// Now returns the current time in nanoseconds.
	Now() int64
	// NewTimer returns a stopped timer that calls f when it fires.
	NewTimer(f func()) Timer
}

// Timer fires its function once at an absolute time.
type Timer interface {
	// Reset arms the timer for time at (nanoseconds on its Clock), replacing
	// any pending expiry. A time in the past fires as soon as possible.
	Reset(at int64)
	// Stop disarms the timer and reports whether it was armed.
	Stop() bool
	// Pending reports whether the timer is armed, and for when.
	Pending() (at int64, ok bool)
}
