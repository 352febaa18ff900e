package tccli

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// TCA_STATS2 nest (enum TCA_STATS_*).
const (
	tcaStatsBasic     = 1
	tcaStatsRateEst   = 2
	tcaStatsQueue     = 3
	tcaStatsApp       = 4
	tcaStatsRateEst64 = 5
	tcaStatsBasicHw   = 7
	tcaStatsPkt64     = 8
	tcaStatsMax       = 9
)

// fixed copies b into a zeroed buffer of n bytes, as iproute2 does with
// memcpy(&st, RTA_DATA(rta), MIN(RTA_PAYLOAD(rta), sizeof(st))).
func fixed(b []byte, n int) []byte {
	x := make([]byte, n)
	copy(x, b)
	return x
}

func u32at(b []byte, off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
func u64at(b []byte, off int) uint64 { return binary.NativeEndian.Uint64(b[off:]) }

// printTCStats prints the statistics of a qdisc, class or filter
// (print_tcstats_attr) and returns the kind's xstats, if any.
func printTCStats(p *tc.Printer, tb nl.Attrs, prefix string) *nl.Attr {
	if a := tb[tcaStats2]; a != nil {
		x := printTCStats2(p, a.Data, prefix)
		if x == nil {
			return tb[tcaXstats]
		}
		return x
	}
	if a := tb[tcaStats]; a != nil {
		// struct tc_stats: bytes, packets, drops, overlimits, bps, pps,
		// qlen, backlog.
		st := fixed(a.Data, 36)
		bytes, packets := u64at(st, 0), u32at(st, 8)
		drops, over := u32at(st, 12), u32at(st, 16)
		bps, pps, qlen, backlog := u32at(st, 20), u32at(st, 24), u32at(st, 28), u32at(st, 32)
		p.Fprintf("%sSent %d bytes %d pkts (dropped %d, overlimits %d) ", prefix, bytes, packets, drops, over)
		if bps != 0 || pps != 0 || qlen != 0 || backlog != 0 {
			p.Fprintf("\n%s", prefix)
			if bps != 0 || pps != 0 {
				p.Fprintf("rate ")
				if bps != 0 {
					p.Rate(tc.Text, "", "%s ", uint64(bps))
				}
				if pps != 0 {
					p.Fprintf("%dpps ", pps)
				}
			}
			if qlen != 0 || backlog != 0 {
				p.Fprintf("backlog ")
				if backlog != 0 {
					p.Size(tc.Text, "", "%s ", backlog)
				}
				if qlen != 0 {
					p.Fprintf("%dp ", qlen)
				}
			}
		}
	}
	return tb[tcaXstats]
}

// printTCStats2 prints a TCA_STATS2 nest (print_tcstats2_attr) and returns
// its TCA_STATS_APP.
func printTCStats2(p *tc.Printer, nest []byte, prefix string) *nl.Attr {
	tbs := rtaParse(nest, tcaStatsMax)
	if a := tbs[tcaStatsBasic]; a != nil {
		bs := fixed(a.Data, 16)
		var pkt64 uint64
		if p := tbs[tcaStatsPkt64]; p != nil {
			pkt64 = u64at(fixed(p.Data, 8), 0)
		}
		p.Text(prefix)
		p.Uint(tc.Any, "bytes", "Sent %d bytes", u64at(bs, 0))
		if pkt64 != 0 {
			p.Uint(tc.Any, "packets", " %d pkt", pkt64)
		} else {
			p.Uint(tc.Any, "packets", " %d pkt", uint64(u32at(bs, 8)))
		}
	}
	if a := tbs[tcaStatsQueue]; a != nil {
		q := fixed(a.Data, 20)
		p.Uint(tc.Any, "drops", " (dropped %d", uint64(u32at(q, 8)))
		p.Uint(tc.Any, "overlimits", ", overlimits %d", uint64(u32at(q, 16)))
		p.Uint(tc.Any, "requeues", " requeues %d) ", uint64(u32at(q, 12)))
	}
	if tbs[tcaStatsBasicHw] != nil {
		printBasicHw(p, tbs, prefix)
	}
	if a := tbs[tcaStatsRateEst64]; a != nil {
		re := fixed(a.Data, 16)
		p.Printf("\n%s", prefix)
		p.Uint(tc.JSON, "rate", "", u64at(re, 0))
		p.Rate(tc.Text, "", "rate %s", u64at(re, 0))
		p.Uint(tc.Any, "pps", " %dpps", u64at(re, 8))
	} else if a := tbs[tcaStatsRateEst]; a != nil {
		re := fixed(a.Data, 8)
		p.Printf("\n%s", prefix)
		p.Uint(tc.JSON, "rate", "", uint64(u32at(re, 0)))
		p.Rate(tc.Text, "", "rate %s", uint64(u32at(re, 0)))
		p.Uint(tc.Any, "pps", " %dpps", uint64(u32at(re, 4)))
	}
	if a := tbs[tcaStatsQueue]; a != nil {
		q := fixed(a.Data, 20)
		if tbs[tcaStatsRateEst] == nil {
			p.NL()
		}
		p.Text(prefix)
		p.Size(tc.Any, "backlog", "backlog %s", u32at(q, 4))
		p.Uint(tc.Any, "qlen", " %dp", uint64(u32at(q, 0)))
		p.Uint(tc.Text, "", " requeues %d", uint64(u32at(q, 12)))
	}
	return tbs[tcaStatsApp]
}

// printBasicHw prints the hardware part of the counters
// (print_tcstats_basic_hw).
func printBasicHw(p *tc.Printer, tbs nl.Attrs, prefix string) {
	hw := fixed(tbs[tcaStatsBasicHw].Data, 16)
	hwBytes, hwPkts := u64at(hw, 0), u32at(hw, 8)
	if hwBytes == 0 && hwPkts == 0 {
		return
	}
	if a := tbs[tcaStatsBasic]; a != nil {
		bs := fixed(a.Data, 16)
		bytes, pkts := u64at(bs, 0), u32at(bs, 8)
		if bytes >= hwBytes && pkts >= hwPkts {
			p.NL()
			p.Text(prefix)
			p.Uint(tc.Any, "sw_bytes", "Sent software %d bytes", bytes-hwBytes)
			p.Uint(tc.Any, "sw_packets", " %d pkt", uint64(pkts-hwPkts))
		}
	}
	p.NL()
	p.Text(prefix)
	p.Uint(tc.Any, "hw_bytes", "Sent hardware %d bytes", hwBytes)
	p.Uint(tc.Any, "hw_packets", " %d pkt", uint64(hwPkts))
}

const stabHelp = "Usage: ... stab [ mtu BYTES ] [ tsize SLOTS ] [ mpu BYTES ]\n" +
	"                [ overhead BYTES ] [ linklayer TYPE ] ...\n" +
	"   mtu       : max packet size we create rate map for {2047}\n" +
	"   tsize     : how many slots should size table have {512}\n" +
	"   mpu       : minimum packet size used in rate computations\n" +
	"   overhead  : per-packet size overhead used in rate computations\n" +
	"   linklayer : adapting to a linklayer e.g. atm\n" +
	"Example: ... stab overhead 20 linklayer atm\n"

// parseSizeTable reads the words after "stab" (parse_size_table); it stops
// at the first word that is not a size-table option.
func parseSizeTable(a *tc.Args) (*tc.SizeSpec, error) {
	var s tc.SizeSpec
	if !a.More() {
		return nil, tc.Incomplete()
	}
	if tc.Matches(a.Peek(), "help") {
		return nil, fail(255, "%s", stabHelp[:len(stabHelp)-1])
	}
	linkSet := false
	for a.More() {
		w := a.Peek()
		var err error
		switch {
		case tc.Matches(w, "mtu"):
			a.Next()
			v, verr := a.Value()
			if verr != nil {
				return nil, verr
			}
			if s.MTU != 0 {
				return nil, tc.DupArg("mtu", v)
			}
			if s.MTU, err = tc.GetU32(v, 10); err != nil {
				return nil, tc.InvArg("mtu", "invalid mtu")
			}
		case tc.Matches(w, "mpu"):
			a.Next()
			v, verr := a.Value()
			if verr != nil {
				return nil, verr
			}
			if s.MPU != 0 {
				return nil, tc.DupArg("mpu", v)
			}
			if s.MPU, err = tc.GetU32(v, 10); err != nil {
				return nil, tc.InvArg("mpu", "invalid mpu")
			}
		case tc.Matches(w, "overhead"):
			a.Next()
			v, verr := a.Value()
			if verr != nil {
				return nil, verr
			}
			if s.Overhead != 0 {
				return nil, tc.DupArg("overhead", v)
			}
			if s.Overhead, err = tc.GetInteger(v, 10); err != nil {
				return nil, tc.InvArg("overhead", "invalid overhead")
			}
		case tc.Matches(w, "tsize"):
			a.Next()
			v, verr := a.Value()
			if verr != nil {
				return nil, verr
			}
			if s.TSize != 0 {
				return nil, tc.DupArg("tsize", v)
			}
			if s.TSize, err = tc.GetU32(v, 10); err != nil {
				return nil, tc.InvArg("tsize", "invalid table size")
			}
		case tc.Matches(w, "linklayer"):
			a.Next()
			v, verr := a.Value()
			if verr != nil {
				return nil, verr
			}
			if linkSet {
				return nil, tc.DupArg("linklayer", v)
			}
			ll, ok := tc.ParseLinkLayer(v)
			if !ok {
				return nil, tc.InvArg("linklayer", "invalid linklayer")
			}
			s.LinkLayer, linkSet = uint32(ll), true
		default:
			return checkSizeTable(&s)
		}
	}
	return checkSizeTable(&s)
}

// checkSizeTable refuses, silently as iproute2 does, a table that would
// change nothing (check_size_table_opts).
func checkSizeTable(s *tc.SizeSpec) (*tc.SizeSpec, error) {
	if s.LinkLayer >= tc.LinkLayerEthernet || s.MPU != 0 || s.Overhead != 0 {
		return s, nil
	}
	return nil, status(255)
}

// printSizeTable prints a qdisc's TCA_STAB (print_size_table).
func printSizeTable(p *tc.Printer, nest []byte) {
	tb := rtaParse(nest, tcaStabData)
	a := tb[tcaStabBase]
	if a == nil {
		return
	}
	s := tc.DecodeSizeSpec(a.Data)
	p.OpenObject("stab")
	p.Text(" ")
	if s.LinkLayer != 0 {
		p.String(tc.Any, "linklayer", "linklayer %s ", tc.LinkLayerString(s.LinkLayer))
	}
	if s.Overhead != 0 {
		p.Int(tc.Any, "overhead", "overhead %d ", int64(s.Overhead))
	}
	if s.MPU != 0 {
		p.Uint(tc.Any, "mpu", "mpu %d ", uint64(s.MPU))
	}
	if s.MTU != 0 {
		p.Uint(tc.Any, "mtu", "mtu %d ", uint64(s.MTU))
	}
	if s.TSize != 0 {
		p.Uint(tc.Any, "tsize", "tsize %d ", uint64(s.TSize))
	}
	p.CloseObject()
}

const estHelp = "Usage: ... estimator INTERVAL TIME-CONST\n" +
	"  INTERVAL is interval between measurements\n" +
	"  TIME-CONST is averaging time constant\n" +
	"Example: ... est 1sec 8sec\n"

// parseEstimator reads INTERVAL and TIME-CONST after "estimator"
// (parse_estimator).
func parseEstimator(a *tc.Args, old tc.Estimator, raw bool, stderr io.Writer) (tc.Estimator, error) {
	v, err := a.Value()
	if err != nil {
		return old, err
	}
	if old.EwmaLog != 0 {
		return old, tc.DupArg("estimator", v)
	}
	if tc.Matches(v, "help") {
		io.WriteString(stderr, estHelp)
	}
	interval, err := tc.ParseTime(v)
	if err != nil {
		return old, tc.InvArg("estimator", "invalid estimator interval")
	}
	v, err = a.Value()
	if err != nil {
		return old, err
	}
	if tc.Matches(v, "help") {
		io.WriteString(stderr, estHelp)
	}
	tconst, err := tc.ParseTime(v)
	if err != nil {
		return old, tc.InvArg("estimator", "invalid estimator time constant")
	}
	e, ok := tc.SetupEstimator(interval, tconst)
	if !ok {
		return old, fail(255, "Error: estimator parameters are out of range.")
	}
	if raw {
		fmt.Fprintf(stderr, "[estimator i=%d e=%d]\n", e.Interval, e.EwmaLog)
	}
	return e, nil
}
