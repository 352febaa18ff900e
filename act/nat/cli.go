package nat

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is nat's tc face (m_nat.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: ... nat NAT\n" +
	"NAT := DIRECTION OLD NEW\n" +
	"DIRECTION := { ingress | egress }\n" +
	"OLD := PREFIX\n" +
	"NEW := ADDRESS"

func addrIPv4(s string) (uint32, bool) { return actutil.AddrIPv4(s) }

func prefix(s string) (uint32, int, bool) { return actutil.PrefixIPv4(s) }

// ParseAction reads `nat DIRECTION OLD NEW [CONTROL] [index N]`
// (parse_nat). A /0 prefix gives mask 0; iproute2 6.1 computes it with an
// undefined shift that gives all ones on x86 (fixed in 2025).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	var gen actutil.Gen
	var old, nw, mask, flags uint32
	ok := 0
	for a.More() {
		w := a.Peek()
		if tc.Matches(w, "help") {
			return tc.Exitf(255, "%s", explain)
		}
		if !tc.Matches(w, "nat") {
			break
		}
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		if a.Peek() == "index" {
			// `nat index N`: a reference to an existing action, as
			// iproute2 releases after 6.1 read it (tdc's infra/actions
			// 2c81).
			return putIndexOnly(a, attr, b)
		}
		// parse_nat reports the word parse_nat_args started at.
		dir := a.Peek()
		bad := func() error { return tc.Usagef("Illegal nat construct (%s)\n%s", dir, explain) }
		switch d := a.Peek(); {
		case tc.Matches(d, "egress"):
			flags |= TCA_NAT_FLAG_EGRESS
		case tc.Matches(d, "ingress"):
		default:
			return bad()
		}
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		o, bl, good := prefix(a.Peek())
		if !good {
			return bad()
		}
		old = o
		mask = 0
		if bl > 0 {
			mask = ^uint32(0) << uint(32-bl)
		}
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		n, _, good := prefix(a.Peek())
		if !good {
			return bad()
		}
		nw = n
		a.Next()
		ok++
	}
	if ok == 0 {
		return tc.Usagef("%s", explain)
	}
	ctl, err := actutil.ParseControlDefault(a, false, actutil.OK)
	if err != nil {
		return err
	}
	gen.Action = ctl
	idx, has, err := actutil.ParseIndex(a, "Nat: Illegal \"index\"")
	if err != nil {
		return err
	}
	if has {
		gen.Index = idx
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.BigEndian.PutUint32(parms[20:], old)
	binary.BigEndian.PutUint32(parms[24:], nw)
	binary.BigEndian.PutUint32(parms[28:], mask)
	binary.NativeEndian.PutUint32(parms[32:], flags)
	b.Nest(attr)
	b.Put(TCA_NAT_PARMS, parms)
	b.EndNest()
	return nil
}

// putIndexOnly reads `index N` and writes parameters holding only the
// index.
func putIndexOnly(a *tc.Args, attr uint16, b *nl.Builder) error {
	var gen actutil.Gen
	var err error
	if gen.Index, _, err = actutil.ParseIndex(a, "Nat: Illegal \"index\""); err != nil {
		return err
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	b.Nest(attr)
	b.Put(TCA_NAT_PARMS, parms)
	b.EndNest()
	return nil
}

// PrintAction prints a nat action (print_nat). Its prefix length is
// iproute2 6.1's: ffs() of the mask's bytes read in host order, which on
// x86 makes every mask but 0 print as /32.
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "type", " %s ", "nat")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_NAT_MAX)
	pa := tb.Get(TCA_NAT_PARMS)
	if pa == nil {
		return tc.Fail("Missing nat parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	m := binary.NativeEndian.Uint32(d[28:])
	l := 0
	if m != 0 {
		l = 33 - (bits.TrailingZeros32(m) + 1)
	}
	dir := "ingress"
	if binary.NativeEndian.Uint32(d[32:])&TCA_NAT_FLAG_EGRESS != 0 {
		dir = "egress"
	}
	p.String(tc.Any, "direction", "%s", dir)
	oldA := netip.AddrFrom4([4]byte(d[20:24]))
	newA := netip.AddrFrom4([4]byte(d[24:28]))
	p.String(tc.Any, "old_addr", " %s", oldA.String()+"/"+strconv.Itoa(l))
	p.String(tc.Any, "new_addr", " %s", newA.String())
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_NAT_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
