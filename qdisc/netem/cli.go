package netem

import (
	"fmt"
	"math"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is netem's tc face (q_netem.c of iproute2 6.1). iproute2 6.1 has
// no word for the prng seed and ignores TCA_NETEM_PRNG_SEED in dumps; so
// does this face.
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

const usage = "Usage: ... netem [ limit PACKETS ]\n" +
	"                 [ delay TIME [ JITTER [CORRELATION]]]\n" +
	"                 [ distribution {uniform|normal|pareto|paretonormal} ]\n" +
	"                 [ corrupt PERCENT [CORRELATION]]\n" +
	"                 [ duplicate PERCENT [CORRELATION]]\n" +
	"                 [ loss random PERCENT [CORRELATION]]\n" +
	"                 [ loss state P13 [P31 [P32 [P23 P14]]]\n" +
	"                 [ loss gemodel PERCENT [R [1-H [1-K]]]\n" +
	"                 [ ecn ]\n" +
	"                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]\n" +
	"                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]\n" +
	"                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]\n" +
	"                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}\n" +
	"                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]"

const maxPercent = 4294967295.0 // UINT32_MAX

// parsePercent is parse_percent: a number of percent in [0, 100] with an
// optional "%".
func parsePercent(s string) (float64, bool) {
	v, n := tc.Strtod(s)
	v /= 100
	if v > 1 || v < 0 {
		return 0, false
	}
	if rest := s[n:]; rest != "" && rest != "%" {
		return 0, false
	}
	return v, true
}

// setPercent is set_percent: a fraction scaled to 32 bits.
func setPercent(v float64) uint32 { return uint32(int64(math.RoundToEven(v * maxPercent))) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parser holds the state of one parse.
type parser struct {
	a *tc.Args
}

// nextIsNumber is NEXT_IS_NUMBER: the next word starts with a digit.
func (ps *parser) nextIsNumber() bool {
	w := ps.a.Peek()
	return ps.a.More() && w != "" && isDigit(w[0])
}

// nextIsSigned is NEXT_IS_SIGNED_NUMBER.
func (ps *parser) nextIsSigned() bool {
	w := ps.a.Peek()
	return ps.a.More() && w != "" && (isDigit(w[0]) || w[0] == '-')
}

func illegal(what string) error { return tc.Usagef("Illegal \"%s\"", what) }

func (ps *parser) percent(dst *uint32, what string) error {
	s, err := ps.a.Value()
	if err != nil {
		return err
	}
	v, ok := parsePercent(s)
	if !ok {
		return illegal(what)
	}
	*dst = setPercent(v)
	return nil
}

// ticks is get_ticks: a time in ticks, refused when it overflows them.
func (ps *parser) ticks(dst *uint32, what string) error {
	s, err := ps.a.Value()
	if err != nil {
		return err
	}
	t, err := tc.ParseTime(s)
	if err != nil {
		return illegal(what)
	}
	if tc.TimeIsBig(t) {
		return tc.Usagef("Illegal %d time (too large)\nIllegal \"%s\"", t, what)
	}
	*dst = tc.TimeToTicks(t)
	return nil
}

// request is what a parse builds.
type request struct {
	opt              Qopt
	cor              Corr
	reorder, corrupt Prob
	gi               GIModel
	ge               GEModel
	rate             Rate
	slot             Slot
	rate64           uint64
	lossType         int
	present          [TCA_NETEM_MAX + 1]int
	dist, slotDist   []int16
}

// ParseQdisc reads netem's words as netem_parse_opt.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	r := request{opt: Qopt{Limit: 1000}}
	ps := &parser{a: a}
	for a.More() {
		if err := ps.word(&r, a.Next()); err != nil {
			return err
		}
	}
	if r.reorder.Probability != 0 {
		if r.opt.Latency == 0 {
			return tc.Usagef("reordering not possible without specifying some delay\n%s", usage)
		}
		if r.opt.Gap == 0 {
			r.opt.Gap = 1
		}
	} else if r.opt.Gap > 0 {
		return tc.Usagef("gap specified without reorder probability\n%s", usage)
	}
	if r.present[TCA_NETEM_ECN] != 0 && r.opt.Loss == 0 && r.lossType == NETEM_LOSS_UNSPEC {
		return tc.Usagef("ecn requested without loss model\n%s", usage)
	}
	if r.dist != nil && (r.opt.Latency == 0 || r.opt.Jitter == 0) {
		return tc.Usagef("distribution specified but no latency and jitter values\n%s", usage)
	}
	r.encode(b)
	return nil
}

// encode writes TCA_OPTIONS: the qopt, then the attributes tc adds.
func (r *request) encode(b *nl.Builder) {
	b.Nest(sched.TCA_OPTIONS)
	b.Raw(r.opt.encode())
	if r.present[TCA_NETEM_CORR] != 0 {
		b.Put(TCA_NETEM_CORR, u32s(r.cor.Delay, r.cor.Loss, r.cor.Dup))
	}
	if r.present[TCA_NETEM_REORDER] != 0 {
		b.Put(TCA_NETEM_REORDER, u32s(r.reorder.Probability, r.reorder.Correlation))
	}
	if r.present[TCA_NETEM_ECN] != 0 {
		b.PutU32(TCA_NETEM_ECN, 1)
	}
	if r.present[TCA_NETEM_CORRUPT] != 0 {
		b.Put(TCA_NETEM_CORRUPT, u32s(r.corrupt.Probability, r.corrupt.Correlation))
	}
	if r.present[TCA_NETEM_SLOT] != 0 {
		b.Put(TCA_NETEM_SLOT, r.slot.encode())
	}
	switch r.lossType {
	case NETEM_LOSS_GI:
		b.Nest(TCA_NETEM_LOSS | nl.NLA_F_NESTED)
		g := r.gi
		b.Put(NETEM_LOSS_GI, u32s(g.P13, g.P31, g.P32, g.P14, g.P23))
		b.EndNest()
	case NETEM_LOSS_GE:
		b.Nest(TCA_NETEM_LOSS | nl.NLA_F_NESTED)
		g := r.ge
		b.Put(NETEM_LOSS_GE, u32s(g.P, g.R, g.H, g.K1))
		b.EndNest()
	}
	if r.present[TCA_NETEM_RATE] != 0 {
		if r.rate64 >= 1<<32 {
			b.PutU64(TCA_NETEM_RATE64, r.rate64)
			r.rate.Rate = ^uint32(0)
		} else {
			r.rate.Rate = uint32(r.rate64)
		}
		b.Put(TCA_NETEM_RATE, u32s(r.rate.Rate, uint32(r.rate.PacketOverhead), r.rate.CellSize, uint32(r.rate.CellOverhead)))
	}
	if r.dist != nil {
		b.Put(TCA_NETEM_DELAY_DIST, encodeDist(r.dist))
	}
	if r.slotDist != nil {
		b.Put(TCA_NETEM_SLOT_DIST, encodeDist(r.slotDist))
	}
	b.EndNest()
}

// word handles one word and its arguments.
func (ps *parser) word(r *request, w string) error {
	a := ps.a
	switch {
	case tc.Matches(w, "limit"):
		s, err := a.Value()
		if err != nil {
			return err
		}
		if r.opt.Limit, err = tc.ParseSize(s); err != nil {
			return illegal("limit")
		}
	case tc.Matches(w, "latency") || tc.Matches(w, "delay"):
		if err := ps.ticks(&r.opt.Latency, "latency"); err != nil {
			return err
		}
		if ps.nextIsNumber() {
			if err := ps.ticks(&r.opt.Jitter, "latency"); err != nil {
				return err
			}
			if ps.nextIsNumber() {
				r.present[TCA_NETEM_CORR]++
				if err := ps.percent(&r.cor.Delay, "latency"); err != nil {
					return err
				}
			}
		}
	case tc.Matches(w, "loss") || tc.Matches(w, "drop"):
		return ps.loss(r)
	case tc.Matches(w, "ecn"):
		r.present[TCA_NETEM_ECN] = 1
	case tc.Matches(w, "reorder"):
		r.present[TCA_NETEM_REORDER] = 1
		if err := ps.percent(&r.reorder.Probability, "reorder"); err != nil {
			return err
		}
		if ps.nextIsNumber() {
			r.present[TCA_NETEM_CORR]++
			return ps.percent(&r.reorder.Correlation, "reorder")
		}
	case tc.Matches(w, "corrupt"):
		r.present[TCA_NETEM_CORRUPT] = 1
		if err := ps.percent(&r.corrupt.Probability, "corrupt"); err != nil {
			return err
		}
		if ps.nextIsNumber() {
			r.present[TCA_NETEM_CORR]++
			return ps.percent(&r.corrupt.Correlation, "corrupt")
		}
	case tc.Matches(w, "gap"):
		s, err := a.Value()
		if err != nil {
			return err
		}
		if r.opt.Gap, err = tc.GetU32(s, 0); err != nil {
			return illegal("gap")
		}
	case tc.Matches(w, "duplicate"):
		if err := ps.percent(&r.opt.Duplicate, "duplicate"); err != nil {
			return err
		}
		if ps.nextIsNumber() {
			// tc does not mark TCA_NETEM_CORR present for this one.
			return ps.percent(&r.cor.Dup, "duplicate")
		}
	case tc.Matches(w, "distribution"):
		s, err := a.Value()
		if err != nil {
			return err
		}
		if r.dist, err = LoadDist(s); err != nil {
			return err
		}
	case tc.Matches(w, "rate"):
		return ps.rateWords(r)
	case tc.Matches(w, "slot"):
		return ps.slotWords(r)
	case w == "help":
		return tc.Usagef("%s", usage)
	default:
		return tc.Usagef("What is \"%s\"?\n%s", w, usage)
	}
	return nil
}

// loss reads `loss [random] P [CORR]`, `loss state ...`, `loss gemodel ...`.
func (ps *parser) loss(r *request) error {
	a := ps.a
	if r.opt.Loss > 0 || r.lossType != NETEM_LOSS_UNSPEC {
		return illegal("duplicate loss argument\n")
	}
	s, err := a.Value()
	if err != nil {
		return err
	}
	switch {
	case s != "" && isDigit(s[0]) || s == "random":
		if s == "random" {
			if s, err = a.Value(); err != nil {
				return err
			}
		}
		v, ok := parsePercent(s)
		if !ok {
			return illegal("loss percent")
		}
		r.opt.Loss = setPercent(v)
		if ps.nextIsNumber() {
			r.present[TCA_NETEM_CORR]++
			return ps.percent(&r.cor.Loss, "loss correlation")
		}
	case s == "state":
		s, err := a.Value()
		if err != nil {
			return err
		}
		p13, ok := parsePercent(s)
		if !ok {
			return illegal("loss p13")
		}
		g := &r.gi
		*g = GIModel{P13: setPercent(p13), P31: setPercent(1 - p13), P32: 0, P23: setPercent(1), P14: 0}
		r.lossType = NETEM_LOSS_GI
		for _, f := range []struct {
			dst  *uint32
			what string
		}{{&g.P31, "loss p31"}, {&g.P32, "loss p32"}, {&g.P23, "loss p23"}, {&g.P14, "loss p14"}} {
			if !ps.nextIsNumber() {
				return nil
			}
			if err := ps.percent(f.dst, f.what); err != nil {
				return err
			}
		}
	case s == "gemodel":
		s, err := a.Value()
		if err != nil {
			return err
		}
		p, ok := parsePercent(s)
		if !ok {
			return illegal("loss gemodel p")
		}
		g := &r.ge
		*g = GEModel{P: setPercent(p), R: setPercent(1 - p), H: 0, K1: 0}
		r.lossType = NETEM_LOSS_GE
		if !ps.nextIsNumber() {
			return nil
		}
		if err := ps.percent(&g.R, "loss gemodel r"); err != nil {
			return err
		}
		if !ps.nextIsNumber() {
			return nil
		}
		if err := ps.percent(&g.H, "loss gemodel h"); err != nil {
			return err
		}
		// The word is 1-h; the kernel wants h.
		g.H = ^uint32(0) - g.H
		if !ps.nextIsNumber() {
			return nil
		}
		return ps.percent(&g.K1, "loss gemodel k")
	default:
		return tc.Usagef("Unknown loss parameter: %s", s)
	}
	return nil
}

// rateWords reads `rate RATE [OVERHEAD] [CELLSIZE] [CELLOVERHEAD]`.
func (ps *parser) rateWords(r *request) error {
	a := ps.a
	r.present[TCA_NETEM_RATE]++
	s, err := a.Value()
	if err != nil {
		return err
	}
	if containsByte(s, '%') {
		v, err := tc.ParsePercentRate64(s, a.Dev)
		if err != nil {
			return tc.Usagef("%v\nIllegal \"rate\"", err)
		}
		r.rate64 = v
	} else if r.rate64, err = tc.ParseRate64(s); err != nil {
		return illegal("rate")
	}
	s32 := func(dst *int32) error {
		v, err := tc.GetInteger(a.Next(), 0)
		if err != nil {
			return illegal("rate")
		}
		*dst = v
		return nil
	}
	if ps.nextIsSigned() {
		if err := s32(&r.rate.PacketOverhead); err != nil {
			return err
		}
	}
	if ps.nextIsNumber() {
		v, err := tc.GetU32(a.Next(), 0)
		if err != nil {
			return illegal("rate")
		}
		r.rate.CellSize = v
	}
	if ps.nextIsSigned() {
		return s32(&r.rate.CellOverhead)
	}
	return nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// slotWords reads `slot MIN [MAX]` or `slot distribution NAME DELAY
// JITTER`, each with optional `packets N` and `bytes N`.
func (ps *parser) slotWords(r *request) error {
	a := ps.a
	sl := &r.slot
	time64 := func(dst *int64, what string) error {
		s, err := a.Value()
		if err != nil {
			return err
		}
		if *dst, err = tc.ParseTime64(s); err != nil {
			return illegal(what)
		}
		return nil
	}
	if ps.nextIsNumber() {
		r.present[TCA_NETEM_SLOT] = 1
		if err := time64(&sl.MinDelay, "slot min_delay"); err != nil {
			return err
		}
		if ps.nextIsNumber() {
			if err := time64(&sl.MaxDelay, "slot max_delay"); err != nil {
				return err
			}
			if sl.MaxDelay < sl.MinDelay {
				return illegal("slot max_delay")
			}
		} else {
			sl.MaxDelay = sl.MinDelay
		}
	} else {
		s, err := a.Value()
		if err != nil {
			return err
		}
		if s != "distribution" {
			return tc.Usagef("Unknown slot parameter: %s", s)
		}
		r.present[TCA_NETEM_SLOT] = 1
		if s, err = a.Value(); err != nil {
			return err
		}
		if r.slotDist, err = LoadDist(s); err != nil {
			return err
		}
		if err := time64(&sl.DistDelay, "slot delay"); err != nil {
			return err
		}
		if err := time64(&sl.DistJitter, "slot jitter"); err != nil {
			return err
		}
		if sl.DistJitter <= 0 {
			return tc.Usagef("Non-positive jitter")
		}
	}
	if a.More() && tc.Matches(a.Peek(), "packets") {
		a.Next()
		v, err := tc.GetInteger(a.Peek(), 0)
		if !a.More() || err != nil {
			return illegal("slot packets")
		}
		sl.MaxPackets = v
		a.Next()
	}
	if a.More() && tc.Matches(a.Peek(), "bytes") {
		a.Next()
		v, err := tc.ParseSize(a.Peek())
		if !a.More() || err != nil {
			return illegal("slot bytes")
		}
		sl.MaxBytes = int32(v)
		a.Next()
	}
	return nil
}

// pct is the text of a probability in percent (%g of 100*per/UINT32_MAX).
func pct(per uint32) string { return tc.FormatG((100.*float64(per))/maxPercent, 6) }

// printPercent is PRINT_PERCENT: text in percent, JSON as a fraction.
func printPercent(p *tc.Printer, key, label string, per uint32) {
	p.String(tc.Text, "", label+" %s%%", pct(per))
	p.Float(tc.JSON, key, "", (1.*float64(per))/maxPercent)
}

// printCorr is print_corr: text only when present, JSON always.
func printCorr(p *tc.Printer, present bool, v uint32) {
	if !p.IsJSON() {
		if present {
			p.String(tc.Text, "", " %s%%", pct(v))
		}
		return
	}
	printPercent(p, "correlation", "", v)
}

// printIntOpt is PRINT_INT_OPT: JSON always, text when not zero.
func printIntOpt(p *tc.Printer, label string, v int32) {
	p.Int(tc.JSON, label, "", int64(v))
	if v != 0 {
		p.Int(tc.Text, "", " "+label+" %d", int64(v))
	}
}

func printTime64(p *tc.Printer, key, label string, v int64) {
	p.String(tc.Text, "", label+" %s", tc.Time64String(v))
	p.Float(tc.JSON, key, "", float64(v)/1e9)
}

// PrintQdisc prints as netem_print_opt.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	if len(opt) < QoptLen {
		return fmt.Errorf("options size error")
	}
	qopt := decodeQopt(opt)
	var cor *Corr
	var reorder, corrupt *Prob
	var gi *GIModel
	var ge *GEModel
	var rate *Rate
	var slot *Slot
	ecn := false
	var rate64 uint64
	if len(opt) > QoptLen {
		tb := nl.Parse(opt[QoptLen:], TCA_NETEM_MAX)
		short := func(t uint16, n int) (*nl.Attr, error) {
			a := tb.Get(t)
			if a != nil && len(a.Data) < n {
				return nil, fmt.Errorf("netem: attribute %d too short", t)
			}
			return a, nil
		}
		for _, f := range []struct {
			t uint16
			n int
			f func(d []byte)
		}{
			{TCA_NETEM_CORR, corrLen, func(d []byte) { cor = &Corr{ne.Uint32(d), ne.Uint32(d[4:]), ne.Uint32(d[8:])} }},
			{TCA_NETEM_REORDER, reorderLen, func(d []byte) { reorder = &Prob{ne.Uint32(d), ne.Uint32(d[4:])} }},
			{TCA_NETEM_CORRUPT, corruptLen, func(d []byte) { corrupt = &Prob{ne.Uint32(d), ne.Uint32(d[4:])} }},
			{TCA_NETEM_RATE, rateLen, func(d []byte) { r := decodeRate(d); rate = &r }},
			{TCA_NETEM_ECN, 4, func([]byte) { ecn = true }},
			{TCA_NETEM_RATE64, 8, func(d []byte) { rate64 = ne.Uint64(d) }},
			{TCA_NETEM_SLOT, slotLen, func(d []byte) { s := decodeSlot(d); slot = &s }},
		} {
			a, err := short(f.t, f.n)
			if err != nil {
				return err
			}
			if a != nil {
				f.f(a.Data)
			}
		}
		if a := tb.Get(TCA_NETEM_LOSS); a != nil {
			lb := nl.Parse(a.Data, NETEM_LOSS_GE)
			if x := lb.Get(NETEM_LOSS_GI); x != nil {
				d := make([]byte, giLen)
				copy(d, x.Data)
				u := func(i int) uint32 { return ne.Uint32(d[4*i:]) }
				gi = &GIModel{u(0), u(1), u(2), u(3), u(4)}
			}
			if x := lb.Get(NETEM_LOSS_GE); x != nil {
				d := make([]byte, geLen)
				copy(d, x.Data)
				u := func(i int) uint32 { return ne.Uint32(d[4*i:]) }
				ge = &GEModel{u(0), u(1), u(2), u(3)}
			}
		}
	}
	p.Uint(tc.Any, "limit", "limit %d", uint64(qopt.Limit))
	if qopt.Latency != 0 {
		p.OpenObject("delay")
		if !p.IsJSON() {
			p.String(tc.Text, "", " delay %s", tc.TimeString(tc.TicksToTime(qopt.Latency)))
			if qopt.Jitter != 0 {
				p.String(tc.Text, "", "  %s", tc.TimeString(tc.TicksToTime(qopt.Jitter)))
			}
		} else {
			p.Float(tc.JSON, "delay", "", float64(tc.TicksToTime(qopt.Latency))/1000000.)
			p.Float(tc.JSON, "jitter", "", float64(tc.TicksToTime(qopt.Jitter))/1000000.)
		}
		var dc uint32
		if cor != nil {
			dc = cor.Delay
		}
		printCorr(p, qopt.Jitter != 0 && dc != 0, dc)
		p.CloseObject()
	}
	if qopt.Loss != 0 {
		p.OpenObject("loss-random")
		printPercent(p, "loss", " loss", qopt.Loss)
		var lc uint32
		if cor != nil {
			lc = cor.Loss
		}
		printCorr(p, lc != 0, lc)
		p.CloseObject()
	}
	if gi != nil {
		p.OpenObject("loss-state")
		printPercent(p, "p13", " loss state p13", gi.P13)
		printPercent(p, "p31", " p31", gi.P31)
		printPercent(p, "p32", " p32", gi.P32)
		printPercent(p, "p23", " p23", gi.P23)
		printPercent(p, "p14", " p14", gi.P14)
		p.CloseObject()
	}
	if ge != nil {
		p.OpenObject("loss-gemodel")
		printPercent(p, "p", " loss gemodel p", ge.P)
		printPercent(p, "r", " r", ge.R)
		printPercent(p, "1-h", " 1-h", ^uint32(0)-ge.H)
		printPercent(p, "1-k", " 1-k", ge.K1)
		p.CloseObject()
	}
	if qopt.Duplicate != 0 {
		p.OpenObject("duplicate")
		printPercent(p, "duplicate", " duplicate", qopt.Duplicate)
		var dc uint32
		if cor != nil {
			dc = cor.Dup
		}
		printCorr(p, dc != 0, dc)
		p.CloseObject()
	}
	for _, x := range []struct {
		name string
		v    *Prob
	}{{"reorder", reorder}, {"corrupt", corrupt}} {
		if x.v != nil && x.v.Probability != 0 {
			p.OpenObject(x.name)
			printPercent(p, x.name, " "+x.name, x.v.Probability)
			printCorr(p, x.v.Correlation != 0, x.v.Correlation)
			p.CloseObject()
		}
	}
	if rate != nil && rate.Rate != 0 {
		p.OpenObject("rate")
		if rate64 == 0 {
			rate64 = uint64(rate.Rate)
		}
		p.Rate(tc.Any, "rate", " rate %s", rate64)
		printIntOpt(p, "packetoverhead", rate.PacketOverhead)
		p.Uint(tc.JSON, "cellsize", "", uint64(rate.CellSize))
		if rate.CellSize != 0 {
			p.Uint(tc.Text, "", " cellsize %d", uint64(rate.CellSize))
		}
		printIntOpt(p, "celloverhead", rate.CellOverhead)
		p.CloseObject()
	}
	if slot != nil {
		p.OpenObject("slot")
		if slot.DistJitter > 0 {
			printTime64(p, "distribution", " slot distribution", slot.DistDelay)
			printTime64(p, "jitter", "", slot.DistJitter)
		} else {
			printTime64(p, "min-delay", " slot", slot.MinDelay)
			printTime64(p, "max-delay", "", slot.MaxDelay)
		}
		printIntOpt(p, "packets", slot.MaxPackets)
		printIntOpt(p, "bytes", slot.MaxBytes)
		p.CloseObject()
	}
	p.Bool(tc.JSON, "ecn", "", ecn)
	if ecn {
		p.Bool(tc.Text, "", " ecn ", true)
	}
	p.Uint(tc.JSON, "gap", "", uint64(qopt.Gap))
	if qopt.Gap != 0 {
		p.Uint(tc.Text, "", " gap %d", uint64(qopt.Gap))
	}
	return nil
}
