package tbf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is tbf's tc face (q_tbf.c of iproute2 6.1). tbf has no class
// words: tc calls it classless for `tc class add`.
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n" +
	"\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]"

// illegal is explain1: the complaint alone, exit code 1.
func illegal(word, value string) error {
	return tc.Usagef("tbf: illegal value for \"%s\": \"%s\"", word, value)
}

func dup(what string) error { return tc.Usagef("tbf: duplicate \"%s\" specification", what) }

// args are the words of a tbf (tbf_parse_opt).
type args struct {
	opt              Qopt
	buffer, mtu, mpu uint32
	latency          uint32 // us
	rcell, pcell     int
	overhead         uint16
	linkLayer        uint8
	rate64, prate64  uint64
}

// ParseQdisc reads `rate R burst B[/CELL] (limit L | latency T) [peakrate P
// mtu M[/CELL]] [mpu M] [overhead O] [linklayer L]`; it reports every
// missing word at once, then the usage.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	c := args{rcell: -1, pcell: -1, linkLayer: tc.LinkLayerEthernet}
	for a.More() {
		if err := c.word(a, a.Next()); err != nil {
			return err
		}
	}
	var missing []string
	if c.rate64 == 0 {
		missing = append(missing, "tbf: the \"rate\" parameter is mandatory.")
	}
	if c.buffer == 0 {
		missing = append(missing, "tbf: the \"burst\" parameter is mandatory.")
	}
	if c.prate64 != 0 && c.mtu == 0 {
		missing = append(missing, "tbf: when \"peakrate\" is specified, \"mtu\" must also be specified.")
	}
	if c.opt.Limit == 0 && c.latency == 0 {
		missing = append(missing, "tbf: either \"limit\" or \"latency\" is required.")
	}
	if missing != nil {
		return tc.Usagef("%s\n%s", strings.Join(missing, "\n"), usage)
	}
	o := &c.opt
	o.Rate.Rate = saturate32(c.rate64)
	o.PeakRate.Rate = saturate32(c.prate64)
	if o.Limit == 0 {
		// The limit that makes the worst latency the one asked for.
		lim := float64(c.rate64)*float64(c.latency)/tc.TimeUnitsPerSec + float64(c.buffer)
		if c.prate64 != 0 {
			lim2 := float64(c.prate64)*float64(c.latency)/tc.TimeUnitsPerSec + float64(c.mtu)
			lim = min(lim, lim2)
		}
		o.Limit = cUint32(lim)
	}
	o.Rate.MPU = uint16(c.mpu)
	o.Rate.Overhead = c.overhead
	var rtab, ptab [256]uint32
	tc.CalcRtable(&o.Rate, &rtab, c.rcell, c.mtu, c.linkLayer, uint64(o.Rate.Rate))
	o.Buffer = tc.XmitTime(uint64(o.Rate.Rate), c.buffer)
	if o.PeakRate.Rate != 0 {
		o.PeakRate.MPU = uint16(c.mpu)
		o.PeakRate.Overhead = c.overhead
		tc.CalcRtable(&o.PeakRate, &ptab, c.pcell, c.mtu, c.linkLayer, uint64(o.PeakRate.Rate))
		o.MTU = tc.XmitTime(uint64(o.PeakRate.Rate), c.mtu)
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_TBF_PARMS, o.Append(nil))
	b.PutU32(TCA_TBF_BURST, c.buffer)
	if c.rate64 >= 1<<32 {
		b.PutU64(TCA_TBF_RATE64, c.rate64)
	}
	b.Put(TCA_TBF_RTAB, tableBytes(&rtab))
	if o.PeakRate.Rate != 0 {
		if c.prate64 >= 1<<32 {
			b.PutU64(TCA_TBF_PRATE64, c.prate64)
		}
		b.PutU32(TCA_TBF_PBURST, c.mtu)
		b.Put(TCA_TBF_PTAB, tableBytes(&ptab))
	}
	b.EndNest()
	return nil
}

// cUint32 is C's double to unsigned int conversion on x86-64.
func cUint32(v float64) uint32 {
	if v != v || v >= 1<<63 || v < -(1<<63) {
		return 0
	}
	return uint32(int64(v))
}

