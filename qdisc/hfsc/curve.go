package hfsc

// Service curves in sch_hfsc.c's fixed point, so that eligible times,
// deadlines and virtual times match the kernel's to the tick.
//
// A curve is two segments: slope m1 for d, then m2. Internally x is time in
// psched ticks (64 ns) and y is bytes; slopes are bytes per tick scaled by
// 2^smShift, inverse slopes ticks per byte scaled by 2^ismShift. The
// x-projection of the first segment and its y-projection are kept so that
// no division happens per packet.

// Scales (SM_SHIFT, ISM_SHIFT with PSCHED_SHIFT 6).
const (
	pschedShift = 6
	smShift     = 30 - pschedShift
	ismShift    = 8 + pschedShift
	smMask      = uint64(1)<<smShift - 1
	ismMask     = uint64(1)<<ismShift - 1

	ticksPerSec = 1_000_000_000 >> pschedShift // PSCHED_TICKS_PER_SEC
	usecPerSec  = 1_000_000

	infinity = ^uint64(0) // HT_INFINITY
)

// internalSC is struct internal_sc: a curve in the scaled units.
type internalSC struct {
	sm1, ism1 uint64 // scaled slope and inverse slope of the 1st segment
	dx, dy    uint64 // projections of the 1st segment
	sm2, ism2 uint64 // scaled slope and inverse slope of the 2nd segment
}

// runtimeSC is struct runtime_sc: a curve placed at (x, y).
type runtimeSC struct {
	x, y uint64
	internalSC
}

// segX2Y is y = x·sm >> smShift, split to avoid overflow (seg_x2y).
func segX2Y(x, sm uint64) uint64 {
	return (x>>smShift)*sm + ((x&smMask)*sm)>>smShift
}

// segY2X is x = y·ism >> ismShift (seg_y2x).
func segY2X(y, ism uint64) uint64 {
	switch {
	case y == 0:
		return 0
	case ism == infinity:
		return infinity
	}
	return (y>>ismShift)*ism + ((y&ismMask)*ism)>>ismShift
}

// m2sm converts bytes per second to a scaled slope, rounding up.
func m2sm(m uint32) uint64 {
	return (uint64(m)<<smShift + ticksPerSec - 1) / ticksPerSec
}

// m2ism converts bytes per second to a scaled inverse slope.
func m2ism(m uint32) uint64 {
	if m == 0 {
		return infinity
	}
	return (uint64(ticksPerSec)<<ismShift + uint64(m) - 1) / uint64(m)
}

// d2dx converts microseconds to ticks, rounding up.
func d2dx(d uint32) uint64 {
	return (uint64(d)*ticksPerSec + usecPerSec - 1) / usecPerSec
}

// sm2m converts a scaled slope back to bytes per second, for dumps.
func sm2m(sm uint64) uint32 { return uint32((sm * ticksPerSec) >> smShift) }

// dx2d converts ticks back to microseconds, for dumps.
func dx2d(dx uint64) uint32 { return uint32(dx * usecPerSec / ticksPerSec) }

// toInternal is sc2isc.
func (sc ServiceCurve) toInternal() internalSC {
	isc := internalSC{
		sm1:  m2sm(sc.M1),
		ism1: m2ism(sc.M1),
		dx:   d2dx(sc.D),
		sm2:  m2sm(sc.M2),
		ism2: m2ism(sc.M2),
	}
	isc.dy = segX2Y(isc.dx, isc.sm1)
	return isc
}

// external is the curve as a dump reports it.
func (isc *internalSC) external() ServiceCurve {
	return ServiceCurve{M1: sm2m(isc.sm1), D: dx2d(isc.dx), M2: sm2m(isc.sm2)}
}

// init places isc at (x, y) (rtsc_init).
func (r *runtimeSC) init(isc *internalSC, x, y uint64) {
	r.x, r.y = x, y
	r.internalSC = *isc
}

// y2x is the time at which the curve reaches y (rtsc_y2x).
func (r *runtimeSC) y2x(y uint64) uint64 {
	switch {
	case y < r.y:
		return r.x
	case y <= r.y+r.dy:
		// On the first segment.
		if r.dy == 0 {
			return r.x + r.dx
		}
		return r.x + segY2X(y-r.y, r.ism1)
	}
	return r.x + r.dx + segY2X(y-r.y-r.dy, r.ism2)
}

// x2y is the service the curve gives by time x (rtsc_x2y).
func (r *runtimeSC) x2y(x uint64) uint64 {
	switch {
	case x <= r.x:
		return r.y
	case x <= r.x+r.dx:
		return r.y + segX2Y(x-r.x, r.sm1)
	}
	return r.y + r.dy + segX2Y(x-r.x-r.dx, r.sm2)
}

// min makes r the minimum of itself and isc placed at (x, y) (rtsc_min).
// A convex curve (sm1 <= sm2) only moves its start; a concave one keeps
// whichever curve is below, or joins them where they cross.
func (r *runtimeSC) min(isc *internalSC, x, y uint64) {
	if isc.sm1 <= isc.sm2 {
		if r.x2y(x) < y {
			return // the current curve is smaller
		}
		r.x, r.y = x, y
		return
	}
	y1 := r.x2y(x)
	if y1 <= y {
		return // r is below isc
	}
	y2 := r.x2y(x + isc.dx)
	if y2 >= y+isc.dy {
		// r is above isc: isc replaces it.
		r.x, r.y, r.dx, r.dy = x, y, isc.dx, isc.dy
		return
	}
	// The curves cross: find dx with
	// seg_x2y(dx, sm1) == seg_x2y(dx, sm2) + (y1 - y).
	dx := ((y1 - y) << smShift) / (isc.sm1 - isc.sm2)
	// If (x, y1) is on r's first segment, add the offset.
	if r.x+r.dx > x {
		dx += r.x + r.dx - x
	}
	r.x, r.y, r.dx, r.dy = x, y, dx, segX2Y(dx, isc.sm1)
}
