package skbmod

import (
	"encoding/binary"
	"fmt"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is skbmod's tc face (m_skbmod.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage:... skbmod { set <SETTABLE> | swap <SWAPPABLE> | ecn } [CONTROL] [index INDEX]\n" +
	"where SETTABLE is: [dmac DMAC] [smac SMAC] [etype ETYPE]\n" +
	"where SWAPPABLE is: \"mac\" to swap mac addresses\n" +
	"\tDMAC := 6 byte Destination MAC address\n" +
	"\tSMAC := optional 6 byte Source MAC address\n" +
	"\tETYPE := optional 16 bit ethertype\n" +
	"\tCONTROL := reclassify | pipe | drop | continue | ok |\n" +
	"\t           goto chain <CHAIN_INDEX>\n" +
	"\tINDEX := skbmod index value to use"

// scanMAC is sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx") == 6: hex fields,
// each wrapping to a byte.
func scanMAC(s string) ([6]byte, bool) {
	var out [6]byte
	var v [6]uint64
	n, _ := fmt.Sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5])
	if n != 6 {
		return out, false
	}
	for i := range v {
		out[i] = byte(v[i])
	}
	return out, true
}

// ParseAction reads `skbmod {set ... | swap mac | ecn} [CONTROL] [index N]`
// (parse_skbmod). As tc does, it reports the addresses and ethertype it
// read on standard error.
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !a.More() {
		return tc.Usagef("")
	}
	var gen actutil.Gen
	var flags uint64
	var etype uint16
	var dmac, smac [6]byte
	hasD, hasS := false, false
	ok := 0
	next := func() error {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		return nil
	}
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "skbmod"), tc.Matches(w, "swap"), tc.Matches(w, "set"):
			if err := next(); err != nil {
				return err
			}
			continue
		case tc.Matches(w, "mac"):
			flags |= SKBMOD_F_SWAPMAC
			ok++
		case tc.Matches(w, "etype"):
			if err := next(); err != nil {
				return err
			}
			v, err := tc.GetU16(a.Peek(), 0)
			if err != nil {
				return tc.InvArg("ethertype is invalid", a.Peek())
			}
			etype = v
			a.Warn(fmt.Sprintf("skbmod etype 0x%x", etype))
			flags |= SKBMOD_F_ETYPE
			ok++
		case tc.Matches(w, "dmac"):
			if err := next(); err != nil {
				return err
			}
			m, good := scanMAC(a.Peek())
			if !good {
				return tc.Usagef("Invalid dst mac address %s", a.Peek())
			}
			dmac, hasD = m, true
			flags |= SKBMOD_F_DMAC
			a.Warn("dst MAC address <" + a.Peek() + ">")
			ok++
		case tc.Matches(w, "smac"):
			if err := next(); err != nil {
				return err
			}
			m, good := scanMAC(a.Peek())
			if !good {
				return tc.Usagef("Invalid smac address %s", a.Peek())
			}
			smac, hasS = m, true
			flags |= SKBMOD_F_SMAC
			a.Warn("src MAC address <" + a.Peek() + ">")
			ok++
		case tc.Matches(w, "ecn"):
			flags |= SKBMOD_F_ECN
			ok++
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		a.Next()
	}
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
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
		if gen.Index, err = tc.GetU32(v, 0); err != nil {
			return tc.Usagef("skbmod: Illegal \"index\"")
		}
		ok++
	}
	if ok == 0 {
		return tc.Exitf(255, "skbmod requires at least one option\n%s", explain)
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint64(parms[24:], flags)
	b.Nest(attr)
	b.Put(TCA_SKBMOD_PARMS, parms)
	if hasD {
		b.Put(TCA_SKBMOD_DMAC, dmac[:])
	}
	if etype != 0 {
		b.PutU16(TCA_SKBMOD_ETYPE, etype)
	}
	if hasS {
		b.Put(TCA_SKBMOD_SMAC, smac[:])
	}
	b.EndNest()
	return nil
}

// PrintAction prints a skbmod action (print_skbmod), which iproute2
// writes as text even under -j.
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_SKBMOD_MAX)
	pa := tb.Get(TCA_SKBMOD_PARMS)
	if pa == nil {
		return tc.Fail("Missing skbmod parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	flags := binary.NativeEndian.Uint64(d[24:])
	p.Fprintf("skbmod ")
	actutil.PrintControl(p, "", g.Action, " ")
	opt2 := false
	if x := tb.Get(TCA_SKBMOD_ETYPE); x != nil && len(x.Data) >= 2 {
		opt2 = true
		p.Fprintf("set etype 0x%X ", x.U16())
	}
	if opt2 {
		p.Fprintf("\n\t ")
	}
	if x := tb.Get(TCA_SKBMOD_DMAC); x != nil {
		p.Fprintf("set dmac %s ", actutil.MACString(x.Data))
	}
	if x := tb.Get(TCA_SKBMOD_SMAC); x != nil {
		p.Fprintf("set smac %s ", actutil.MACString(x.Data))
	}
	if flags&SKBMOD_F_SWAPMAC != 0 {
		p.Fprintf("swap mac ")
	}
	if flags&SKBMOD_F_ECN != 0 {
		p.Fprintf("ecn ")
	}
	p.Fprintf("\n\t index %d ref %d bind %d", g.Index, g.Refcnt, g.Bindcnt)
	if p.Stats {
		if tm := tb.Get(TCA_SKBMOD_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.Fprintf("\n")
	return nil
}
