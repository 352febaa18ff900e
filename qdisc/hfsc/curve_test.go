package hfsc

import (
	"math/rand/v2"
	"testing"
)

// The conversions round trip the values tc sends and prints, as the
// kernel's do (tdc 846a: umax 1540 dmax 5ms gives m1 308000 bytes/s).
func TestConversionsRoundTrip(t *testing.T) {
	for _, m := range []uint32{0, 1, 125, 1250, 2500, 308000, 125000, 1250000, 125000000, 1 << 31, ^uint32(0)} {
		if got := sm2m(m2sm(m)); got != m {
			t.Errorf("sm2m(m2sm(%d)) = %d", m, got)
		}
	}
	for _, d := range []uint32{0, 1, 64, 1000, 5000, 10000, 1000000} {
		if got := dx2d(d2dx(d)); got != d {
			t.Errorf("dx2d(d2dx(%d)) = %d", d, got)
		}
	}
	if m2ism(0) != infinity || segY2X(1, infinity) != infinity || segY2X(0, infinity) != 0 {
		t.Fatal("zero slope is not infinite inverse slope")
	}
}

// Known values: 1 Mbit/s is 125000 bytes/s, 8 ms per 1000 bytes, 125000
// ticks.
func TestSegments(t *testing.T) {
	sc := ServiceCurve{M2: 125000}.toInternal()
	if x := segY2X(1000, sc.ism2); x != 125000 {
		t.Fatalf("1000 bytes at 1 Mbit/s: %d ticks, want 125000", x)
	}
	if y := segX2Y(125000, sc.sm2); y != 1000 {
		t.Fatalf("125000 ticks at 1 Mbit/s: %d bytes, want 1000", y)
	}
	// The first segment: 5 Mbit/s for 10 ms is 6250 bytes.
	c := ServiceCurve{M1: 625000, D: 10000, M2: 125000}.toInternal()
	if c.dx != 156250 || c.dy != 6250 {
		t.Fatalf("dx %d dy %d, want 156250 and 6250", c.dx, c.dy)
	}
	var r runtimeSC
	r.init(&c, 1000, 500)
	for _, tt := range []struct{ x, y uint64 }{
		{0, 500}, {1000, 500}, {1000 + 78125, 500 + 3125}, {1000 + 156250, 6750}, {1000 + 156250 + 125000, 7750},
	} {
		if y := r.x2y(tt.x); y != tt.y {
			t.Errorf("x2y(%d) = %d, want %d", tt.x, y, tt.y)
		}
		if tt.x > 1000 {
			if x := r.y2x(tt.y); x != tt.x {
				t.Errorf("y2x(%d) = %d, want %d", tt.y, x, tt.x)
			}
		}
	}
}

// rtsc_min keeps the lower of two curves: for a concave curve the result
// is never above either, and follows the new curve once they meet.
func TestRuntimeMin(t *testing.T) {
	isc := ServiceCurve{M1: 625000, D: 10000, M2: 125000}.toInternal()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var r runtimeSC
		x0, y0 := rng.Uint64N(1e6), rng.Uint64N(1e5)
		r.init(&isc, x0, y0)
		old := r
		x1 := x0 + rng.Uint64N(1e6)
		y1 := y0 + rng.Uint64N(2e4)
		r.min(&isc, x1, y1)
		var fresh runtimeSC
		fresh.init(&isc, x1, y1)
		for _, dx := range []uint64{0, 1000, 50000, 156250, 300000, 1e6} {
			x := x1 + dx
			got, a, b := r.x2y(x), old.x2y(x), fresh.x2y(x)
			// The joined curve is the minimum, within the rounding
			// of the crossing point.
			if lo := min(a, b); got > lo+2 || got+2 < lo {
				t.Fatalf("case %d x=%d: min curve %d, curves %d and %d", i, x, got, a, b)
			}
		}
	}
	// A convex curve only moves its start, and only when the old curve
	// is not below the new start.
	vex := ServiceCurve{M1: 0, D: 10000, M2: 125000}.toInternal()
	var r runtimeSC
	r.init(&vex, 0, 0)
	if r.min(&vex, 1000, 10); r.x != 0 { // the old curve gives 0 < 10
		t.Fatalf("convex min moved to %d", r.x)
	}
	if r.min(&vex, 1000, 0); r.x != 1000 || r.y != 0 {
		t.Fatalf("convex min at (%d, %d), want (1000, 0)", r.x, r.y)
	}
}
