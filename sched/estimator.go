package sched

import (
	"syscall"

	"github.com/netsched/netsched/clock"
)

// Estimator is a rate estimator on a byte and packet counter (gen_estimator):
// every period (250 ms << intvlLog) it folds the rate of the last period into
// an exponentially weighted average with weight 2^-ewmaLog.
type Estimator struct {
	stats    *BasicStats
	clk      clock.Clock
	timer    clock.Timer
	ewmaLog  uint8
	intvlLog uint8

	lastBytes, lastPackets uint64
	avbps, avpps           uint64 // rates scaled by 2^8
	next                   int64  // ns
}

// tc_estimator is { signed char interval; unsigned char ewma_log; }.
const estimatorLen = 2

// NewEstimator starts an estimator on stats from a TCA_RATE payload, taking
// over the averages of old if there is one (gen_new_estimator). A period
// outside -2..3 or an ewma_log outside 1..30 is refused with EINVAL.
func NewEstimator(clk clock.Clock, stats *BasicStats, opt []byte, old *Estimator) (*Estimator, error) {
	if len(opt) < estimatorLen {
		return nil, syscall.EINVAL
	}
	interval, ewma := int8(opt[0]), opt[1]
	if interval < -2 || interval > 3 || ewma == 0 || ewma >= 31 {
		return nil, syscall.EINVAL
	}
	e := &Estimator{stats: stats, clk: clk, ewmaLog: ewma, intvlLog: uint8(interval + 2)}
	e.lastBytes, e.lastPackets = stats.Bytes, stats.Packets
	if old != nil {
		old.Stop()
		e.avbps, e.avpps = old.avbps, old.avpps
	}
	e.timer = clk.NewTimer(e.tick)
	e.next = clk.Now() + e.period()
	e.timer.Reset(e.next)
	return e, nil
}

func (e *Estimator) period() int64 { return int64(250_000_000) << e.intvlLog }

func (e *Estimator) tick() {
	b, p := e.stats.Bytes, e.stats.Packets
	shift := 10 - e.intvlLog
	brate := (b - e.lastBytes) << shift
	prate := (p - e.lastPackets) << shift
	e.avbps += (brate >> e.ewmaLog) - (e.avbps >> e.ewmaLog)
	e.avpps += (prate >> e.ewmaLog) - (e.avpps >> e.ewmaLog)
	e.lastBytes, e.lastPackets = b, p
	e.next += e.period()
	if now := e.clk.Now(); now >= e.next {
		// The timer ran late: catch up from now, as the kernel does.
		e.next = now + 1
	}
	e.timer.Reset(e.next)
}

// Read returns the estimated bytes and packets per second.
func (e *Estimator) Read() (bps, pps uint64) { return e.avbps >> 8, e.avpps >> 8 }

// Stop halts the estimator.
func (e *Estimator) Stop() {
	if e.timer != nil {
		e.timer.Stop()
	}
}
