package actutil

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netsched/netsched/tc"
)

// Helpers of iproute2's lib that the kinds' tc faces share.

// LinkIndex is ll_name_to_index: 0 when the device is unknown (or no
// front end resolves names).
func LinkIndex(a *tc.Args, name string) int32 {
	if a.Links == nil {
		return 0
	}
	return a.Links.Index(name)
}

// LinkName is ll_index_to_name: "*" for 0, the device's name, or "ifN".
func LinkName(p *tc.Printer, idx int32) string {
	if idx == 0 {
		return "*"
	}
	if p.Links != nil {
		if n := p.Links.Name(idx); n != "" {
			return n
		}
	}
	return "if" + strconv.FormatUint(uint64(uint32(idx)), 10)
}

// NoDev is nodev(): the device named is unknown.
func NoDev(name string) error { return tc.Usagef("Cannot find device \"%s\"", name) }

// llProtos is iproute2 6.1's table of link-layer protocol names
// (lib/ll_proto.c), in its order: the first name of an id prints, any name
// parses, case-insensitively.
var llProtos = []struct {
	id   uint16
	name string
}{
	{0x0060, "loop"}, {0x0200, "pup"}, {0x0201, "pupat"}, {0x0800, "ip"},
	{0x0805, "x25"}, {0x0806, "arp"}, {0x08FF, "bpq"}, {0x0a00, "ieeepup"},
	{0x0a01, "ieeepupat"}, {0x6000, "dec"}, {0x6001, "dna_dl"}, {0x6002, "dna_rc"},
	{0x6003, "dna_rt"}, {0x6004, "lat"}, {0x6005, "diag"}, {0x6006, "cust"},
	{0x6007, "sca"}, {0x8035, "rarp"}, {0x809B, "atalk"}, {0x80F3, "aarp"},
	{0x8137, "ipx"}, {0x86DD, "ipv6"}, {0x8863, "ppp_disc"}, {0x8864, "ppp_ses"},
	{0x884c, "atmmpoa"}, {0x8884, "atmfate"}, {0x0001, "802_3"}, {0x0002, "ax25"},
	{0x0003, "all"}, {0x0004, "802_2"}, {0x0005, "snap"}, {0x0006, "ddcmp"},
	{0x0007, "wan_ppp"}, {0x0008, "ppp_mp"}, {0x0009, "localtalk"}, {0x000C, "can"},
	{0x0010, "ppptalk"}, {0x0011, "tr_802_2"}, {0x0015, "mobitex"}, {0x0016, "control"},
	{0x0017, "irda"}, {0x0018, "econet"}, {0x88CA, "tipc"}, {0x8892, "profinet"},
	{0x88A2, "aoe"}, {0x88A4, "ethercat"}, {0x8100, "802.1Q"}, {0x88A8, "802.1ad"},
	{0x8847, "mpls_uc"}, {0x8848, "mpls_mc"}, {0x6558, "teb"},
	{0x8100, "802.1Q"}, {0x88cc, "LLDP"}, {0x0800, "ipv4"},
}

// ProtoByName is ll_proto_a2n: a name of the table or a number (base 0),
// in host order.
func ProtoByName(s string) (uint16, bool) {
	for _, p := range llProtos {
		if strings.EqualFold(p.name, s) {
			return p.id, true
		}
	}
	v, err := tc.GetU16(s, 0)
	return v, err == nil
}

// ProtoName is ll_proto_n2a of a host-order id: the table's name or
// "[N]".
func ProtoName(id uint16) string {
	for _, p := range llProtos {
		if p.id == id {
			return p.name
		}
	}
	return "[" + strconv.Itoa(int(id)) + "]"
}

// ParseMAC is ll_addr_a2n for a 6-byte address: hex bytes split by ':'
// (or '.'), one or two digits each.
func ParseMAC(s string) ([6]byte, bool) {
	var out [6]byte
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '.' })
	if len(parts) != 6 || strings.Count(s, ":")+strings.Count(s, ".") != 5 {
		return out, false
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) > 2 {
			return out, false
		}
		out[i] = byte(v)
	}
	return out, true
}

// MACString is ll_addr_n2a: lower-case hex bytes joined by ':'.
func MACString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

// SizeAndCell is get_size_and_cell: "SIZE[/CELL]", CELL a power of two,
// giving the size and the cell's log (cellLog unchanged without one).
func SizeAndCell(s string, cellLog int) (uint32, int, error) {
	size, cell, slash := strings.Cut(s, "/")
	sz, err := tc.ParseSize(size)
	if err != nil {
		return 0, cellLog, err
	}
	if !slash {
		return sz, cellLog, nil
	}
	n, err := tc.GetInteger(cell, 0)
	if err != nil {
		return 0, cellLog, err
	}
	for i := 0; i < 32; i++ {
		if int32(uint32(1)<<i) == n {
			return sz, i, nil
		}
	}
	return 0, cellLog, errors.New("cell size is not a power of two")
}

