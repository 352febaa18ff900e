package pedit

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is pedit's tc face (m_pedit.c with p_eth.c, p_ip.c, p_ip6.c,
// p_tcp.c, p_udp.c and p_icmp.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: ... pedit munge [ex] <MUNGE> [CONTROL]\n" +
	"Where: MUNGE := <RAW>|<LAYERED>\n" +
	"\t<RAW>:= <OFFSETC>[ATC]<CMD>\n \t\tOFFSETC:= offset <offval> <u8|u16|u32>\n" +
	"\t\tATC:= at <atval> offmask <maskval> shift <shiftval>\n" +
	"\t\tNOTE: offval is byte offset, must be multiple of 4\n" +
	"\t\tNOTE: maskval is a 32 bit hex number\n \t\tNOTE: shiftval is a shift value\n" +
	"\t\tCMD:= clear | invert | set <setval> | add <addval> | decrement | retain\n" +
	"\t<LAYERED>:= ip <ipdata> | ip6 <ip6data>\n" +
	" \t\t| udp <udpdata> | tcp <tcpdata> | icmp <icmpdata>\n" +
	"\tCONTROL:= reclassify | pipe | drop | continue | pass |\n" +
	"\t          goto chain <CHAIN_INDEX>\n" +
	"\tNOTE: if 'ex' is set, extended functionality will be supported (kernel >= 4.11)\n" +
	"For Example usage look at the examples directory"

// maxKeys is MAX_OFFS.
const maxKeys = 128

// Value types of parse_val.
const (
	tIPv4 = 1
	tIPv6 = 2
	tU32  = 4
	tMAC  = 5
)

// allowDec is PEDIT_ALLOW_DEC.
const allowDec = 1

// sel is struct m_pedit_sel as tc builds it.
type sel struct {
	keys     []Key
	keysEx   []KeyEx
	extended bool
}

// tkey is struct m_pedit_key: the key being built, values in host order.
type tkey struct {
	mask, val, off, at, offmask, shift uint32
	htype, cmd                         uint16
}

// cliErr collects the lines tc prints to stderr before failing.
type cliErr struct {
	lines      []string
	incomplete bool // NEXT_ARG found no word: tc exits at once
	// at is where tc's argv points when parse_munge fails, the word
	// "Bad pedit construct" names: its functions hand their position
	// back on some failures and not on others.
	at []string
}

func (e *cliErr) add(format string, args ...any) {
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}

// packKey is pack_key.
func (s *sel) packKey(e *cliErr, k *tkey) bool {
	if len(s.keys) >= maxKeys {
		return false
	}
	if k.off%4 != 0 {
		e.add("offsets MUST be in 32 bit boundaries")
		return false
	}
	if !s.extended && (k.htype != TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK || k.cmd != TCA_PEDIT_KEY_EX_CMD_SET) {
		e.add("Munge parameters not supported. Use 'pedit ex munge ...'.")
		return false
	}
	s.keys = append(s.keys, Key{Mask: k.mask, Val: k.val, Off: k.off, At: k.at, Offmask: k.offmask, Shift: k.shift})
	s.keysEx = append(s.keysEx, KeyEx{HType: k.htype, Cmd: k.cmd})
	return true
}

// Key values go on the wire in network order: Key.Val and Key.Mask hold
// the native-endian reading of those bytes, as the C struct does.
func htonl(v uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return binary.NativeEndian.Uint32(b[:])
}

// packKey32 is pack_key32.
func (s *sel) packKey32(e *cliErr, retain uint32, k *tkey) bool {
	if k.off > k.off&^3 {
		e.add("pack_key32: 32 bit offsets must begin in 32bit boundaries")
		return false
	}
	k.val = htonl(k.val & retain)
	k.mask = htonl(k.mask | ^retain)
	return s.packKey(e, k)
}

