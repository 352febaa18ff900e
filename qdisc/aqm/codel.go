package aqm

import (
	"math"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
)

// CoDel (RFC 8289) as include/net/codel.h and codel_impl.h implement it.
//
// Flow of a dequeue: the head packet's sojourn time (now minus its
// enqueue time) is compared with target; once it has stayed above target
// for an interval, CoDel enters the dropping state and drops (or ECN-marks)
// the head, then schedules the next drop at interval/sqrt(count) later, the
// control law; it leaves the state as soon as a packet's sojourn time falls
// below target or the queue holds less than an MTU.

// CodelTime is codel_time_t: nanoseconds shifted right by CodelShift, in
// 32 bits (about a microsecond of resolution, wrapping every 73 minutes).
type CodelTime uint32

// CodelShift is CODEL_SHIFT.
const CodelShift = 10

// CodelDisabledThreshold is CODEL_DISABLED_THRESHOLD: no ce_threshold.
const CodelDisabledThreshold CodelTime = math.MaxInt32

// CodelNow converts a clock reading (ns) to codel time (codel_get_time).
func CodelNow(ns int64) CodelTime { return CodelTime(uint64(ns) >> CodelShift) }

// CodelFromUs converts microseconds, as netlink carries them, to codel time.
func CodelFromUs(us uint32) CodelTime { return CodelTime((uint64(us) * 1000) >> CodelShift) }

// Us converts codel time to microseconds (codel_time_to_us).
func (t CodelTime) Us() uint32 { return uint32((uint64(t) << CodelShift) / 1000) }

func codelAfter(a, b CodelTime) bool   { return int32(a-b) > 0 }
func codelAfterEq(a, b CodelTime) bool { return int32(a-b) >= 0 }
func codelBefore(a, b CodelTime) bool  { return codelAfter(b, a) }

// CodelDelta is a signed codel time difference in microseconds, as the
// xstats report drop_next.
func CodelDelta(next, now CodelTime) int32 {
	d := int32(next - now)
	if d >= 0 {
		return int32(CodelTime(d).Us())
	}
	return -int32(CodelTime(-d).Us())
}

// CodelParams are a CoDel instance's parameters (struct codel_params).
type CodelParams struct {
	Target      CodelTime
	CEThreshold CodelTime
	Interval    CodelTime
	MTU         uint32 // below one MTU of backlog CoDel never drops
	ECN         bool
	// CEThresholdSelector and CEThresholdMask restrict ce_threshold
	// marking to packets whose DS field, masked, equals the selector.
	CEThresholdSelector uint8
	CEThresholdMask     uint8
}

// Init sets the defaults (codel_params_init): target 5 ms, interval
// 100 ms, no ce_threshold, no ECN.
func (p *CodelParams) Init() {
	*p = CodelParams{
		Interval:    CodelFromUs(100000),
		Target:      CodelFromUs(5000),
		CEThreshold: CodelDisabledThreshold,
		MTU:         p.MTU,
	}
}

// CodelVars are the state of one CoDel queue (struct codel_vars).
type CodelVars struct {
	Count          uint32 // drops since entering the dropping state
	LastCount      uint32 // count when the state was last entered
	Dropping       bool
	RecInvSqrt     uint16 // 1/sqrt(count), Q0.16
	FirstAboveTime CodelTime
	DropNext       CodelTime
	LDelay         CodelTime // sojourn time of the last dequeued packet
}

// CodelStats are the counters a CoDel instance keeps (struct codel_stats).
// DropCount and DropLen collect the drops of one dequeue, for the caller
// to report to the parents.
type CodelStats struct {
	MaxPacket uint32
	DropCount uint32
	DropLen   uint32
	ECNMark   uint32
	CEMark    uint32
}

// recInvSqrtShift is REC_INV_SQRT_SHIFT.
const recInvSqrtShift = 32 - 16

// newtonStep refines RecInvSqrt for the current Count: one step of
// Newton's method for 1/sqrt(count) (codel_Newton_step).
func (v *CodelVars) newtonStep() {
	invsqrt := uint32(v.RecInvSqrt) << recInvSqrtShift
	invsqrt2 := uint32(uint64(invsqrt) * uint64(invsqrt) >> 32)
	val := uint64(3)<<32 - uint64(v.Count)*uint64(invsqrt2)
	val >>= 2
	val = (val * uint64(invsqrt)) >> (32 - 2 + 1)
	v.RecInvSqrt = uint16(val >> recInvSqrtShift)
}

