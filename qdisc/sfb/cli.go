package sfb

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is sfb's tc face (q_sfb.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... sfb [ rehash SECS ] [ db SECS ]\n" +
	"\t    [ limit PACKETS ] [ max PACKETS ] [ target PACKETS ]\n" +
	"\t    [ increment FLOAT ] [ decrement FLOAT ]\n" +
	"\t    [ penalty_rate PPS ] [ penalty_burst PACKETS ]"

// getProb is q_sfb.c's get_prob: a number in [0, 1] as Q0.16, rounded.
func getProb(s string) (uint32, bool) {
	d, n := tc.Strtod(s)
	if n == 0 || d < 0.0 || d > 1.0 {
		return 0, false
	}
	return uint32(d*MaxProb + 0.5), true
}

// ParseQdisc reads sfb's words; tc starts from its own defaults (which
// differ from the kernel's in increment and decrement) and always sends
// the whole struct. sfb has no "help" word.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	o := Qopt{
		RehashInterval: 600 * 1000,
		WarmupTime:     60 * 1000,
		PenaltyRate:    10,
		PenaltyBurst:   20,
		Increment:      (MaxProb + 1000) / 2000,
		Decrement:      (MaxProb + 10000) / 20000,
	}
	fields := map[string]*uint32{
		"rehash": &o.RehashInterval, "db": &o.WarmupTime, "limit": &o.Limit, "max": &o.Max,
		"target": &o.BinSize, "penalty_rate": &o.PenaltyRate, "penalty_burst": &o.PenaltyBurst,
	}
	for a.More() {
		w := a.Next()
		switch w {
		case "rehash", "db", "limit", "max", "target", "penalty_rate", "penalty_burst":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, err := tc.GetU32(s, 0)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			*fields[w] = v
		case "increment", "decrement":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, ok := getProb(s)
			if !ok {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			if w == "increment" {
				o.Increment = v
			} else {
				o.Decrement = v
			}
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if o.Max == 0 {
		if o.BinSize >= 1 {
			o.Max = (o.BinSize*5 + 1) / 4
		} else {
			o.Max = 25
		}
	}
	if o.BinSize == 0 {
		o.BinSize = (o.Max*4 + 3) / 5
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_SFB_PARMS, o.Encode())
	b.EndNest()
	return nil
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_SFB_MAX)
	a := tb.Get(TCA_SFB_PARMS)
	if a == nil || len(a.Data) < QoptLen {
		return nil
	}
	o := DecodeQopt(a.Data)
	rehash, db := o.RehashInterval*1000, o.WarmupTime*1000
	p.Uint(tc.JSON, "rehash", "", uint64(rehash))
	p.String(tc.Text, "", "rehash %s ", tc.TimeString(rehash))
	p.Uint(tc.JSON, "db", "", uint64(db))
	p.String(tc.Text, "", "db %s ", tc.TimeString(db))
	p.Uint(tc.Any, "limit", "limit %dp ", uint64(o.Limit))
	p.Uint(tc.Any, "max", "max %dp ", uint64(o.Max))
	p.Uint(tc.Any, "target", "target %dp ", uint64(o.BinSize))
	probField(p, "increment", "increment %s ", o.Increment)
	probField(p, "decrement", "decrement %s ", o.Decrement)
	p.Uint(tc.Any, "penalty_rate", "penalty_rate %dpps ", uint64(o.PenaltyRate))
	p.Uint(tc.Any, "penalty_burst", "penalty_burst %dp ", uint64(o.PenaltyBurst))
	return nil
}

// probField prints a Q0.16 probability as "%lg".
func probField(p *tc.Printer, key, format string, v uint32) {
	f := float64(v) / MaxProb
	p.Float(tc.JSON, key, "", f)
	p.String(tc.Text, "", format, aqm.FormatProb(f))
}

// PrintXstats prints tc_sfb_xstats (sfb_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	x, ok := DecodeXstats(b)
	if !ok {
		return nil
	}
	p.Uint(tc.Any, "earlydrop", "  earlydrop %d", uint64(x.EarlyDrop))
	p.Uint(tc.Any, "penaltydrop", " penaltydrop %d", uint64(x.PenaltyDrop))
	p.Uint(tc.Any, "bucketdrop", " bucketdrop %d", uint64(x.BucketDrop))
	p.Uint(tc.Any, "queuedrop", " queuedrop %d", uint64(x.QueueDrop))
	p.Uint(tc.Any, "childdrop", " childdrop %d", uint64(x.ChildDrop))
	p.Uint(tc.Any, "marked", " marked %d", uint64(x.Marked))
	p.NL()
	p.Uint(tc.Any, "maxqlen", "  maxqlen %d", uint64(x.MaxQlen))
	probField(p, "maxprob", " maxprob %s", x.MaxProb)
	probField(p, "avgprob", " avgprob %s", x.AvgProb)
	return nil
}