// packKey16 is pack_key16.
func (s *sel) packKey16(e *cliErr, retain uint32, k *tkey) bool {
	m := [4]uint32{0x0000FFFF, 0xFF0000FF, 0xFFFF0000}
	if k.val > 0xFFFF || k.mask > 0xFFFF {
		e.add("pack_key16 bad value")
		return false
	}
	ind := k.off & 3
	if ind == 3 {
		e.add("pack_key16 bad index value %d", ind)
		return false
	}
	stride := 8 * (2 - ind)
	k.val = htonl((k.val & retain) << stride)
	k.mask = htonl((k.mask|^retain)<<stride | m[ind])
	k.off &^= 3
	return s.packKey(e, k)
}

// packKey8 is pack_key8.
func (s *sel) packKey8(e *cliErr, retain uint32, k *tkey) bool {
	m := [4]uint32{0x00FFFFFF, 0xFF00FFFF, 0xFFFF00FF, 0xFFFFFF00}
	if k.val > 0xFF || k.mask > 0xFF {
		e.add("pack_key8 bad value (val %x mask %x", k.val, k.mask)
		return false
	}
	ind := k.off & 3
	stride := 8 * (3 - ind)
	k.val = htonl((k.val & retain) << stride)
	k.mask = htonl((k.mask|^retain)<<stride | m[ind])
	k.off &^= 3
	return s.packKey(e, k)
}

// packMAC is pack_mac.
func (s *sel) packMAC(e *cliErr, k *tkey, mac []byte) bool {
	ok := true
	switch {
	case k.off&3 == 0:
		k.mask = 0
		k.val = binary.BigEndian.Uint32(mac[0:])
		ok = s.packKey32(e, ^uint32(0), k) && ok
		k.off += 4
		k.mask = 0
		k.val = uint32(binary.BigEndian.Uint16(mac[4:]))
		ok = s.packKey16(e, ^uint32(0), k) && ok
	case k.off&1 == 0:
		k.mask = 0
		k.val = uint32(binary.BigEndian.Uint16(mac[0:]))
		ok = s.packKey16(e, ^uint32(0), k) && ok
		k.off += 4
		k.mask = 0
		k.val = binary.BigEndian.Uint32(mac[2:])
		ok = s.packKey32(e, ^uint32(0), k) && ok
	default:
		e.add("pack_mac: mac offsets must begin in 32bit or 16bit boundaries")
		return false
	}
	return ok
}

// packIPv6 is pack_ipv6.
func (s *sel) packIPv6(e *cliErr, k *tkey, addr []byte) bool {
	if k.off&3 != 0 {
		e.add("pack_ipv6: IPv6 offsets must begin in 32bit boundaries")
		return false
	}
	for i := 0; i < 4; i++ {
		k.mask = 0
		k.val = binary.BigEndian.Uint32(addr[4*i:])
		if !s.packKey32(e, ^uint32(0), k) {
			return false
		}
		k.off += 4
	}
	return true
}

// llAddr is ll_addr_a2n for a 6-byte address: the count of bytes read,
// or -1.
func llAddr(e *cliErr, out []byte, arg string) int {
	if strings.Contains(arg, ".") {
		a, ok := actutil.AddrIPv4(arg)
		if !ok {
			e.add("\"%s\" is invalid lladdr.", arg)
			return -1
		}
		binary.BigEndian.PutUint32(out, a)
		return 4
	}
	i := 0
	for ; i < 6; i++ {
		part, rest, more := strings.Cut(arg, ":")
		v, ok := scanHex(part)
		if !ok || v < 0 || v > 255 {
			e.add("\"%s\" is invalid lladdr.", part)
			return -1
		}
		out[i] = byte(v)
		if !more {
			break
		}
		arg = rest
	}
	return i + 1
}

// scanHex is sscanf("%x") into an int: leading space, a sign, an
// optional 0x, then hex digits; what follows is ignored.
func scanHex(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		s = s[2:]
	}
	var v uint32
	n := 0
	for n < len(s) && isHex(s[n]) {
		v = v<<4 | uint32(hexVal(s[n]))
		n++
	}
	if n == 0 {
		return 0, false
	}
	r := int64(int32(v))
	if neg {
		r = int64(int32(-v))
	}
	return r, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// parseVal is parse_val: the value of `set`, `add` or `retain` into the