// ParseControlSlash is parse_action_control_slash: "EXCEED[/CONFORM]" as
// one word, or the two separated by a "/" word, each a control word (or a
// number with allowNum). ok2 reports whether a second one was given.
func ParseControlSlash(a *tc.Args, allowNum bool) (r1, r2 int32, ok2 bool, err error) {
	w := a.Peek()
	if i := strings.IndexByte(w, '/'); i >= 0 {
		v1, ok := A2N(w[:i], allowNum)
		if !ok {
			return 0, 0, false, tc.Usagef("")
		}
		v2, ok := A2N(w[i+1:], allowNum)
		if !ok {
			return 0, 0, false, tc.Usagef("")
		}
		a.Next()
		return v1, v2, true, nil
	}
	// parse_action_control_slash_spaces
	v1, ok, err := ParseControl(a, allowNum)
	if err != nil {
		return 0, 0, false, err
	}
	if !ok {
		return 0, 0, false, tc.Usagef("Bad action type %s", w)
	}
	if a.Peek() != "/" {
		return v1, 0, false, nil
	}
	a.Next()
	if !a.More() {
		return 0, 0, false, tc.Incomplete()
	}
	v2, ok, err := ParseControl(a, allowNum)
	if err != nil {
		return 0, 0, false, err
	}
	if !ok {
		return 0, 0, false, tc.Usagef("Bad action type %s", a.Peek())
	}
	return v1, v2, true, nil
}

// ParseIndex reads the usual trailing `index N` (base 10) of a kind,
// failing with the kind's own message.
func ParseIndex(a *tc.Args, msg string) (uint32, bool, error) {
	if !a.More() || !tc.Matches(a.Peek(), "index") {
		return 0, false, nil
	}
	a.Next()
	v, err := a.Value()
	if err != nil {
		return 0, false, err
	}
	idx, err := tc.GetU32(v, 10)
	if err != nil {
		return 0, false, tc.Usagef("%s", msg)
	}
	return idx, true, nil
}

// AltHex is C's "%#x": 0 for zero, 0x... otherwise.
func AltHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// PrintAltHex prints print_hex(PRINT_ANY, key, prefix "%#x") as iproute2
// does: the JSON string, and C's %#x in text.
func PrintAltHex(p *tc.Printer, key, prefix string, v uint64) {
	p.Hex(tc.JSON, key, "", v)
	p.String(tc.Text, "", prefix+"%s", AltHex(v))
}

// AddrIPv4 is get_addr_ipv4: up to four numbers (any base) joined by
// dots, the missing ones 0; the address as a number (a.b.c.d is
// a<<24|...).
func AddrIPv4(s string) (uint32, bool) {
	var out [4]byte
	for i := 0; i < 4; i++ {
		n, used, over := tc.Strtoul(s, 0)
		if over || used == 0 || n > 255 {
			return 0, false
		}
		out[i] = byte(n)
		s = s[used:]
		if s == "" {
			return binary.BigEndian.Uint32(out[:]), true
		}
		if i == 3 || s[0] != '.' {
			return 0, false
		}
		s = s[1:]
	}
	return binary.BigEndian.Uint32(out[:]), true
}

// PrefixIPv4 is get_prefix_1 for AF_INET: an address and its length;
// default, any and all are 0.0.0.0/0; the length may be a dotted mask.
func PrefixIPv4(s string) (addr uint32, bitlen int, ok bool) {
	a, l, slash := strings.Cut(s, "/")
	bitlen = 32
	switch a {
	case "default", "any", "all":
		bitlen = -2
	default:
		if addr, ok = AddrIPv4(a); !ok {
			return 0, 0, false
		}
	}
	if !slash {
		if bitlen == -2 {
			bitlen = 0
		}
		return addr, bitlen, true
	}
	if bitlen == -2 {
		return 0, 0, false
	}
	if n, err := strconv.ParseUint(l, 10, 32); err == nil && n <= 32 {
		return addr, int(n), true
	}
	m, good := AddrIPv4(l)
	if !good || (m != 0 && bits.LeadingZeros32(^m) != 0 && m<<uint(bits.OnesCount32(m)) != 0) {
		return 0, 0, false
	}
	return addr, bits.OnesCount32(m), true
}

// PrefixIPv6 is get_prefix_1 for AF_INET6: an address and an optional
// length up to 128; default, any and all are ::/0.
func PrefixIPv6(s string) (addr [16]byte, bitlen int, ok bool) {
	a, l, slash := strings.Cut(s, "/")
	bitlen = 128
	switch a {
	case "default", "any", "all":
		if slash {
			return addr, 0, false
		}
		return addr, 0, true
	}
	ip, err := netip.ParseAddr(a)
	if err != nil || !ip.Is6() || ip.Zone() != "" {
		return addr, 0, false
	}
	addr = ip.As16()
	if slash {
		n, err := strconv.ParseUint(l, 10, 32)
		if err != nil || n > 128 {
			return addr, 0, false
		}
		bitlen = int(n)
	}
	return addr, bitlen, true
}
