package clock_test

import (
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