// 16-byte buffer v, as the C code writes it into its __u32 val[4].
func parseVal(e *cliErr, a *tc.Args, v []byte, typ int) bool {
	if !a.More() {
		return false
	}
	w := a.Peek()
	switch typ {
	case tU32:
		x, err := tc.GetU32(w, 0)
		if err != nil {
			return false
		}
		binary.NativeEndian.PutUint32(v, x)
		return true
	case tIPv4:
		x, _, ok := actutil.PrefixIPv4(w)
		if !ok {
			return false
		}
		binary.BigEndian.PutUint32(v, x)
		return true
	case tIPv6:
		x, _, ok := actutil.PrefixIPv6(w)
		if !ok {
			return false
		}
		copy(v, x[:])
		return true
	case tMAC:
		return llAddr(e, v, w) == 6
	}
	return false
}

// parseCmd is parse_cmd: the command of a field of length n bytes.
func parseCmd(e *cliErr, a *tc.Args, n int, typ int, retain uint32, s *sel, k *tkey, flags int) bool {
	var val, mask [16]byte
	o := uint32(0xFF)
	if !a.More() {
		return false
	}
	switch n {
	case 2:
		o = 0xFFFF
	case 4:
		o = 0xFFFFFFFF
	}
	w := a.Peek()
	switch {
	case tc.Matches(w, "invert"):
		binary.NativeEndian.PutUint32(val[:], o)
		binary.NativeEndian.PutUint32(mask[:], o)
	case tc.Matches(w, "set"), tc.Matches(w, "add"):
		if tc.Matches(w, "add") {
			k.cmd = TCA_PEDIT_KEY_EX_CMD_ADD
		}
		if !s.extended && k.cmd != 0 {
			e.add("Non extended mode. only 'set' command is supported")
			return false
		}
		a.Next()
		if !a.More() {
			e.incomplete = true
			return false
		}
		if !parseVal(e, a, val[:], typ) {
			return false
		}
	case tc.Matches(w, "decrement"):
		if flags&allowDec == 0 {
			e.add("decrement command is not supported for this field")
			return false
		}
		if !s.extended {
			e.add("Non extended mode. only 'set' command is supported")
			return false
		}
		k.cmd = TCA_PEDIT_KEY_EX_CMD_ADD
		binary.NativeEndian.PutUint32(val[:], retain)
	case tc.Matches(w, "preserve"):
		retain = 0
	case tc.Matches(w, "clear"):
	default:
		return false
	}
	a.Next()
	if a.More() && tc.Matches(a.Peek(), "retain") {
		a.Next()
		if !a.More() {
			e.incomplete = true
			return false
		}
		var r [16]byte
		if !parseVal(e, a, r[:], tU32) {
			return false
		}
		retain = binary.NativeEndian.Uint32(r[:])
		a.Next()
	}
	if n > 4 && retain != ^uint32(0) {
		e.add("retain is not supported for fields longer the 32 bits")
		return false
	}
	e.at = a.Rest()
	switch typ {
	case tMAC:
		return s.packMAC(e, k, val[:])
	case tIPv6:
		return s.packIPv6(e, k, val[:])
	}
	k.val = binary.NativeEndian.Uint32(val[:])
	k.mask = binary.NativeEndian.Uint32(mask[:])
	if typ == tIPv4 {
		k.val = binary.BigEndian.Uint32(val[:])
	}
	switch n {
	case 1:
		return s.packKey8(e, retain, k)
	case 2:
		return s.packKey16(e, retain, k)
	case 4:
		return s.packKey32(e, retain, k)
	}
	return false
}

