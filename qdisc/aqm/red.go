package aqm

import (
	"math/bits"
	"syscall"

	"github.com/netsched/netsched/sched"
)

// RED (Floyd and Jacobson, 1993), the divisionless version of
// include/net/red.h: an exponentially weighted average of the queue
// length, kept scaled by 2^Wlog; below qth_min nothing happens, above
// qth_max every packet is marked, in between a packet is marked with a
// probability that grows linearly from 0 to max_P, spaced out so that
// marks come about every 1/p packets rather than in clumps.

// REDStabSize is RED_STAB_SIZE: the entries of the idle damping table.
const REDStabSize = 256

// RED flags (TC_RED_*), in tc_red_qopt.flags and TCA_RED_FLAGS.
const (
	REDECN        = 1
	REDHarddrop   = 2
	REDAdaptative = 4
	REDNodrop     = 8
	REDHistoric   = REDECN | REDHarddrop | REDAdaptative
	REDOnePercent = 42949673 // DIV_ROUND_CLOSEST(1<<32, 100)
	redMaxPMin    = 1 * REDOnePercent
	redMaxPMax    = 50 * REDOnePercent
	redBelowMin   = 0
	redBetween    = 1
	redAboveMax   = 2
	redStabMask   = REDStabSize - 1
	REDActionNone = 0 // RED_DONT_MARK
	REDActionProb = 1 // RED_PROB_MARK
	REDActionHard = 2 // RED_HARD_MARK
)

// REDStats count what RED did (struct red_stats).
type REDStats struct {
	ProbDrop   uint32 // early drops
	ProbMark   uint32 // early marks
	ForcedDrop uint32 // drops with the average above qth_max
	ForcedMark uint32
	PDrop      uint32 // drops at the hard limit
}

// REDParms are the parameters (struct red_parms), thresholds scaled by
// 2^Wlog.
type REDParms struct {
	QthMin, QthMax uint32
	ScellMax       uint32
	MaxP           uint32 // probability at qth_max, Q0.32
	maxPDelta      uint32 // max_P / (qth_max - qth_min): red_random's divisor
	QthDelta       uint32
	TargetMin      uint32 // adaptive RED's target band
	TargetMax      uint32
	ScellLog       uint8
	Wlog           uint8
	Plog           uint8
	Stab           [REDStabSize]uint8
}

// REDVars are the state (struct red_vars).
type REDVars struct {
	QCount     int32  // packets since the last mark, -1 below qth_min
	QR         uint32 // the cached random number
	QAvg       uint64 // average queue length, scaled by 2^Wlog
	QIdleStart int64  // start of the idle period (ns), when Idle
	Idle       bool
}

// REDMaxP is red_maxp: 2^-Plog as Q0.32.
func REDMaxP(plog uint8) uint32 {
	if plog < 32 {
		return ^uint32(0) >> plog
	}
	return ^uint32(0)
}

// SetVars resets the average and the count (red_set_vars).
func (v *REDVars) SetVars() {
	v.QAvg = 0
	v.QCount = -1
}

// fls is the kernel's find-last-set: 1 + the index of the top bit.
func fls(x uint32) int { return 32 - bits.LeadingZeros32(x) }

// REDCheckParams is red_check_params: thresholds that fit 32 bits once
// scaled, a cell log below 32, min <= max, a table of shifts below 32.
func REDCheckParams(qthMin, qthMax uint32, wlog, scellLog uint8, stab []byte) bool {
	if fls(qthMin)+int(wlog) >= 32 || fls(qthMax)+int(wlog) >= 32 {
		return false
	}
	if scellLog >= 32 || qthMax < qthMin {
		return false
	}
	for _, s := range stab {
		if s >= 32 {
			return false
		}
	}
	return true
}

// REDGetFlags is red_get_flags: flags come either in the qopt's flags byte
// (historic bits only; the others are user bits kept for the dump) or in
// a TCA_*_FLAGS bitfield, never both. mod is the module the kernel names
// in the message ("sch_red").
func REDGetFlags(qoptFlags, historic uint8, attr *[2]uint32, mod string) (value, selector uint32, userbits uint8, err error) {
	if qoptFlags != 0 && attr != nil {
		return 0, 0, 0, sched.Err(syscall.EINVAL, mod+": flags should be passed either through qopt, or through a dedicated attribute")
	}
	if attr != nil {
		value, selector = attr[0], attr[1]
	} else {
		selector = uint32(historic)
		value = uint32(qoptFlags & historic)
	}
	return value, selector, qoptFlags &^ historic, nil
}

// REDValidateFlags is red_validate_flags: nodrop needs ECN.
func REDValidateFlags(flags uint8, mod string) error {
	if flags&REDNodrop != 0 && flags&REDECN == 0 {
		return sched.Err(syscall.EINVAL, mod+": nodrop mode is only meaningful with ECN")
	}
	return nil
}

