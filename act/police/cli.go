package police

import (
	"encoding/binary"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is police's tc face (m_police.c). It also reads and prints the
// old `police` words of classifiers (ParsePolice, PrintPolice).
var Syntax = syntax{}

type syntax struct{}

const usage = "Usage: ... police [ rate BPS burst BYTES[/BYTES] ] \n" +
	"\t\t[ pkts_rate RATE pkts_burst PACKETS ] [ mtu BYTES[/BYTES] ]\n" +
	"\t\t[ peakrate BPS ] [ avrate BPS ] [ overhead BYTES ]\n" +
	"\t\t[ linklayer TYPE ] [ CONTROL ]\n" +
	"Where: CONTROL := conform-exceed <EXCEEDACT>[/NOTEXCEEDACT]\n" +
	"\t\t  Define how to handle packets which exceed (<EXCEEDACT>)\n" +
	"\t\t  or conform (<NOTEXCEEDACT>) the configured bandwidth limit.\n" +
	"       EXCEEDACT/NOTEXCEEDACT := { pipe | ok | reclassify | drop | continue |\n" +
	"\t\t\t\t   goto chain <CHAIN_INDEX> }"

// silent is a refusal tc makes without a message of its own.
func silent() error { return tc.Usagef("") }

// ParseAction reads `police ...` (act_parse_police as an action).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	a.Next() // the kind's name
	if !a.More() {
		return tc.Incomplete()
	}
	return parse(a, attr, b)
}

// ParsePolice reads a classifier's police words, `police` itself taken
// (parse_police).
func (syntax) ParsePolice(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !a.More() {
		return silent()
	}
	return parse(a, attr, b)
}

