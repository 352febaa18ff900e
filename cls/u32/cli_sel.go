package u32

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netsched/netsched/tc"
)

// The selector words of f_u32.c: SAMPLE := { ip | ip6 | udp | tcp | icmp |
// u32 | u16 | u8 | mark | ether } ARGS, packed into 32-bit keys.

var errSel = fmt.Errorf("bad selector")

// packKey is pack_key: a key at off joins one at the same place, or is
// added (at most 128, offsets multiple of 4).
func packKey(s *Sel, key, mask uint32, off, offmask int32) error {
	key &= mask
	for i := range s.Keys {
		k := &s.Keys[i]
		if k.Off == off && k.OffMask == offmask {
			if (key^k.Val)&(mask&k.Mask) != 0 {
				return errSel
			}
			k.Val |= key
			k.Mask |= mask
			return nil
		}
	}
	if len(s.Keys) >= 128 || off%4 != 0 {
		return errSel
	}
	s.Keys = append(s.Keys, KeySel{Val: key, Mask: mask, Off: off, OffMask: offmask})
	return nil
}

func packKey16(s *Sel, key, mask uint32, off, offmask int32) error {
	if key > 0xFFFF || mask > 0xFFFF {
		return errSel
	}
	if off&3 == 0 {
		key, mask = key<<16, mask<<16
	}
	return packKey(s, key, mask, off&^3, offmask)
}

func packKey8(s *Sel, key, mask uint32, off, offmask int32) error {
	if key > 0xFF || mask > 0xFF {
		return errSel
	}
	sh := 24 - 8*uint(off&3)
	return packKey(s, key<<sh, mask<<sh, off&^3, offmask)
}

// parseAt reads `at [nexthdr+]N` after the word at.
func parseAt(a *tc.Args, off, offmask *int32) error {
	if !a.More() {
		return errSel
	}
	p := a.Peek()
	if len(p) > len("nexthdr+") && strings.HasPrefix(p, "nexthdr+") {
		*offmask = -1
		p = p[len("nexthdr+"):]
	} else if tc.Matches(p, "nexthdr+") {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		*offmask = -1
		p = a.Peek()
	}
	v, err := tc.GetInteger(p, 0)
	if err != nil {
		return errSel
	}
	a.Next()
	*off = v
	return nil
}

// parseNum reads VALUE MASK [at OFF] for u32/u16/u8.
func parseNum(a *tc.Args, s *Sel, off, offmask int32, width int) error {
	if len(a.Rest()) < 2 {
		return errSel
	}
	key, err := tc.GetU32(a.Next(), 0)
	if err != nil {
		return errSel
	}
	mask, err := tc.GetU32(a.Next(), 16)
	if err != nil {
		return errSel
	}
	if width == 8 && (key > 0xFF || mask > 0xFF) {
		return errSel
	}
	if a.More() && a.Peek() == "at" {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		if err := parseAt(a, &off, &offmask); err != nil {
			return err
		}
	}
	switch width {
	case 32:
		return packKey(s, key, mask, off, offmask)
	case 16:
		return packKey16(s, key, mask, off, offmask)
	}
	return packKey8(s, key, mask, off, offmask)
}

// parsePrefix is get_prefix_1 for one family: "any", "default", an
// address with an optional /len.
func parsePrefix(w string, v6 bool) (netip.Prefix, bool) {
	bits := 32
	if v6 {
		bits = 128
	}
	if w == "any" || w == "all" || w == "default" {
		if v6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), true
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), true
	}
	addr, plen := w, bits
	if i := strings.IndexByte(w, '/'); i >= 0 {
		addr = w[:i]
		n, err := tc.GetU32(w[i+1:], 0)
		if err != nil || int(n) > bits {
			return netip.Prefix{}, false
		}
		plen = int(n)
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is6() != v6 || ip.Zone() != "" {
		if !v6 && err != nil {
			// inet_aton accepts shortened forms ("10.1" and the like).
			if a4, ok := parseInetAton(addr); ok {
				return netip.PrefixFrom(a4, plen), true
			}
		}
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(ip, plen), true
}

// parseInetAton is get_addr_ipv4's fallback: dotted quads with fewer
// parts, each a C number.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		v, err := tc.GetU32(p, 0)
		if err != nil || v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}

