package cake

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
)

// COBALT runs CoDel and BLUE side by side on each queue (sch_cake.c's
// cobalt_*): CoDel's control law (next drop at interval/sqrt(count) after
// the last) answers flows that respond to congestion signals; BLUE's drop
// probability, raised when the queue overflows and lowered when it runs
// empty, handles those that do not. CoDel's law is the same as package
// aqm's, but COBALT keeps its times in nanoseconds and 1/sqrt(count) in 32
// bits, cached for small counts, so only the reciprocal scaling is shared.

// cobaltParams are struct cobalt_params: times in ns, probabilities in
// Q0.32.
type cobaltParams struct {
	interval, target, mtuTime uint64
	pInc, pDec                uint32
}

// cobaltVars are struct cobalt_vars.
type cobaltVars struct {
	count      uint32
	recInvSqrt uint32 // 1/sqrt(count) >> 1, Q0.32
	dropNext   int64
	blueTimer  int64
	pDrop      uint32
	dropping   bool
	ecnMarked  bool
}

// invSqrtCache holds eight-step Newton values of 1/sqrt(count) for small
// counts, where one step is too coarse (REC_INV_SQRT_CACHE).
var invSqrtCache = [16]uint32{
	^uint32(0), ^uint32(0), 3037000500, 2479700525,
	2147483647, 1920767767, 1753413056, 1623345051,
	1518500250, 1431655765, 1358187914, 1294981364,
	1239850263, 1191209601, 1147878294, 1108955788,
}

// newtonStep is cobalt_newton_step.
func (v *cobaltVars) newtonStep(count uint32) {
	invsqrt := uint64(v.recInvSqrt)
	invsqrt2 := (invsqrt * invsqrt) >> 32
	val := (uint64(3) << 32) - uint64(count)*invsqrt2
	val >>= 2
	val = (val * invsqrt) >> (32 - 2 + 1)
	v.recInvSqrt = uint32(val)
}

// invsqrt is cobalt_invsqrt.
func (v *cobaltVars) invsqrt(count uint32) {
	if count < uint32(len(invSqrtCache)) {
		v.recInvSqrt = invSqrtCache[count]
	} else {
		v.newtonStep(count)
	}
}

// control is cobalt_control: t + interval/sqrt(count). The interval goes
// through reciprocal_scale's 32-bit argument, as in the kernel.
func control(t int64, interval uint64, recInvSqrt uint32) int64 {
	return t + int64(inet.ReciprocalScale(uint32(interval), recInvSqrt))
}

// queueFull is cobalt_queue_full: an overflow raises BLUE's probability
// (at most once per target) and puts CoDel in the dropping state. It
// reports whether BLUE just became active.
func (v *cobaltVars) queueFull(p *cobaltParams, now int64) bool {
	up := false
	if now-v.blueTimer > int64(p.target) {
		pd := v.pDrop
		up = pd == 0
		pd += p.pInc
		if pd < p.pInc {
			pd = ^uint32(0)
		}
		v.pDrop = pd
		v.blueTimer = now
	}
	v.dropping = true
	v.dropNext = now
	if v.count == 0 {
		v.count = 1
	}
	return up
}

// queueEmpty is cobalt_queue_empty: an empty queue lowers BLUE's
// probability and relaxes CoDel. It reports whether BLUE just went idle.
func (v *cobaltVars) queueEmpty(p *cobaltParams, now int64) bool {
	down := false
	if v.pDrop != 0 && now-v.blueTimer > int64(p.target) {
		if v.pDrop < p.pDec {
			v.pDrop = 0
		} else {
			v.pDrop -= p.pDec
		}
		v.blueTimer = now
		down = v.pDrop == 0
	}
	v.dropping = false
	if v.count != 0 && now-v.dropNext >= 0 {
		v.count--
		v.invsqrt(v.count)
		v.dropNext = control(v.dropNext, p.interval, v.recInvSqrt)
	}
	return down
}

// Drop reasons of shouldDrop.
const (
	keep = iota
	dropCongested
	dropFlood // BLUE
)

// shouldDrop is cobalt_should_drop: whether a freshly dequeued packet is
// to be dropped (CoDel, unless it can be ECN-marked, or BLUE's coin).
func (v *cobaltVars) shouldDrop(p *cobaltParams, now int64, pk *pkt.Packet, bulkFlows uint32, rnd uint32) int {
	reason := keep
	sojourn := uint64(now - int64(pk.Cb[cbEnqueueTime]))
	schedule := now - v.dropNext
	overTarget := sojourn > p.target && sojourn > p.mtuTime*uint64(bulkFlows)*2 && sojourn > p.mtuTime*4
	count := v.count
	nextDue := count != 0 && schedule >= 0
	v.ecnMarked = false
	if overTarget {
		if !v.dropping {
			v.dropping = true
			v.dropNext = control(now, p.interval, v.recInvSqrt)
		}
		if count == 0 {
			count = 1
		}
	} else if v.dropping {
		v.dropping = false
	}
	if nextDue && v.dropping {
		// Mark if the packet takes it, else drop.
		v.ecnMarked = inet.SetCE(pk)
		if !v.ecnMarked {
			reason = dropCongested
		}
		count++
		if count == 0 {
			count--
		}
		v.invsqrt(count)
		v.dropNext = control(v.dropNext, p.interval, v.recInvSqrt)
		schedule = now - v.dropNext
	} else {
		for nextDue {
			count--
			v.invsqrt(count)
			v.dropNext = control(v.dropNext, p.interval, v.recInvSqrt)
			schedule = now - v.dropNext
			nextDue = count != 0 && schedule >= 0
		}
	}
	// BLUE, without ECN on purpose.
	if v.pDrop != 0 && reason == keep && rnd < v.pDrop {
		reason = dropFlood
	}
	v.count = count
	// drop_next doubles as an activity timeout.
	if count == 0 {
		v.dropNext = now + int64(p.interval)
	} else if schedule > 0 && reason == keep {
		v.dropNext = now
	}
	return reason
}