func parse(a *tc.Args, attr uint16, b *nl.Builder) error {
	p := Parms{Action: actutil.Reclassify}
	var avrate, buffer, mtu, mpu uint32
	var presult int32
	var overhead uint16
	linklayer := uint8(tc.LinkLayerEthernet)
	rcell, pcell := -1, -1
	var rate64, prate64, pps64, ppsburst64 uint64
	ok := 0
	// value is NEXT_ARG: the option's argument, left for the a.Next()
	// at the end of the loop.
	value := func() (string, error) {
		a.Next()
		if !a.More() {
			return "", tc.Incomplete()
		}
		return a.Peek(), nil
	}
	for a.More() {
		w := a.Peek()
		var err error
		var v string
		switch {
		case tc.Matches(w, "index"):
			if v, err = value(); err == nil {
				if p.Index, err = tc.GetU32(v, 10); err != nil {
					err = tc.InvArg("index", v)
				}
			}
		case tc.Matches(w, "burst") || w == "buffer" || w == "maxburst":
			if v, err = value(); err == nil {
				if buffer != 0 {
					return tc.DupArg("buffer/burst", v)
				}
				if buffer, rcell, err = actutil.SizeAndCell(v, rcell); err != nil {
					err = tc.InvArg("buffer", v)
				}
			}
		case w == "mtu" || w == "minburst":
			if v, err = value(); err == nil {
				if mtu != 0 {
					return tc.DupArg("mtu/minburst", v)
				}
				if mtu, pcell, err = actutil.SizeAndCell(v, pcell); err != nil {
					err = tc.InvArg("mtu", v)
				}
			}
		case w == "mpu":
			if v, err = value(); err == nil {
				if mpu != 0 {
					return tc.DupArg("mpu", v)
				}
				if mpu, err = tc.ParseSize(v); err != nil {
					err = tc.InvArg("mpu", v)
				}
			}
		case w == "rate":
			if v, err = value(); err == nil {
				if rate64 != 0 {
					return tc.DupArg("rate", v)
				}
				if rate64, err = tc.ParseRate64(v); err != nil {
					err = tc.InvArg("rate", v)
				}
			}
		case w == "avrate":
			if v, err = value(); err == nil {
				if avrate != 0 {
					return tc.DupArg("avrate", v)
				}
				if avrate, err = tc.ParseRate(v); err != nil {
					err = tc.InvArg("avrate", v)
				}
			}
		case tc.Matches(w, "peakrate"):
			if v, err = value(); err == nil {
				if prate64 != 0 {
					return tc.DupArg("peakrate", v)
				}
				if prate64, err = tc.ParseRate64(v); err != nil {
					err = tc.InvArg("peakrate", v)
				}
			}
		case tc.Matches(w, "reclassify"), tc.Matches(w, "drop"), tc.Matches(w, "shot"),
			tc.Matches(w, "continue"), tc.Matches(w, "pass"), tc.Matches(w, "ok"),
			tc.Matches(w, "pipe"), tc.Matches(w, "goto"):
			ctl, okc, err := actutil.ParseControl(a, false)
			if err != nil {
				return err
			}
			if !okc {
				return tc.Usagef("Bad action type %s", w)
			}
			p.Action = ctl
			ok++
			continue
		case w == "conform-exceed":
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			r1, r2, has2, err := actutil.ParseControlSlash(a, true)
			if err != nil {
				return err
			}
			p.Action = r1
			if has2 {
				presult = r2
			}
			ok++
			continue
		case tc.Matches(w, "overhead"):
			if v, err = value(); err == nil {
				if overhead, err = tc.GetU16(v, 10); err != nil {
					err = tc.InvArg("overhead", v)
				}
			}
		case tc.Matches(w, "linklayer"):
			if v, err = value(); err == nil {
				var okl bool
				if linklayer, okl = tc.ParseLinkLayer(v); !okl {
					err = tc.InvArg("linklayer", v)
				}
			}
		case tc.Matches(w, "pkts_rate"):
			if v, err = value(); err == nil {
				if pps64 != 0 {
					return tc.DupArg("pkts_rate", v)
				}
				if pps64, err = tc.GetU64(v, 10); err != nil {
					err = tc.InvArg("pkts_rate", v)
				}
			}
		case tc.Matches(w, "pkts_burst"):
			if v, err = value(); err == nil {
				if ppsburst64 != 0 {
					return tc.DupArg("pkts_burst", v)
				}
				if ppsburst64, err = tc.GetU64(v, 10); err != nil {
					err = tc.InvArg("pkts_burst", v)
				}
			}
		case w == "help":
			return tc.Exitf(255, "%s", usage)
		default:
			goto done
		}
		if err != nil {
			return err
		}
		a.Next()
		ok++
	}
done:
	if ok == 0 {
		return silent()
	}
	if rate64 != 0 && avrate != 0 {
		return silent()
	}
	switch {
	case rate64 == 0 && avrate == 0 && p.Index == 0 && mtu == 0 && pps64 == 0:
		return tc.Usagef("'rate' or 'avrate' or 'mtu' or 'pkts_rate' MUST be specified.")
	case rate64 != 0 && buffer == 0 && avrate == 0:
		return tc.Usagef("'burst' requires 'rate'.")
	case pps64 != 0 && ppsburst64 == 0:
		return tc.Usagef("'pkts_burst' requires 'pkts_rate'.")
	case pps64 != 0 && rate64 != 0:
		return tc.Usagef("'rate' and 'pkts_rate' are not allowed in same action.")
	case prate64 != 0 && rate64 == 0:
		return tc.Usagef("'peakrate' requires 'rate'.")
	case prate64 != 0 && mtu == 0:
		return tc.Usagef("'mtu' is required, if 'peakrate' is requested.")
	}
	var rtab, ptab [256]uint32
	if rate64 != 0 {
		p.Rate.Rate = uint32(min(rate64, 0xFFFFFFFF))
		p.Rate.MPU, p.Rate.Overhead = uint16(mpu), overhead
		tc.CalcRtable(&p.Rate, &rtab, rcell, mtu, linklayer, rate64)
		p.Burst = tc.XmitTime(rate64, buffer)
	}
	p.MTU = mtu
	if prate64 != 0 {
		p.PeakRate.Rate = uint32(min(prate64, 0xFFFFFFFF))
		p.PeakRate.MPU, p.PeakRate.Overhead = uint16(mpu), overhead
		tc.CalcRtable(&p.PeakRate, &ptab, pcell, mtu, linklayer, prate64)
	}
	b.Nest(attr)
	b.Put(TCA_POLICE_TBF, p.Encode())
	if rate64 != 0 {
		b.Put(TCA_POLICE_RATE, table(&rtab))
		if rate64 >= 1<<32 {
			b.PutU64(TCA_POLICE_RATE64, rate64)
		}
	}
	if prate64 != 0 {
		b.Put(TCA_POLICE_PEAKRATE, table(&ptab))
		if prate64 >= 1<<32 {
			b.PutU64(TCA_POLICE_PEAKRATE64, prate64)
		}
	}
	if avrate != 0 {
		b.PutU32(TCA_POLICE_AVRATE, avrate)
	}
	if presult != 0 {
		b.PutU32(TCA_POLICE_RESULT, uint32(presult))
	}
	if pps64 != 0 {
		b.PutU64(TCA_POLICE_PKTRATE64, pps64)
		b.PutU64(TCA_POLICE_PKTBURST64, uint64(tc.XmitTime(pps64, uint32(ppsburst64))))
	}
	b.EndNest()
	return nil
}

