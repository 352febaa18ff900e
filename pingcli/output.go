package pingcli

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"syscall"

	"github.com/netsched/netsched/rtnl"
)

// pingPrint prints what the daemon reported as iputils' ping prints it
// (gather_statistics per reply, finish at the end) and returns ping's
// exit status.
func pingPrint(o *pingOpts, a *rtnl.PingAnswer, stdout, stderr io.Writer) int {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, e := range a.Events {
		switch e.Kind {
		case rtnl.PingSent:
			if o.flood && !o.quiet {
				w.WriteString(".")
			}
		case rtnl.PingReply:
			if o.quiet {
				continue
			}
			if o.flood {
				w.WriteString("\b \b")
				continue
			}
			fmt.Fprintf(w, "%d bytes from %s: icmp_seq=%d ttl=%d", e.Bytes, e.From, e.Seq, e.TTL)
			if e.Bytes < o.req.Size+8 {
				w.WriteString(" (truncated)\n")
				continue
			}
			if e.Timed {
				w.WriteString(" time=" + pingTripTime(int64(e.RTTUs)) + " ms")
			}
			if e.Dup {
				w.WriteString(" (DUP!)")
			}
			w.WriteString("\n")
		case rtnl.PingError:
			if o.quiet {
				continue
			}
			if o.flood {
				w.WriteString("E")
				continue
			}
			w.Flush()
			fmt.Fprintf(stderr, "ping: sendmsg: %s\n", pingStrerror(syscall.Errno(e.Errno)))
		}
	}
	return pingFinish(o, &a.Stats, w)
}

// pingTripTime formats a round trip as ping does: fewer decimals as it
// grows.
func pingTripTime(t int64) string {
	switch {
	case t >= 100000-50:
		return strconv.FormatInt((t+500)/1000, 10)
	case t >= 10000-5:
		return fmt.Sprintf("%d.%01d", (t+50)/1000, ((t+50)%1000)/100)
	case t >= 1000:
		return fmt.Sprintf("%d.%02d", (t+5)/1000, ((t+5)%1000)/10)
	}
	return fmt.Sprintf("%d.%03d", t/1000, t%1000)
}

// pingFinish prints the statistics (finish in ping_common.c).
func pingFinish(o *pingOpts, s *rtnl.PingStats, w io.Writer) int {
	tx, rx := int64(s.Transmitted), int64(s.Received)
	fmt.Fprintf(w, "\n--- %s ping statistics ---\n", o.target)
	fmt.Fprintf(w, "%d packets transmitted, %d received", tx, rx)
	if s.Repeats > 0 {
		fmt.Fprintf(w, ", +%d duplicates", s.Repeats)
	}
	if tx > 0 {
		loss := float32(float64(tx-rx) * 100.0 / float64(tx))
		ms := int64(s.TimeUs/1e6)*1000 + (int64(s.TimeUs%1e6)*1000+500000)/1000000
		fmt.Fprintf(w, ", %s%% packet loss, time %dms", strconv.FormatFloat(float64(loss), 'g', 6, 32), ms)
	}
	fmt.Fprint(w, "\n")
	comma := ""
	if rx > 0 && o.req.Size >= 16 {
		total := rx + int64(s.Repeats)
		tsum, tsum2 := int64(s.TSum), int64(min(s.TSum2, math.MaxInt64))
		avg := tsum / total
		var v int64
		if tsum < math.MaxInt32 {
			v = (tsum2 - tsum*tsum/total) / total
		} else {
			v = tsum2/total - avg*avg
		}
		dev := llsqrt(v)
		fmt.Fprintf(w, "rtt min/avg/max/mdev = %d.%03d/%d.%03d/%d.%03d/%d.%03d ms",
			s.TMin/1000, s.TMin%1000, avg/1000, avg%1000, s.TMax/1000, s.TMax%1000, dev/1000, dev%1000)
		comma = ", "
	}
	if s.PipeSize > 1 {
		fmt.Fprintf(w, "%spipe %d", comma, s.PipeSize)
		comma = ", "
	}
	if rx > 0 && (o.req.IntervalMs == 0 || o.flood) && tx > 1 {
		ipg := int64(s.TimeUs) / (tx - 1)
		rtt := int64(s.RTT)
		fmt.Fprintf(w, "%sipg/ewma %d.%03d/%d.%03d ms", comma, ipg/1000, ipg%1000, rtt/8000, (rtt/8)%1000)
	}
	fmt.Fprint(w, "\n")
	if rx == 0 || (o.req.Deadline > 0 && rx < int64(o.req.Count)) {
		return 1
	}
	return 0
}

// llsqrt is ping's integer square root (Newton's method, rounding down).
func llsqrt(a int64) int64 {
	if a <= 0 {
		return 0
	}
	prev, x := int64(math.MaxInt64), a
	for x < prev {
		prev = x
		x = (x + a/x) / 2
	}
	return x
}
