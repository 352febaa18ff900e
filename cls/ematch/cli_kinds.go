package ematch

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

func layerOf(w string) (uint8, error) {
	switch {
	case tc.Matches(w, "link") || tc.Matches(w, "eth"):
		return LayerLink, nil
	case tc.Matches(w, "network") || tc.Matches(w, "ip"):
		return LayerNetwork, nil
	case tc.Matches(w, "transport") || tc.Matches(w, "tcp"):
		return LayerTransport, nil
	}
	v, err := tc.GetU32(w, 0)
	if err != nil || v > 2 {
		return 0, fmt.Errorf("cmp: Illegal layer \"%s\"", w)
	}
	return uint8(v), nil
}

// parseCmp is em_cmp's parse_eopt:
// ALIGN at OFFSET [ layer LAYER ] [ mask MASK ] [ trans ] OP VALUE.
func parseCmp(args []string) ([]byte, error) {
	var c cmp
	i := 0
	next := func() (string, bool) {
		if i >= len(args) {
			return "", false
		}
		i++
		return args[i-1], true
	}
	w, _ := next()
	switch w {
	case "u8", "u16", "u32":
		c.align = map[string]uint8{"u8": 1, "u16": 2, "u32": 4}[w]
	default:
		return nil, fmt.Errorf("cmp: Unknown alignment \"%s\"", w)
	}
	opSet := false
	for i < len(args) {
		w, _ = next()
		switch {
		case w == "at":
			v, ok := next()
			n, err := tc.GetInteger(v, 0)
			if !ok || err != nil {
				return nil, fmt.Errorf("cmp: Illegal \"at\"")
			}
			c.off = uint16(n)
		case w == "layer":
			v, ok := next()
			if !ok {
				return nil, fmt.Errorf("cmp: Missing layer")
			}
			l, err := layerOf(v)
			if err != nil {
				return nil, err
			}
			c.layer = l
		case w == "mask":
			v, ok := next()
			m, err := tc.GetU32(v, 0)
			if !ok || err != nil {
				return nil, fmt.Errorf("cmp: Illegal mask")
			}
			c.mask = m
		case w == "trans":
			c.flags |= cmpTrans
		case w == "eq" || w == "lt" || w == "gt":
			c.opnd = map[string]uint8{"eq": opEQ, "lt": opLT, "gt": opGT}[w]
			v, ok := next()
			n, err := tc.GetU32(v, 0)
			if !ok || err != nil {
				return nil, fmt.Errorf("cmp: Illegal value")
			}
			c.val = n
			opSet = true
		default:
			return nil, fmt.Errorf("cmp: Unknown argument \"%s\"", w)
		}
	}
	if !opSet {
		return nil, fmt.Errorf("cmp: missing operand")
	}
	if c.align == 1 && c.mask > 0xff || c.align == 2 && c.mask > 0xffff {
		return nil, fmt.Errorf("cmp: Illegal mask")
	}
	d := make([]byte, cmpLen)
	ne := binary.NativeEndian
	ne.PutUint32(d[0:], c.val)
	ne.PutUint32(d[4:], c.mask)
	ne.PutUint16(d[8:], c.off)
	d[10] = c.align | c.flags<<4
	d[11] = c.layer | c.opnd<<4
	return d, nil
}

func printCmp(d []byte) string {
	if len(d) < cmpLen {
		return "[invalid]"
	}
	m, _, _ := newCmp(d)
	c := m.(*cmp)
	s := fmt.Sprintf("%s at %d layer %d ", map[uint8]string{1: "u8", 2: "u16", 4: "u32"}[c.align], c.off, c.layer)
	if c.mask != 0 {
		s += fmt.Sprintf("mask 0x%x ", c.mask)
	}
	if c.flags&cmpTrans != 0 {
		s += "trans "
	}
	s += [...]string{"eq ", "gt ", "lt "}[c.opnd%3]
	return s + fmt.Sprint(int32(c.val))
}

