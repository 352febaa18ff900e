package sched

import (
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/clock"
)

// actEstimator is gen_estimator on an action's counters, which the data
// path updates atomically: every period (250 ms << intvlLog) the rate of
// the last period is folded into an average with weight 2^-ewmaLog.
// police's avrate reads it on the data path, hence the atomics.
type actEstimator struct {
	a        *Action
	timer    clock.Timer
	ewmaLog  uint8
	intvlLog uint8

	lastBytes, lastPackets uint64 // timer only
	avbps, avpps           uint64 // timer only; published in rate
	rate                   atomic.Pointer[[2]uint64]
	next                   int64
}

// newActEstimator starts an estimator from a TCA_RATE payload (struct
// tc_estimator); a period outside -2..3 or an ewma_log outside 1..30 is
// EINVAL.
func newActEstimator(a *Action, opt []byte) (*actEstimator, error) {
	if len(opt) < estimatorLen {
		return nil, syscall.EINVAL
	}
	interval, ewma := int8(opt[0]), opt[1]
	if interval < -2 || interval > 3 || ewma == 0 || ewma >= 31 {
		return nil, syscall.EINVAL
	}
	e := &actEstimator{a: a, ewmaLog: ewma, intvlLog: uint8(interval + 2)}
	e.lastBytes, e.lastPackets = a.bytes.Load(), a.packets.Load()
	e.rate.Store(&[2]uint64{})
	e.timer = a.net.Clock.NewTimer(e.tick)
	e.next = a.net.Clock.Now() + e.period()
	e.timer.Reset(e.next)
	return e, nil
}

func (e *actEstimator) period() int64 { return int64(250_000_000) << e.intvlLog }

func (e *actEstimator) tick() {
	b, p := e.a.bytes.Load(), e.a.packets.Load()
	shift := 10 - e.intvlLog
	brate := (b - e.lastBytes) << shift
	prate := (p - e.lastPackets) << shift
	e.avbps += (brate >> e.ewmaLog) - (e.avbps >> e.ewmaLog)
	e.avpps += (prate >> e.ewmaLog) - (e.avpps >> e.ewmaLog)
	e.lastBytes, e.lastPackets = b, p
	e.rate.Store(&[2]uint64{e.avbps >> 8, e.avpps >> 8})
	e.next += e.period()
	if now := e.a.net.Clock.Now(); now >= e.next {
		e.next = now + 1
	}
	e.timer.Reset(e.next)
}

func (e *actEstimator) read() (bps, pps uint64) {
	r := e.rate.Load()
	return r[0], r[1]
}

func (e *actEstimator) stop() { e.timer.Stop() }
