package tc

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ReadDeviceSpeed reads a device's link speed in Mbit/s the way iproute2's
// read_prop does: from /sys/class/net/DEV/speed of the host tc runs on
// (iproute2 run through the shim reads the same file). The error's text is
// what read_prop prints.
var ReadDeviceSpeed = func(dev string) (int64, error) {
	fname := "/sys/class/net/" + dev + "/speed"
	if len(fname) >= 128 {
		return 0, errors.New("could not build pathname for property")
	}
	f, err := os.Open(fname)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return 0, fmt.Errorf("fopen %s: %s", fname, cStrerror(err))
	}
	var buf [80]byte
	n, _ := f.Read(buf[:79])
	f.Close()
	b := buf[:n]
	line, _, _ := strings.Cut(string(b), "\n")
	if len(b) == 0 {
		return 0, fmt.Errorf("property \"speed\" in file %s is currently unknown\nFailed to parse %s", fname, fname)
	}
	v, n, over := Strtol(line, 0)
	if n == 0 || n != len(line) {
		return 0, fmt.Errorf("value \"%s\" in file %s is not a number\nFailed to parse %s", line, fname, fname)
	}
	if over {
		return 0, fmt.Errorf("strtol %s: Numerical result out of range", fname)
	}
	return v, nil
}

// cStrerror gives strerror's text for the errors fopen meets.
func cStrerror(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ParsePercentRate64 reads a rate given as a percentage of the device's
// speed, as get_percent_rate64: "50%" of a 1000 Mbit/s device is 62500000
// bytes per second. The error's text is what iproute2 prints before the
// kind's own complaint.
func ParsePercentRate64(s, dev string) (uint64, error) {
	if dev == "" {
		return 0, errors.New("No device specified; specify device to rate limit by percentage")
	}
	mbit, err := ReadDeviceSpeed(dev)
	if err != nil {
		return 0, err
	}
	// sscanf("%m[0-9.%]"): the leading run of digits, dots and percents.
	n := 0
	for n < len(s) && (isDigit(s[n]) || s[n] == '.' || s[n] == '%') {
		n++
	}
	malformed := errors.New("Specified rate value could not be read or is malformed")
	if n == 0 {
		return 0, malformed
	}
	perc, ok := parsePercent(s[:n])
	if !ok {
		return 0, malformed
	}
	bits := perc * float64(mbit) * 1000 * 1000
	u, _ := toU64(bits / 8)
	return u, nil
}

// parsePercent is parse_percent: a number of percent, at most 100, with an
// optional "%" after it. Out of range counts as a failure, as
// get_percent_rate64 treats it.
func parsePercent(s string) (float64, bool) {
	v, n := Strtod(s)
	v /= 100
	if v > 1 || v < 0 {
		return 0, false
	}
	if rest := s[n:]; rest != "" && rest != "%" {
		return 0, false
	}
	return v, true
}

// Hz is get_hz: the HZ environment variable when set (100 when it is not a
// number), else the kernel's timer frequency from /proc/net/psched, which
// is 1 GHz on every kernel with high-resolution timers.
func Hz() uint64 {
	if s, ok := os.LookupEnv("HZ"); ok {
		// atoi: the leading number, 0 when there is none.
		if v, _, _ := Strtol(s, 10); int32(v) != 0 {
			return uint64(int64(int32(v)))
		}
		return 100
	}
	return 1000000000
}
