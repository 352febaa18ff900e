package htb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is htb's tc face (q_htb.c of iproute2 6.1): qdisc and class words,
// options, and class xstats.
var Syntax tc.QdiscSyntax = syntax{}

var (
	_ tc.ClassSyntax   = syntax{}
	_ tc.XstatsPrinter = syntax{}
)

type syntax struct{}

const usage = `Usage: ... qdisc add ... htb [default N] [r2q N]
                      [direct_qlen P] [offload]
 default  minor id of class to which unclassified packets are sent {0}
 r2q      DRR quantums are computed as rate in Bps/r2q {10}
 debug    string of 16 numbers each 0-3 {0}

 direct_qlen  Limit of the direct queue {in packets}
 offload  enable hardware offload
... class add ... htb rate R1 [burst B1] [mpu B] [overhead O]
                      [prio P] [slot S] [pslot PS]
                      [ceil R2] [cburst B2] [mtu MTU] [quantum Q]
 rate     rate allocated to this class (class can still borrow)
 burst    max bytes burst which can be accumulated during idle period {computed}
 mpu      minimum packet size used in rate computations
 overhead per-packet size overhead used in rate computations
 linklay  adapting to a linklayer e.g. atm
 ceil     definite upper class rate (no borrows) {rate}
 cburst   burst but for ceil {computed}
 mtu      max packet size we create rate map for {1600}
 prio     priority of leaf; lower are served first {0}
 quantum  how much bytes to serve from leaf at once {use r2q}

TC HTB version 3.3`

// illegal is explain1: the word, then the usage; tc exits with 1.
func illegal(word string) error { return tc.Usagef("Illegal \"%s\"\n%s", word, usage) }

