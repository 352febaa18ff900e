package fqpie

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is fq_pie's tc face (q_fq_pie.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... fq_pie [ limit PACKETS ] [ flows NUMBER ]\n" +
	"                  [ target TIME ] [ tupdate TIME ]\n" +
	"                  [ alpha NUMBER ] [ beta NUMBER ]\n" +
	"                  [ quantum BYTES ] [ memory_limit BYTES ]\n" +
	"                  [ ecn_prob PERCENTAGE ] [ [no]ecn ]\n" +
	"                  [ [no]bytemode ] [ [no_]dq_rate_estimator ]"

// AlphaMax and BetaMax bound what tc accepts.
const (
	AlphaMax = 32
	BetaMax  = 32
)

var words = map[string]uint16{
	"limit": TCA_FQ_PIE_LIMIT, "flows": TCA_FQ_PIE_FLOWS, "target": TCA_FQ_PIE_TARGET,
	"tupdate": TCA_FQ_PIE_TUPDATE, "alpha": TCA_FQ_PIE_ALPHA, "beta": TCA_FQ_PIE_BETA,
	"quantum": TCA_FQ_PIE_QUANTUM, "memory_limit": TCA_FQ_PIE_MEMORY_LIMIT, "ecn_prob": TCA_FQ_PIE_ECN_PROB,
}

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var v [TCA_FQ_PIE_MAX + 1]uint32
	flags := map[uint16]int{TCA_FQ_PIE_ECN: -1, TCA_FQ_PIE_BYTEMODE: -1, TCA_FQ_PIE_DQ_RATE_ESTIMATOR: -1}
	for a.More() {
		w := a.Next()
		if t, ok := words[w]; ok {
			s, err := a.Value()
			if err != nil {
				return err
			}
			var x uint64
			switch t {
			case TCA_FQ_PIE_TARGET, TCA_FQ_PIE_TUPDATE:
				var y uint32
				y, err = tc.ParseTime(s)
				x = uint64(y)
			case TCA_FQ_PIE_QUANTUM, TCA_FQ_PIE_MEMORY_LIMIT:
				var y uint32
				y, err = tc.ParseSize(s)
				x = uint64(y)
			default:
				x, err = tc.ParseUint(s, 32)
			}
			if err != nil || (t == TCA_FQ_PIE_ALPHA && x > AlphaMax) || (t == TCA_FQ_PIE_BETA && x > BetaMax) ||
				(t == TCA_FQ_PIE_ECN_PROB && x >= 100) {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			v[t] = uint32(x)
			continue
		}
		switch w {
		case "ecn":
			flags[TCA_FQ_PIE_ECN] = 1
		case "noecn":
			flags[TCA_FQ_PIE_ECN] = 0
		case "bytemode":
			flags[TCA_FQ_PIE_BYTEMODE] = 1
		case "nobytemode":
			flags[TCA_FQ_PIE_BYTEMODE] = 0
		case "dq_rate_estimator":
			flags[TCA_FQ_PIE_DQ_RATE_ESTIMATOR] = 1
		case "no_dq_rate_estimator":
			flags[TCA_FQ_PIE_DQ_RATE_ESTIMATOR] = 0
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.Nest(sched.TCA_OPTIONS | nl.NLA_F_NESTED)
	for t := uint16(TCA_FQ_PIE_LIMIT); t <= TCA_FQ_PIE_ECN_PROB; t++ {
		if v[t] != 0 {
			b.PutU32(t, v[t])
		}
	}
	for _, t := range []uint16{TCA_FQ_PIE_ECN, TCA_FQ_PIE_BYTEMODE, TCA_FQ_PIE_DQ_RATE_ESTIMATOR} {
		if flags[t] != -1 {
			b.PutU32(t, uint32(flags[t]))
		}
	}
	b.EndNest()
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_FQ_PIE_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if v, ok := u(TCA_FQ_PIE_LIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	if v, ok := u(TCA_FQ_PIE_FLOWS); ok {
		p.Uint(tc.Any, "flows", "flows %d ", uint64(v))
	}
	for _, t := range []struct {
		attr uint16
		name string
	}{{TCA_FQ_PIE_TARGET, "target"}, {TCA_FQ_PIE_TUPDATE, "tupdate"}} {
		if v, ok := u(t.attr); ok {
			p.Uint(tc.JSON, t.name, "", uint64(v))
			p.String(tc.Text, "", t.name+" %s ", tc.TimeString(v))
		}
	}
	if v, ok := u(TCA_FQ_PIE_ALPHA); ok {
		p.Uint(tc.Any, "alpha", "alpha %d ", uint64(v))
	}
	if v, ok := u(TCA_FQ_PIE_BETA); ok {
		p.Uint(tc.Any, "beta", "beta %d ", uint64(v))
	}
	if v, ok := u(TCA_FQ_PIE_QUANTUM); ok {
		p.Size(tc.Any, "quantum", "quantum %s ", v)
	}
	if v, ok := u(TCA_FQ_PIE_MEMORY_LIMIT); ok {
		p.Size(tc.Any, "memory_limit", "memory_limit %s ", v)
	}
	if v, ok := u(TCA_FQ_PIE_ECN_PROB); ok {
		p.Uint(tc.Any, "ecn_prob", "ecn_prob %d ", uint64(v))
	}
	for _, f := range []struct {
		attr uint16
		name string
	}{{TCA_FQ_PIE_ECN, "ecn"}, {TCA_FQ_PIE_BYTEMODE, "bytemode"}, {TCA_FQ_PIE_DQ_RATE_ESTIMATOR, "dq_rate_estimator"}} {
		if v, ok := u(f.attr); ok && v != 0 {
			p.Bool(tc.Any, f.name, f.name+" ", true)
		}
	}
	return nil
}

// PrintXstats prints tc_fq_pie_xstats (fq_pie_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x := DecodeXstats(b)
	p.Uint(tc.Any, "pkts_in", "  pkts_in %d", uint64(x.PacketsIn))
	p.Uint(tc.Any, "overlimit", " overlimit %d", uint64(x.Overlimit))
	p.Uint(tc.Any, "overmemory", " overmemory %d", uint64(x.Overmemory))
	p.Uint(tc.Any, "dropped", " dropped %d", uint64(x.Dropped))
	p.Uint(tc.Any, "ecn_mark", " ecn_mark %d", uint64(x.ECNMark))
	p.NL()
	p.Uint(tc.Any, "new_flow_count", "  new_flow_count %d", uint64(x.NewFlowCount))
	p.Uint(tc.Any, "new_flows_len", " new_flows_len %d", uint64(x.NewFlowsLen))
	p.Uint(tc.Any, "old_flows_len", " old_flows_len %d", uint64(x.OldFlowsLen))
	p.Uint(tc.Any, "memory_used", " memory_used %d", uint64(x.MemoryUsage))
	return nil
}
