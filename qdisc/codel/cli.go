package codel

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is codel's tc face (q_codel.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... codel [ limit PACKETS ] [ target TIME ]\n" +
	"\t\t [ interval TIME ] [ ecn | noecn ]\n" +
	"\t\t [ ce_threshold TIME ]"

// ParseQdisc reads `limit N target T interval T ecn|noecn ce_threshold T`;
// only what was given (and non-zero) is sent.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var limit, target, interval uint32
	ce := ^uint32(0)
	ecn := -1
	for a.More() {
		w := a.Next()
		var err error
		switch w {
		case "limit":
			err = uintArg(a, &limit, "limit")
		case "target":
			err = timeArg(a, &target, "target")
		case "ce_threshold":
			err = timeArg(a, &ce, "ce_threshold")
		case "interval":
			err = timeArg(a, &interval, "interval")
		case "ecn":
			ecn = 1
		case "noecn":
			ecn = 0
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		if err != nil {
			return err
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	if limit != 0 {
		b.PutU32(TCA_CODEL_LIMIT, limit)
	}
	if interval != 0 {
		b.PutU32(TCA_CODEL_INTERVAL, interval)
	}
	if target != 0 {
		b.PutU32(TCA_CODEL_TARGET, target)
	}
	if ecn != -1 {
		b.PutU32(TCA_CODEL_ECN, uint32(ecn))
	}
	if ce != ^uint32(0) {
		b.PutU32(TCA_CODEL_CE_THRESHOLD, ce)
	}
	b.EndNest()
	return nil
}

func uintArg(a *tc.Args, v *uint32, name string) error {
	s, err := a.Value()
	if err != nil {
		return err
	}
	x, err := tc.ParseUint(s, 32)
	if err != nil {
		return tc.Usagef("Illegal \"%s\"", name)
	}
	*v = uint32(x)
	return nil
}

func timeArg(a *tc.Args, v *uint32, name string) error {
	s, err := a.Value()
	if err != nil {
		return err
	}
	x, err := tc.ParseTime(s)
	if err != nil {
		return tc.Usagef("Illegal \"%s\"", name)
	}
	*v = x
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_CODEL_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if v, ok := u(TCA_CODEL_LIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	for _, t := range []struct {
		attr uint16
		name string
	}{{TCA_CODEL_TARGET, "target"}, {TCA_CODEL_CE_THRESHOLD, "ce_threshold"}, {TCA_CODEL_INTERVAL, "interval"}} {
		if v, ok := u(t.attr); ok {
			p.Uint(tc.JSON, t.name, "", uint64(v))
			p.String(tc.Text, "", t.name+" %s ", tc.TimeString(v))
		}
	}
	if v, ok := u(TCA_CODEL_ECN); ok && v != 0 {
		p.Bool(tc.Any, "ecn", "ecn ", true)
	}
	return nil
}

// PrintXstats prints tc_codel_xstats as codel_print_xstats.
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x := DecodeXstats(b)
	p.Uint(tc.Any, "count", "  count %d", uint64(x.Count))
	p.Uint(tc.Any, "lastcount", " lastcount %d", uint64(x.LastCount))
	p.Uint(tc.JSON, "ldelay", "", uint64(x.LDelay))
	p.String(tc.Text, "", " ldelay %s", tc.TimeString(x.LDelay))
	if x.Dropping != 0 {
		p.Bool(tc.Any, "dropping", " dropping", true)
	}
	p.Int(tc.JSON, "drop_next", "", int64(x.DropNext))
	if x.DropNext < 0 {
		p.String(tc.Text, "", " drop_next -%s", tc.TimeString(uint32(-x.DropNext)))
	} else {
		p.String(tc.Text, "", " drop_next %s", tc.TimeString(uint32(x.DropNext)))
	}
	p.NL()
	p.Uint(tc.Any, "maxpacket", "  maxpacket %d", uint64(x.MaxPacket))
	p.Uint(tc.Any, "ecn_mark", " ecn_mark %d", uint64(x.ECNMark))
	p.Uint(tc.Any, "drop_overlimit", " drop_overlimit %d", uint64(x.DropOverlimit))
	if x.CEMark != 0 {
		p.Uint(tc.Any, "ce_mark", " ce_mark %d", uint64(x.CEMark))
	}
	return nil
}