func saturate32(v uint64) uint32 {
	if v >= 1<<32 {
		return ^uint32(0)
	}
	return uint32(v)
}

func tableBytes(t *[256]uint32) []byte {
	b := make([]byte, 0, sched.RateTableSize)
	for _, v := range t {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// word takes one word and its value.
func (c *args) word(a *tc.Args, w string) error {
	var v string
	if w != "help" {
		known := tc.Matches(w, "limit") || tc.Matches(w, "latency") || tc.Matches(w, "burst") ||
			w == "buffer" || w == "maxburst" || w == "mtu" || w == "minburst" || w == "mpu" ||
			w == "rate" || tc.Matches(w, "peakrate") || tc.Matches(w, "overhead") ||
			tc.Matches(w, "linklayer")
		if !known {
			return tc.Usagef("tbf: unknown parameter \"%s\"\n%s", w, usage)
		}
		var err error
		if v, err = a.Value(); err != nil {
			return err
		}
	}
	switch {
	case tc.Matches(w, "limit"):
		if c.opt.Limit != 0 {
			return dup("limit")
		}
		if c.latency != 0 {
			return tc.Usagef("tbf: specifying both \"latency\" and \"limit\" is not allowed")
		}
		l, err := tc.ParseSize(v)
		if err != nil {
			return illegal("limit", v)
		}
		c.opt.Limit = l
	case tc.Matches(w, "latency"):
		if c.latency != 0 {
			return dup("latency")
		}
		if c.opt.Limit != 0 {
			return tc.Usagef("tbf: specifying both \"limit\" and \"/latency\" is not allowed")
		}
		l, err := tc.ParseTime(v)
		if err != nil {
			return illegal("latency", v)
		}
		c.latency = l
	case tc.Matches(w, "burst"), w == "buffer", w == "maxburst":
		if c.buffer != 0 {
			return dup("buffer/burst/maxburst")
		}
		sz, cell, err := sizeAndCell(v, c.rcell)
		if err != nil {
			return illegal(w, v)
		}
		c.buffer, c.rcell = sz, cell
	case w == "mtu", w == "minburst":
		if c.mtu != 0 {
			return dup("mtu/minburst")
		}
		sz, cell, err := sizeAndCell(v, c.pcell)
		if err != nil {
			return illegal(w, v)
		}
		c.mtu, c.pcell = sz, cell
	case w == "mpu":
		if c.mpu != 0 {
			return dup("mpu")
		}
		m, err := tc.ParseSize(v)
		if err != nil {
			return illegal("mpu", v)
		}
		c.mpu = m
	case w == "rate", tc.Matches(w, "peakrate"):
		name, dst := "rate", &c.rate64
		if w != "rate" {
			name, dst = "peakrate", &c.prate64
		}
		if *dst != 0 {
			return dup(name)
		}
		r, err := parseRate(v, a.Dev)
		if err != nil {
			if msg := err.Error(); msg != "" {
				return tc.Usagef("%s\ntbf: illegal value for \"%s\": \"%s\"", msg, name, v)
			}
			return illegal(name, v)
		}
		*dst = r
	case tc.Matches(w, "overhead"):
		if c.overhead != 0 {
			return dup("overhead")
		}
		o, err := tc.GetU16(v, 10)
		if err != nil {
			return illegal("overhead", v)
		}
		c.overhead = o
	case tc.Matches(w, "linklayer"):
		ll, ok := tc.ParseLinkLayer(v)
		if !ok {
			return illegal("linklayer", v)
		}
		c.linkLayer = ll
	default: // help
		return tc.Usagef("%s", usage)
	}
	return nil
}

var errQuiet = errors.New("")

// parseRate reads a rate, or a percentage of the device's speed; the
// error's text is what get_percent_rate64 printed (empty for get_rate64).
func parseRate(v, dev string) (uint64, error) {
	if strings.Contains(v, "%") {
		return tc.ParsePercentRate64(v, dev)
	}
	r, err := tc.ParseRate64(v)
	if err != nil {
		return 0, errQuiet
	}
	return r, nil
}

// sizeAndCell is get_size_and_cell: "SIZE[/CELL]" with CELL a power of
// two, giving the size and the cell's log.
func sizeAndCell(s string, cellLog int) (uint32, int, error) {
	size, cell, slash := strings.Cut(s, "/")
	sz, err := tc.ParseSize(size)
	if err != nil {
		return 0, cellLog, err
	}
	if !slash {
		return sz, cellLog, nil
	}
	n, err := tc.GetInteger(cell, 0)
	if err != nil {
		return 0, cellLog, err
	}
	for i := 0; i < 32; i++ {
		if int32(uint32(1)<<i) == n {
			return sz, i, nil
		}
	}
	return 0, cellLog, errors.New("cell size is not a power of two")
}

// PrintQdisc prints rate, burst, peak rate, latency (or limit when the
// latency would be negative), overhead and link layer (tbf_print_opt).
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_TBF_MAX)
	a := tb.Get(TCA_TBF_PARMS)
	if a == nil || len(a.Data) < qoptLen {
		return errors.New("tbf: options missing or too short")
	}
	q := DecodeQopt(a.Data)
	rate64 := uint64(q.Rate.Rate)
	if r := tb.Get(TCA_TBF_RATE64); r != nil && len(r.Data) >= 8 {
		rate64 = r.U64()
	}
	p.Rate(tc.Any, "rate", "rate %s ", rate64)
	buffer := tc.XmitSize(rate64, q.Buffer)
	if p.Details {
		p.String(tc.Any, "burst", "burst %s ", fmt.Sprintf("%s/%d", tc.SizeString(buffer), uint32(1)<<(q.Rate.CellLog&31)))
		p.Size(tc.Any, "mpu", "mpu %s ", uint32(q.Rate.MPU))
	} else {
		p.Size(tc.Any, "burst", "burst %s ", buffer)
	}
	if p.Raw {
		rawHex(p, "burst_raw", q.Buffer)
	}
	prate64 := uint64(q.PeakRate.Rate)
	if r := tb.Get(TCA_TBF_PRATE64); r != nil && len(r.Data) >= 8 {
		prate64 = r.U64()
	}
	if prate64 != 0 {
		p.Rate(tc.Text, "", "peakrate %s ", prate64)
		if q.MTU != 0 || q.PeakRate.MPU != 0 {
			mtu := tc.XmitSize(prate64, q.MTU)
			if p.Details {
				p.String(tc.Any, "mtu", "mtu %s ", fmt.Sprintf("%s/%d", tc.SizeString(mtu), uint32(1)<<(q.PeakRate.CellLog&31)))
				p.Size(tc.Any, "mpu", "mpu %s ", uint32(q.PeakRate.MPU))
			} else {
				p.Size(tc.Any, "minburst", "minburst %s ", mtu)
			}
			if p.Raw {
				rawHex(p, "mtu_raw", q.MTU)
			}
		}
	}
	latency := tc.TimeUnitsPerSec*(float64(q.Limit)/float64(rate64)) - float64(tc.TicksToTime(q.Buffer))
	if prate64 != 0 {
		lat2 := tc.TimeUnitsPerSec*(float64(q.Limit)/float64(prate64)) - float64(tc.TicksToTime(q.MTU))
		latency = max(latency, lat2)
	}
	if latency >= 0 {
		p.Uint(tc.JSON, "lat", "", uint64(latency))
		p.String(tc.Text, "", "lat %s ", tc.TimeString(cUint32(latency)))
	}
	if p.Raw || latency < 0 {
		p.Size(tc.Any, "limit", "limit %s ", q.Limit)
	}
	if q.Rate.Overhead != 0 {
		p.Int(tc.Any, "overhead", "overhead %d ", int64(q.Rate.Overhead))
	}
	ll := uint32(q.Rate.LinkLayer & sched.LinkLayerMask)
	if ll > tc.LinkLayerEthernet || p.Details {
		p.String(tc.Any, "linklayer", "linklayer %s ", tc.LinkLayerString(ll))
	}
	return nil
}

// rawHex is print_hex: "[%08x] " in text, the bare hex digits in JSON.
func rawHex(p *tc.Printer, key string, v uint32) {
	p.String(tc.JSON, key, "", fmt.Sprintf("%x", v))
	p.String(tc.Text, "", "%s", fmt.Sprintf("[%08x] ", v))
}
