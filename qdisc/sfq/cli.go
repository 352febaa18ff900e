package sfq

import (
	"fmt"
	"math"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is sfq's tc face (q_sfq.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... sfq\t[ limit NUMBER ] [ perturb SECS ] [ quantum BYTES ]\n" +
	"\t\t[ divisor NUMBER ] [ flows NUMBER] [ depth NUMBER ]\n" +
	"\t\t[ headdrop ]\n" +
	"\t\t[ redflowlimit BYTES ] [ min BYTES ] [ max BYTES ]\n" +
	"\t\t[ avpkt BYTES ] [ burst PACKETS ] [ probability P ]\n" +
	"\t\t[ ecn ] [ harddrop ]"

// ParseQdisc reads sfq's words into tc_sfq_qopt_v1; with any SFQRED word
// it derives the thresholds, Wlog, Plog and max_P as tc does.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var o QoptV1
	ok, red := false, false
	var burst uint32
	avpkt := uint32(1000)
	probability := 0.02
	u32 := func(dst *uint32, msg string) error {
		s, err := a.Value()
		if err != nil {
			return err
		}
		v, err := tc.GetU32(s, 0)
		if err != nil {
			return tc.Usagef("%s", msg)
		}
		*dst = v
		return nil
	}
	size := func(dst *uint32, msg string) error {
		s, err := a.Value()
		if err != nil {
			return err
		}
		v, err := tc.ParseSize(s)
		if err != nil {
			return tc.Usagef("%s", msg)
		}
		*dst = v
		return nil
	}
	for a.More() {
		var err error
		switch w := a.Next(); w {
		case "quantum":
			err, ok = size(&o.Quantum, `Illegal "limit"`), true
		case "perturb":
			var s string
			if s, err = a.Value(); err == nil {
				v, e := tc.GetInteger(s, 0)
				if e != nil {
					return tc.Usagef(`Illegal "perturb"`)
				}
				o.PerturbPeriod = v
			}
			ok = true
		case "limit":
			if err = u32(&o.Qopt.Limit, `Illegal "limit"`); err == nil && o.Qopt.Limit < 2 {
				return tc.Usagef(`Illegal "limit", must be > 1`)
			}
			ok = true
		case "divisor":
			err, ok = u32(&o.Divisor, `Illegal "divisor"`), true
		case "flows":
			err, ok = u32(&o.Flows, `Illegal "flows"`), true
		case "depth":
			err, ok = u32(&o.Depth, `Illegal "flows"`), true
		case "headdrop":
			o.Headdrop, ok = 1, true
		case "redflowlimit":
			err, red = u32(&o.Limit, `Illegal "redflowlimit"`), true
		case "min":
			err, red = u32(&o.QthMin, `Illegal "min"`), true
		case "max":
			err, red = u32(&o.QthMax, `Illegal "max"`), true
		case "burst":
			err, red = u32(&burst, `Illegal "burst"`), true
		case "avpkt":
			err, red = size(&avpkt, `Illegal "avpkt"`), true
		case "probability":
			var s string
			if s, err = a.Value(); err == nil {
				v, n := tc.Strtod(s)
				if n == 0 {
					return tc.Usagef(`Illegal "probability"`)
				}
				probability = v
			}
			red = true
		case "ecn":
			o.Flags |= aqm.REDECN
			red = true
		case "harddrop":
			o.Flags |= aqm.REDHarddrop
			red = true
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		if err != nil {
			return err
		}
	}
	if red {
		if err := redParams(a, &o, burst, avpkt, probability); err != nil {
			return err
		}
	}
	if ok || red {
		b.Put(sched.TCA_OPTIONS, o.Encode())
	}
	return nil
}

// redParams completes SFQRED's parameters with Sally Floyd's defaults and
// tc_red.c's evaluations.
func redParams(a *tc.Args, o *QoptV1, burst, avpkt uint32, probability float64) error {
	if o.Limit == 0 {
		return tc.Usagef("Required parameter (redflowlimit) is missing")
	}
	if o.QthMax == 0 {
		o.QthMax = o.Limit / 4
	}
	if o.QthMin == 0 {
		o.QthMin = o.QthMax / 3
	}
	if burst == 0 && avpkt != 0 {
		burst = (2*o.QthMin + o.QthMax) / (3 * avpkt)
	}
	if o.QthMax > o.Limit {
		return tc.Usagef(`"max" is larger than "limit"`)
	}
	if o.QthMin >= o.QthMax {
		return tc.Usagef(`"min" is not smaller than "max"`)
	}
	wlog, msg := aqm.EvalEwma(o.QthMin, burst, avpkt)
	if wlog < 0 {
		if msg != "" {
			return tc.Usagef("%s\nSFQ: failed to calculate EWMA constant.", msg)
		}
		return tc.Usagef("SFQ: failed to calculate EWMA constant.")
	}
	if wlog >= 10 {
		a.Warn(fmt.Sprintf("SFQ: WARNING. Burst %d seems to be too large.", burst))
	}
	o.Wlog = uint8(wlog)
	plog := aqm.EvalP(o.QthMin, o.QthMax, probability)
	if plog < 0 {
		return tc.Usagef("SFQ: failed to calculate probability.")
	}
	o.Plog = uint8(plog)
	o.MaxP = aqm.MaxPFromProb(probability)
	return nil
}

// PrintQdisc prints as sfq_print_opt.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	o, v1, err := Decode(opt)
	if err != nil {
		return fmt.Errorf("sfq: options too short")
	}
	p.Uint(tc.Any, "limit", "limit %dp ", uint64(o.Qopt.Limit))
	p.Size(tc.Any, "quantum", "quantum %s ", o.Quantum)
	if v1 && o.Depth != 0 {
		p.Uint(tc.Any, "depth", "depth %d ", uint64(o.Depth))
	}
	if v1 && o.Headdrop != 0 {
		p.Bool(tc.Any, "headdrop", "headdrop ", true)
	}
	if p.Details {
		p.Uint(tc.Any, "flows", "flows %d ", uint64(o.Flows))
	}
	p.Uint(tc.Any, "divisor", "divisor %d ", uint64(o.Divisor))
	if o.PerturbPeriod != 0 {
		p.Int(tc.Any, "perturb", "perturb %dsec ", int64(o.PerturbPeriod))
	}
	if v1 && o.QthMin != 0 {
		p.Uint(tc.Any, "ewma", "ewma %d ", uint64(o.Wlog))
		p.Size(tc.Any, "min", "min %s ", o.QthMin)
		p.Size(tc.Any, "max", "max %s ", o.QthMax)
		prob := float64(o.MaxP) / math.Pow(2, 32)
		p.Float(tc.JSON, "probability", "", prob)
		p.String(tc.Text, "", "probability %s ", aqm.FormatProb(prob))
		aqm.PrintREDFlags(p, uint32(o.Flags))
		if p.Stats {
			st := o.Stats
			p.NL()
			p.Uint(tc.Any, "prob_mark", "  prob_mark %d", uint64(st.ProbMark))
			p.Uint(tc.Any, "prob_mark_head", " prob_mark_head %d", uint64(st.ProbMarkHead))
			p.Uint(tc.Any, "prob_drop", " prob_drop %d", uint64(st.ProbDrop))
			p.NL()
			p.Uint(tc.Any, "forced_mark", "  forced_mark %d", uint64(st.ForcedMark))
			p.Uint(tc.Any, "forced_mark_head", " forced_mark_head %d", uint64(st.ForcedMarkHead))
			p.Uint(tc.Any, "forced_drop", " forced_drop %d", uint64(st.ForcedDrop))
		}
	}
	return nil
}

// PrintXstats prints tc_sfq_xstats: a flow's credit.
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	if len(b) < XstatsLen {
		return fmt.Errorf("sfq: xstats too short")
	}
	p.Int(tc.Any, "allot", "  allot %d", int64(int32(ne.Uint32(b))))
	return nil
}