// parseOffset is parse_offset: `offset OFF u8|u16|u32 [at AT OFFMASK
// SHIFT] CMD`, the current word OFF.
func parseOffset(e *cliErr, a *tc.Args, s *sel, k *tkey) bool {
	if !a.More() {
		return false
	}
	off, err := tc.GetInteger(a.Peek(), 0)
	if err != nil {
		return false
	}
	k.off = uint32(off)
	a.Next()
	if !a.More() {
		return false
	}
	var n int
	var retain uint32
	switch w := a.Peek(); {
	case tc.Matches(w, "u32"):
		n, retain = 4, 0xFFFFFFFF
	case tc.Matches(w, "u16"):
		n, retain = 2, 0xFFFF
	case tc.Matches(w, "u8"):
		n, retain = 1, 0xFF
	default:
		return false
	}
	next := func() bool {
		a.Next()
		if !a.More() {
			e.incomplete = true
			return false
		}
		return true
	}
	if !next() {
		return false
	}
	if tc.Matches(a.Peek(), "at") {
		if !next() {
			return false
		}
		at, err := tc.GetU32(a.Peek(), 0)
		if err != nil {
			return false
		}
		k.at = at
		if !next() {
			return false
		}
		om, err := tc.GetU32(a.Peek(), 16)
		if err != nil {
			return false
		}
		k.offmask = om
		if !next() {
			return false
		}
		sh, err := tc.GetU32(a.Peek(), 0)
		if err != nil {
			return false
		}
		k.shift = sh
		if !next() {
			return false
		}
	}
	e.at = a.Rest()
	return parseCmd(e, a, n, tU32, retain, s, k, 0)
}

// field is one word of a layered header: its offset, length, type,
// retain mask and flags.
type field struct {
	name   string
	prefix bool // matched by matches() rather than strcmp()
	off    uint32
	n      int
	typ    int
	retain uint32
	flags  int
}

// ipFields are p_ip.c's, in its order; those after mf are outside the IP
// header and refused in extended mode.
var ipFields = []field{
	{name: "src", off: 12, n: 4, typ: tIPv4, retain: 0xFFFFFFFF},
	{name: "dst", off: 16, n: 4, typ: tIPv4, retain: 0xFFFFFFFF},
	{name: "tos", off: 1, n: 1, typ: tU32, retain: 0xFF},
	{name: "dsfield", prefix: true, off: 1, n: 1, typ: tU32, retain: 0xFF},
	{name: "ihl", off: 0, n: 1, typ: tU32, retain: 0x0f},
	{name: "ttl", off: 8, n: 1, typ: tU32, retain: 0xFF, flags: allowDec},
	{name: "protocol", off: 9, n: 1, typ: tU32, retain: 0xFF},
	{name: "precedence", prefix: true, off: 1, n: 1, typ: tU32, retain: 0xFF},
	{name: "nofrag", off: 6, n: 1, typ: tU32, retain: 0x3F},
	{name: "firstfrag", off: 6, n: 1, typ: tU32, retain: 0x1F},
	{name: "ce", off: 6, n: 1, typ: tU32, retain: 0x80},
	{name: "df", off: 6, n: 1, typ: tU32, retain: 0x40},
	{name: "mf", off: 6, n: 1, typ: tU32, retain: 0x20},
}

var ipOuterFields = []field{
	{name: "dport", off: 22, n: 2, typ: tU32, retain: 0xFFFF},
	{name: "sport", off: 20, n: 2, typ: tU32, retain: 0xFFFF},
	{name: "icmp_type", off: 20, n: 1, typ: tU32, retain: 0xFF},
	{name: "icmp_code", off: 20, n: 1, typ: tU32, retain: 0xFF},
}

var ip6Fields = []field{
	{name: "src", off: 8, n: 16, typ: tIPv6, retain: 0xFFFFFFFF},
	{name: "dst", off: 24, n: 16, typ: tIPv6, retain: 0xFFFFFFFF},
	{name: "flow_lbl", off: 0, n: 4, typ: tU32, retain: 0x0007ffff},
	{name: "payload_len", off: 4, n: 2, typ: tU32, retain: 0xFFFF},
	{name: "nexthdr", off: 6, n: 1, typ: tU32, retain: 0xFF},
	{name: "hoplimit", off: 7, n: 1, typ: tU32, retain: 0xFF, flags: allowDec},
}

