package fq

import (
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is fq's tc face (q_fq.c of iproute2 6.1, which has no words for
// the 6.x priomap and weights; the kernel's defaults apply and its dump of
// them is not printed).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... fq\t[ limit PACKETS ] [ flow_limit PACKETS ]\n" +
	"\t\t[ quantum BYTES ] [ initial_quantum BYTES ]\n" +
	"\t\t[ maxrate RATE  ] [ buckets NUMBER ]\n" +
	"\t\t[ [no]pacing ] [ refill_delay TIME ]\n" +
	"\t\t[ low_rate_threshold RATE ]\n" +
	"\t\t[ orphan_mask MASK]\n" +
	"\t\t[ timer_slack TIME]\n" +
	"\t\t[ ce_threshold TIME ]\n" +
	"\t\t[ horizon TIME ]\n" +
	"\t\t[ horizon_{cap|drop} ]"

// ilog2 is q_fq.c's ilog2: the log of the next power of two.
func ilog2(v uint32) uint32 {
	var r uint32
	for v--; v != 0; v >>= 1 {
		r++
	}
	return r
}

// ParseQdisc reads fq's words as fq_parse_opt.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	type opt struct {
		set bool
		v   uint32
	}
	var o [TCA_FQ_MAX + 1]opt
	var buckets uint32
	horizonDrop := -1
	pacing := -1
	value := func() (string, error) { return a.Value() }
	for a.More() {
		w := a.Next()
		var attr uint16
		var err error
		var s string
		switch w {
		case "limit", "flow_limit", "buckets", "quantum", "initial_quantum", "orphan_mask":
			attr = map[string]uint16{"limit": TCA_FQ_PLIMIT, "flow_limit": TCA_FQ_FLOW_PLIMIT,
				"buckets": 0, "quantum": TCA_FQ_QUANTUM, "initial_quantum": TCA_FQ_INITIAL_QUANTUM,
				"orphan_mask": TCA_FQ_ORPHAN_MASK}[w]
			if s, err = value(); err != nil {
				return err
			}
			v, e := tc.GetU32(s, 0)
			if e != nil {
				if w == "orphan_mask" {
					return tc.Usagef("Illegal \"initial_quantum\"")
				}
				return tc.Usagef("Illegal \"%s\"", w)
			}
			if w == "buckets" {
				buckets = v
				continue
			}
			o[attr] = opt{true, v}
		case "maxrate", "defrate", "low_rate_threshold":
			attr = map[string]uint16{"maxrate": TCA_FQ_FLOW_MAX_RATE, "defrate": TCA_FQ_FLOW_DEFAULT_RATE,
				"low_rate_threshold": TCA_FQ_LOW_RATE_THRESHOLD}[w]
			if s, err = value(); err != nil {
				return err
			}
			var v uint64
			if w != "low_rate_threshold" && strings.Contains(s, "%") {
				v, err = tc.ParsePercentRate64(s, a.Dev)
				if err == nil && v > 1<<32-1 {
					err = tc.Usagef("")
				}
				if err != nil {
					return tc.Usagef("%v\nIllegal \"%s\"", err, w)
				}
			} else {
				r, e := tc.ParseRate(s)
				if e != nil {
					return tc.Usagef("Illegal \"%s\"", w)
				}
				v = uint64(r)
			}
			o[attr] = opt{true, uint32(v)}
		case "ce_threshold", "horizon", "refill_delay":
			attr = map[string]uint16{"ce_threshold": TCA_FQ_CE_THRESHOLD, "horizon": TCA_FQ_HORIZON,
				"refill_delay": TCA_FQ_FLOW_REFILL_DELAY}[w]
			if s, err = value(); err != nil {
				return err
			}
			v, e := tc.ParseTime(s)
			if e != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			o[attr] = opt{true, v}
		case "timer_slack":
			if s, err = value(); err != nil {
				return err
			}
			t, e := tc.ParseTime64(s)
			if e != nil {
				return tc.Usagef("Illegal \"timer_slack\"")
			}
			if int64(uint32(t)) != t {
				return tc.Usagef("Illegal (out of range) \"timer_slack\"")
			}
			o[TCA_FQ_TIMER_SLACK] = opt{true, uint32(t)}
		case "horizon_drop":
			horizonDrop = 1
		case "horizon_cap":
			horizonDrop = 0
		case "pacing":
			pacing = 1
		case "nopacing":
			pacing = 0
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	if buckets != 0 {
		b.PutU32(TCA_FQ_BUCKETS_LOG, ilog2(buckets))
	}
	put := func(t uint16) {
		if o[t].set {
			b.PutU32(t, o[t].v)
		}
	}
	put(TCA_FQ_PLIMIT)
	put(TCA_FQ_FLOW_PLIMIT)
	put(TCA_FQ_QUANTUM)
	put(TCA_FQ_INITIAL_QUANTUM)
	if pacing != -1 {
		b.PutU32(TCA_FQ_RATE_ENABLE, uint32(pacing))
	}
	put(TCA_FQ_FLOW_MAX_RATE)
	put(TCA_FQ_LOW_RATE_THRESHOLD)
	put(TCA_FQ_FLOW_DEFAULT_RATE)
	put(TCA_FQ_FLOW_REFILL_DELAY)
	put(TCA_FQ_ORPHAN_MASK)
	put(TCA_FQ_CE_THRESHOLD)
	put(TCA_FQ_TIMER_SLACK)
	put(TCA_FQ_HORIZON)
	if horizonDrop != -1 {
		b.PutU8(TCA_FQ_HORIZON_DROP, uint8(horizonDrop))
	}
	b.EndNest()
	return nil
}

// PrintQdisc prints as fq_print_opt of iproute2 6.1.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_FQ_HORIZON_DROP)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if v, ok := u(TCA_FQ_PLIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	if v, ok := u(TCA_FQ_FLOW_PLIMIT); ok {
		p.Uint(tc.Any, "flow_limit", "flow_limit %dp ", uint64(v))
	}
	if v, ok := u(TCA_FQ_BUCKETS_LOG); ok {
		p.Uint(tc.Any, "buckets", "buckets %d ", uint64(uint32(1)<<(v&31)))
	}
	if v, ok := u(TCA_FQ_ORPHAN_MASK); ok {
		p.Uint(tc.Any, "orphan_mask", "orphan_mask %d ", uint64(v))
	}
	if v, ok := u(TCA_FQ_RATE_ENABLE); ok && v == 0 {
		p.Bool(tc.Any, "pacing", "nopacing ", false)
	}
	if v, ok := u(TCA_FQ_QUANTUM); ok {
		p.Size(tc.Any, "quantum", "quantum %s ", v)
	}
	if v, ok := u(TCA_FQ_INITIAL_QUANTUM); ok {
		p.Size(tc.Any, "initial_quantum", "initial_quantum %s ", v)
	}
	if v, ok := u(TCA_FQ_FLOW_MAX_RATE); ok && v != ^uint32(0) {
		p.Rate(tc.Any, "maxrate", "maxrate %s ", uint64(v))
	}
	if v, ok := u(TCA_FQ_FLOW_DEFAULT_RATE); ok && v != 0 {
		p.Rate(tc.Any, "defrate", "defrate %s ", uint64(v))
	}
	if v, ok := u(TCA_FQ_LOW_RATE_THRESHOLD); ok && v != 0 {
		p.Rate(tc.Any, "low_rate_threshold", "low_rate_threshold %s ", uint64(v))
	}
	if v, ok := u(TCA_FQ_FLOW_REFILL_DELAY); ok {
		p.Uint(tc.JSON, "refill_delay", "", uint64(v))
		p.String(tc.Text, "", "refill_delay %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_FQ_CE_THRESHOLD); ok && v != ^uint32(0) {
		p.Uint(tc.JSON, "ce_threshold", "", uint64(v))
		p.String(tc.Text, "", "ce_threshold %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_FQ_TIMER_SLACK); ok {
		p.Uint(tc.JSON, "timer_slack", "", uint64(v))
		p.String(tc.Text, "", "timer_slack %s ", tc.Time64String(int64(v)))
	}
	if v, ok := u(TCA_FQ_HORIZON); ok {
		p.Uint(tc.JSON, "horizon", "", uint64(v))
		p.String(tc.Text, "", "horizon %s ", tc.TimeString(v))
	}
	if a := tb.Get(TCA_FQ_HORIZON_DROP); a != nil && len(a.Data) >= 1 {
		if a.U8() == 0 {
			p.Null(tc.Any, "horizon_cap", "horizon_cap ", "")
		} else {
			p.Null(tc.Any, "horizon_drop", "horizon_drop ", "")
		}
	}
	return nil
}

// PrintXstats prints tc_fq_qd_stats as fq_print_xstats of iproute2 6.1.
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	st := DecodeXstats(b)
	p.Uint(tc.Any, "flows", "  flows %d", uint64(st.Flows))
	p.Uint(tc.Any, "inactive", " (inactive %d", uint64(st.InactiveFlows))
	p.Uint(tc.Any, "throttled", " throttled %d)", uint64(st.ThrottledFlows))
	if st.TimeNextDelayedFlow > 0 {
		p.Uint(tc.JSON, "next_packet_delay", "", uint64(st.TimeNextDelayedFlow))
		p.String(tc.Text, "", " next_packet_delay %s", tc.Time64String(st.TimeNextDelayedFlow))
	}
	p.NL()
	p.Uint(tc.Any, "gc", "  gc %d", st.GCFlows)
	p.Uint(tc.Any, "highprio", " highprio %d", st.HighprioPackets)
	if st.TCPRetrans != 0 {
		p.Uint(tc.Any, "retrans", " retrans %d", st.TCPRetrans)
	}
	p.Uint(tc.Any, "throttled", " throttled %d", st.Throttled)
	if st.UnthrottleLatencyNs != 0 {
		p.Uint(tc.JSON, "latency", "", uint64(st.UnthrottleLatencyNs))
		p.String(tc.Text, "", " latency %s", tc.Time64String(int64(st.UnthrottleLatencyNs)))
	}
	if st.CEMark != 0 {
		p.Uint(tc.Any, "ce_mark", " ce_mark %d", st.CEMark)
	}
	if st.FlowsPlimit != 0 {
		p.Uint(tc.Any, "flows_plimit", " flows_plimit %d", st.FlowsPlimit)
	}
	if st.PktsTooLong != 0 || st.AllocationErrors != 0 || st.HorizonDrops != 0 || st.HorizonCaps != 0 {
		p.NL()
		if st.PktsTooLong != 0 {
			p.Uint(tc.Any, "pkts_too_long", " pkts_too_long %d", st.PktsTooLong)
		}
		if st.AllocationErrors != 0 {
			p.Uint(tc.Any, "alloc_errors", " alloc_errors %d", st.AllocationErrors)
		}
		if st.HorizonDrops != 0 {
			p.Uint(tc.Any, "horizon_drops", " horizon_drops %d", st.HorizonDrops)
		}
		if st.HorizonCaps != 0 {
			p.Uint(tc.Any, "horizon_caps", "  horizon_caps %d", st.HorizonCaps)
		}
	}
	return nil
}
