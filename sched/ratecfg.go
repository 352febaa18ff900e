package sched

import (
	"encoding/binary"

	"github.com/netsched/netsched/tc"
)

// Link layers of a rate (TC_LINKLAYER_*): how a length becomes wire time.
const (
	LinkLayerUnaware  = 0 // old tc: detect from the rate table
	LinkLayerEthernet = 1
	LinkLayerATM      = 2
	LinkLayerMask     = 0x0F
)

// RateTableSize is TC_RTAB_SIZE: the legacy 256-entry rate table in bytes.
const RateTableSize = 1024

// DetectLinkLayer is what qdisc_get_rtab does for a rate that old tc sent
// without a link layer: a valid legacy rate table whose entries are aligned
// to 48-byte ATM cells means ATM (__detect_linklayer). An invalid or missing
// table leaves the spec as it is, as the kernel's failed lookup does.
func DetectLinkLayer(r *tc.RateSpec, table []byte) {
	if r.LinkLayer != LinkLayerUnaware {
		return
	}
	if table == nil || r.Rate == 0 || r.CellLog == 0 || r.CellLog >= 32 || len(table) != RateTableSize {
		return
	}
	entry := func(i int) uint32 { return binary.NativeEndian.Uint32(table[4*i:]) }
	r.LinkLayer = LinkLayerEthernet
	low := roundUp(int(r.MPU), 48)
	high := roundUp(low+1, 48)
	cellLow := low >> r.CellLog
	cellHigh := (high >> r.CellLog) - 1
	// The table is too coarse above 100 Mbit/s to tell.
	if r.Rate > 100000000/8 || entry(0) == 0 {
		return
	}
	if cellHigh > cellLow && cellHigh < 256 && entry(cellLow) == entry(cellHigh) {
		r.LinkLayer = LinkLayerATM
	}
}

func roundUp(x, y int) int { return (x + y - 1) / y * y }

// RateCfg is a rate ready for the data path (struct psched_ratecfg): the
// time a packet of a given length takes is (len * Mult) >> Shift ns, so
// that no division happens per packet.
type RateCfg struct {
	BytesPerSec uint64
	Mult        uint32
	Overhead    uint16
	MPU         uint16
	LinkLayer   uint8
	Shift       uint8
}

// NewRateCfg precomputes a rate from its spec and the 64-bit rate attribute
// that replaces the spec's 32-bit one when larger
// (psched_ratecfg_precompute).
func NewRateCfg(spec tc.RateSpec, rate64 uint64) RateCfg {
	r := RateCfg{
		Overhead:    spec.Overhead,
		MPU:         spec.MPU,
		BytesPerSec: max(uint64(spec.Rate), rate64),
		LinkLayer:   spec.LinkLayer & LinkLayerMask,
		Mult:        1,
	}
	if r.BytesPerSec == 0 {
		return r
	}
	// The largest factor 1e9<<shift whose quotient by the rate keeps
	// mult below 2^31, for precision without overflow.
	factor := uint64(1e9)
	for {
		r.Mult = uint32(factor / r.BytesPerSec)
		if r.Mult&(1<<31) != 0 || factor&(1<<63) != 0 {
			break
		}
		factor <<= 1
		r.Shift++
	}
	return r
}

// L2T is the time in ns that length bytes take at this rate, after
// overhead, minimum size and ATM cell alignment (psched_l2t_ns).
func (r *RateCfg) L2T(length uint32) uint64 {
	length += uint32(r.Overhead)
	if length < uint32(r.MPU) {
		length = uint32(r.MPU)
	}
	if r.LinkLayer == LinkLayerATM {
		length = (length + 47) / 48 * 53
	}
	// A 32-bit length times a mult below 2^32 fits 64 bits.
	return uint64(length) * uint64(r.Mult) >> r.Shift
}

// T2L is how many bytes fit in ns at this rate, less the overhead
// (psched_ns_t2l, tbf's inverse of L2T).
func (r *RateCfg) T2L(ns uint64) uint64 {
	n := ns * r.BytesPerSec / 1e9
	if r.LinkLayer == LinkLayerATM {
		n = n / 53 * 48
	}
	if n > uint64(r.Overhead) {
		return n - uint64(r.Overhead)
	}
	return 0
}

// Spec is the rate as a dump reports it (psched_ratecfg_getrate): the
// 32-bit rate saturated, no cell log.
func (r *RateCfg) Spec() tc.RateSpec {
	return tc.RateSpec{
		Rate:      uint32(min(r.BytesPerSec, 0xFFFFFFFF)),
		Overhead:  r.Overhead,
		MPU:       r.MPU,
		LinkLayer: r.LinkLayer & LinkLayerMask,
	}
}

// Ticks and nanoseconds: rates and buffers travel in psched ticks of 64 ns
// (PSCHED_SHIFT 6).
const pschedShift = 6

// TicksToNs is PSCHED_TICKS2NS.
func TicksToNs(t uint64) int64 { return int64(t << pschedShift) }

// NsToTicks is PSCHED_NS2TICKS.
func NsToTicks(ns int64) int64 { return ns >> pschedShift }
