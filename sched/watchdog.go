package sched

import "github.com/netsched/netsched/clock"

// Watchdog wakes a throttled qdisc's queue at a set time (qdisc_watchdog):
// a shaper that has packets but may not send yet arms it and returns nil
// from Dequeue; when it fires, the queue runs again. Nothing polls.
type Watchdog struct {
	q     *Qdisc
	timer clock.Timer
}

// NewWatchdog returns a watchdog for q (qdisc_watchdog_init).
func (q *Qdisc) NewWatchdog() *Watchdog {
	w := &Watchdog{q: q}
	w.timer = q.dev.net.Clock.NewTimer(w.fire)
	return w
}

func (w *Watchdog) fire() {
	if t := w.q.queue; t != nil {
		t.Schedule()
	}
}

// Schedule arms the watchdog for time at (ns), unless the tree is
// deactivated, or the watchdog is already armed within slack ns after at
// (qdisc_watchdog_schedule_range_ns).
func (w *Watchdog) Schedule(at, slack int64) {
	if w.q.IsDeactivated() {
		return
	}
	if cur, ok := w.timer.Pending(); ok && uint64(cur-at) <= uint64(slack) {
		return
	}
	w.timer.Reset(at)
}

// ScheduleNs arms the watchdog for time at (qdisc_watchdog_schedule_ns).
func (w *Watchdog) ScheduleNs(at int64) { w.Schedule(at, 0) }

// Cancel disarms the watchdog (qdisc_watchdog_cancel).
func (w *Watchdog) Cancel() { w.timer.Stop() }
