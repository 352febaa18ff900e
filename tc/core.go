package tc

import "math"

// Ticks and rate tables, as tc_core.c computes them. iproute2 reads its
// tick length from /proc/net/psched on the host; the kernel has written
// the same fixed values there since 2.6.24 (t2us 1000, us2t 64, clock
// resolution 1 GHz reported as 1000000), so we use those and tc's output
// does not depend on the host we run on.
const (
	psched_t2us     = 1000
	psched_us2t     = 64
	psched_clockRes = 1000000
)

var (
	clockFactor = float64(psched_clockRes) / TimeUnitsPerSec
	tickInUsec  = float64(psched_t2us) / psched_us2t * clockFactor // 15.625
)

// TimeToTicks converts microseconds to psched ticks (tc_core_time2tick).
func TimeToTicks(t uint32) uint32 { return cUint32(float64(t) * tickInUsec) }

// TicksToTime converts psched ticks to microseconds (tc_core_tick2time).
func TicksToTime(ticks uint32) uint32 { return cUint32(float64(ticks) / tickInUsec) }

// TimeIsBig reports whether t microseconds overflow 32 bits of ticks
// (tc_core_time2big).
func TimeIsBig(t uint32) bool {
	v := uint64(float64(uint64(t)) * tickInUsec)
	return v>>32 != 0
}

// TimeToKtime converts microseconds to the kernel's time units
// (tc_core_time2ktime).
func TimeToKtime(t uint32) uint32 { return cUint32(float64(t) * clockFactor) }

// KtimeToTime converts kernel time units to microseconds
// (tc_core_ktime2time).
func KtimeToTime(t uint32) uint32 { return cUint32(float64(t) / clockFactor) }

// XmitTime is the time in ticks to send size bytes at rate bytes per
// second (tc_calc_xmittime).
func XmitTime(rate uint64, size uint32) uint32 {
	return TimeToTicks(cUint32(TimeUnitsPerSec * (float64(size) / float64(rate))))
}

// XmitSize is the number of bytes sent in ticks at rate (tc_calc_xmitsize).
func XmitSize(rate uint64, ticks uint32) uint32 {
	return cUint32(float64(rate) * float64(TicksToTime(ticks)) / TimeUnitsPerSec)
}

// Link layers of a rate or size table (enum link_layer).
const (
	LinkLayerUnspec   = 0
	LinkLayerEthernet = 1
	LinkLayerATM      = 2
)

// ParseLinkLayer reads "ethernet", "atm" or "adsl" (prefixes accepted), as
// get_linklayer.
func ParseLinkLayer(s string) (uint8, bool) {
	switch {
	case Matches(s, "ethernet"):
		return LinkLayerEthernet, true
	case Matches(s, "atm"), Matches(s, "adsl"):
		return LinkLayerATM, true
	}
	return 0, false
}

// LinkLayerString names a link layer as sprint_linklayer.
func LinkLayerString(l uint32) string {
	switch l {
	case LinkLayerUnspec:
		return "unspec"
	case LinkLayerEthernet:
		return "ethernet"
	case LinkLayerATM:
		return "atm"
	}
	return "unknown"
}

// AlignToATM rounds a size up to whole ATM cells of 48 payload bytes and
// counts 53 bytes for each (tc_align_to_atm).
func AlignToATM(size uint32) uint32 {
	cells := size / 48
	if size%48 != 0 {
		cells++
	}
	return cells * 53
}

// AdjustSize applies the minimum packet unit and the link layer to a size
// (tc_adjust_size).
func AdjustSize(sz, mpu uint32, linkLayer uint8) uint32 {
	if sz < mpu {
		sz = mpu
	}
	if linkLayer == LinkLayerATM {
		return AlignToATM(sz)
	}
	return sz
}

// RateSpec is struct tc_ratespec.
type RateSpec struct {
	CellLog   uint8
	LinkLayer uint8 // lower 4 bits (TC_LINKLAYER_MASK)
	Overhead  uint16
	CellAlign int16
	MPU       uint16
	Rate      uint32 // bytes per second, saturated at 2^32-1 when a 64-bit rate goes alongside
}

// RateSpecLen is sizeof(struct tc_ratespec).
const RateSpecLen = 12

// Encode writes the ratespec in host byte order.
func (r RateSpec) Encode() []byte {
	b := make([]byte, RateSpecLen)
	b[0] = r.CellLog
	b[1] = r.LinkLayer
	putU16(b[2:], r.Overhead)
	putU16(b[4:], uint16(r.CellAlign))
	putU16(b[6:], r.MPU)
	putU32(b[8:], r.Rate)
	return b
}

// DecodeRateSpec reads a ratespec (zeros for what is missing).
func DecodeRateSpec(b []byte) RateSpec {
	var x [RateSpecLen]byte
	copy(x[:], b)
	return RateSpec{
		CellLog:   x[0],
		LinkLayer: x[1],
		Overhead:  getU16(x[2:]),
		CellAlign: int16(getU16(x[4:])),
		MPU:       getU16(x[6:]),
		Rate:      getU32(x[8:]),
	}
}

