package tc

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

var errUnit = errors.New("invalid unit")

// ParseSize64 reads a size in bytes as iproute2's get_size64: a C number
// with an optional unit b, k/kb, m/mb, g/gb (powers of 1024) or kbit,
// mbit, gbit (powers of 1024, divided by 8), case-insensitive.
func ParseSize64(s string) (uint64, error) {
	v, n := Strtod(s)
	if n == 0 {
		return 0, errNumber
	}
	// The multipliers are C integer expressions: 1024/8 is 128.
	switch strings.ToLower(s[n:]) {
	case "":
	case "b":
	case "k", "kb":
		v *= 1024
	case "m", "mb":
		v *= 1024 * 1024
	case "g", "gb":
		v *= 1024 * 1024 * 1024
	case "kbit":
		v *= 1024 / 8
	case "mbit":
		v *= 1024 * 1024 / 8
	case "gbit":
		v *= 1024 * 1024 * 1024 / 8
	default:
		return 0, errUnit
	}
	u, ok := toU64(v)
	if !ok {
		return 0, errNumber
	}
	return u, nil
}

// toU64 converts as C's (__u64) cast followed by iproute2's overflow check
// `*size != floor(sz)`: a fraction is cut, a negative, NaN or too large
// value is refused.
func toU64(v float64) (uint64, bool) {
	if math.IsNaN(v) || v >= 1<<64 || math.Floor(v) < 0 {
		return 0, false
	}
	return uint64(v), true
}

// ParseSize reads a size as get_size: get_size64 within 32 bits.
func ParseSize(s string) (uint32, error) {
	v, err := ParseSize64(s)
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint32 {
		return 0, errNumber
	}
	return uint32(v), nil
}

// SizeString prints a size as iproute2 6.1's sprint_size: whole Mb or Kb
// when close enough, else bytes.
func SizeString(sz uint32) string {
	const kilo, mega = 1024.0, 1024.0 * 1024.0
	t := float64(sz)
	if t >= mega && math.Abs(mega*math.RoundToEven(t/mega)-t) < 1024 {
		return FormatG(math.RoundToEven(t/mega), 6) + "Mb"
	}
	if t >= kilo && math.Abs(kilo*math.RoundToEven(t/kilo)-t) < 16 {
		return FormatG(math.RoundToEven(t/kilo), 6) + "Kb"
	}
	return strconv.FormatUint(uint64(sz), 10) + "b"
}