// ControlLaw is t + interval/sqrt(count) (codel_control_law).
func ControlLaw(t, interval CodelTime, recInvSqrt uint16) CodelTime {
	return t + CodelTime(inet.ReciprocalScale(uint32(interval), uint32(recInvSqrt)<<recInvSqrtShift))
}

// CodelQueue is the queue a CoDel instance manages: how to take its head
// (removing it from the backlog the caller passes to CodelDequeue) and how
// to drop a packet CoDel chose (dequeue_func and drop_func).
type CodelQueue interface {
	CodelDequeue(v *CodelVars) *pkt.Packet
	CodelDrop(p *pkt.Packet)
}

// CodelEnqueueTime is when p entered the queue, in codel time.
func CodelEnqueueTime(p *pkt.Packet) CodelTime { return CodelNow(p.Tstamp) }

// shouldDrop is codel_should_drop.
func shouldDrop(p *pkt.Packet, v *CodelVars, par *CodelParams, st *CodelStats, backlog uint32, now CodelTime) bool {
	if p == nil {
		v.FirstAboveTime = 0
		return false
	}
	v.LDelay = now - CodelEnqueueTime(p)
	if p.PktLen > st.MaxPacket {
		st.MaxPacket = p.PktLen
	}
	if codelBefore(v.LDelay, par.Target) || backlog <= par.MTU {
		// Below target: stay below for at least an interval.
		v.FirstAboveTime = 0
		return false
	}
	if v.FirstAboveTime == 0 {
		// Just went above: if it stays above for an interval, drop.
		v.FirstAboveTime = now + par.Interval
		return false
	}
	return codelAfter(now, v.FirstAboveTime)
}

// CodelDequeue takes the next packet CoDel lets through (codel_dequeue),
// dropping or marking on the way as the control law says. backlog is the
// qdisc's byte backlog, which q's dequeue keeps current.
func CodelDequeue(q CodelQueue, now CodelTime, backlog *uint32, par *CodelParams, v *CodelVars, st *CodelStats) *pkt.Packet {
	p := q.CodelDequeue(v)
	if p == nil {
		v.FirstAboveTime = 0
		v.Dropping = false
		return nil
	}
	drop := shouldDrop(p, v, par, st, *backlog, now)
	if v.Dropping {
		if !drop {
			// Sojourn time below target: leave the dropping state.
			v.Dropping = false
		} else if codelAfterEq(now, v.DropNext) {
			// Time for the next drop. A large backlog may need
			// several drops at once.
			for v.Dropping && codelAfterEq(now, v.DropNext) {
				v.Count++ // wraps; there is no divide any more
				v.newtonStep()
				if par.ECN && inet.SetCE(p) {
					st.ECNMark++
					v.DropNext = ControlLaw(v.DropNext, par.Interval, v.RecInvSqrt)
					goto end
				}
				st.DropLen += p.PktLen
				q.CodelDrop(p)
				st.DropCount++
				p = q.CodelDequeue(v)
				if !shouldDrop(p, v, par, st, *backlog, now) {
					v.Dropping = false
				} else {
					v.DropNext = ControlLaw(v.DropNext, par.Interval, v.RecInvSqrt)
				}
			}
		}
	} else if drop {
		if par.ECN && inet.SetCE(p) {
			st.ECNMark++
		} else {
			st.DropLen += p.PktLen
			q.CodelDrop(p)
			st.DropCount++
			p = q.CodelDequeue(v)
			shouldDrop(p, v, par, st, *backlog, now)
		}
		v.Dropping = true
		// If we were dropping recently, the drop rate that controlled
		// the queue then is a good start now.
		delta := v.Count - v.LastCount
		if delta > 1 && codelBefore(now-v.DropNext, 16*par.Interval) {
			v.Count = delta
			// Newton's next steps correct the approximation.
			v.newtonStep()
		} else {
			v.Count = 1
			v.RecInvSqrt = ^uint16(0)
		}
		v.LastCount = v.Count
		v.DropNext = ControlLaw(now, par.Interval, v.RecInvSqrt)
	}
end:
	if p != nil && codelAfter(v.LDelay, par.CEThreshold) {
		setCE := true
		if par.CEThresholdMask != 0 {
			ds, ok := inet.DSField(p)
			setCE = ok && ds&par.CEThresholdMask == par.CEThresholdSelector
		}
		if setCE && inet.SetCE(p) {
			st.CEMark++
		}
	}
	return p
}