// parseU32 is em_u32's parse: ALIGN VALUE MASK at [nexthdr+]OFFSET.
func parseU32(args []string) ([]byte, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("u32: missing arguments")
	}
	align := map[string]int{"u8": 1, "u16": 2, "u32": 4}[args[0]]
	if align == 0 {
		return nil, fmt.Errorf("u32: Unknown alignment \"%s\"", args[0])
	}
	if len(args) != 5 || args[3] != "at" {
		return nil, fmt.Errorf("u32: Illegal arguments")
	}
	key, err1 := tc.GetU32(args[1], 0)
	mask, err2 := tc.GetU32(args[2], 0)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("u32: Illegal value or mask")
	}
	at := args[4]
	offmask := int32(0)
	if strings.HasPrefix(at, "nexthdr+") {
		at, offmask = at[len("nexthdr+"):], -1
	}
	off, err := tc.GetInteger(at, 0)
	if err != nil {
		return nil, fmt.Errorf("u32: Illegal offset")
	}
	max := uint32(1)<<(8*align) - 1
	if align == 4 {
		max = 0xffffffff
	}
	if key > max || mask > max {
		return nil, fmt.Errorf("u32: Illegal value or mask")
	}
	// Shift the value into its place in the 32-bit word at off&^3.
	sh := uint((4 - align - int(off&3)) * 8)
	if int(off&3)+align > 4 {
		return nil, fmt.Errorf("u32: Illegal offset alignment")
	}
	d := make([]byte, u32KeyLen)
	binary.BigEndian.PutUint32(d[0:], mask<<sh)
	binary.BigEndian.PutUint32(d[4:], (key&mask)<<sh)
	binary.NativeEndian.PutUint32(d[8:], uint32(off&^3))
	binary.NativeEndian.PutUint32(d[12:], uint32(offmask))
	return d, nil
}

func printU32(d []byte) string {
	if len(d) < u32KeyLen {
		return "[invalid]"
	}
	mask, val := binary.BigEndian.Uint32(d[0:]), binary.BigEndian.Uint32(d[4:])
	off := int32(binary.NativeEndian.Uint32(d[8:]))
	offmask := int32(binary.NativeEndian.Uint32(d[12:]))
	nh := ""
	if offmask != 0 {
		nh = "nexthdr+"
	}
	return fmt.Sprintf("%08x/%08x at %s%d", val, mask, nh, off)
}

// parseNbyte: "NEEDLE" at OFFSET [ layer LAYER ].
func parseNbyte(args []string) ([]byte, error) {
	if len(args) < 3 || args[1] != "at" {
		return nil, fmt.Errorf("nbyte: Illegal arguments")
	}
	needle := unescape(strings.Trim(args[0], "\""))
	if strings.HasPrefix(args[0], "0x") {
		if h, err := hex.DecodeString(args[0][2:]); err == nil {
			needle = h
		}
	}
	off, err := tc.GetInteger(args[2], 0)
	if err != nil {
		return nil, fmt.Errorf("nbyte: Illegal offset")
	}
	var layer uint8
	if len(args) >= 5 && args[3] == "layer" {
		if layer, err = layerOf(args[4]); err != nil {
			return nil, err
		}
	}
	d := make([]byte, nbyteHdrLen, nbyteHdrLen+len(needle))
	binary.NativeEndian.PutUint16(d[0:], uint16(off))
	binary.NativeEndian.PutUint16(d[2:], uint16(len(needle))&0xfff|uint16(layer)<<12)
	return append(d, needle...), nil
}

func printNbyte(d []byte) string {
	if len(d) < nbyteHdrLen {
		return "[invalid]"
	}
	lw := binary.NativeEndian.Uint16(d[2:])
	n := int(lw & 0xfff)
	if len(d) < 4+n {
		return "[invalid]"
	}
	// em_nbyte's print: the bytes in hex, then as text ('.' for what
	// does not print).
	var sb strings.Builder
	for _, c := range d[4 : 4+n] {
		fmt.Fprintf(&sb, "%02x ", c)
	}
	sb.WriteString("\"")
	for _, c := range d[4 : 4+n] {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('.')
		}
	}
	fmt.Fprintf(&sb, "\" at %d layer %d", binary.NativeEndian.Uint16(d[0:]), lw>>12)
	return sb.String()
}