// ParseQdisc reads `[default N] [r2q N] [direct_qlen P] [debug D] [offload]`
// (htb_parse_opt).
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	g := Glob{Rate2Quantum: 10, Version: ProtoVersion}
	directQlen := ^uint32(0)
	offload := false
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "r2q"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if g.Rate2Quantum, err = tc.GetU32(v, 10); err != nil {
				return illegal("r2q")
			}
		case tc.Matches(w, "default"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if g.DefCls, err = tc.GetU32(v, 16); err != nil {
				return illegal("default")
			}
		case tc.Matches(w, "debug"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			for i := 0; i < 16 && i < len(v) && v[i] >= '0' && v[i] <= '3'; i++ {
				g.Debug |= uint32(v[i]-'0') << (2 * i)
			}
		case tc.Matches(w, "direct_qlen"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if directQlen, err = tc.GetU32(v, 10); err != nil {
				return illegal("direct_qlen")
			}
		case tc.Matches(w, "offload"):
			offload = true
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_HTB_INIT, g.Append(nil))
	// ~0 means "not given": the kernel then uses txqueuelen.
	if directQlen != ^uint32(0) {
		b.PutU32(TCA_HTB_DIRECT_QLEN, directQlen)
	}
	if offload {
		b.PutFlag(TCA_HTB_OFFLOAD)
	}
	b.EndNest()
	return nil
}

// classArgs are the words of a class (htb_parse_class_opt).
type classArgs struct {
	opt             Opt
	buffer, cbuffer uint32
	cellLog, ccell  int
	mtu             uint32
	mpu, overhead   uint16
	linkLayer       uint8
	rate64, ceil64  uint64
}

// ParseClass reads `rate R [ceil R] [burst B] [cburst B] [prio P]
// [quantum Q] [mtu M] [mpu B] [overhead O] [linklayer L]` and computes the
// bucket depths as times, with the legacy rate tables the kernel still
// accepts (htb_parse_class_opt).
func (syntax) ParseClass(a *tc.Args, b *nl.Builder) error {
	c := classArgs{cellLog: -1, ccell: -1, mtu: 1600, linkLayer: tc.LinkLayerEthernet}
	for a.More() {
		if err := c.word(a, a.Next()); err != nil {
			return err
		}
	}
	if c.rate64 == 0 {
		return tc.Usagef("\"rate\" is required.")
	}
	if c.ceil64 == 0 {
		c.ceil64 = c.rate64
	}
	o := &c.opt
	o.Rate.Rate = saturate32(c.rate64)
	o.Ceil.Rate = saturate32(c.ceil64)
	// The smallest burst that lets the rate through at timer resolution,
	// plus one MTU of safety.
	if c.buffer == 0 {
		c.buffer = uint32(c.rate64/tc.Hz() + uint64(c.mtu))
	}
	if c.cbuffer == 0 {
		c.cbuffer = uint32(c.ceil64/tc.Hz() + uint64(c.mtu))
	}
	o.Rate.Overhead, o.Ceil.Overhead = c.overhead, c.overhead
	o.Rate.MPU, o.Ceil.MPU = c.mpu, c.mpu
	var rtab, ctab [256]uint32
	tc.CalcRtable(&o.Rate, &rtab, c.cellLog, c.mtu, c.linkLayer, uint64(o.Rate.Rate))
	o.Buffer = tc.XmitTime(c.rate64, c.buffer)
	tc.CalcRtable(&o.Ceil, &ctab, c.ccell, c.mtu, c.linkLayer, uint64(o.Ceil.Rate))
	o.CBuffer = tc.XmitTime(c.ceil64, c.cbuffer)

	b.Nest(sched.TCA_OPTIONS)
	if c.rate64 >= 1<<32 {
		b.PutU64(TCA_HTB_RATE64, c.rate64)
	}
	if c.ceil64 >= 1<<32 {
		b.PutU64(TCA_HTB_CEIL64, c.ceil64)
	}
	b.Put(TCA_HTB_PARMS, o.Append(nil))
	b.Put(TCA_HTB_RTAB, tableBytes(&rtab))
	b.Put(TCA_HTB_CTAB, tableBytes(&ctab))
	b.EndNest()
	return nil
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

// word takes one class word and its value.
func (c *classArgs) word(a *tc.Args, w string) error {
	value := func() (string, error) { return a.Value() }
	switch {
	case tc.Matches(w, "prio"):
		v, err := value()
		if err != nil {
			return err
		}
		if c.opt.Prio, err = tc.GetU32(v, 10); err != nil {
			return illegal("prio")
		}
	case tc.Matches(w, "mtu"):
		v, err := value()
		if err != nil {
			return err
		}
		if c.mtu, err = tc.GetU32(v, 10); err != nil {
			return illegal("mtu")
		}
	case tc.Matches(w, "mpu"):
		v, err := value()
		if err != nil {
			return err
		}
		if c.mpu, err = tc.GetU16(v, 10); err != nil {
			return illegal("mpu")
		}
	case tc.Matches(w, "overhead"):
		v, err := value()
		if err != nil {
			return err
		}
		if c.overhead, err = tc.GetU16(v, 10); err != nil {
			return illegal("overhead")
		}
	case tc.Matches(w, "linklayer"):
		v, err := value()
		if err != nil {
			return err
		}
		ll, ok := tc.ParseLinkLayer(v)
		if !ok {
			return illegal("linklayer")
		}
		c.linkLayer = ll
	case tc.Matches(w, "quantum"):
		v, err := value()
		if err != nil {
			return err
		}
		if c.opt.Quantum, err = tc.GetU32(v, 10); err != nil {
			return illegal("quantum")
		}
	case tc.Matches(w, "burst"), w == "buffer", w == "maxburst":
		v, err := value()
		if err != nil {
			return err
		}
		if c.buffer, c.cellLog, err = sizeAndCell(v, c.cellLog); err != nil {
			return illegal(w)
		}
	case tc.Matches(w, "cburst"), w == "cbuffer", w == "cmaxburst":
		v, err := value()
		if err != nil {
			return err
		}
		if c.cbuffer, c.ccell, err = sizeAndCell(v, c.ccell); err != nil {
			return illegal(w)
		}
	case w == "ceil", w == "rate":
		v, err := value()
		if err != nil {
			return err
		}
		dst := &c.rate64
		if w == "ceil" {
			dst = &c.ceil64
		}
		if *dst != 0 {
			return tc.Usagef("Double \"%s\" spec", w)
		}
		if *dst, err = parseRate(v, a.Dev); err != nil {
			if msg := err.Error(); msg != "" {
				return tc.Usagef("%s\nIllegal \"%s\"\n%s", msg, w, usage)
			}
			return illegal(w)
		}
	case w == "help":
		return tc.Usagef("%s", usage)
	default:
		return tc.Usagef("What is \"%s\"?\n%s", w, usage)
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
// two, giving the size and the cell's log; without a cell, cellLog stays.
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

// PrintQdisc prints the qdisc's options (htb_print_opt on TCA_HTB_INIT).
func (s syntax) PrintQdisc(p *tc.Printer, opt []byte) error { return s.print(p, opt) }

// PrintClass prints a class (htb_print_opt on TCA_HTB_PARMS).
func (s syntax) PrintClass(p *tc.Printer, opt []byte) error { return s.print(p, opt) }

func (syntax) print(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_HTB_MAX)
	if a := tb.Get(TCA_HTB_PARMS); a != nil {
		if len(a.Data) < optLen {
			return errShort
		}
		printParms(p, DecodeOpt(a.Data), tb)
	}
	if a := tb.Get(TCA_HTB_INIT); a != nil {
		if len(a.Data) < globLen {
			return errShort
		}
		g := DecodeGlob(a.Data)
		p.Int(tc.Any, "r2q", "r2q %d", int64(int32(g.Rate2Quantum)))
		p.Hex(tc.JSON, "default", "", uint64(g.DefCls))
		p.String(tc.Text, "", " default %s", cHex(uint64(g.DefCls)))
		p.Uint(tc.Any, "direct_packets_stat", " direct_packets_stat %d", uint64(g.DirectPkts))
		if p.Details {
			p.String(tc.Any, "ver", " ver %s", fmt.Sprintf("%d.%d", g.Version>>16, g.Version&0xffff))
		}
	}
	if a := tb.Get(TCA_HTB_DIRECT_QLEN); a != nil && len(a.Data) >= 4 {
		p.Uint(tc.Any, "direct_qlen", " direct_qlen %d", uint64(a.U32()))
	}
	if tb.Has(TCA_HTB_OFFLOAD) {
		p.Null(tc.Any, "offload", " offload", "")
	}
	return nil
}

var errShort = errors.New("htb: options too short")

// cHex is C's "%#llx": 0x-prefixed, except zero.
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

func printParms(p *tc.Printer, o Opt, tb nl.Attrs) {
	if o.Level == 0 {
		p.Int(tc.Any, "prio", "prio %d ", int64(int32(o.Prio)))
		if p.Details {
			p.Int(tc.Any, "quantum", "quantum %d ", int64(int32(o.Quantum)))
		}
	}
	rate64, ceil64 := uint64(o.Rate.Rate), uint64(o.Ceil.Rate)
	if a := tb.Get(TCA_HTB_RATE64); a != nil && len(a.Data) >= 8 {
		rate64 = a.U64()
	}
	if a := tb.Get(TCA_HTB_CEIL64); a != nil && len(a.Data) >= 8 {
		ceil64 = a.U64()
	}
	p.Rate(tc.Any, "rate", "rate %s ", rate64)
	if o.Rate.Overhead != 0 {
		p.Uint(tc.Any, "overhead", "overhead %d ", uint64(o.Rate.Overhead))
	}
	buffer := tc.XmitSize(rate64, o.Buffer)
	p.Rate(tc.Any, "ceil", "ceil %s ", ceil64)
	cbuffer := tc.XmitSize(ceil64, o.CBuffer)
	ll := uint32(o.Rate.LinkLayer & sched.LinkLayerMask)
	if ll > tc.LinkLayerEthernet || p.Details {
		p.String(tc.Any, "linklayer", "linklayer %s ", tc.LinkLayerString(ll))
	}
	if p.Details {
		p.Size(tc.Any, "burst", "burst %s/", buffer)
		p.Uint(tc.Any, "burst_cell", "%d ", uint64(uint32(1)<<(o.Rate.CellLog&31)))
		p.Size(tc.Any, "mpu_rate", "mpu %s ", uint32(o.Rate.MPU))
		p.Size(tc.Any, "cburst", "cburst %s/", cbuffer)
		p.Uint(tc.Any, "cburst_cell", "%d ", uint64(uint32(1)<<(o.Ceil.CellLog&31)))
		p.Size(tc.Any, "mpu_ceil", "mpu %s ", uint32(o.Ceil.MPU))
		p.Int(tc.Any, "level", "level %d ", int64(int32(o.Level)))
	} else {
		p.Size(tc.Any, "burst", "burst %s ", buffer)
		p.Size(tc.Any, "cburst", "cburst %s ", cbuffer)
	}
	if p.Raw {
		p.Text(fmt.Sprintf("buffer [%08x] cbuffer [%08x] ", o.Buffer, o.CBuffer))
	}
}

// PrintXstats prints a class's lends, borrows and tokens (htb_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	if b == nil {
		return nil
	}
	x, err := DecodeXstats(b)
	if err != nil {
		return err
	}
	p.Uint(tc.Any, "lended", " lended: %d ", uint64(x.Lends))
	p.Uint(tc.Any, "borrowed", "borrowed: %d ", uint64(x.Borrows))
	p.Uint(tc.Any, "giants", "giants: %d", uint64(x.Giants))
	p.NL()
	p.Int(tc.Any, "tokens", " tokens: %d ", int64(x.Tokens))
	p.Int(tc.Any, "ctokens", "ctokens: %d", int64(x.CTokens))
	p.NL()
	return nil
}
