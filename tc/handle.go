// Package tc holds the plain values of traffic control as tc reads and writes
// them: handles, rates, sizes and times, and the word-by-word argument reader
// and text/JSON printer that each kind's tc syntax is written with.
package tc

import (
	"fmt"
)

// Handle is a qdisc or class identifier, major:minor in 16 bits each.
type Handle uint32

// Well-known handles, as in <linux/pkt_sched.h>.
const (
	Unspec  Handle = 0
	Root    Handle = 0xFFFFFFFF
	Ingress Handle = 0xFFFFFFF1
	Clsact  Handle = Ingress

	MinPriority Handle = 0xFFE0 // TC_H_MIN_PRIORITY
	MinIngress  Handle = 0xFFF2 // TC_H_MIN_INGRESS
	MinEgress   Handle = 0xFFF3 // TC_H_MIN_EGRESS
)

// Make builds a handle from a major (already in the upper half) and a minor,
// as TC_H_MAKE does.
func Make(maj, min uint32) Handle { return Handle(maj&0xFFFF0000 | min&0xFFFF) }

// Major returns the upper 16 bits shifted into place (TC_H_MAJ keeps them in
// the upper half; see Maj).
func (h Handle) Major() uint16 { return uint16(h >> 16) }

// Minor returns the lower 16 bits.
func (h Handle) Minor() uint16 { return uint16(h) }

// Maj is TC_H_MAJ: the handle with its minor cleared.
func (h Handle) Maj() Handle { return h & 0xFFFF0000 }

// Min is TC_H_MIN: the handle with its major cleared.
func (h Handle) Min() Handle { return h & 0x0000FFFF }

// String prints a class id as iproute2's sprint_tc_classid does.
func (h Handle) String() string {
	switch {
	case h == Root:
		return "root"
	case h == Unspec:
		return "none"
	case h.Maj() == 0:
		return fmt.Sprintf(":%x", h.Minor())
	case h.Min() == 0:
		return fmt.Sprintf("%x:", h.Major())
	default:
		return fmt.Sprintf("%x:%x", h.Major(), h.Minor())
	}
}

// QdiscString prints a qdisc handle the way tc qdisc show does: "%x:" of the
// major alone.
func (h Handle) QdiscString() string { return fmt.Sprintf("%x:", h.Major()) }

// ParseClassID reads a class id as iproute2's get_tc_classid: "root",
// "none", "X:Y", "X:", ":Y" (hex, each part below 0x10000), or a bare hex
// number taken as the whole 32-bit id.
func ParseClassID(s string) (Handle, error) {
	switch s {
	case "root":
		return Root, nil
	case "none":
		return Unspec, nil
	}
	bad := fmt.Errorf("invalid class id %q", s)
	v, n, _ := Strtoul(s, 16)
	maj := uint32(v) // C stores the unsigned long in a __u32
	if n == 0 {
		maj = 0
		if s == "" || s[0] != ':' {
			return 0, bad
		}
	}
	rest := s[n:]
	if rest == "" {
		return Handle(maj), nil
	}
	if rest[0] != ':' {
		return 0, bad
	}
	if maj >= 0x10000 {
		return 0, bad
	}
	mv, mn, _ := Strtoul(rest[1:], 16)
	min := uint32(mv)
	if mn != len(rest)-1 || min >= 0x10000 {
		return 0, bad
	}
	return Handle(maj<<16 | min), nil
}

// ParseQdiscHandle reads a qdisc handle as iproute2's get_qdisc_handle: a
// hex major (strtoul, at most 0xffff) ended by ':' or the end of the word;
// whatever follows the ':' is ignored, as there. "none" is 0.
func ParseQdiscHandle(s string) (Handle, error) {
	if s == "none" {
		return 0, nil
	}
	v, n, _ := Strtoul(s, 16)
	maj := uint32(v) // C stores the unsigned long in a __u32
	if n == 0 || maj >= 0x10000 {
		return 0, fmt.Errorf("invalid qdisc handle %q", s)
	}
	if n < len(s) && s[n] != ':' {
		return 0, fmt.Errorf("invalid qdisc handle %q", s)
	}
	return Handle(maj << 16), nil
}