var ethFields = []field{
	{name: "type", off: 12, n: 2, typ: tU32, retain: 0xFFFF},
	{name: "dst", off: 0, n: 6, typ: tMAC, retain: 0xFFFFFFFF},
	{name: "src", off: 6, n: 6, typ: tMAC, retain: 0xFFFFFFFF},
}

var l4Fields = []field{
	{name: "sport", off: 0, n: 2, typ: tU32, retain: 0xFFFF},
	{name: "dport", off: 2, n: 2, typ: tU32, retain: 0xFFFF},
}

var tcpFields = append(append([]field{}, l4Fields...),
	field{name: "flags", off: 13, n: 1, typ: tU32, retain: 0xFF})

func findField(fs []field, w string) *field {
	for i := range fs {
		f := &fs[i]
		if w == f.name || f.prefix && tc.Matches(w, f.name) {
			return f
		}
	}
	return nil
}

// parseField reads `FIELD CMD` of one header (parse_ip, parse_ip6,
// parse_eth, parse_tcp, parse_udp); the current word is FIELD.
func parseField(e *cliErr, a *tc.Args, s *sel, k *tkey, f *field) bool {
	a.Next()
	k.off = f.off
	return parseCmd(e, a, f.n, f.typ, f.retain, s, k, f.flags)
}

// parseLayered is the parse_peopt of the header kind hdr, with the
// current word the one after it.
func parseLayered(e *cliErr, a *tc.Args, hdr string, s *sel, k *tkey) bool {
	rest := len(a.Rest())
	switch hdr {
	case "ip":
		if rest < 2 {
			return false
		}
		k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK
		if s.extended {
			k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4
		}
		w := a.Peek()
		if f := findField(ipFields, w); f != nil {
			return parseField(e, a, s, k, f)
		}
		if s.extended {
			return false
		}
		if f := findField(ipOuterFields, w); f != nil {
			return parseField(e, a, s, k, f)
		}
		return false
	case "ip6":
		if rest < 2 || !s.extended {
			return false
		}
		k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_IP6
		if a.Peek() == "traffic_class" {
			// The 8-bit field sits 4 bits into the header: tc packs it
			// at offset 1 and shifts it up.
			a.Next()
			k.off = 1
			if !parseCmd(e, a, 1, tU32, 0xFF, s, k, 0) {
				return false
			}
			key := &s.keys[len(s.keys)-1]
			key.Mask = htonl(ntohl(key.Mask)<<4 | 0xf)
			key.Val = htonl(ntohl(key.Val) << 4)
			return true
		}
		if f := findField(ip6Fields, a.Peek()); f != nil {
			return parseField(e, a, s, k, f)
		}
		return false
	case "eth":
		if rest < 2 || !s.extended {
			return false
		}
		k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_ETH
		if f := findField(ethFields, a.Peek()); f != nil {
			return parseField(e, a, s, k, f)
		}
		return false
	case "tcp", "udp":
		if rest < 2 || !s.extended {
			return false
		}
		fs := l4Fields
		k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_UDP
		if hdr == "tcp" {
			fs = tcpFields
			k.htype = TCA_PEDIT_KEY_EX_HDR_TYPE_TCP
		}
		if f := findField(fs, a.Peek()); f != nil {
			return parseField(e, a, s, k, f)
		}
		return false
	case "icmp":
		// p_icmp.c parses nothing.
		return false
	}
	// pedit_parse_nopopt: a header tc has no module for.
	if a.More() {
		e.add("Unknown action  hence option \"%s\" is unparsable", a.Peek())
	}
	return !a.More()
}

func ntohl(v uint32) uint32 { return htonl(v) }