// parseCanID: { sff | eff } ID[:MASK] ...
func parseCanID(args []string) ([]byte, error) {
	var d []byte
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) || args[i] != "sff" && args[i] != "eff" {
			return nil, fmt.Errorf("canid: Illegal arguments")
		}
		idS, maskS, hasMask := strings.Cut(args[i+1], ":")
		id, err := tc.GetU32(idS, 0)
		if err != nil {
			return nil, fmt.Errorf("canid: Illegal id")
		}
		var mask uint32
		if args[i] == "sff" {
			mask = canSFFMask
			if hasMask {
				if mask, err = tc.GetU32(maskS, 0); err != nil {
					return nil, fmt.Errorf("canid: Illegal mask")
				}
			}
			id &= canSFFMask
			mask &= canSFFMask
		} else {
			mask = canEFFMask
			if hasMask {
				if mask, err = tc.GetU32(maskS, 0); err != nil {
					return nil, fmt.Errorf("canid: Illegal mask")
				}
			}
			id = id&canEFFMask | canEFFFlag
			mask = mask&canEFFMask | canEFFFlag
		}
		d = binary.NativeEndian.AppendUint32(d, id)
		d = binary.NativeEndian.AppendUint32(d, mask)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("canid: missing rules")
	}
	return d, nil
}

func printCanID(d []byte) string {
	var parts []string
	for i := 0; i+8 <= len(d); i += 8 {
		id, mask := binary.NativeEndian.Uint32(d[i:]), binary.NativeEndian.Uint32(d[i+4:])
		if id&canEFFFlag != 0 {
			if mask&canEFFMask == canEFFMask {
				parts = append(parts, fmt.Sprintf("eff 0x%X", id&canEFFMask))
			} else {
				parts = append(parts, fmt.Sprintf("eff 0x%X:0x%X", id&canEFFMask, mask&canEFFMask))
			}
		} else if mask&canSFFMask == canSFFMask {
			parts = append(parts, fmt.Sprintf("sff 0x%X", id&canSFFMask))
		} else {
			parts = append(parts, fmt.Sprintf("sff 0x%X:0x%X", id&canSFFMask, mask&canSFFMask))
		}
	}
	return strings.Join(parts, " ")
}

// meta's words: meta(LEFT OP RIGHT), each side an id name (with shift
// and mask) or a number or "string".
var metaIDs = map[string]uint16{
	"random": MetaRandom, "loadavg_0": MetaLoadavg0, "loadavg_1": MetaLoadavg1, "loadavg_2": MetaLoadavg2,
	"dev": MetaDev, "priority": MetaPriority, "protocol": MetaProtocol, "pkt_type": MetaPktType,
	"pkt_len": MetaPktLen, "data_len": MetaDataLen, "mac_len": MetaMacLen, "fwmark": MetaNfMark,
	"tc_index": MetaTCIndex, "rt_classid": MetaRTClassID, "rt_iif": MetaRTIif, "vlan": MetaVLANTag,
	"rxhash": MetaRxHash, "sk_family": MetaSkFamily, "sk_bound_if": MetaSkBoundIf,
}

func metaOperand(words []string) (kind uint16, shift uint8, val []byte, err error) {
	if len(words) == 0 {
		return 0, 0, nil, fmt.Errorf("meta: missing operand")
	}
	w := words[0]
	if id, ok := metaIDs[w]; ok {
		typ := uint16(MetaTypeInt)
		if id == MetaDev || id == MetaSkBoundIf {
			typ = MetaTypeVar
		}
		kind = typ<<12 | id
		for i := 1; i+1 < len(words); i += 2 {
			v, e := tc.GetU32(words[i+1], 0)
			if e != nil {
				return 0, 0, nil, fmt.Errorf("meta: Illegal \"%s\"", words[i])
			}
			switch words[i] {
			case "shift":
				shift = uint8(v)
			case "mask":
				val = binary.NativeEndian.AppendUint32(nil, v)
			default:
				return 0, 0, nil, fmt.Errorf("meta: Unknown \"%s\"", words[i])
			}
		}
		return kind, shift, val, nil
	}
	if strings.HasPrefix(w, "\"") {
		return MetaTypeVar << 12, 0, []byte(strings.Trim(w, "\"")), nil
	}
	v, e := tc.GetU32(w, 0)
	if e != nil {
		return 0, 0, nil, fmt.Errorf("meta: Unknown meta value \"%s\"", w)
	}
	return MetaTypeInt << 12, 0, binary.NativeEndian.AppendUint32(nil, v), nil
}