func table(t *[256]uint32) []byte {
	out := make([]byte, 1024)
	for i, v := range t {
		binary.NativeEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// PrintAction prints a policer (print_police).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.JSON, "kind", "%s", "police")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_POLICE_MAX)
	t := tb.Get(TCA_POLICE_TBF)
	if t == nil {
		return tc.Fail("[NULL police tbf]")
	}
	if len(t.Data) < ParmsLen {
		return tc.Fail("[truncated police tbf]")
	}
	pa := DecodeParms(t.Data)
	rate64 := uint64(pa.Rate.Rate)
	if x := tb.Get(TCA_POLICE_RATE64); x != nil && len(x.Data) >= 8 {
		rate64 = x.U64()
	}
	p.Hex(tc.Text, "", " police 0x%x ", uint64(pa.Index))
	p.Uint(tc.JSON, "index", "", uint64(pa.Index))
	p.Rate(tc.Text, "", "rate %s ", rate64)
	p.Size(tc.Text, "", "burst %s ", tc.XmitSize(rate64, pa.Burst))
	p.Size(tc.Text, "", "mtu %s ", pa.MTU)
	if p.Raw {
		p.Hex(tc.Text, "", "[%08x] ", uint64(pa.Burst))
	}
	prate64 := uint64(pa.PeakRate.Rate)
	if x := tb.Get(TCA_POLICE_PEAKRATE64); x != nil && len(x.Data) >= 8 {
		prate64 = x.U64()
	}
	if prate64 != 0 {
		p.Rate(tc.Text, "", "peakrate %s ", prate64)
	}
	if x := tb.Get(TCA_POLICE_AVRATE); x != nil && len(x.Data) >= 4 {
		p.Rate(tc.Text, "", "avrate %s ", uint64(x.U32()))
	}
	pr, pb := tb.Get(TCA_POLICE_PKTRATE64), tb.Get(TCA_POLICE_PKTBURST64)
	if pr != nil && len(pr.Data) >= 8 && pb != nil && len(pb.Data) >= 8 {
		pps := pr.U64()
		p.Uint(tc.Any, "pkts_rate", "pkts_rate %d ", pps)
		p.Uint(tc.Any, "pkts_burst", "pkts_burst %d ", uint64(tc.XmitSize(pps, uint32(pb.U64()))))
	}
	actutil.PrintControl(p, "action ", pa.Action, "")
	if x := tb.Get(TCA_POLICE_RESULT); x != nil && len(x.Data) >= 4 {
		actutil.PrintControl(p, "/", int32(x.U32()), " ")
	} else {
		p.Text(" ")
	}
	p.Size(tc.Any, "overhead", "overhead %s ", uint32(pa.Rate.Overhead))
	if ll := pa.Rate.LinkLayer & 0x0F; ll > tc.LinkLayerEthernet || p.Details {
		p.String(tc.Any, "linklayer", "linklayer %s ", tc.LinkLayerString(uint32(ll)))
	}
	p.NL()
	p.Int(tc.Any, "ref", "\tref %d ", int64(pa.Refcnt))
	p.Int(tc.Any, "bind", "bind %d ", int64(pa.Bindcnt))
	if p.Stats {
		if tm := tb.Get(TCA_POLICE_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}

// PrintPolice prints a classifier's police attribute (tc_print_police).
func (s syntax) PrintPolice(p *tc.Printer, opt []byte) error { return s.PrintAction(p, opt) }