// parseMunge is parse_munge; the current word follows `munge`.
func parseMunge(e *cliErr, a *tc.Args, s *sel) bool {
	if !a.More() {
		return false
	}
	var k tkey
	w := a.Peek()
	if tc.Matches(w, "offset") {
		a.Next()
		if !a.More() {
			e.incomplete = true
			return false
		}
		e.at = a.Rest()
		return parseOffset(e, a, s, &k)
	}
	kindAt := a.Rest()
	hdr := w
	if len(hdr) > 15 {
		hdr = hdr[:15]
	}
	a.Next()
	if !a.More() {
		e.incomplete = true
		return false
	}
	if !parseLayered(e, a, hdr, s, &k) {
		if !e.incomplete {
			e.add("bad pedit parsing")
		}
		e.at = kindAt
		return false
	}
	return true
}

// ParseAction reads `pedit [ex] munge MUNGE [munge MUNGE]... [CONTROL]
// [index N]` (parse_pedit).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	var s sel
	var e cliErr
	ok := 0
	var gen actutil.Gen
	fail := func() error {
		if e.incomplete {
			return tc.Incomplete()
		}
		return nil
	}
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "pedit"):
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			ok++
			if tc.Matches(a.Peek(), "ex") {
				if ok > 1 {
					return tc.Usagef("'ex' must be before first 'munge'\n%s", explain)
				}
				s.extended = true
				a.Next()
				if !a.More() {
					return tc.Incomplete()
				}
			}
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		case tc.Matches(w, "munge"):
			if ok == 0 {
				return tc.Usagef("Bad pedit construct (%s)\n%s", w, explain)
			}
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			if !parseMunge(&e, a, &s) {
				if err := fail(); err != nil {
					return err
				}
				at := "(null)"
				if len(e.at) > 0 {
					at = e.at[0]
				}
				e.add("Bad pedit construct (%s)", at)
				e.add("%s", explain)
				return tc.Usagef("%s", strings.Join(e.lines, "\n"))
			}
			ok++
		default:
			break loop
		}
	}
	if ok == 0 {
		return tc.Usagef("%s", explain)
	}
	ctl, err := actutil.ParseControlDefault(a, false, actutil.OK)
	if err != nil {
		return err
	}
	gen.Action = ctl
	if a.More() && tc.Matches(a.Peek(), "index") {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.Usagef("Pedit: Illegal \"index\"")
		}
	}
	sl := Sel{Gen: gen, Keys: s.keys}
	b.Nest(attr)
	if !s.extended {
		b.Put(TCA_PEDIT_PARMS, sl.Encode())
	} else {
		b.Put(TCA_PEDIT_PARMS_EX, sl.Encode())
		b.Nest(TCA_PEDIT_KEYS_EX | nl.NLA_F_NESTED)
		for _, kx := range s.keysEx {
			b.Nest(TCA_PEDIT_KEY_EX | nl.NLA_F_NESTED)
			b.PutU16(TCA_PEDIT_KEY_EX_HTYPE, kx.HType)
			b.PutU16(TCA_PEDIT_KEY_EX_CMD, kx.Cmd)
			b.EndNest()
		}
		b.EndNest()
	}
	b.EndNest()
	return nil
}

var htypeNames = []string{
	TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK: "",
	TCA_PEDIT_KEY_EX_HDR_TYPE_ETH:     "eth",
	TCA_PEDIT_KEY_EX_HDR_TYPE_IP4:     "ipv4",
	TCA_PEDIT_KEY_EX_HDR_TYPE_IP6:     "ipv6",
	TCA_PEDIT_KEY_EX_HDR_TYPE_TCP:     "tcp",
	TCA_PEDIT_KEY_EX_HDR_TYPE_UDP:     "udp",
}

