package clock_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netsched/netsched/clock"
)

func TestVirtualOrder(t *testing.T) {
	v := clock.NewVirtual()
	var got []int
	var mk = func(i int) clock.Timer { return v.NewTimer(func() { got = append(got, i) }) }
	a, b, c, d := mk(1), mk(2), mk(3), mk(4)
	a.Reset(30)
	b.Reset(10)
	c.Reset(10) // same time as b, armed later: fires after b
	d.Reset(20)
	d.Reset(40) // re-armed
	if !c.Stop() || c.Stop() {
		t.Fatal("stop reports wrongly")
	}
	c.Reset(10)
	v.AdvanceTo(35)
	if len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 1 || v.Now() != 35 {
		t.Fatalf("fired %v at %d", got, v.Now())
	}
	if at, ok := d.Pending(); !ok || at != 40 {
		t.Fatalf("pending %d %v", at, ok)
	}
	if !v.Step() || v.Now() != 40 || v.Step() {
		t.Fatalf("step")
	}
}

func TestMonotonicStopWins(t *testing.T) {
	var mu sync.Mutex
	m := clock.NewMonotonicLocked(&mu)
	fired := make(chan struct{}, 1)
	tm := m.NewTimer(func() { fired <- struct{}{} })
	mu.Lock()
	tm.Reset(m.Now()) // due now, but its function needs the lock
	time.Sleep(5 * time.Millisecond)
	tm.Stop() // stopped by the lock holder: must not run
	mu.Unlock()
	select {
	case <-fired:
		t.Fatal("a timer stopped under the lock ran")
	case <-time.After(20 * time.Millisecond):
	}
	tm.Reset(m.Now() + int64(time.Millisecond))
	select {
	case <-fired:
	case <-time.After(time.Second):
		t.Fatal("timer did not fire")
	}
}

// A timer function sees its own timer disarmed, and may re-arm or stop
// it; a re-armed timer fires again in order with the others.
func TestVirtualRearmInCallback(t *testing.T) {
	v := clock.NewVirtual()
	var got []string
	var a, b clock.Timer
	n := 0
	a = v.NewTimer(func() {
		if _, ok := a.Pending(); ok {
			t.Error("a firing timer reports itself pending")
		}
		if a.Stop() {
			t.Error("stopping a firing timer reported it armed")
		}
		n++
		got = append(got, "a")
		if n < 3 {
			a.Reset(v.Now() + 10)
		}
	})
	b = v.NewTimer(func() { got = append(got, "b") })
	a.Reset(10)
	b.Reset(20) // ties with a's second expiry, armed earlier: fires first
	v.AdvanceTo(100)
	if want := "a b a a"; strings.Join(got, " ") != want {
		t.Fatalf("fired %v, want %s", got, want)
	}
	if _, ok := a.Pending(); ok {
		t.Fatal("a is still armed")
	}
	// A function that re-arms and then stops its timer leaves it stopped.
	c := v.NewTimer(nil)
	c = v.NewTimer(func() {
		c.Reset(v.Now() + 5)
		if !c.Stop() {
			t.Error("a re-armed timer was not armed")
		}
	})
	c.Reset(v.Now() + 1)
	v.AdvanceTo(200)
	if _, ok := v.Next(); ok {
		t.Fatal("a timer is left")
	}
}

// BenchmarkVirtualPeriodic is the simulator's event loop: timers that
// re-arm themselves, among others.
func BenchmarkVirtualPeriodic(b *testing.B) {
	b.ReportAllocs()
	v := clock.NewVirtual()
	for i := 0; i < 32; i++ {
		var t clock.Timer
		gap := int64(100 + i)
		t = v.NewTimer(func() { t.Reset(v.Now() + gap) })
		t.Reset(gap)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.Step()
	}
}
