package htb

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Quantum bounds applied when the quantum comes from rate/r2q.
const (
	minQuantum = 1000
	maxQuantum = 200000
	// mbuffer is how far in debt a class may go, and the most idle time
	// credited at once: one minute.
	mbuffer = 60e9
)

// qdiscConfig is a validated TCA_HTB_INIT (htb_init's checks).
type qdiscConfig struct {
	glob       Glob
	directQlen *uint32 // nil: the device's txqueuelen
	offload    bool
}

// parseQdiscConfig reads the qdisc's options. The kernel parses them
// without an extack, so the refusals carry no text.
func parseQdiscConfig(opt *nl.Attr) (qdiscConfig, error) {
	var c qdiscConfig
	tb, err := parse(opt, true)
	if err != nil {
		return c, err
	}
	a := tb.Get(TCA_HTB_INIT)
	if a == nil {
		return c, syscall.EINVAL
	}
	c.glob = DecodeGlob(a.Data)
	if c.glob.Version != ProtoVersion {
		return c, syscall.EINVAL
	}
	c.offload = tb.Has(TCA_HTB_OFFLOAD)
	if a := tb.Get(TCA_HTB_DIRECT_QLEN); a != nil {
		v := a.U32()
		c.directQlen = &v
	}
	return c, nil
}

// classConfig is a validated class request (the checks at the top of
// htb_change_class): the parameters, with the link layers old tc leaves
// out found from the rate tables, and the 64-bit rates.
type classConfig struct {
	opt            Opt
	rate64, ceil64 uint64
}

func parseClassConfig(opt *nl.Attr) (classConfig, error) {
	var c classConfig
	if opt == nil {
		return c, syscall.EINVAL
	}
	tb, err := parse(opt, false)
	if err != nil {
		return c, err
	}
	pa := tb.Get(TCA_HTB_PARMS)
	if pa == nil {
		return c, syscall.EINVAL
	}
	c.opt = DecodeOpt(pa.Data)
	if c.opt.Rate.Rate == 0 || c.opt.Ceil.Rate == 0 {
		return c, syscall.EINVAL
	}
	sched.DetectLinkLayer(&c.opt.Rate, attrData(tb.Get(TCA_HTB_RTAB)))
	sched.DetectLinkLayer(&c.opt.Ceil, attrData(tb.Get(TCA_HTB_CTAB)))
	c.rate64, c.ceil64 = u64(tb.Get(TCA_HTB_RATE64)), u64(tb.Get(TCA_HTB_CEIL64))
	return c, nil
}

func attrData(a *nl.Attr) []byte {
	if a == nil {
		return nil
	}
	return a.Data
}

// leafQuantum is a leaf's DRR quantum: the one given, else rate/r2q kept
// within [1000, 200000]; warn is -1 or 1 when that bound applied.
func leafQuantum(given uint32, bytesPerSec uint64, r2q int32) (q int32, warn int) {
	q = int32(min(bytesPerSec/uint64(r2q), 1<<31-1))
	if given == 0 && q < minQuantum {
		warn, q = -1, minQuantum
	}
	if given == 0 && q > maxQuantum {
		warn, q = 1, maxQuantum
	}
	if given != 0 {
		q = int32(given)
	}
	return q, warn
}
