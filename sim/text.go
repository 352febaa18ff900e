package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// maxRows bounds each printed table; the JSON result has every row.
const maxRows = 24

// WriteJSON writes the result as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// WriteText prints the result as tables: flows, traffic groups, classes,
// qdiscs, links, then tc -s of the configured devices.
func WriteText(w io.Writer, r *Result) error {
	fmt.Fprintf(w, "netsched sim: %s (seed %d): %gs simulated, measured from %gs\n",
		r.Scenario, r.Seed, r.Duration, r.WindowStart)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\nFlows\n")
	fmt.Fprintf(tw, "flow\ttype\tthroughput\tgoodput\tsent\trecv\tlost\tdelay p50\tp90\tp99\tmax\tjitter\t\n")
	for i, f := range r.Flows {
		if i == maxRows {
			fmt.Fprintf(tw, "... %d more\t\t\t\t\t\t\t\t\t\t\t\t\n", len(r.Flows)-maxRows)
			break
		}
		typ := f.Type
		if f.TCP != nil {
			typ += " " + f.TCP.CC
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", f.Name, typ,
			rateString(f.Throughput), rateString(f.Goodput), f.SentPackets, f.RecvPackets, f.Lost,
			ms(f.Delay.P50), ms(f.Delay.P90), ms(f.Delay.P99), ms(f.Delay.Max), ms(f.Jitter))
	}
	tw.Flush()
	if hasTCP(r) {
		fmt.Fprintf(w, "\nTCP\n")
		fmt.Fprintf(tw, "flow\tcc\tretrans\trecoveries\ttimeouts\tcwr\tsrtt\tmin rtt\tcwnd\t\n")
		n := 0
		for _, f := range r.Flows {
			if f.TCP == nil {
				continue
			}
			if n++; n > maxRows {
				fmt.Fprintf(tw, "...\t\t\t\t\t\t\t\t\t\n")
				break
			}
			t := f.TCP
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t\n", f.Name, t.CC, t.Retransmits,
				t.FastRecovery, t.Timeouts, t.Reductions, ms(t.SRTT), ms(t.MinRTT), t.Cwnd)
		}
		tw.Flush()
	}
	for _, f := range r.Flows {
		if f.RR == nil {
			continue
		}
		l := f.RR.Latency
		fmt.Fprintf(w, "%s: %d requests, %d answered, %d failed; response time p50 %s p90 %s p99 %s max %s\n",
			f.Name, f.RR.Requests, f.RR.Completed, f.RR.Failed, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
	}
	if len(r.Groups) < len(r.Flows) {
		fmt.Fprintf(w, "\nTraffic\n")
		fmt.Fprintf(tw, "traffic\ttype\tflows\tthroughput\tgoodput\tper flow min\tmax\tfairness\tlost\t\n")
		for _, g := range r.Groups {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.3f\t%d\t\n", g.Name, g.Type, g.Flows,
				rateString(g.Throughput), rateString(g.Goodput), rateString(g.MinThroughput),
				rateString(g.MaxThroughput), g.Fairness, g.Lost)
		}
		tw.Flush()
	}
	printTC := func(title string, rows []TCResult) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		fmt.Fprintf(tw, "host\tdev\tkind\thandle\tparent\trate\tsent pkts\tdrops\toverlimits\tbacklog\tdelay≈p50\tp99\t\n")
		for i, c := range rows {
			if i == maxRows {
				fmt.Fprintf(tw, "... %d more\t\t\t\t\t\t\t\t\t\t\t\t\n", len(rows)-maxRows)
				break
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%db %dp\t%s\t%s\t\n", c.Host, c.Dev, c.Kind, c.Handle,
				c.Parent, rateString(c.Rate), c.Packets, c.Drops, c.Overlimits, c.Backlog, c.Qlen,
				ms(c.QueueDelay.P50), ms(c.QueueDelay.P99))
		}
		tw.Flush()
	}
	var cl []TCResult
	for _, c := range r.Classes {
		if c.Packets > 0 || c.Drops > 0 {
			cl = append(cl, c)
		}
	}
	printTC("Classes (that sent or dropped)", cl)
	var qd []TCResult
	for _, q := range r.Qdiscs {
		if q.Packets > 0 || q.Drops > 0 {
			qd = append(qd, q)
		}
	}
	printTC("Qdiscs (that saw traffic)", qd)
	fmt.Fprintf(w, "\nLinks\n")
	fmt.Fprintf(tw, "from\tto\trate\tutilisation\tpackets\tlost\tsojourn p50\tp99\tmax\t\n")
	for _, l := range r.Links {
		if l.Packets == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f%%\t%d\t%d\t%s\t%s\t%s\t\n", l.From, l.To, rateString(float64(l.Rate)),
			100*l.Utilisation, l.Packets, l.Lost, ms(l.Sojourn.P50), ms(l.Sojourn.P99), ms(l.Sojourn.Max))
	}
	tw.Flush()
	for _, d := range r.TCStats {
		fmt.Fprintf(w, "\n$ tc -n %s -s qdisc show dev %s\n%s", d.Host, d.Dev, clip(d.Qdiscs))
		if d.Classes != "" {
			fmt.Fprintf(w, "$ tc -n %s -s class show dev %s\n%s", d.Host, d.Dev, clip(d.Classes))
		}
	}
	return nil
}

func hasTCP(r *Result) bool {
	for _, f := range r.Flows {
		if f.TCP != nil {
			return true
		}
	}
	return false
}

// ms prints milliseconds.
func ms(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1:
		return fmt.Sprintf("%.3fms", v)
	case v < 100:
		return fmt.Sprintf("%.2fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

// clip keeps the first lines of a long tc listing.
func clip(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	lines := strings.SplitAfter(s, "\n")
	const keep = 60
	if len(lines) <= keep+1 {
		return s
	}
	return strings.Join(lines[:keep], "") + fmt.Sprintf("... %d more lines (see --json)\n", len(lines)-keep-1)
}
