package choke

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is choke's tc face (q_choke.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... choke limit PACKETS bandwidth KBPS [ecn]\n" +
	"\t\t [ min PACKETS ] [ max PACKETS ] [ burst PACKETS ]"

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var o aqm.REDQopt
	var burst, rate uint32
	avpkt := uint32(1000)
	prob := 0.02
	ecn := false
	for a.More() {
		w := a.Next()
		switch w {
		case "limit", "min", "max", "burst":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, err := tc.ParseUint(s, 32)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			*map[string]*uint32{"limit": &o.Limit, "min": &o.QthMin, "max": &o.QthMax, "burst": &burst}[w] = uint32(v)
		case "bandwidth":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if rate, err = aqm.ParseBandwidth(s, a.Dev); err != nil {
				return err
			}
		case "ecn":
			ecn = true
		case "avpkt":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if avpkt, err = tc.ParseSize(s); err != nil {
				return tc.Usagef("Illegal \"avpkt\"")
			}
		case "probability":
			s, err := a.Value()
			if err != nil {
				return err
			}
			var ok bool
			if prob, ok = aqm.ParseProbability(s); !ok {
				return tc.Usagef("Illegal \"probability\"")
			}
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if rate == 0 || o.Limit == 0 {
		return tc.Usagef("Required parameter (bandwidth, limit) is missing")
	}
	if o.QthMax == 0 {
		o.QthMax = o.Limit / 4
	}
	if o.QthMin == 0 {
		o.QthMin = o.QthMax / 3
	}
	if burst == 0 {
		burst = (2*o.QthMin + o.QthMax) / 3
	}
	if o.QthMax > o.Limit {
		return tc.Usagef("\"max\" is larger than \"limit\"")
	}
	if o.QthMin >= o.QthMax {
		return tc.Usagef("\"min\" is not smaller than \"max\"")
	}
	// RED in packets: tc computes in bytes of avpkt each.
	s, err := aqm.ComputeRED("CHOKE", o.QthMin*avpkt, o.QthMax*avpkt, burst, avpkt, rate, prob, a.Warn)
	if err != nil {
		return err
	}
	o.Wlog, o.Plog, o.ScellLog = s.Wlog, s.Plog, s.ScellLog
	if ecn {
		o.Flags |= aqm.REDECN
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_CHOKE_PARMS, o.Encode())
	b.Put(TCA_CHOKE_STAB, s.Stab[:])
	b.PutU32(TCA_CHOKE_MAX_P, s.MaxP)
	b.EndNest()
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_CHOKE_MAX)
	pa := tb.Get(TCA_CHOKE_PARMS)
	if pa == nil || len(pa.Data) < aqm.REDQoptLen {
		return nil
	}
	o := aqm.DecodeREDQopt(pa.Data)
	var maxP uint32
	if a := tb.Get(TCA_CHOKE_MAX_P); a != nil && len(a.Data) >= 4 {
		maxP = a.U32()
	}
	p.Uint(tc.Any, "limit", "limit %dp ", uint64(o.Limit))
	p.Uint(tc.Any, "min", "min %dp ", uint64(o.QthMin))
	p.Uint(tc.Any, "max", "max %dp ", uint64(o.QthMax))
	aqm.PrintREDFlags(p, uint32(o.Flags))
	aqm.PrintREDDetails(p, o, maxP)
	return nil
}

// PrintXstats prints tc_choke_xstats (choke_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x, ok := DecodeXstats(b)
	if !ok {
		return nil
	}
	p.Uint(tc.Any, "marked", "  marked %d", uint64(x.Marked))
	p.Uint(tc.Any, "early", " early %d", uint64(x.Early))
	p.Uint(tc.Any, "pdrop", " pdrop %d", uint64(x.PDrop))
	p.Uint(tc.Any, "other", " other %d", uint64(x.Other))
	p.Uint(tc.Any, "matched", " matched %d", uint64(x.Matched))
	return nil
}