func parseMeta(args []string) ([]byte, error) {
	opAt := -1
	var op uint8
	for i, w := range args {
		if o, ok := map[string]uint8{"eq": opEQ, "lt": opLT, "gt": opGT}[w]; ok {
			opAt, op = i, o
			break
		}
	}
	if opAt < 0 {
		return nil, fmt.Errorf("meta: missing operand")
	}
	lk, ls, lv, err := metaOperand(args[:opAt])
	if err != nil {
		return nil, err
	}
	rk, rs, rv, err := metaOperand(args[opAt+1:])
	if err != nil {
		return nil, err
	}
	if rk>>12 != lk>>12 {
		// A constant takes the type of the other side.
		rk = lk&0xf000 | rk&0xfff
	}
	h := make([]byte, metaHdrLen)
	binary.NativeEndian.PutUint16(h[0:], lk)
	h[2], h[3] = ls, op
	binary.NativeEndian.PutUint16(h[4:], rk)
	h[6], h[7] = rs, op
	b := nl.NewBuilder()
	b.Put(TCA_EM_META_HDR, h)
	if lv != nil {
		b.Put(TCA_EM_META_LVALUE, lv)
	}
	if rv != nil {
		b.Put(TCA_EM_META_RVALUE, rv)
	}
	return b.Bytes(), nil
}

func printMeta(d []byte) string {
	tb := nl.Parse(d, 3)
	h := tb.Get(TCA_EM_META_HDR)
	if h == nil || len(h.Data) < metaHdrLen {
		return "[invalid]"
	}
	side := func(kind uint16, shift uint8, a *nl.Attr) string {
		id := kind & 0xfff
		if id == MetaValue {
			if a == nil {
				return "0"
			}
			if kind>>12 == MetaTypeVar {
				return "\"" + string(a.Data) + "\""
			}
			if len(a.Data) >= 8 {
				return fmt.Sprint(binary.NativeEndian.Uint64(a.Data))
			}
			if len(a.Data) >= 4 {
				return fmt.Sprint(binary.NativeEndian.Uint32(a.Data))
			}
			return "0"
		}
		name := fmt.Sprintf("id%d", id)
		for n, v := range metaIDs {
			if v == id {
				name = n
			}
		}
		if shift != 0 {
			name += fmt.Sprintf(" shift %d", shift)
		}
		if a != nil && len(a.Data) >= 4 && binary.NativeEndian.Uint32(a.Data) != 0 {
			name += fmt.Sprintf(" mask 0x%x", binary.NativeEndian.Uint32(a.Data))
		}
		return name
	}
	ne := binary.NativeEndian
	op := [...]string{"eq", "gt", "lt"}[h.Data[3]%3]
	return side(ne.Uint16(h.Data[0:]), h.Data[2], tb.Get(TCA_EM_META_LVALUE)) + " " + op + " " +
		side(ne.Uint16(h.Data[4:]), h.Data[6], tb.Get(TCA_EM_META_RVALUE))
}

// unescape reads the escapes the ematch lexer knows in quoted strings:
// \xHH in hex and \NNN in octal.
func unescape(s string) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch {
		case s[i] == 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(s) && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i+1])) {
				i++
				v = v*16 + hexDigit(s[i])
				n++
			}
			out = append(out, byte(v))
		case s[i] >= '0' && s[i] <= '7':
			v, n := 0, 0
			for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
				v = v*8 + int(s[i]-'0')
				i++
				n++
			}
			i--
			out = append(out, byte(v))
		default:
			out = append(out, s[i])
		}
	}
	return out
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
