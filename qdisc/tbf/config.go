package tbf

import (
	"math"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Config is a validated tbf configuration in the kernel's units.
type Config struct {
	Limit   uint32 // bytes, for the default child
	MaxSize uint32 // largest packet that can ever pass, bytes
	Buffer  int64  // rate bucket depth, as time at rate (ns)
	MTU     int64  // peak bucket depth, as time at peak rate (ns)
	Rate    sched.RateCfg
	Peak    sched.RateCfg // zero when there is no peak rate
}

// parseConfig reads and checks TCA_OPTIONS as tbf_change does. The kernel
// parses without an extack, so refusals carry no text: a missing
// TCA_TBF_PARMS, a peak rate not above the rate, and a burst too small for
// any packet are all EINVAL.
func parseConfig(opt *nl.Attr) (Config, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_TBF_MAX, policy)
	if err != nil {
		return Config{}, sched.Quiet(err)
	}
	pa := tb.Get(TCA_TBF_PARMS)
	if pa == nil {
		return Config{}, syscall.EINVAL
	}
	q := DecodeQopt(pa.Data)
	// Old tc sends no link layer: the rate tables tell.
	sched.DetectLinkLayer(&q.Rate, data(tb.Get(TCA_TBF_RTAB)))
	sched.DetectLinkLayer(&q.PeakRate, data(tb.Get(TCA_TBF_PTAB)))

	buffer := min(uint64(sched.TicksToNs(uint64(q.Buffer))), math.MaxUint32)
	mtu := min(uint64(sched.TicksToNs(uint64(q.MTU))), math.MaxUint32)
	c := Config{Limit: q.Limit}
	c.Rate = sched.NewRateCfg(q.Rate, u64(tb.Get(TCA_TBF_RATE64)))

	var maxSize uint64
	burst := tb.Get(TCA_TBF_BURST)
	if burst != nil {
		// The burst in bytes is exact; the time follows from it.
		maxSize = uint64(burst.U32())
		buffer = c.Rate.L2T(uint32(maxSize))
	} else {
		maxSize = min(c.Rate.T2L(buffer), math.MaxUint32)
	}
	pburst := tb.Get(TCA_TBF_PBURST)
	if q.PeakRate.Rate != 0 {
		c.Peak = sched.NewRateCfg(q.PeakRate, u64(tb.Get(TCA_TBF_PRATE64)))
		if c.Peak.BytesPerSec <= c.Rate.BytesPerSec {
			// "sch_tbf: peakrate %llu is lower than or equals to rate %llu !"
			return Config{}, syscall.EINVAL
		}
		if pburst != nil {
			pb := pburst.U32()
			maxSize = uint64(min(uint32(maxSize), pb))
			mtu = c.Peak.L2T(pb)
		} else {
			maxSize = min(maxSize, c.Peak.T2L(mtu))
		}
	}
	// A burst below the device's MTU only warns ("sch_tbf: burst %llu is
	// lower than device %s mtu (%u) !"); a burst of nothing fails.
	if maxSize == 0 {
		return Config{}, syscall.EINVAL
	}
	c.MaxSize = uint32(maxSize)
	// Without the byte attributes, the depths are the ticks as given,
	// unclamped.
	if pburst != nil {
		c.MTU = int64(mtu)
	} else {
		c.MTU = sched.TicksToNs(uint64(q.MTU))
	}
	if burst != nil {
		c.Buffer = int64(buffer)
	} else {
		c.Buffer = sched.TicksToNs(uint64(q.Buffer))
	}
	return c, nil
}

func data(a *nl.Attr) []byte {
	if a == nil {
		return nil
	}
	return a.Data
}

func u64(a *nl.Attr) uint64 {
	if a == nil {
		return 0
	}
	return a.U64()
}
