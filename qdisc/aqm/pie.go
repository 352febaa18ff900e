package aqm

import (
	"math"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// PIE (RFC 8033) as include/net/pie.h and sch_pie.c implement it: every
// tupdate the drop probability moves by alpha times the distance of the
// queue delay from target plus beta times its trend; enqueue drops early
// with that probability (de-randomized through an accumulated
// probability), except during the initial burst allowance and while the
// delay is low. The delay is the sojourn time of the last dequeued packet,
// or, with dq_rate_estimator, the backlog over the measured drain rate.

// PIE constants (pie.h). Times are psched ticks (64 ns).
const (
	PIEMaxProb        = math.MaxUint64 >> 8 // MAX_PROB: probability 1
	pieDtimeInvalid   = math.MaxUint64
	pieQueueThreshold = 16384
	pieDQCountInvalid = math.MaxUint64 // DQCOUNT_INVALID (-1)
	pieScale          = 8
	psTicksPerSec     = 1000000000 >> 6
)

// PIEParams are the parameters (struct pie_params).
type PIEParams struct {
	Target      uint64 // psched ticks
	TUpdate     uint64 // jiffies
	Limit       uint32
	Alpha, Beta uint32 // in 1/16
	// The flags are bytes, as the kernel keeps them: a u32 attribute's
	// low byte, dumped back as given.
	ECN             uint8
	Bytemode        uint8
	DQRateEstimator uint8
}

// Init sets the defaults (pie_params_init): target 15 ms, tupdate 15 ms,
// limit 1000, alpha 2, beta 20.
func (p *PIEParams) Init() {
	*p = PIEParams{
		Target:  uint64(sched.NsToTicks(15e6)),
		TUpdate: sched.UsecsToJiffies(15000),
		Limit:   1000,
		Alpha:   2,
		Beta:    20,
	}
}

// PIEVars are the state of one PIE queue (struct pie_vars).
type PIEVars struct {
	QDelay, QDelayOld uint64 // psched ticks
	BurstTime         uint64
	DQTstamp          uint64
	Prob              uint64 // Q0.56: PIEMaxProb is 1
	AccuProb          uint64
	DQCount           uint64
	AvgDQRate         uint32 // bytes per tick, scaled by 2^pieScale
	BacklogOld        uint32
}

// Init resets the measurement state (pie_vars_init); the probability and
// delays stay.
func (v *PIEVars) Init() {
	v.BurstTime = uint64(sched.NsToTicks(150e6))
	v.DQTstamp = pieDtimeInvalid
	v.AccuProb = 0
	v.DQCount = pieDQCountInvalid
	v.AvgDQRate = 0
}

// PIEStats count what PIE did (struct pie_stats).
type PIEStats struct {
	PacketsIn, Dropped, Overlimit, ECNMark, MaxQ uint32
}

// PIETicks is psched_get_time at now (ns).
func PIETicks(now int64) uint64 { return uint64(sched.NsToTicks(now)) }

// DropEarly is pie_drop_early: whether an arriving packet of size bytes
// is dropped (or marked), given the backlog of its queue and the device's
// MTU.
func (v *PIEVars) DropEarly(p *PIEParams, backlog, size, mtu uint32, r *Rand) bool {
	local := v.Prob
	// Burst allowance left: no early drops.
	if v.BurstTime > 0 {
		return false
	}
	// Delay below half the target with a low probability: none either.
	if v.QDelay < p.Target/2 && v.Prob < PIEMaxProb/5 {
		return false
	}
	// Fewer than two MTUs queued, as RED's min_th.
	if backlog < 2*mtu {
		return false
	}
	// In byte mode smaller packets are dropped less.
	if p.Bytemode != 0 && size <= mtu {
		local = uint64(size) * (local / uint64(mtu))
	} else {
		local = v.Prob
	}
	if local == 0 {
		v.AccuProb = 0
	} else {
		v.AccuProb += local
	}
	if v.AccuProb < (PIEMaxProb/100)*85 {
		return false
	}
	if v.AccuProb >= (PIEMaxProb/2)*17 {
		return true
	}
	if r.Uint64()>>8 < local {
		v.AccuProb = 0
		return true
	}
	return false
}

// ProcessDequeue is pie_process_dequeue: it measures the queue delay from
// the packet's timestamp, or the drain rate, and spends burst allowance.
// backlog is the queue's after the packet left; now is in ns.
func (v *PIEVars) ProcessDequeue(pk *pkt.Packet, p *PIEParams, backlog uint32, now int64) {
	t := PIETicks(now)
	var dtime uint32
	if p.DQRateEstimator == 0 {
		v.QDelay = t - PIETicks(pk.Tstamp)
		if v.DQTstamp != pieDtimeInvalid {
			dtime = uint32(t - v.DQTstamp)
		}
		v.DQTstamp = t
		if backlog == 0 {
			v.QDelay = 0
		}
		if dtime == 0 {
			return
		}
	} else {
		// With about ten packets queued and no cycle running, start
		// measuring the drain rate.
		if backlog >= pieQueueThreshold && v.DQCount == pieDQCountInvalid {
			v.DQTstamp = t
			v.DQCount = 0
		}
		if v.DQCount == pieDQCountInvalid {
			return
		}
		v.DQCount += uint64(pk.Len())
		if v.DQCount < pieQueueThreshold {
			return
		}
		count := uint32(v.DQCount << pieScale)
		dtime = uint32(t - v.DQTstamp)
		if dtime == 0 {
			return
		}
		count /= dtime
		if v.AvgDQRate == 0 {
			v.AvgDQRate = count
		} else {
			v.AvgDQRate = v.AvgDQRate - v.AvgDQRate>>3 + count>>3
		}
		// Below the threshold keep the last rate; else measure again.
		if backlog < pieQueueThreshold {
			v.DQCount = pieDQCountInvalid
		} else {
			v.DQCount = 0
			v.DQTstamp = t
		}
	}
	if v.BurstTime > 0 {
		if v.BurstTime > uint64(dtime) {
			v.BurstTime -= uint64(dtime)
		} else {
			v.BurstTime = 0
		}
	}
}

// CalculateProbability is pie_calculate_probability, run every tupdate.
func (v *PIEVars) CalculateProbability(p *PIEParams, backlog uint32) {
	var qdelay, qdelayOld uint64
	update := true
	if p.DQRateEstimator != 0 {
		qdelayOld = v.QDelay
		v.QDelayOld = v.QDelay
		if v.AvgDQRate > 0 {
			qdelay = uint64((backlog << pieScale) / v.AvgDQRate)
		}
	} else {
		qdelay = v.QDelay
		qdelayOld = v.QDelayOld
	}
	// A zero delay with a backlog means a very small one: no update.
	if qdelay == 0 && backlog != 0 {
		update = false
	}
	// alpha and beta come in 1/16 and per second; they are scaled down
	// further while the probability is small (RFC 8033 section 4.2).
	alpha := (uint64(p.Alpha) * (PIEMaxProb / psTicksPerSec)) >> 4
	beta := (uint64(p.Beta) * (PIEMaxProb / psTicksPerSec)) >> 4
	if v.Prob < PIEMaxProb/10 {
		alpha >>= 1
		beta >>= 1
		power := uint32(100)
		for v.Prob < PIEMaxProb/uint64(power) && power <= 1000000 {
			alpha >>= 2
			beta >>= 2
			power *= 10
		}
	}
	var delta int64
	delta += int64(alpha * (qdelay - p.Target))
	delta += int64(beta * (qdelay - qdelayOld))
	old := v.Prob
	// Steps of at most 2% once the probability is high.
	if delta > int64(PIEMaxProb/(100/2)) && v.Prob >= PIEMaxProb/10 {
		delta = (PIEMaxProb / 100) * 2
	}
	// Delays over 250 ms push harder.
	if qdelay > uint64(sched.NsToTicks(250e6)) {
		delta += PIEMaxProb / (100 / 2)
	}
	v.Prob += uint64(delta)
	if delta > 0 {
		if v.Prob < old {
			v.Prob = PIEMaxProb
			update = false
		}
	} else if v.Prob > old {
		v.Prob = 0
	}
	// Two intervals without delay: decay quickly.
	if qdelay == 0 && qdelayOld == 0 && update {
		v.Prob -= v.Prob / 64
	}
	v.QDelay = qdelay
	v.BacklogOld = backlog
	// Low delay twice with no probability left: start over.
	if v.QDelay < p.Target/2 && v.QDelayOld < p.Target/2 && v.Prob == 0 &&
		(p.DQRateEstimator == 0 || v.AvgDQRate > 0) {
		v.Init()
	}
	if p.DQRateEstimator == 0 {
		v.QDelayOld = qdelay
	}
}

// PIEDelayUs is a delay in ticks as microseconds, as the dumps give it.
func PIEDelayUs(ticks uint64) uint32 { return uint32(sched.TicksToNs(ticks)) / 1000 }

// PIEDQRate is the drain rate in bytes per second, as pie's xstats give
// it.
func PIEDQRate(v *PIEVars) uint32 { return uint32(uint64(v.AvgDQRate) * psTicksPerSec >> pieScale) }
