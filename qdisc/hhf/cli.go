package hhf

import (
	"fmt"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is hhf's tc face (q_hhf.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... hhf\t[ limit PACKETS ] [ quantum BYTES]\n" +
	"\t\t[ hh_limit NUMBER ]\n" +
	"\t\t[ reset_timeout TIME ]\n" +
	"\t\t[ admit_bytes BYTES ]\n" +
	"\t\t[ evict_timeout TIME ]\n" +
	"\t\t[ non_hh_weight NUMBER ]"

// ParseQdisc reads hhf's words; only non-zero values are sent.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var v [TCA_HHF_MAX + 1]uint32
	for a.More() {
		w := a.Next()
		var attr uint16
		isTime := false
		switch w {
		case "limit":
			attr = TCA_HHF_BACKLOG_LIMIT
		case "quantum":
			attr = TCA_HHF_QUANTUM
		case "hh_limit":
			attr = TCA_HHF_HH_FLOWS_LIMIT
		case "reset_timeout":
			attr, isTime = TCA_HHF_RESET_TIMEOUT, true
		case "admit_bytes":
			attr = TCA_HHF_ADMIT_BYTES
		case "evict_timeout":
			attr, isTime = TCA_HHF_EVICT_TIMEOUT, true
		case "non_hh_weight":
			attr = TCA_HHF_NON_HH_WEIGHT
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		s, err := a.Value()
		if err != nil {
			return err
		}
		var x uint32
		if isTime {
			x, err = tc.ParseTime(s)
		} else {
			x, err = tc.GetU32(s, 0)
		}
		if err != nil {
			return tc.Usagef("Illegal \"%s\"", w)
		}
		v[attr] = x
	}
	b.Nest(sched.TCA_OPTIONS)
	for attr := uint16(TCA_HHF_BACKLOG_LIMIT); attr <= TCA_HHF_MAX; attr++ {
		if v[attr] != 0 {
			b.PutU32(attr, v[attr])
		}
	}
	b.EndNest()
	return nil
}

// PrintQdisc prints as hhf_print_opt.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_HHF_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if v, ok := u(TCA_HHF_BACKLOG_LIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	if v, ok := u(TCA_HHF_QUANTUM); ok {
		p.Size(tc.Any, "quantum", "quantum %s ", v)
	}
	if v, ok := u(TCA_HHF_HH_FLOWS_LIMIT); ok {
		p.Uint(tc.Any, "hh_limit", "hh_limit %d ", uint64(v))
	}
	if v, ok := u(TCA_HHF_RESET_TIMEOUT); ok {
		p.Uint(tc.JSON, "reset_timeout", "", uint64(v))
		p.String(tc.Text, "", "reset_timeout %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_HHF_ADMIT_BYTES); ok {
		p.Size(tc.Any, "admit_bytes", "admit_bytes %s ", v)
	}
	if v, ok := u(TCA_HHF_EVICT_TIMEOUT); ok {
		p.Uint(tc.JSON, "evict_timeout", "", uint64(v))
		p.String(tc.Text, "", "evict_timeout %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_HHF_NON_HH_WEIGHT); ok {
		p.Uint(tc.Any, "non_hh_weight", "non_hh_weight %d ", uint64(v))
	}
	return nil
}

// PrintXstats prints tc_hhf_xstats as hhf_print_xstats.
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x, ok := DecodeXstats(b)
	if !ok {
		return fmt.Errorf("hhf: xstats too short")
	}
	p.Uint(tc.Any, "drop_overlimit", "  drop_overlimit %d", uint64(x.DropOverlimit))
	p.Uint(tc.Any, "hh_overlimit", " hh_overlimit %d", uint64(x.HHOverlimit))
	p.Uint(tc.Any, "tot_hh", " tot_hh %d", uint64(x.HHTotCount))
	p.Uint(tc.Any, "cur_hh", " cur_hh %d", uint64(x.HHCurCount))
	return nil
}
