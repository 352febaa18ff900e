package tc

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// The parsers of this file read numbers the way C's strtod and strtoul do,
// because tc's words are read with them: leading white space, a sign, "0x"
// prefixes, "inf" and "nan" are all accepted, and the caller decides what
// may follow the number. Go's strconv is stricter, and a tc that refuses
// "0x10" or " 5" where iproute2 accepts it would not be the same tool.

func isCSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

// Strtod reads the longest prefix of s that C's strtod accepts. It returns
// the value and the number of bytes read; 0 bytes means no number (the
// value is then 0). Out-of-range values saturate to ±Inf or 0 as strtod's
// do.
func Strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return signed(math.Inf(1), neg), i + 8
	case strings.HasPrefix(rest, "inf"):
		return signed(math.Inf(1), neg), i + 3
	case strings.HasPrefix(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == '_' || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z')) {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return math.NaN(), n
	}
	if len(s)-i >= 2 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if v, n := hexFloat(s[i+2:]); n > 0 {
			return signed(v, neg), i + 2 + n
		}
		// "0x" without hex digits is the number 0 followed by "x".
		return signed(0, neg), i + 1
	}
	j := i
	digits := 0
	for j < len(s) && isDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	v, err := strconv.ParseFloat(s[start:j], 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, 0
	}
	return v, j
}

func signed(v float64, neg bool) float64 {
	if neg {
		return -v
	}
	return v
}

// hexFloat reads the digits of a hexadecimal float after "0x".
func hexFloat(s string) (float64, int) {
	j, digits := 0, 0
	for j < len(s) && hexVal(s[j]) < 16 {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && hexVal(s[j]) < 16 {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	mant := s[:j]
	exp := "p0"
	if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			exp = s[j:k]
			j = k
		}
	}
	v, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, 0
	}
	return v, j
}

// Strtoul reads an unsigned long as C's strtoul does (64 bits): base 0 picks
// 8, 10 or 16 from the prefix, a minus sign negates in two's complement. It
// returns the value, the bytes read (0: no number) and whether it
// overflowed (the value is then the maximum, as with ERANGE).
func Strtoul(s string, base int) (uint64, int, bool) {
	v, n, over, neg := strtoAbs(s, base)
	if n == 0 {
		return 0, 0, false
	}
	if over {
		return math.MaxUint64, n, true
	}
	if neg {
		v = -v
	}
	return v, n, false
}

// Strtol reads a signed long as C's strtol does (64 bits), clamping to the
// range with overflow reported.
func Strtol(s string, base int) (int64, int, bool) {
	v, n, over, neg := strtoAbs(s, base)
	if n == 0 {
		return 0, 0, false
	}
	if neg {
		if over || v > 1<<63 {
			return math.MinInt64, n, true
		}
		return -int64(v), n, false
	}
	if over || v > math.MaxInt64 {
		return math.MaxInt64, n, true
	}
	return int64(v), n, false
}

func strtoAbs(s string, base int) (v uint64, n int, over, neg bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	hexPrefix := len(s)-i >= 3 && s[i] == '0' && (s[i+1]|0x20) == 'x' && hexVal(s[i+2]) < 16
	switch {
	case base == 0 && hexPrefix:
		base = 16
		i += 2
	case base == 0 && i < len(s) && s[i] == '0':
		base = 8
	case base == 0:
		base = 10
	case base == 16 && hexPrefix:
		i += 2
	}
	start := i
	for i < len(s) {
		d := hexVal(s[i])
		if d >= base {
			break
		}
		hi, lo := mul64(v, uint64(base))
		if hi != 0 || lo+uint64(d) < lo {
			over = true
		}
		v = lo + uint64(d)
		i++
	}
	if i == start {
		return 0, 0, false, false
	}
	return v, i, over, neg
}

func mul64(a, b uint64) (hi, lo uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1, w2 := t&mask32, t>>32
	w1 += a0 * b1
	return a1*b1 + w2 + w1>>32, a * b
}

var errNumber = errors.New("invalid number")

// getUnsigned is the body of iproute2's get_u64/get_u32/get_u16/get_u8:
// the whole word must be a number no larger than max.
func getUnsigned(s string, base int, max uint64) (uint64, error) {
	if s == "" {
		return 0, errNumber
	}
	v, n, over := Strtoul(s, base)
	if n == 0 || n != len(s) || over || v > max {
		return 0, errNumber
	}
	return v, nil
}

// GetU64 is get_u64.
func GetU64(s string, base int) (uint64, error) { return getUnsigned(s, base, math.MaxUint64) }

// GetU32 is get_u32 (and get_unsigned).
func GetU32(s string, base int) (uint32, error) {
	v, err := getUnsigned(s, base, math.MaxUint32)
	return uint32(v), err
}

// GetU16 is get_u16.
func GetU16(s string, base int) (uint16, error) {
	v, err := getUnsigned(s, base, math.MaxUint16)
	return uint16(v), err
}

// GetU8 is get_u8.
func GetU8(s string, base int) (uint8, error) {
	v, err := getUnsigned(s, base, math.MaxUint8)
	return uint8(v), err
}

// GetInteger is get_integer: a whole word that fits a C int.
func GetInteger(s string, base int) (int32, error) {
	if s == "" {
		return 0, errNumber
	}
	v, n, over := Strtol(s, base)
	if n == 0 || n != len(s) || over || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errNumber
	}
	return int32(v), nil
}
