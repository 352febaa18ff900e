package tc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseFloatPrefix reads the longest prefix of s that strtod accepts and
// returns the number and the rest.
func parseFloatPrefix(s string) (float64, string, bool) {
	end := 0
	for i := len(s); i > 0; i-- {
		if _, err := strconv.ParseFloat(s[:i], 64); err == nil {
			end = i
			break
		}
	}
	if end == 0 {
		return 0, s, false
	}
	v, _ := strconv.ParseFloat(s[:end], 64)
	return v, s[end:], true
}

// ParseSize reads a size in bytes as iproute2's get_size: a number with an
// optional unit b, k/kb, m/mb, g/gb, kbit, mbit, gbit (case-insensitive,
// powers of 1024).
func ParseSize(s string) (uint32, error) {
	v, unit, ok := parseFloatPrefix(s)
	if !ok {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	switch strings.ToLower(unit) {
	case "", "b":
	case "k", "kb":
		v *= 1024
	case "m", "mb":
		v *= 1024 * 1024
	case "g", "gb":
		v *= 1024 * 1024 * 1024
	case "kbit":
		v *= 1024 / 8.0
	case "mbit":
		v *= 1024 * 1024 / 8.0
	case "gbit":
		v *= 1024 * 1024 * 1024 / 8.0
	default:
		return 0, fmt.Errorf("invalid size unit %q", s)
	}
	if v < 0 || v > math.MaxUint32 {
		return 0, fmt.Errorf("size %q out of range", s)
	}
	return uint32(v), nil
}

// SizeString prints a size as iproute2's sprint_size: whole Mb or Kb when
// close enough, else bytes.
func SizeString(sz uint32) string {
	const kilo, mega = 1024.0, 1024.0 * 1024.0
	t := float64(sz)
	if t >= mega && math.Abs(mega*math.RoundToEven(t/mega)-t) < 1024 {
		return strconv.FormatFloat(math.RoundToEven(t/mega), 'g', -1, 64) + "Mb"
	}
	if t >= kilo && math.Abs(kilo*math.RoundToEven(t/kilo)-t) < 16 {
		return strconv.FormatFloat(math.RoundToEven(t/kilo), 'g', -1, 64) + "Kb"
	}
	return strconv.FormatUint(uint64(sz), 10) + "b"
}

// ParseUint reads an unsigned integer as get_unsigned/get_u32 do (strtoul
// with base 0: decimal, 0x hex, 0 octal).
func ParseUint(s string, bits int) (uint64, error) {
	return strconv.ParseUint(s, 0, bits)
}
