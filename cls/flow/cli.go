package flow

import (
	"net/netip"
	"strings"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is flow's tc face (f_flow.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... flow ...

 [mapping mode]: map key KEY [ OPS ] ...
 [hashing mode]: hash keys KEY-LIST ... [ perturb SECS ]

                 [ divisor NUM ] [ baseclass ID ] [ match EMATCH_TREE ]
                 [ action ACTION_SPEC ]

KEY-LIST := [ KEY-LIST , ] KEY
KEY      := [ src | dst | proto | proto-src | proto-dst | iif | priority |
              mark | nfct | nfct-src | nfct-dst | nfct-proto-src |
              nfct-proto-dst | rt-classid | sk-uid | sk-gid |
              vlan-tag | rxhash ]
OPS      := [ or NUM | and NUM | xor NUM | rshift NUM | addend NUM ]
ID       := X:Y`

// KeyNames are the keys as tc names them, by FLOW_KEY_* number.
var KeyNames = [...]string{"src", "dst", "proto", "proto-src", "proto-dst", "iif", "priority", "mark",
	"nfct", "nfct-src", "nfct-dst", "nfct-proto-src", "nfct-proto-dst", "rt-classid", "sk-uid", "sk-gid",
	"vlan-tag", "rxhash"}

func parseKeys(s string) (keys uint32, n int, err error) {
	for _, k := range strings.Split(s, ",") {
		i := 0
		for i < len(KeyNames) && KeyNames[i] != k {
			i++
		}
		if i == len(KeyNames) {
			return 0, 0, tc.Usagef("Unknown flow key \"%s\"", k)
		}
		keys |= 1 << i
		n++
	}
	return keys, n, nil
}

// getAddend is get_addend: a number, or an address for address keys
// (the C code tests the key numbers, not their bits, as a mask: 0b1011).
func getAddend(s string, keys uint32) (uint32, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	v, err := tc.GetU32(s, 0)
	if err != nil {
		if keys&(KeySrc|KeyDst|KeyNfctSrc|KeyNfctDst) == 0 {
			return 0, false
		}
		a, e := netip.ParseAddr(s)
		if e != nil {
			return 0, false
		}
		b := a.As16()
		v = uint32(b[12])<<24 | uint32(b[13])<<16 | uint32(b[14])<<8 | uint32(b[15])
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseFilter is flow_parse_opt.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		v, err := tc.GetU32(handle, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		fh = v
	}
	mask, xor := ^uint32(0), uint32(0)
	var keys uint32
	nkeys := 0
	mode := uint32(ModeMap)
	bitop := func(m, x uint32) { xor = x | xor&m; mask &= m }
	b.Nest(sched.TCA_OPTIONS)
	num := func(what string) (uint32, error) {
		v, err := a.Value()
		if err != nil {
			return 0, err
		}
		n, err := tc.GetU32(v, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"%s\"", what)
		}
		return n, nil
	}
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "map"):
			mode = ModeMap
		case tc.Matches(w, "hash"):
			mode = ModeHash
		case tc.Matches(w, "keys"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			if keys, nkeys, err = parseKeys(v); err != nil {
				return 0, err
			}
			b.PutU32(TCA_FLOW_KEYS, keys)
		case tc.Matches(w, "and"):
			v, err := num("mask")
			if err != nil {
				return 0, err
			}
			bitop(v, 0)
		case tc.Matches(w, "or"):
			v, err := num("or")
			if err != nil {
				return 0, err
			}
			bitop(^v, v)
		case tc.Matches(w, "xor"):
			v, err := num("xor")
			if err != nil {
				return 0, err
			}
			bitop(^uint32(0), v)
		case tc.Matches(w, "rshift"):
			v, err := num("rshift")
			if err != nil {
				return 0, err
			}
			b.PutU32(TCA_FLOW_RSHIFT, v)
		case tc.Matches(w, "addend"):
			s, err := a.Value()
			if err != nil {
				return 0, err
			}
			v, ok := getAddend(s, keys)
			if !ok {
				return 0, tc.Usagef("Illegal \"addend\"")
			}
			b.PutU32(TCA_FLOW_ADDEND, v)
		case tc.Matches(w, "divisor"):
			v, err := num("divisor")
			if err != nil {
				return 0, err
			}
			b.PutU32(TCA_FLOW_DIVISOR, v)
		case tc.Matches(w, "baseclass"):
			s, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(s)
			if !ok || tc.Handle(id).Minor() == 0 {
				return 0, tc.Usagef("Illegal \"baseclass\"")
			}
			b.PutU32(TCA_FLOW_BASECLASS, id)
		case tc.Matches(w, "perturb"):
			v, err := num("perturb")
			if err != nil {
				return 0, err
			}
			b.PutU32(TCA_FLOW_PERTURB, v)
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_FLOW_POLICE, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_FLOW_ACT, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "match"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := ematch.ParseTree(a, TCA_FLOW_EMATCHES, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "help"):
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if nkeys > 1 && mode != ModeHash {
		return 0, tc.Usagef("Invalid mode \"map\" for multiple keys")
	}
	b.PutU32(TCA_FLOW_MODE, mode)
	if mask != ^uint32(0) || xor != 0 {
		b.PutU32(TCA_FLOW_MASK, mask)
		b.PutU32(TCA_FLOW_XOR, xor)
	}
	b.EndNest()
	return fh, nil
}

// PrintFilter is flow_print_opt of iproute2 6.1, which prints with
// fprintf: its text lands in JSON output too.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_FLOW_MAX, map[uint16]int{TCA_FLOW_KEYS: 4, TCA_FLOW_MODE: 4, TCA_FLOW_BASECLASS: 4,
		TCA_FLOW_RSHIFT: 4, TCA_FLOW_ADDEND: 4, TCA_FLOW_MASK: 4, TCA_FLOW_XOR: 4, TCA_FLOW_DIVISOR: 4, TCA_FLOW_PERTURB: 4})
	p.Fprintf("handle 0x%x ", fh)
	if a := tb.Get(TCA_FLOW_MODE); a != nil {
		switch a.U32() {
		case ModeMap:
			p.Fprintf("map ")
		case ModeHash:
			p.Fprintf("hash ")
		}
	}
	if a := tb.Get(TCA_FLOW_KEYS); a != nil {
		km := a.U32()
		p.Fprintf("keys")
		sep := " "
		for i := 0; i <= keyMax; i++ {
			if km&(1<<i) != 0 {
				p.Fprintf("%s%s", sep, KeyNames[i])
				sep = ","
			}
		}
		p.Fprintf(" ")
	}
	mask, val := ^uint32(0), uint32(0)
	if a := tb.Get(TCA_FLOW_MASK); a != nil {
		mask = a.U32()
	}
	if a := tb.Get(TCA_FLOW_XOR); a != nil {
		val = a.U32()
	}
	if mask != ^uint32(0) || val != 0 {
		or := mask&val ^ val
		x := mask & val
		if mask != ^uint32(0) {
			p.Fprintf("and 0x%.8x ", mask)
		}
		if x != 0 {
			p.Fprintf("xor 0x%.8x ", x)
		}
		if or != 0 {
			p.Fprintf("or 0x%.8x ", or)
		}
	}
	if a := tb.Get(TCA_FLOW_RSHIFT); a != nil {
		p.Fprintf("rshift %d ", a.U32())
	}
	if a := tb.Get(TCA_FLOW_ADDEND); a != nil {
		p.Fprintf("addend 0x%x ", a.U32())
	}
	if a := tb.Get(TCA_FLOW_DIVISOR); a != nil {
		p.Fprintf("divisor %d ", a.U32())
	}
	if a := tb.Get(TCA_FLOW_BASECLASS); a != nil {
		p.Fprintf("baseclass %s ", clsutil.ClassIDString(a.U32()))
	}
	if a := tb.Get(TCA_FLOW_PERTURB); a != nil {
		p.Fprintf("perturb %dsec ", a.U32())
	}
	if a := tb.Get(TCA_FLOW_EMATCHES); a != nil {
		ematch.PrintTree(p, a.Data)
	}
	if a := tb.Get(TCA_FLOW_POLICE); a != nil {
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_FLOW_ACT); a != nil {
		p.Fprintf("\n")
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