func parseIPAddr(a *tc.Args, s *Sel, off int32, v6 bool) error {
	if !a.More() {
		return errSel
	}
	pfx, ok := parsePrefix(a.Next(), v6)
	if !ok {
		return errSel
	}
	var offmask int32
	if a.More() && a.Peek() == "at" {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		if err := parseAt(a, &off, &offmask); err != nil {
			return err
		}
	}
	raw := pfx.Addr().AsSlice()
	plen := pfx.Bits()
	if !v6 {
		var mask uint32
		if plen != 0 {
			mask = 0xFFFFFFFF << (32 - plen)
		}
		return packKey(s, binary.BigEndian.Uint32(raw), mask, off, offmask)
	}
	for i := 0; i < plen; i += 32 {
		w := binary.BigEndian.Uint32(raw[i/8:])
		mask := uint32(0xFFFFFFFF)
		if i+31 > plen {
			mask = 0xFFFFFFFF << (32 - (plen - i))
		}
		if err := packKey(s, w, mask, off+int32(4*(i/32)), offmask); err != nil {
			return err
		}
	}
	return nil
}

func parseEther(a *tc.Args, s *Sel, off int32) error {
	if !a.More() {
		return errSel
	}
	w := a.Next()
	var m [6]byte
	if n, err := fmt.Sscanf(strings.ReplaceAll(w, ":", " "), "%x %x %x %x %x %x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]); err != nil || n != 6 {
		a.Warn(fmt.Sprintf("parse_ether_addr: improperly formed address '%s'", w))
		return errSel
	}
	var offmask int32
	if a.More() && a.Peek() == "at" {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		if err := parseAt(a, &off, &offmask); err != nil {
			return err
		}
	}
	for i := 0; i < 6; i += 2 {
		// The C code reads two bytes as a host-order u16 and packs it
		// as a number: the bytes land swapped on little-endian hosts.
		k := uint32(binary.NativeEndian.Uint16(m[i:]))
		if err := packKey16(s, k, 0xFFFF, off+int32(i), offmask); err != nil {
			return err
		}
	}
	return nil
}

// parseSelector is parse_selector: one SAMPLE after `match` or `sample`.
func parseSelector(a *tc.Args, s *Sel, mark *Mark, hasMark *bool) error {
	if !a.More() {
		return errSel
	}
	w := a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	field := func(table map[string]func() error) error {
		if len(a.Rest()) < 2 {
			return errSel
		}
		f := table[a.Peek()]
		if f == nil {
			return errSel
		}
		a.Next()
		return f()
	}
	u8 := func(off, offmask int32) func() error {
		return func() error { return parseNum(a, s, off, offmask, 8) }
	}
	u16 := func(off, offmask int32) func() error {
		return func() error { return parseNum(a, s, off, offmask, 16) }
	}
	flag := func(key, mask uint32, off int32) func() error {
		return func() error { return packKey16(s, key, mask, off, 0) }
	}
	switch {
	case tc.Matches(w, "u32"):
		return parseNum(a, s, 0, 0, 32)
	case tc.Matches(w, "u16"):
		return parseNum(a, s, 0, 0, 16)
	case tc.Matches(w, "u8"):
		return parseNum(a, s, 0, 0, 8)
	case tc.Matches(w, "ip"):
		if len(a.Rest()) < 2 {
			return errSel
		}
		switch x := a.Peek(); {
		case x == "nofrag", x == "firstfrag", x == "df", x == "mf":
			a.Next()
			return map[string]func() error{
				"nofrag": flag(0, 0x3FFF, 6), "firstfrag": flag(0, 0x1FFF, 6),
				"df": flag(0x4000, 0x4000, 6), "mf": flag(0x2000, 0x2000, 6),
			}[x]()
		case tc.Matches(x, "dsfield") && x != "dport" || tc.Matches(x, "precedence"):
			a.Next()
			return parseNum(a, s, 1, 0, 8)
		}
		return field(map[string]func() error{
			"src":       func() error { return parseIPAddr(a, s, 12, false) },
			"dst":       func() error { return parseIPAddr(a, s, 16, false) },
			"tos":       u8(1, 0),
			"ihl":       u8(0, 0),
			"protocol":  u8(9, 0),
			"dport":     u16(22, 0),
			"sport":     u16(20, 0),
			"icmp_type": u8(20, 0),
			"icmp_code": u8(20, 1),
		})
	case tc.Matches(w, "ip6"):
		return field(map[string]func() error{
			"src":      func() error { return parseIPAddr(a, s, 8, true) },
			"dst":      func() error { return parseIPAddr(a, s, 24, true) },
			"priority": func() error { return parseIP6Class(a, s) },
			"protocol": u8(6, 0),
			"flowlabel": func() error {
				return parseNum(a, s, 0, 0, 32)
			},
			"dport":     u16(42, 0),
			"sport":     u16(40, 0),
			"icmp_type": u8(40, 0),
			"icmp_code": u8(41, 1),
		})
	case tc.Matches(w, "udp"), tc.Matches(w, "tcp"):
		return field(map[string]func() error{"src": u16(0, -1), "dst": u16(2, -1)})
	case tc.Matches(w, "icmp"):
		return field(map[string]func() error{"type": u8(0, -1), "code": u8(1, -1)})
	case tc.Matches(w, "mark"):
		if len(a.Rest()) <= 1 {
			return errSel
		}
		v, err := tc.GetU32(a.Next(), 0)
		if err != nil {
			a.Warn(`Illegal "mark" value`)
			return errSel
		}
		m, err := tc.GetU32(a.Next(), 0)
		if err != nil {
			a.Warn(`Illegal "mark" mask`)
			return errSel
		}
		if v&m != v {
			a.Warn(`Illegal "mark" (impossible combination)`)
			return errSel
		}
		*mark, *hasMark = Mark{Val: v, Mask: m}, true
		return nil
	case tc.Matches(w, "ether"):
		if len(a.Rest()) < 2 {
			return errSel
		}
		switch a.Peek() {
		case "src":
			a.Next()
			return parseEther(a, s, -8)
		case "dst":
			a.Next()
			return parseEther(a, s, -14)
		}
		a.Warn("Unknown match: ether " + a.Peek())
		return errSel
	}
	return errSel
}