// keysEx is pedit_keys_ex_getattr: exactly n keys, or false.
func keysEx(data []byte, n int) ([]KeyEx, bool) {
	var out []KeyEx
	bad := false
	nl.Walk(data, func(it nl.Attr) bool {
		if n == 0 || it.Type != TCA_PEDIT_KEY_EX {
			bad = true
			return false
		}
		tb := nl.Parse(it.Data, TCA_PEDIT_KEY_EX_MAX)
		var kx KeyEx
		if h := tb.Get(TCA_PEDIT_KEY_EX_HTYPE); h != nil && len(h.Data) >= 2 {
			kx.HType = h.U16()
		}
		if c := tb.Get(TCA_PEDIT_KEY_EX_CMD); c != nil && len(c.Data) >= 2 {
			kx.Cmd = c.U16()
		}
		out = append(out, kx)
		n--
		return true
	})
	return out, !bad && n == 0
}

// PrintAction prints a pedit action (print_pedit).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", " %s ", "pedit")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_PEDIT_MAX)
	var s Sel
	var kx []KeyEx
	switch {
	case tb.Has(TCA_PEDIT_PARMS):
		s = DecodeSel(tb.Get(TCA_PEDIT_PARMS).Data)
	case tb.Has(TCA_PEDIT_PARMS_EX):
		s = DecodeSel(tb.Get(TCA_PEDIT_PARMS_EX).Data)
		ke := tb.Get(TCA_PEDIT_KEYS_EX)
		if ke == nil {
			p.Text("Netlink error\n")
			return tc.Fail("")
		}
		var good bool
		if kx, good = keysEx(ke.Data, int(s.Nkeys)); !good {
			p.Text("Netlink error\n")
			return tc.Fail("")
		}
	default:
		return tc.Fail("Missing pedit parameters")
	}
	actutil.PrintControl(p, "action ", s.Action, " ")
	p.Uint(tc.Any, "nkeys", "keys %d\n", uint64(s.Nkeys))
	p.Uint(tc.Any, "index", " \t index %d", uint64(s.Index))
	p.Int(tc.Any, "ref", " ref %d", int64(s.Refcnt))
	p.Int(tc.Any, "bind", " bind %d", int64(s.Bindcnt))
	if p.Stats {
		if tm := tb.Get(TCA_PEDIT_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.OpenArray(tc.JSON, "keys", "")
	if s.Nkeys != 0 {
		for i, k := range s.Keys {
			htype, cmd := uint16(TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK), uint16(TCA_PEDIT_KEY_EX_CMD_SET)
			if kx != nil {
				htype, cmd = kx[i].HType, kx[i].Cmd
			}
			p.OpenObject("")
			p.String(tc.Text, "", "%s", fmt.Sprintf("\n\t key #%d  at ", i))
			if htype != TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK {
				name := fmt.Sprintf("unknown(%d)", htype)
				if int(htype) < len(htypeNames) {
					name = htypeNames[htype]
				}
				p.String(tc.Any, "htype", "%s", name)
				p.Int(tc.Any, "offset", "%+d", int64(int32(k.Off)))
			} else {
				p.String(tc.JSON, "htype", "", "network")
				p.Int(tc.Any, "offset", "%d", int64(int32(k.Off)))
			}
			c, cj := "val", "set"
			if cmd != 0 {
				c, cj = "add", "add"
			}
			p.String(tc.Text, "", ": %s", c)
			p.String(tc.JSON, "cmd", "", cj)
			printHex(p, "val", " %08x", ntohl(k.Val))
			printHex(p, "mask", " mask %08x", ntohl(k.Mask))
			p.CloseObject()
		}
	} else {
		p.Fprintf("\npedit %x keys %d is not LEGIT", s.Index, s.Nkeys)
	}
	p.CloseArray(tc.JSON, " ")
	p.NL()
	return nil
}

// printHex is print_hex: "%x" as a JSON string, format in text.
func printHex(p *tc.Printer, key, format string, v uint32) {
	p.String(tc.JSON, key, "", fmt.Sprintf("%x", v))
	p.String(tc.Text, "", "%s", fmt.Sprintf(format, v))
}
