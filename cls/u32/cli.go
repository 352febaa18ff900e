package u32

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is u32's tc face (f_u32.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... u32 [ match SELECTOR ... ] [ link HTID ] [ classid CLASSID ]
               [ action ACTION_SPEC ] [ offset OFFSET_SPEC ]
               [ ht HTID ] [ hashkey HASHKEY_SPEC ]
               [ sample SAMPLE ] [skip_hw | skip_sw]
or         u32 divisor DIVISOR

Where: SELECTOR := SAMPLE SAMPLE ...
       SAMPLE := { ip | ip6 | udp | tcp | icmp | u{32|16|8} | mark }
                 SAMPLE_ARGS [ divisor DIVISOR ]
       FILTERID := X:Y:Z

NOTE: CLASSID is parsed at hexadecimal input.`

// ParseHandle is get_u32_handle: X:Y:Z in hex (htid:bucket:node), or a
// plain 0x number.
func ParseHandle(s string) (uint32, bool) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		if strings.HasPrefix(s, "0x") {
			v, err := tc.GetU32(s, 16)
			return v, err == nil
		}
		return 0, false
	}
	part := func(t string, max uint64, last bool) (uint64, string, bool) {
		v, n, _ := tc.Strtoul(t, 16)
		rest := t[n:]
		if n == 0 && t != "" && (last || t[0] != ':') {
			return 0, "", false
		}
		return v, rest, v < max
	}
	htid, rest, ok := part(s, 0x1000, false)
	if !ok {
		return 0, false
	}
	var hash, node uint64
	if rest != "" {
		if hash, rest, ok = part(rest[1:], 0x100, false); !ok {
			return 0, false
		}
		if rest != "" {
			if node, rest, ok = part(rest[1:], 0x1000, true); !ok || rest != "" && rest[0] != ':' {
				// strtoul stops at the first non-digit; C ignores what
				// follows the node.
				if !ok {
					return 0, false
				}
			}
		}
	}
	return uint32(htid<<20 | hash<<12 | node), true
}

// HandleString is sprint_u32_handle.
func HandleString(h uint32) string {
	if h == 0 {
		return "none"
	}
	var b strings.Builder
	if HTID(h) != 0 {
		fmt.Fprintf(&b, "%x:", HTID(h)>>20)
	}
	if Node(h)|Hash(h) != 0 {
		if Hash(h) != 0 {
			fmt.Fprintf(&b, "%x", Hash(h))
		}
		if Node(h) != 0 {
			fmt.Fprintf(&b, ":%x", Node(h))
		}
	}
	return b.String()
}

func illegal(what string) error { return tc.Usagef("Illegal \"%s\"", what) }

// ParseFilter is u32_parse_opt.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		h, ok := ParseHandle(handle)
		if !ok {
			return 0, tc.Usagef("Illegal filter ID")
		}
		fh = h
	}
	if !a.More() {
		return fh, nil
	}
	var sel Sel
	var mark Mark
	var hasMark bool
	selOK, terminalOK, sampleOK := false, false, false
	var htid, order, flags uint32
	b.Nest(sched.TCA_OPTIONS)
	// Attributes go out in the order tc adds them: some as read, the
	// selector and hash at the end.
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "match"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := parseSelector(a, &sel, &mark, &hasMark); err != nil {
				return 0, selErr(err, "match")
			}
			if hasMark {
				b.Put(TCA_U32_MARK, encodeMark(mark))
				hasMark = false
			}
			selOK = true
			continue
		case tc.Matches(w, "offset"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := parseOffset(a, &sel); err != nil {
				return 0, selErr(err, "offset")
			}
			continue
		case tc.Matches(w, "hashkey"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := parseHashkey(a, &sel); err != nil {
				return 0, selErr(err, "hashkey")
			}
			continue
		case tc.Matches(w, "classid") || w == "flowid":
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(v)
			if !ok {
				return 0, illegal("classid")
			}
			b.PutU32(TCA_U32_CLASSID, id)
			sel.Flags |= FlagTerminal
		case tc.Matches(w, "divisor"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			d, err := tc.GetU32(v, 0)
			if err != nil || d == 0 || d > 0x100 || (d-1)&d != 0 {
				return 0, illegal("divisor")
			}
			b.PutU32(TCA_U32_DIVISOR, d)
		case tc.Matches(w, "order"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			if order, err = tc.GetU32(v, 0); err != nil {
				return 0, illegal("order")
			}
		case w == "link":
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			l, ok := ParseHandle(v)
			if !ok {
				return 0, illegal("link")
			}
			if l != 0 && Node(l) != 0 {
				return 0, tc.Usagef("\"link\" must be a hash table.")
			}
			b.PutU32(TCA_U32_LINK, l)
		case w == "ht":
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			h, ok := ParseHandle(v)
			if !ok {
				return 0, illegal("ht")
			}
			if handle != "" && Node(h) != 0 {
				return 0, tc.Usagef("\"ht\" must be a hash table.")
			}
			if sampleOK {
				htid = htid&0xFF000 | h&0xFFF00000
			} else {
				htid = h & 0xFFFFF000
			}
		case w == "sample":
			if !a.More() {
				return 0, tc.Incomplete()
			}
			var s2 Sel
			var m2 Mark
			var hm2 bool
			if err := parseSelector(a, &s2, &m2, &hm2); err != nil {
				return 0, selErr(err, "sample")
			}
			if hm2 {
				b.Put(TCA_U32_MARK, encodeMark(m2))
			}
			if len(s2.Keys) != 1 {
				return 0, tc.Usagef("\"sample\" must contain exactly ONE key.")
			}
			divisor := uint32(0x100)
			if a.More() && a.Peek() == "divisor" {
				a.Next()
				v, err := a.Value()
				if err != nil {
					return 0, err
				}
				d, err := tc.GetU32(v, 0)
				if err != nil || d == 0 || d > 0x100 || (d-1)&d != 0 {
					return 0, tc.Usagef("Illegal sample \"divisor\"")
				}
				divisor = d
				if !a.More() {
					return 0, tc.Incomplete()
				}
			}
			// The key as the C code holds it: network order in a
			// host (little-endian) word.
			hash := bswap(s2.Keys[0].Val & s2.Keys[0].Mask)
			hash ^= hash >> 16
			hash ^= hash >> 8
			htid = (hash%divisor)<<12 | htid&0xFFF00000
			sampleOK = true
			continue
		case w == "indev":
			if !a.More() {
				return 0, tc.Usagef("Illegal indev")
			}
			name := a.Next()
			if len(name) > 16 {
				name = name[:16]
			}
			b.PutString(TCA_U32_INDEV, name)
			continue
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_U32_ACT, b); err != nil {
				return 0, err
			}
			terminalOK = true
			continue
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_U32_POLICE, b); err != nil {
				return 0, err
			}
			terminalOK = true
			continue
		case w == "skip_hw":
			flags |= clsutil.FlagSkipHW
		case w == "skip_sw":
			flags |= clsutil.FlagSkipSW
		case w == "help":
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if terminalOK {
		sel.Flags |= FlagTerminal
	}
	if order != 0 {
		if Node(fh) != 0 && order != Node(fh) {
			return 0, tc.Usagef("\"order\" contradicts \"handle\"")
		}
		fh |= order
	}
	if htid != 0 {
		b.PutU32(TCA_U32_HASH, htid)
	}
	if selOK {
		b.Put(TCA_U32_SEL, sel.Encode())
	}
	if flags != 0 {
		if flags == clsutil.FlagSkipHW|clsutil.FlagSkipSW {
			return 0, tc.Usagef("skip_hw and skip_sw are mutually exclusive")
		}
		b.PutU32(TCA_U32_FLAGS, flags)
	}
	b.EndNest()
	return fh, nil
}

func bswap(v uint32) uint32 { return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24 }

// selErr turns a selector refusal into tc's message, keeping the
// refusals that end tc at once.
func selErr(err error, what string) error {
	if _, ok := err.(*tc.UsageError); ok {
		return err
	}
	return illegal(what)
}

// PrintFilter is u32_print_opt.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_U32_MAX, map[uint16]int{TCA_U32_CLASSID: 4, TCA_U32_HASH: 4, TCA_U32_LINK: 4, TCA_U32_DIVISOR: 4, TCA_U32_FLAGS: 4})
	if fh != 0 {
		p.String(tc.Any, "fh", "fh %s ", HandleString(fh))
	}
	if Node(fh) != 0 {
		p.Int(tc.Any, "order", "order %d ", int64(Node(fh)))
	}
	var sel *Sel
	if a := tb.Get(TCA_U32_SEL); a != nil {
		if len(a.Data) < selHdrLen {
			return fmt.Errorf("short selector")
		}
		s, _ := DecodeSel(a.Data)
		if len(a.Data) < selHdrLen+int(s.NKeys)*keyLen {
			s.Keys = s.Keys[:0]
		}
		sel = &s
	}
	if a := tb.Get(TCA_U32_DIVISOR); a != nil {
		p.Int(tc.Any, "ht_divisor", "ht divisor %d ", int64(int32(a.U32())))
	} else if a := tb.Get(TCA_U32_HASH); a != nil {
		h := a.U32()
		clsutil.PrintHex(p, "key_ht", "key ht %x ", uint64(HTID(h)>>20))
		clsutil.PrintHex(p, "bkt", "bkt %x ", uint64(Hash(h)))
	}
	if a := tb.Get(TCA_U32_CLASSID); a != nil {
		// iproute2 6.1 marks the classid of a terminal node with a
		// star (the kernel's dumps show "*flowid" for every u32 filter
		// tc makes with a classid or actions).
		star := ""
		if sel != nil && sel.Flags&FlagTerminal != 0 {
			star = "*"
		}
		p.String(tc.Any, "flowid", star+"flowid %s ", clsutil.ClassIDString(a.U32()))
	} else if sel != nil && sel.Flags&FlagTerminal != 0 {
		// A terminal node without a class: its actions decide.
		p.Text("terminal flowid ")
	}
	if a := tb.Get(TCA_U32_LINK); a != nil {
		p.String(tc.Any, "link", "link %s ", HandleString(a.U32()))
	}
	if a := tb.Get(TCA_U32_FLAGS); a != nil {
		f := a.U32()
		if f&clsutil.FlagSkipHW != 0 {
			p.Bool(tc.Any, "skip_hw", "skip_hw ", true)
		}
		if f&clsutil.FlagSkipSW != 0 {
			p.Bool(tc.Any, "skip_sw", "skip_sw ", true)
		}
		if f&clsutil.FlagInHW != 0 {
			p.Bool(tc.Any, "in_hw", "in_hw ", true)
		} else if f&clsutil.FlagNotInHW != 0 {
			p.Bool(tc.Any, "not_in_hw", "not_in_hw ", true)
		}
	}
	var pcnt []byte
	if a := tb.Get(TCA_U32_PCNT); a != nil {
		if len(a.Data) < 16 {
			p.Printf("Broken perf counters\n")
			return fmt.Errorf("broken perf counters")
		}
		pcnt = a.Data
	}
	ne := binary.NativeEndian
	if sel != nil && p.Stats && pcnt != nil {
		p.Uint(tc.Any, "rule_hit", "(rule hit %d ", ne.Uint64(pcnt[0:]))
		p.Uint(tc.Any, "success", "success %d)", ne.Uint64(pcnt[8:]))
	}
	if a := tb.Get(TCA_U32_MARK); a != nil {
		if len(a.Data) < markLen {
			p.Printf("\n  Invalid mark (kernel&iproute2 mismatch)\n")
		} else {
			m := decodeMark(a.Data)
			p.NL()
			p.Hex(tc.Any, "fwmark_value", "  mark 0x%04x ", uint64(m.Val))
			p.Hex(tc.Any, "fwmark_mask", "0x%04x ", uint64(m.Mask))
			p.Int(tc.Any, "fwmark_success", "(success %d)", int64(int32(m.Success)))
		}
	}
	if sel != nil {
		for i, k := range sel.Keys {
			p.OpenObject("match")
			p.NL()
			clsutil.PrintHex(p, "value", "  match %08x", uint64(k.Val))
			clsutil.PrintHex(p, "mask", "/%08x ", uint64(k.Mask))
			at := ""
			if k.OffMask != 0 {
				at = "nexthdr+"
			}
			p.String(tc.Any, "offmask", "at %s", at)
			p.Int(tc.Any, "off", "%d", int64(k.Off))
			p.CloseObject()
			if p.Stats && pcnt != nil && len(pcnt) >= 16+8*(i+1) {
				p.Uint(tc.Any, "success", " (success %d ) ", ne.Uint64(pcnt[16+8*i:]))
			}
		}
		if sel.Flags&(FlagVarOffset|FlagOffset) != 0 {
			p.NL()
			p.String(tc.Any, "", "%s", "    offset ")
			if sel.Flags&FlagVarOffset != 0 {
				clsutil.PrintHex(p, "offset_mask", "%04x", uint64(sel.OffMask))
				p.Int(tc.Any, "offset_shift", ">>%d ", int64(sel.OffShift))
				p.Int(tc.Any, "offset_off", "at %d ", int64(sel.OffOff))
			}
			if sel.Off != 0 {
				p.Int(tc.Any, "plus", "plus %d ", int64(sel.Off))
			}
		}
		if sel.Flags&FlagEat != 0 {
			p.String(tc.Any, "", "%s", " eat ")
		}
		if sel.HMask != 0 {
			p.NL()
			clsutil.PrintHex(p, "hash_mask", "    hash mask %08x ", uint64(sel.HMask))
			p.Int(tc.Any, "hash_off", "at %d ", int64(sel.HOff))
		}
	}
	if a := tb.Get(TCA_U32_POLICE); a != nil {
		p.NL()
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_U32_INDEV); a != nil {
		p.NL()
		p.String(tc.Any, "input_dev", "  input dev %s", a.Str())
		p.NL()
	}
	if a := tb.Get(TCA_U32_ACT); a != nil {
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
