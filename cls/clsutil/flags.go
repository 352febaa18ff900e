package clsutil

import (
	"math"
	"strconv"
	"strings"
)

// TCA_CLS_FLAGS_* bits, common to the classifiers that offload.
const (
	FlagSkipHW  = 1 << 0 // TCA_CLS_FLAGS_SKIP_HW
	FlagSkipSW  = 1 << 1 // TCA_CLS_FLAGS_SKIP_SW
	FlagInHW    = 1 << 2 // TCA_CLS_FLAGS_IN_HW
	FlagNotInHW = 1 << 3 // TCA_CLS_FLAGS_NOT_IN_HW
	FlagVerbose = 1 << 4 // TCA_CLS_FLAGS_VERBOSE
)

// FlagsValid is tc_flags_valid: known bits only, not both skips.
func FlagsValid(f uint32) bool {
	if f&^(FlagSkipHW|FlagSkipSW|FlagVerbose) != 0 {
		return false
	}
	return f&(FlagSkipHW|FlagSkipSW) != FlagSkipHW|FlagSkipSW
}

// Strtoul is C's strtoul(s, &end, base) on 32-bit values as iproute2's
// get_u32 uses it: base 0 takes the prefix; ok is false when nothing is
// read, something follows the number, or it overflows 32 bits.
func Strtoul(s string, base int) (uint32, bool) {
	v, rest, ok := strtoull(s, base)
	if !ok || rest != "" || v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

// StrtoulPrefix reads the leading number of s (C's strtoul), returning the
// rest; n is false when no digit was read.
func StrtoulPrefix(s string, base int) (v uint64, rest string, n bool) {
	return strtoull(s, base)
}

func strtoull(s string, base int) (uint64, string, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if (base == 0 || base == 16) && len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && digit(t[2], 16) {
		base, t = 16, t[2:]
	} else if base == 0 && len(t) > 0 && t[0] == '0' {
		base = 8
	} else if base == 0 {
		base = 10
	}
	end := 0
	for end < len(t) && digit(t[end], base) {
		end++
	}
	if end == 0 {
		return 0, s, false
	}
	v, err := strconv.ParseUint(t[:end], base, 64)
	if err != nil {
		v = math.MaxUint64
	}
	if neg {
		v = -v
	}
	return v, t[end:], true
}

func digit(c byte, base int) bool {
	var d int
	switch {
	case c >= '0' && c <= '9':
		d = int(c - '0')
	case c >= 'a' && c <= 'z':
		d = int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		d = int(c-'A') + 10
	default:
		return false
	}
	return d < base
}

// GetInteger is iproute2's get_integer: a C int in base (0: by prefix),
// nothing after it.
func GetInteger(s string, base int) (int32, bool) {
	if s == "" {
		return 0, false
	}
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	v, rest, ok := strtoull(t, base)
	if !ok || rest != "" || v > math.MaxInt32+1 || (!neg && v > math.MaxInt32) {
		return 0, false
	}
	if neg {
		return int32(-int64(v)), true
	}
	return int32(v), true
}
