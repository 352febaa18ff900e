package sched

// HZ is the kernel's timer frequency (CONFIG_HZ). Kinds whose parameters
// the kernel keeps in jiffies (pie's tupdate, sfb's rehash and warmup,
// red's adaptive timer) round them through it, and that rounding shows in
// their dumps: with HZ 250, a tupdate of 15 ms is 4 jiffies and dumps as
// 16 ms. 250 is the machine kernel's configuration (and Debian's).
const HZ = 250

// Jiffies is the jiffies counter at time now (ns). It starts at 0 with the
// clock; only differences matter.
func Jiffies(now int64) uint64 { return uint64(now) / (1e9 / HZ) }

// JiffiesToNs converts jiffies to nanoseconds.
func JiffiesToNs(j uint64) int64 { return int64(j) * (1e9 / HZ) }

// maxJiffyOffset is MAX_JIFFY_OFFSET on a 64-bit kernel.
const maxJiffyOffset = (1<<63-1)>>1 - 1

// MsecsToJiffies is msecs_to_jiffies: rounded up.
func MsecsToJiffies(m uint32) uint64 {
	if m > JiffiesToMsecs(maxJiffyOffset) {
		return maxJiffyOffset
	}
	const per = 1000 / HZ
	return (uint64(m) + per - 1) / per
}

// JiffiesToMsecs is jiffies_to_msecs (an unsigned int, so it wraps).
func JiffiesToMsecs(j uint64) uint32 { return uint32(j * (1000 / HZ)) }

// UsecsToJiffies is usecs_to_jiffies: rounded up.
func UsecsToJiffies(u uint32) uint64 {
	if u > JiffiesToUsecs(maxJiffyOffset) {
		return maxJiffyOffset
	}
	const per = 1000000 / HZ
	return (uint64(u) + per - 1) / per
}

// JiffiesToUsecs is jiffies_to_usecs (an unsigned int, so it wraps).
func JiffiesToUsecs(j uint64) uint32 { return uint32(j * (1000000 / HZ)) }