// FormatG formats v as C's printf("%.<prec>g").
func FormatG(v float64, prec int) string {
	if prec == 0 {
		prec = 1
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		switch {
		case math.IsNaN(v):
			return "nan"
		case v > 0:
			return "inf"
		}
		return "-inf"
	}
	if v == 0 {
		if math.Signbit(v) {
			return "-0"
		}
		return "0"
	}
	// %g: exponent X of %e; use %f with prec-1-X digits when -4 <= X < prec.
	e := strconv.FormatFloat(v, 'e', prec-1, 64)
	x, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	var out string
	if x < -4 || x >= prec {
		mant, exp, _ := strings.Cut(e, "e")
		mant = trimZeros(mant)
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		for len(digits) < 2 {
			digits = "0" + digits
		}
		out = mant + "e" + string(sign) + digits
	} else {
		out = trimZeros(strconv.FormatFloat(v, 'f', prec-1-x, 64))
	}
	return out
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ParseUint reads an unsigned integer as get_unsigned does with base 0.
func ParseUint(s string, bits int) (uint64, error) {
	max := uint64(math.MaxUint64)
	if bits < 64 {
		max = 1<<bits - 1
	}
	return getUnsigned(s, 0, max)
}

// rateSuffixes are get_rate's units (lib/utils_math.c), tried in order
// with strcasecmp.
var rateSuffixes = []struct {
	name  string
	scale float64
}{
	{"bit", 1},
	{"Kibit", 1024},
	{"kbit", 1000},
	{"mibit", 1024 * 1024},
	{"mbit", 1000000},
	{"gibit", 1024 * 1024 * 1024},
	{"gbit", 1000000000},
	{"tibit", 1024 * 1024 * 1024 * 1024},
	{"tbit", 1000000000000},
	{"Bps", 8},
	{"KiBps", 8 * 1024},
	{"KBps", 8000},
	{"MiBps", 8 * 1024 * 1024},
	{"MBps", 8000000},
	{"GiBps", 8 * 1024 * 1024 * 1024},
	{"GBps", 8000000000},
	{"TiBps", 8 * 1024 * 1024 * 1024 * 1024},
	{"TBps", 8000000000000},
}

func parseRate(s string) (float64, error) {
	v, n := Strtod(s)
	if n == 0 {
		return 0, errNumber
	}
	if unit := s[n:]; unit != "" {
		found := false
		for _, u := range rateSuffixes {
			if strings.EqualFold(u.name, unit) {
				v *= u.scale
				found = true
				break
			}
		}
		if !found {
			return 0, errUnit
		}
	}
	return v / 8, nil
}

// ParseRate reads a rate as get_rate: bits per second with a unit, into
// bytes per second within 32 bits.
func ParseRate(s string) (uint32, error) {
	v, err := parseRate(s)
	if err != nil {
		return 0, err
	}
	// C assigns the double to an unsigned int and compares back: only
	// values in range with the fraction cut survive.
	if math.IsNaN(v) || v < 0 && math.Floor(v) != 0 || v >= 1<<32 {
		return 0, errNumber
	}
	return uint32(v), nil
}

// ParseRate64 reads a rate as get_rate64 (no overflow check, as there).
func ParseRate64(s string) (uint64, error) {
	v, err := parseRate(s)
	if err != nil {
		return 0, err
	}
	switch {
	case math.IsNaN(v), v <= -1:
		// The C cast of a negative or NaN double is undefined; x86-64
		// gives these values.
		if math.IsNaN(v) || v < -(1<<63) {
			return 1 << 63, nil
		}
		return uint64(int64(v)), nil
	case v < 0:
		return 0, nil
	case v >= 1<<64:
		return 1 << 63, nil
	}
	return uint64(v), nil
}

// RateString prints a rate in bytes per second as bits per second, the way
// print_rate does: the largest of K, M, G, T (1000, or 1024 with iec) that
// divides it evenly or leaves at least 1000 units.
func RateString(rate uint64, iec bool) string {
	kilo := uint64(1000)
	suffix := ""
	if iec {
		kilo, suffix = 1024, "i"
	}
	units := [...]string{"", "K", "M", "G", "T"}
	rate <<= 3
	i := 0
	for ; i < len(units)-1; i++ {
		if rate < kilo {
			break
		}
		if rate%kilo != 0 && rate < 1000*kilo {
			break
		}
		rate /= kilo
	}
	s := strconv.FormatFloat(float64(rate), 'f', 0, 64) + units[i]
	if i > 0 {
		s += suffix
	}
	return s + "bit"
}

// TimeUnitsPerSec is TIME_UNITS_PER_SEC: tc's times are microseconds.
const TimeUnitsPerSec = 1000000

// ParseTime reads a time as get_time: a C number with an optional unit s,
// sec, secs, ms, msec, msecs, us, usec, usecs (none: microseconds), into
// microseconds.
func ParseTime(s string) (uint32, error) {
	v, n := Strtod(s)
	if n == 0 {
		return 0, errNumber
	}
	switch strings.ToLower(s[n:]) {
	case "":
	case "s", "sec", "secs":
		v *= TimeUnitsPerSec
	case "ms", "msec", "msecs":
		v *= TimeUnitsPerSec / 1000
	case "us", "usec", "usecs":
	default:
		return 0, errUnit
	}
	return cUint32(v), nil
}

// cUint32 is C's conversion of a double to unsigned int as gcc does it on
// x86-64 (through a 64-bit signed conversion, then truncation).
func cUint32(v float64) uint32 {
	if math.IsNaN(v) || v >= 1<<63 || v < -(1<<63) {
		return 0
	}
	return uint32(int64(v))
}

// TimeString prints microseconds as sprint_time: "%.3gs", "%.3gms" or
// "%uus".
func TimeString(t uint32) string {
	v := float64(t)
	switch {
	case v >= TimeUnitsPerSec:
		return FormatG(v/TimeUnitsPerSec, 3) + "s"
	case v >= TimeUnitsPerSec/1000:
		return FormatG(v/(TimeUnitsPerSec/1000), 3) + "ms"
	}
	return strconv.FormatUint(uint64(t), 10) + "us"
}

// ParseTime64 reads a time as get_time64, into nanoseconds (units s, ms,
// us, ns and their long forms).
func ParseTime64(s string) (int64, error) {
	v, n := Strtod(s)
	if n == 0 {
		return 0, errNumber
	}
	switch strings.ToLower(s[n:]) {
	case "":
	case "s", "sec", "secs":
		v *= 1e9
	case "ms", "msec", "msecs":
		v *= 1e6
	case "us", "usec", "usecs":
		v *= 1e3
	case "ns", "nsec", "nsecs":
	default:
		return 0, errUnit
	}
	if math.IsNaN(v) || v >= 1<<63 || v < -(1<<63) {
		return math.MinInt64, nil
	}
	return int64(v), nil
}

// Time64String prints nanoseconds as sprint_time64.
func Time64String(t int64) string {
	v := float64(t)
	switch {
	case t >= 1e9:
		return FormatG(v/1e9, 3) + "s"
	case t >= 1e6:
		return FormatG(v/1e6, 3) + "ms"
	case t >= 1e3:
		return FormatG(v/1e3, 3) + "us"
	}
	return strconv.FormatInt(t, 10) + "ns"
}
