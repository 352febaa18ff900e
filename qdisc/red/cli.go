package red

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is red's tc face (q_red.c and tc_red.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... red\tlimit BYTES [min BYTES] [max BYTES] avpkt BYTES [burst PACKETS]\n" +
	"\t\t[adaptive] [probability PROBABILITY] [bandwidth KBPS]\n" +
	"\t\t[ecn] [harddrop] [nodrop]\n" +
	"\t\t[qevent early_drop block IDX] [qevent mark block IDX]"

// qevents are red's qevent names in tc's order, with their attributes.
var qevents = []struct {
	name string
	attr uint16
}{{"early_drop", TCA_RED_EARLY_DROP_BLOCK}, {"mark", TCA_RED_MARK_BLOCK}}

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var o aqm.REDQopt
	var burst, avpkt, rate, flags uint32
	prob := 0.02
	var blocks [2]uint32
	for a.More() {
		w := a.Next()
		switch {
		case w == "limit" || w == "min" || w == "max" || w == "avpkt":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, err := tc.ParseSize(s)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			*map[string]*uint32{"limit": &o.Limit, "min": &o.QthMin, "max": &o.QthMax, "avpkt": &avpkt}[w] = v
		case w == "burst":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, err := tc.ParseUint(s, 32)
			if err != nil {
				return tc.Usagef("Illegal \"burst\"")
			}
			burst = uint32(v)
		case w == "probability":
			s, err := a.Value()
			if err != nil {
				return err
			}
			var ok bool
			if prob, ok = aqm.ParseProbability(s); !ok {
				return tc.Usagef("Illegal \"probability\"")
			}
		case w == "bandwidth":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if rate, err = aqm.ParseBandwidth(s, a.Dev); err != nil {
				return err
			}
		case w == "ecn":
			flags |= aqm.REDECN
		case w == "harddrop":
			flags |= aqm.REDHarddrop
		case w == "nodrop":
			flags |= aqm.REDNodrop
		case w == "adaptative" || w == "adaptive":
			flags |= aqm.REDAdaptative
		case tc.Matches(w, "qevent"):
			if err := parseQevent(a, &blocks); err != nil {
				return err
			}
		case w == "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if o.Limit == 0 || avpkt == 0 {
		return tc.Usagef("RED: Required parameter (limit, avpkt) is missing")
	}
	// Defaults after Sally Floyd's recommendations.
	if o.QthMax == 0 {
		if o.QthMin != 0 {
			o.QthMax = o.QthMin * 3
		} else {
			o.QthMax = o.Limit / 4
		}
	}
	if o.QthMin == 0 {
		o.QthMin = o.QthMax / 3
	}
	if burst == 0 {
		burst = (2*o.QthMin + o.QthMax) / (3 * avpkt)
	}
	if rate == 0 {
		rate, _ = tc.ParseRate("10Mbit")
		a.Warn("RED: set bandwidth to 10Mbit")
	}
	s, err := aqm.ComputeRED("RED", o.QthMin, o.QthMax, burst, avpkt, rate, prob, a.Warn)
	if err != nil {
		return err
	}
	o.Wlog, o.Plog, o.ScellLog = s.Wlog, s.Plog, s.ScellLog
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_RED_PARMS, o.Encode())
	b.Put(TCA_RED_STAB, s.Stab[:])
	b.PutU32(TCA_RED_MAX_P, s.MaxP)
	b.PutBitfield32(TCA_RED_FLAGS, flags, SupportedFlags)
	for i, q := range qevents {
		if blocks[i] != 0 {
			b.PutU32(q.attr, blocks[i])
		}
	}
	b.EndNest()
	return nil
}

// parseQevent reads `qevent NAME block IDX` after the word qevent
// (qevent_parse and qevent_parse_plain).
func parseQevent(a *tc.Args, blocks *[2]uint32) error {
	name, err := a.Value()
	if err != nil {
		return err
	}
	i := -1
	for j, q := range qevents {
		if q.name == name {
			i = j
		}
	}
	if i < 0 {
		return tc.Usagef("Unknown qevent `%s'", name)
	}
	if !a.More() {
		return tc.Incomplete()
	}
	if blocks[i] != 0 {
		return tc.Usagef("Duplicate qevent")
	}
	for a.Peek() == "block" {
		a.Next()
		s, err := a.Value()
		if err != nil {
			return err
		}
		if blocks[i] != 0 {
			return tc.Usagef("Qevent block index already specified")
		}
		v, err := tc.GetU32(s, 10)
		if err != nil || v == 0 {
			return tc.Usagef("Illegal qevent block index")
		}
		blocks[i] = v
		if !a.More() {
			break
		}
	}
	if blocks[i] == 0 {
		return tc.Usagef("Unspecified qevent block index")
	}
	return nil
}

// PrintQdisc prints the options (red_print_opt): limit, thresholds,
// flags, with -d the logs and probability, then the qevents.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_RED_MAX)
	pa := tb.Get(TCA_RED_PARMS)
	if pa == nil || len(pa.Data) < aqm.REDQoptLen {
		return nil
	}
	o := aqm.DecodeREDQopt(pa.Data)
	var maxP uint32
	if a := tb.Get(TCA_RED_MAX_P); a != nil && len(a.Data) >= 4 {
		maxP = a.U32()
	}
	flags := uint32(o.Flags)
	if a := tb.Get(TCA_RED_FLAGS); a != nil && len(a.Data) >= 8 {
		flags = uint32(uint8(binary.NativeEndian.Uint32(a.Data)))
	}
	p.Size(tc.Any, "limit", "limit %s ", o.Limit)
	p.Size(tc.Any, "min", "min %s ", o.QthMin)
	p.Size(tc.Any, "max", "max %s ", o.QthMax)
	aqm.PrintREDFlags(p, flags)
	aqm.PrintREDDetails(p, o, maxP)
	first := true
	for _, q := range qevents {
		a := tb.Get(q.attr)
		if a == nil || len(a.Data) < 4 || a.U32() == 0 {
			continue
		}
		if first {
			p.OpenArray(tc.JSON, "qevents", "")
			first = false
		}
		p.OpenObject("")
		p.String(tc.Any, "kind", "qevent %s", q.name)
		p.Uint(tc.Any, "block", " block %d", uint64(a.U32()))
		p.Text(" ")
		p.CloseObject()
	}
	if !first {
		p.CloseArray(tc.Any, "")
	}
	return nil
}

// PrintXstats prints tc_red_xstats (red_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x, ok := DecodeXstats(b)
	if !ok {
		return nil
	}
	p.Uint(tc.Any, "marked", "  marked %d ", uint64(x.Marked))
	p.Uint(tc.Any, "early", "early %d ", uint64(x.Early))
	p.Uint(tc.Any, "pdrop", "pdrop %d ", uint64(x.PDrop))
	p.Uint(tc.Any, "other", "other %d ", uint64(x.Other))
	return nil
}