// Set is red_set_parms. A zero maxP means 2^-Plog times the threshold
// gap, the historic way of giving the probability.
func (p *REDParms) Set(qthMin, qthMax uint32, wlog, plog, scellLog uint8, stab []byte, maxP uint32) {
	delta := int32(qthMax - qthMin)
	p.QthMin = qthMin << wlog
	p.QthMax = qthMax << wlog
	p.Wlog = wlog
	p.Plog = plog
	if delta <= 0 {
		delta = 1
	}
	p.QthDelta = uint32(delta)
	if maxP == 0 {
		maxP = REDMaxP(plog)
		maxP *= uint32(delta)
	}
	p.MaxP = maxP
	p.maxPDelta = max(maxP/uint32(delta), 1)
	delta /= 5
	p.TargetMin = qthMin + 2*uint32(delta)
	p.TargetMax = qthMin + 3*uint32(delta)
	p.ScellLog = scellLog
	p.ScellMax = 255 << scellLog
	if stab != nil {
		copy(p.Stab[:], stab)
	}
}

// StartIdle marks the start of an idle period (red_start_of_idle_period).
func (v *REDVars) StartIdle(now int64) { v.QIdleStart, v.Idle = now, true }

// EndIdle ends it (red_end_of_idle_period).
func (v *REDVars) EndIdle() { v.QIdleStart, v.Idle = 0, false }

// Restart forgets the average (red_restart).
func (v *REDVars) Restart() {
	v.EndIdle()
	v.QAvg = 0
	v.QCount = -1
}

// QAvgFromIdle is red_calc_qavg_from_idle_time: the average decays over
// the idle time as if packets of the average size had left at line rate,
// using the table the user computed (Stab: shifts per idle cell) and a
// linear approximation below the first shift.
func (p *REDParms) QAvgFromIdle(v *REDVars, now int64) uint64 {
	delta := (now - v.QIdleStart) / 1000
	usIdle := min(delta, int64(p.ScellMax))
	shift := p.Stab[(usIdle>>p.ScellLog)&redStabMask]
	if shift != 0 {
		return v.QAvg >> shift
	}
	dec := (v.QAvg * uint64(usIdle)) >> p.ScellLog
	if dec < v.QAvg>>1 {
		return v.QAvg - dec
	}
	return v.QAvg >> 1
}

// QAvgNoIdle is red_calc_qavg_no_idle_time: qavg = qavg*(1-W) + backlog*W
// in fixed point.
func (p *REDParms) QAvgNoIdle(v *REDVars, backlog uint32) uint64 {
	return v.QAvg + (uint64(backlog) - v.QAvg>>p.Wlog)
}

// QAvg is red_calc_qavg.
func (p *REDParms) QAvg(v *REDVars, now int64, backlog uint32) uint64 {
	if !v.Idle {
		return p.QAvgNoIdle(v, backlog)
	}
	return p.QAvgFromIdle(v, now)
}

// Random is red_random: a uniform number in [0, 2^32 * delta / max_P).
func (p *REDParms) Random(r *Rand) uint32 { return r.Uint32() / p.maxPDelta }

// MarkProbability is red_mark_probability: whether this packet, qcount
// packets after the last mark, is marked.
func (p *REDParms) MarkProbability(v *REDVars, qavg uint64) bool {
	return !(((qavg-uint64(p.QthMin))>>p.Wlog)*uint64(int64(v.QCount)) < uint64(v.QR))
}

// cmpThresh is red_cmp_thresh.
func (p *REDParms) cmpThresh(qavg uint64) int {
	switch {
	case qavg < uint64(p.QthMin):
		return redBelowMin
	case qavg >= uint64(p.QthMax):
		return redAboveMax
	}
	return redBetween
}

// Action is red_action: what to do with a packet at average qavg.
func (p *REDParms) Action(v *REDVars, qavg uint64, r *Rand) int {
	switch p.cmpThresh(qavg) {
	case redBelowMin:
		v.QCount = -1
		return REDActionNone
	case redBetween:
		v.QCount++
		if v.QCount != 0 {
			if p.MarkProbability(v, qavg) {
				v.QCount = 0
				v.QR = p.Random(r)
				return REDActionProb
			}
		} else {
			v.QR = p.Random(r)
		}
		return REDActionNone
	}
	v.QCount = -1
	return REDActionHard
}

// Adapt is red_adaptative_algo, run every 500 ms for adaptive RED: max_P
// grows while the average sits above the target band and shrinks below it
// (Floyd, Gummadi and Shenker, 2001).
func (p *REDParms) Adapt(v *REDVars, now int64) {
	qavg := v.QAvg
	if v.Idle {
		qavg = p.QAvgFromIdle(v, now)
	}
	qavg >>= p.Wlog
	if qavg > uint64(p.TargetMax) && p.MaxP <= redMaxPMax {
		p.MaxP += min(uint32(redMaxPMin), p.MaxP/4)
	} else if qavg < uint64(p.TargetMin) && p.MaxP >= redMaxPMin {
		p.MaxP = (p.MaxP / 10) * 9
	}
	p.maxPDelta = max((p.MaxP+p.QthDelta/2)/p.QthDelta, 1)
}