// CalcRtable fills the 256-entry rate table for r at rate bytes per second
// (tc_calc_rtable and tc_calc_rtable_64): each slot holds the ticks to send
// a packet of up to (i+1)<<cell_log bytes. cellLog < 0 picks the smallest
// cell that covers mtu (0 means 2047). It sets r's cell fields and returns
// the cell log.
func CalcRtable(r *RateSpec, rtab *[256]uint32, cellLog int, mtu uint32, linkLayer uint8, rate uint64) int {
	if mtu == 0 {
		mtu = 2047
	}
	if cellLog < 0 {
		cellLog = 0
		for mtu>>uint(cellLog) > 255 {
			cellLog++
		}
	}
	for i := range rtab {
		sz := AdjustSize(uint32(i+1)<<uint(cellLog), uint32(r.MPU), linkLayer)
		rtab[i] = XmitTime(rate, sz)
	}
	r.CellAlign = -1
	r.CellLog = uint8(cellLog)
	r.LinkLayer = linkLayer & 0x0F
	return cellLog
}

// SizeSpec is struct tc_sizespec, the base of a size table (TCA_STAB_BASE).
type SizeSpec struct {
	CellLog   uint8
	SizeLog   uint8
	CellAlign int16
	Overhead  int32
	LinkLayer uint32
	MPU       uint32
	MTU       uint32
	TSize     uint32
}

// SizeSpecLen is sizeof(struct tc_sizespec).
const SizeSpecLen = 24

// Encode writes the sizespec in host byte order.
func (s SizeSpec) Encode() []byte {
	b := make([]byte, SizeSpecLen)
	b[0], b[1] = s.CellLog, s.SizeLog
	putU16(b[2:], uint16(s.CellAlign))
	putU32(b[4:], uint32(s.Overhead))
	putU32(b[8:], s.LinkLayer)
	putU32(b[12:], s.MPU)
	putU32(b[16:], s.MTU)
	putU32(b[20:], s.TSize)
	return b
}

// DecodeSizeSpec reads a sizespec (zeros for what is missing).
func DecodeSizeSpec(b []byte) SizeSpec {
	var x [SizeSpecLen]byte
	copy(x[:], b)
	return SizeSpec{
		CellLog:   x[0],
		SizeLog:   x[1],
		CellAlign: int16(getU16(x[2:])),
		Overhead:  int32(getU32(x[4:])),
		LinkLayer: getU32(x[8:]),
		MPU:       getU32(x[12:]),
		MTU:       getU32(x[16:]),
		TSize:     getU32(x[20:]),
	}
}

// CalcSizeTable completes s and computes its table (tc_calc_size_table):
// with an Ethernet (or unset) link layer and no mpu no table is needed;
// otherwise tsize slots (512) of cells covering mtu (2047), each the
// adjusted size shifted right by size_log, which grows until every slot
// fits 16 bits.
func CalcSizeTable(s *SizeSpec) []uint16 {
	if s.LinkLayer <= LinkLayerEthernet && s.MPU == 0 {
		s.MTU, s.TSize, s.CellLog, s.CellAlign = 0, 0, 0, 0
		return nil
	}
	if s.MTU == 0 {
		s.MTU = 2047
	}
	if s.TSize == 0 {
		s.TSize = 512
	}
	s.CellLog = 0
	for uint64(s.MTU)>>s.CellLog > uint64(s.TSize)-1 {
		s.CellLog++
	}
	tab := make([]uint16, s.TSize)
again:
	for i := int(s.TSize) - 1; i >= 0; i-- {
		sz := AdjustSize(uint32(i+1)<<s.CellLog, s.MPU, uint8(s.LinkLayer))
		if sz>>s.SizeLog > math.MaxUint16 {
			s.SizeLog++
			goto again
		}
		tab[i] = uint16(sz >> s.SizeLog)
	}
	s.CellAlign = -1
	return tab
}

// Estimator is struct tc_estimator (TCA_RATE).
type Estimator struct {
	Interval int8
	EwmaLog  uint8
}

// Encode writes the estimator as the kernel reads it.
func (e Estimator) Encode() []byte { return []byte{byte(e.Interval), e.EwmaLog} }

// SetupEstimator picks the estimator's interval and averaging constant for
// an interval A and a time constant, both in microseconds
// (tc_setup_estimator). ok is false when they are out of range.
func SetupEstimator(a, timeConst uint32) (e Estimator, ok bool) {
	interval := 0
	for ; interval <= 5; interval++ {
		if uint64(a) <= uint64(1)<<interval*(TimeUnitsPerSec/4) {
			break
		}
	}
	if interval > 5 {
		return e, false
	}
	e.Interval = int8(interval - 2)
	ewma := 1
	for ; ewma < 32; ewma++ {
		// 1<<31 is a negative int in C: w is then above 1 and the
		// test fails, as it does here.
		den := float64(int32(uint32(1) << ewma))
		w := 1.0 - 1.0/den
		if float64(a)/(-math.Log(w)) > float64(timeConst) {
			break
		}
	}
	ewma--
	if ewma == 0 || ewma >= 31 {
		return e, false
	}
	e.EwmaLog = uint8(ewma)
	return e, true
}
