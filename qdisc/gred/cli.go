package gred

import (
	"encoding/binary"
	"math"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is gred's tc face (q_gred.c of iproute2 6.1): `setup vqs N
// default D [grio] [limit L] [ecn] [harddrop]` for the table, or the
// parameters of one VQ.
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: tc qdisc { add | replace | change } ... gred setup vqs NUMBER\n" +
	"           default DEFAULT_VQ [ grio ] [ limit BYTES ] [ecn] [harddrop]\n" +
	"       tc qdisc change ... gred vq VQ [ prio VALUE ] limit BYTES\n" +
	"           min BYTES max BYTES avpkt BYTES [ burst PACKETS ]\n" +
	"           [ probability PROBABILITY ] [ bandwidth KBPS ] [ecn] [harddrop]"

// setup is init_gred: the table's words.
func setup(a *tc.Args, b *nl.Builder) error {
	s := Sopt{DefDP: MaxDPs}
	var limit uint32
	for a.More() {
		switch w := a.Next(); w {
		case "vqs", "DPs":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if s.DPs, err = tc.GetU32(v, 10); err != nil {
				return tc.Usagef("Illegal \"vqs\"")
			}
			if s.DPs > MaxDPs {
				return tc.Usagef("GRED: only %d VQs are currently supported", MaxDPs)
			}
		case "default":
			if s.DPs == 0 {
				return tc.Usagef("\"default\" must be defined after \"vqs\"")
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			if s.DefDP, err = tc.GetU32(v, 10); err != nil {
				return tc.Usagef("Illegal \"default\"")
			}
			if s.DefDP >= s.DPs {
				return tc.Usagef("\"default\" must be less than \"vqs\"")
			}
		case "grio":
			s.Grio = 1
		case "limit":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if limit, err = tc.ParseSize(v); err != nil {
				return tc.Usagef("Illegal \"limit\"")
			}
		case "ecn":
			s.Flags |= aqm.REDECN
		case "harddrop":
			s.Flags |= aqm.REDHarddrop
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if s.DPs == 0 || s.DefDP == MaxDPs {
		return tc.Usagef("Illegal gred setup parameters")
	}
	// tc also sets NLM_F_CREATE here, so that a change can create.
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_GRED_DPS, s.Encode())
	if limit != 0 {
		b.PutU32(TCA_GRED_LIMIT, limit)
	}
	b.EndNest()
	return nil
}

// ParseQdisc is gred_parse_opt.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	o := Qopt{DP: MaxDPs}
	ok := 0
	var burst, avpkt, flags, rate uint32
	prob := 0.02
	for a.More() {
		w := a.Next()
		switch w {
		case "limit", "min", "max", "avpkt":
			v, err := a.Value()
			if err != nil {
				return err
			}
			x, err := tc.ParseSize(v)
			if err != nil {
				return tc.Usagef("Illegal \"%s\"", w)
			}
			*map[string]*uint32{"limit": &o.Limit, "min": &o.QthMin, "max": &o.QthMax, "avpkt": &avpkt}[w] = x
			ok++
		case "setup":
			if ok != 0 {
				return tc.Usagef("Illegal \"setup\"")
			}
			return setup(a, b)
		case "vq", "DP":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if o.DP, err = tc.GetU32(v, 10); err != nil {
				return tc.Usagef("Illegal \"vq\"")
			}
			if o.DP >= MaxDPs {
				return tc.Usagef("GRED: only %d VQs are currently supported", MaxDPs)
			}
			ok++
		case "burst":
			v, err := a.Value()
			if err != nil {
				return err
			}
			x, err := tc.ParseUint(v, 32)
			if err != nil {
				return tc.Usagef("Illegal \"burst\"")
			}
			burst = uint32(x)
			ok++
		case "probability":
			v, err := a.Value()
			if err != nil {
				return err
			}
			var good bool
			if prob, good = aqm.ParseProbability(v); !good {
				return tc.Usagef("Illegal \"probability\"")
			}
			ok++
		case "prio":
			v, err := a.Value()
			if err != nil {
				return err
			}
			x, _, _ := tc.Strtol(v, 10)
			o.Prio = uint8(x)
			ok++
		case "bandwidth":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if rate, err = aqm.ParseBandwidth(v, a.Dev); err != nil {
				return err
			}
			ok++
		case "ecn":
			flags |= aqm.REDECN
		case "harddrop":
			flags |= aqm.REDHarddrop
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if ok == 0 {
		return tc.Usagef("%s", usage)
	}
	if o.DP == MaxDPs || o.Limit == 0 || o.QthMin == 0 || o.QthMax == 0 || avpkt == 0 {
		return tc.Usagef("Required parameter (vq, limit, min, max, avpkt) is missing")
	}
	if burst == 0 {
		burst = (2*o.QthMin + o.QthMax) / (3 * avpkt)
		a.Warn("GRED: set burst to " + itoa(burst))
	}
	if rate == 0 {
		rate, _ = tc.ParseRate("10Mbit")
		a.Warn("GRED: set bandwidth to 10Mbit")
	}
	s, err := aqm.ComputeRED("GRED", o.QthMin, o.QthMax, burst, avpkt, rate, prob, a.Warn)
	if err != nil {
		return err
	}
	o.Wlog, o.Plog, o.ScellLog = s.Wlog, s.Plog, s.ScellLog
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_GRED_PARMS, o.Append(nil))
	b.Put(TCA_GRED_STAB, s.Stab[:])
	b.PutU32(TCA_GRED_MAX_P, s.MaxP)
	b.Nest(TCA_GRED_VQ_LIST)
	b.Nest(TCA_GRED_VQ_ENTRY)
	b.PutU32(TCA_GRED_VQ_DP, o.DP)
	b.PutU32(TCA_GRED_VQ_FLAGS, flags)
	b.EndNest()
	b.EndNest()
	b.EndNest()
	return nil
}

func itoa(v uint32) string {
	if v == 0 {
		return "0"
	}
	var d [10]byte
	i := len(d)
	for ; v > 0; v /= 10 {
		i--
		d[i] = byte('0' + v%10)
	}
	return string(d[i:])
}

// vqInfo is what the VQ list of a dump says of one VQ (struct tc_gred_info).
type vqInfo struct {
	flagsPresent                                                                      bool
	bytes                                                                             uint64
	packets, backlog, probDrop, probMark, forcedDrop, forcedMark, pdrop, other, flags uint32
}

// parseVQs is gred_parse_vqs; as tc does, it reads the 64-bit byte count
// as 32 bits.
func parseVQs(info *[MaxDPs]vqInfo, list []byte) {
	nl.Walk(list, func(e nl.Attr) bool {
		if e.Type != TCA_GRED_VQ_ENTRY {
			return true
		}
		tb := nl.Parse(e.Data, TCA_GRED_VQ_MAX)
		dpa := tb.Get(TCA_GRED_VQ_DP)
		if dpa == nil || len(dpa.Data) < 4 {
			return true
		}
		dp := dpa.U32()
		if dp >= MaxDPs {
			return true
		}
		in := &info[dp]
		u := func(t uint16, v *uint32) {
			if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
				*v = a.U32()
			}
		}
		if a := tb.Get(TCA_GRED_VQ_STAT_BYTES); a != nil && len(a.Data) >= 4 {
			in.bytes = uint64(a.U32())
		}
		u(TCA_GRED_VQ_STAT_PACKETS, &in.packets)
		u(TCA_GRED_VQ_STAT_BACKLOG, &in.backlog)
		u(TCA_GRED_VQ_STAT_PROB_DROP, &in.probDrop)
		u(TCA_GRED_VQ_STAT_PROB_MARK, &in.probMark)
		u(TCA_GRED_VQ_STAT_FORCED_DROP, &in.forcedDrop)
		u(TCA_GRED_VQ_STAT_FORCED_MARK, &in.forcedMark)
		u(TCA_GRED_VQ_STAT_PDROP, &in.pdrop)
		u(TCA_GRED_VQ_STAT_OTHER, &in.other)
		in.flagsPresent = tb.Get(TCA_GRED_VQ_FLAGS) != nil
		u(TCA_GRED_VQ_FLAGS, &in.flags)
		return true
	})
}

// PrintQdisc is gred_print_opt: the table, then each VQ, with -d its RED
// logs and with -s its counters.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_GRED_MAX)
	parms, dps := tb.Get(TCA_GRED_PARMS), tb.Get(TCA_GRED_DPS)
	if parms == nil {
		return nil
	}
	var maxP []byte
	if a := tb.Get(TCA_GRED_MAX_P); a != nil && len(a.Data) >= 4*MaxDPs {
		maxP = a.Data
	}
	if dps == nil || len(dps.Data) < SoptLen || len(parms.Data) < QoptLen*MaxDPs {
		p.Fprintf("\n GRED received message smaller than expected\n")
		return nil
	}
	var info [MaxDPs]vqInfo
	vqList := tb.Get(TCA_GRED_VQ_LIST)
	if vqList != nil {
		parseVQs(&info, vqList.Data)
	}
	s := DecodeSopt(dps.Data)
	p.Uint(tc.Any, "dp_cnt", "vqs %d ", uint64(s.DPs))
	p.Uint(tc.Any, "dp_default", "default %d ", uint64(s.DefDP))
	if s.Grio != 0 {
		p.Bool(tc.Any, "grio", "grio ", true)
	} else {
		p.Bool(tc.Any, "grio", "", false)
	}
	if a := tb.Get(TCA_GRED_LIMIT); a != nil && len(a.Data) == 4 {
		p.Size(tc.Any, "limit", "limit %s ", a.U32())
	}
	aqm.PrintREDFlags(p, uint32(s.Flags))
	p.OpenArray(tc.JSON, "vqs", "")
	for i := 0; i < MaxDPs; i++ {
		o := DecodeQopt(parms.Data[i*QoptLen:])
		if o.DP >= MaxDPs {
			continue
		}
		p.OpenObject("")
		p.Uint(tc.Any, "vq", "\n vq %d ", uint64(o.DP))
		p.Uint(tc.Any, "prio", "prio %d ", uint64(o.Prio))
		p.Size(tc.Any, "limit", "limit %s ", o.Limit)
		p.Size(tc.Any, "min", "min %s ", o.QthMin)
		p.Size(tc.Any, "max", "max %s ", o.QthMax)
		if info[i].flagsPresent {
			aqm.PrintREDFlags(p, info[i].flags)
		}
		if p.Details {
			p.Uint(tc.Any, "ewma", "ewma %d ", uint64(o.Wlog))
			if maxP != nil {
				prob := float64(binary.NativeEndian.Uint32(maxP[4*i:])) / math.Pow(2, 32)
				p.Float(tc.JSON, "probability", "", prob)
				p.String(tc.Text, "", "probability %s ", aqm.FormatProb(prob))
			} else {
				p.Uint(tc.Any, "Plog", "Plog %d ", uint64(o.Plog))
			}
			p.Uint(tc.Any, "Scell_log", "Scell_log %d ", uint64(o.ScellLog))
		}
		if p.Stats {
			var in *vqInfo
			if vqList != nil {
				in = &info[i]
			}
			printStats(p, in, &o)
		}
		p.CloseObject()
	}
	p.CloseArray(tc.JSON, "vqs")
	return nil
}

// printStats is gred_print_stats.
func printStats(p *tc.Printer, in *vqInfo, o *Qopt) {
	bytes := uint64(o.Bytesin)
	if in != nil {
		bytes = in.bytes
	}
	p.Printf("\n  Queue size: ")
	p.Size(tc.Any, "qave", "average %s ", o.Qave)
	p.Size(tc.Any, "backlog", "current %s ", o.Backlog)
	p.Printf("\n  Dropped packets: ")
	if in != nil {
		p.Uint(tc.Any, "forced_drop", "forced %d ", uint64(in.forcedDrop))
		p.Uint(tc.Any, "prob_drop", "early %d ", uint64(in.probDrop))
		p.Uint(tc.Any, "pdrop", "pdrop %d ", uint64(in.pdrop))
		p.Uint(tc.Any, "other", "other %d ", uint64(in.other))
		p.Printf("\n  Marked packets: ")
		p.Uint(tc.Any, "forced_mark", "forced %d ", uint64(in.forcedMark))
		p.Uint(tc.Any, "prob_mark", "early %d ", uint64(in.probMark))
	} else {
		p.Uint(tc.Any, "forced_drop", "forced %d ", uint64(o.Forced))
		p.Uint(tc.Any, "prob_drop", "early %d ", uint64(o.Early))
		p.Uint(tc.Any, "pdrop", "pdrop %d ", uint64(o.PDrop))
		p.Uint(tc.Any, "other", "other %d ", uint64(o.Other))
	}
	p.Printf("\n  Total packets: ")
	p.Uint(tc.Any, "packets", "%d ", uint64(o.Packets))
	p.Size(tc.Any, "bytes", "(%s) ", uint32(bytes))
}
