package pie

import (
	"math"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is pie's tc face (q_pie.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... pie [ limit PACKETS ] [ target TIME ]\n" +
	"               [ tupdate TIME ] [ alpha ALPHA ] [ beta BETA ]\n" +
	"               [ bytemode | nobytemode ] [ ecn | noecn ]\n" +
	"               [ dq_rate_estimator | no_dq_rate_estimator ]"

// AlphaMax and BetaMax bound what tc accepts (ALPHA_MAX, BETA_MAX).
const (
	AlphaMax = 32
	BetaMax  = 32
)

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var v [TCA_PIE_MAX + 1]uint32
	flags := map[uint16]int{TCA_PIE_ECN: -1, TCA_PIE_BYTEMODE: -1, TCA_PIE_DQ_RATE_ESTIMATOR: -1}
	for a.More() {
		w := a.Next()
		switch w {
		case "limit", "alpha", "beta":
			s, err := a.Value()
			if err != nil {
				return err
			}
			x, err := tc.ParseUint(s, 32)
			t := map[string]uint16{"limit": TCA_PIE_LIMIT, "alpha": TCA_PIE_ALPHA, "beta": TCA_PIE_BETA}[w]
			if err != nil || (t == TCA_PIE_ALPHA && x > AlphaMax) || (t == TCA_PIE_BETA && x > BetaMax) {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			v[t] = uint32(x)
		case "target", "tupdate":
			s, err := a.Value()
			if err != nil {
				return err
			}
			x, err := tc.ParseTime(s)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			v[map[string]uint16{"target": TCA_PIE_TARGET, "tupdate": TCA_PIE_TUPDATE}[w]] = x
		case "ecn":
			flags[TCA_PIE_ECN] = 1
		case "noecn":
			flags[TCA_PIE_ECN] = 0
		case "bytemode":
			flags[TCA_PIE_BYTEMODE] = 1
		case "nobytemode":
			flags[TCA_PIE_BYTEMODE] = 0
		case "dq_rate_estimator":
			flags[TCA_PIE_DQ_RATE_ESTIMATOR] = 1
		case "no_dq_rate_estimator":
			flags[TCA_PIE_DQ_RATE_ESTIMATOR] = 0
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	for _, t := range []uint16{TCA_PIE_LIMIT, TCA_PIE_TUPDATE, TCA_PIE_TARGET, TCA_PIE_ALPHA, TCA_PIE_BETA} {
		if v[t] != 0 {
			b.PutU32(t, v[t])
		}
	}
	for _, t := range []uint16{TCA_PIE_ECN, TCA_PIE_BYTEMODE, TCA_PIE_DQ_RATE_ESTIMATOR} {
		if flags[t] != -1 {
			b.PutU32(t, uint32(flags[t]))
		}
	}
	b.EndNest()
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_PIE_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if v, ok := u(TCA_PIE_LIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	for _, t := range []struct {
		attr uint16
		name string
	}{{TCA_PIE_TARGET, "target"}, {TCA_PIE_TUPDATE, "tupdate"}} {
		if v, ok := u(t.attr); ok {
			p.Uint(tc.JSON, t.name, "", uint64(v))
			p.String(tc.Text, "", t.name+" %s ", tc.TimeString(v))
		}
	}
	if v, ok := u(TCA_PIE_ALPHA); ok {
		p.Uint(tc.Any, "alpha", "alpha %d ", uint64(v))
	}
	if v, ok := u(TCA_PIE_BETA); ok {
		p.Uint(tc.Any, "beta", "beta %d ", uint64(v))
	}
	for _, f := range []struct {
		attr uint16
		name string
	}{{TCA_PIE_ECN, "ecn"}, {TCA_PIE_BYTEMODE, "bytemode"}, {TCA_PIE_DQ_RATE_ESTIMATOR, "dq_rate_estimator"}} {
		if v, ok := u(f.attr); ok && v != 0 {
			p.Bool(tc.Any, f.name, f.name+" ", true)
		}
	}
	return nil
}

// PrintXstats prints tc_pie_xstats (pie_print_xstats); a short payload
// prints nothing.
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x, ok := DecodeXstats(b)
	if !ok {
		return nil
	}
	prob := float64(x.Prob) / float64(math.MaxUint64)
	p.Float(tc.JSON, "prob", "", prob)
	p.String(tc.Text, "", "  prob %s", aqm.FormatProb(prob))
	p.Uint(tc.JSON, "delay", "", uint64(x.Delay))
	p.String(tc.Text, "", " delay %s", tc.TimeString(x.Delay))
	if x.DQRateEstimating != 0 {
		p.Uint(tc.Any, "avg_dq_rate", " avg_dq_rate %d", uint64(x.AvgDQRate))
	}
	p.NL()
	p.Uint(tc.Any, "pkts_in", "  pkts_in %d", uint64(x.PacketsIn))
	p.Uint(tc.Any, "overlimit", " overlimit %d", uint64(x.Overlimit))
	p.Uint(tc.Any, "dropped", " dropped %d", uint64(x.Dropped))
	p.Uint(tc.Any, "maxq", " maxq %d", uint64(x.MaxQ))
	p.Uint(tc.Any, "ecn_mark", " ecn_mark %d", uint64(x.ECNMark))
	return nil
}