func parseIP6Class(a *tc.Args, s *Sel) error {
	if len(a.Rest()) < 2 {
		return errSel
	}
	key, err := tc.GetU32(a.Next(), 0)
	if err != nil {
		return errSel
	}
	mask, err := tc.GetU32(a.Next(), 16)
	if err != nil || key > 0xFF || mask > 0xFF {
		return errSel
	}
	return packKey(s, key<<20, mask<<20, 0, 0)
}

// parseOffset is parse_offset: plus N, at N, mask M, shift S, eat.
func parseOffset(a *tc.Args, s *Sel) error {
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "plus"):
			a.Next()
			v, err := value(a, 0)
			if err != nil {
				return err
			}
			s.Off = uint16(v)
			s.Flags |= FlagOffset
		case tc.Matches(w, "at"):
			a.Next()
			v, err := value(a, 0)
			if err != nil {
				return err
			}
			if v%2 != 0 {
				return errSel
			}
			s.OffOff = int16(v)
			s.Flags |= FlagVarOffset
		case tc.Matches(w, "mask"):
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			m, err := tc.GetU16(a.Next(), 16)
			if err != nil {
				return errSel
			}
			s.OffMask = m
			s.Flags |= FlagVarOffset
		case tc.Matches(w, "shift"):
			a.Next()
			v, err := value(a, 0)
			if err != nil {
				return err
			}
			s.OffShift = uint8(v)
			s.Flags |= FlagVarOffset
		case tc.Matches(w, "eat"):
			a.Next()
			s.Flags |= FlagEat
		default:
			return nil
		}
	}
	return nil
}

func value(a *tc.Args, base int) (int32, error) {
	if !a.More() {
		return 0, tc.Incomplete()
	}
	v, err := tc.GetInteger(a.Next(), base)
	if err != nil {
		return 0, errSel
	}
	return v, nil
}

// parseHashkey is parse_hashkey: mask M at N.
func parseHashkey(a *tc.Args, s *Sel) error {
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "mask"):
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			m, err := tc.GetU32(a.Next(), 16)
			if err != nil {
				return errSel
			}
			s.HMask = m
		case tc.Matches(w, "at"):
			a.Next()
			v, err := value(a, 0)
			if err != nil {
				return err
			}
			if v%4 != 0 {
				return errSel
			}
			s.HOff = int16(v)
		default:
			return nil
		}
	}
	return nil
}
