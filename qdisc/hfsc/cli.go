package hfsc

import (
	"errors"
	"math"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is hfsc's tc face (q_hfsc.c of iproute2 6.1): `[default CLASSID]`
// for the qdisc; `[rt SC] [ls SC] | [sc SC]] [ul SC]` for a class, a curve
// being `[m1 BPS d SEC] m2 BPS` or `[umax BYTES dmax SEC] rate BPS`. Its
// printers use fprintf, so under -j their text lands in the JSON as it is.
var Syntax tc.QdiscSyntax = syntax{}

var (
	_ tc.ClassSyntax   = syntax{}
	_ tc.XstatsPrinter = syntax{}
)

type syntax struct{}

const qdiscUsage = `Usage: ... hfsc [ default CLASSID ]

 default: default class for unclassified packets
`

// classUsage ends with an empty line, as explain_class prints it.
const classUsage = `Usage: ... hfsc [ [ rt SC ] [ ls SC ] | [ sc SC ] ] [ ul SC ]

SC := [ [ m1 BPS ] d SEC ] m2 BPS

 m1 : slope of first segment
 d  : x-coordinate of intersection
 m2 : slope of second segment

Alternative format:

SC := [ [ umax BYTE ] dmax SEC ] rate BPS

 umax : maximum unit of work
 dmax : maximum delay
 rate : rate

Remarks:
 - at least one of 'rt', 'ls' or 'sc' must be specified
 - 'ul' can only be specified with 'ls' or 'sc'
`

// illegal is explain1.
func illegal(w string) string { return "HFSC: Illegal \"" + w + "\"" }

// ParseQdisc reads `[default CLASSID]` (hfsc_parse_opt); the default is a
// hex minor.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var o Qopt
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "default"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if o.DefCls != 0 {
				return tc.Usagef("HFSC: Double \"default\"")
			}
			if o.DefCls, err = tc.GetU16(v, 16); err != nil {
				return tc.Usagef("%s", illegal("default"))
			}
		case tc.Matches(w, "help"):
			return tc.Usagef("%s", strings.TrimSuffix(qdiscUsage, "\n"))
		default:
			return tc.Usagef("HFSC: What is \"%s\" ?\n%s", w, strings.TrimSuffix(qdiscUsage, "\n"))
		}
	}
	b.Put(sched.TCA_OPTIONS, o.Append(nil))
	return nil
}

// ParseClass reads the curves (hfsc_parse_class_opt); `sc` sets rt and ls
// alike.
func (syntax) ParseClass(a *tc.Args, b *nl.Builder) error {
	var rsc, fsc, usc ServiceCurve
	var rok, fok, uok bool
	for a.More() {
		w := a.Next()
		var dst []*ServiceCurve
		var name string
		switch {
		case tc.Matches(w, "rt"):
			name, dst, rok = "rt", []*ServiceCurve{&rsc}, true
		case tc.Matches(w, "ls"):
			name, dst, fok = "ls", []*ServiceCurve{&fsc}, true
		case tc.Matches(w, "sc"):
			name, dst, rok, fok = "sc", []*ServiceCurve{&rsc, &fsc}, true, true
		case tc.Matches(w, "ul"):
			name, dst, uok = "ul", []*ServiceCurve{&usc}, true
		case tc.Matches(w, "help"):
			return tc.Usagef("%s", classUsage)
		default:
			return tc.Usagef("HFSC: What is \"%s\" ?\n%s", w, classUsage)
		}
		if !a.More() {
			return tc.Incomplete()
		}
		sc, err := parseCurve(a)
		if err != nil {
			var ue *tc.UsageError
			if errors.As(err, &ue) && ue.Exit {
				return err
			}
			msg := illegal(name)
			if m := err.Error(); m != "" {
				msg = m + "\n" + msg
			}
			return tc.Usagef("%s", msg)
		}
		for _, d := range dst {
			*d = sc
		}
	}
	if !rok && !fok && !uok {
		return tc.Usagef("HFSC: no parameters given\n%s", classUsage)
	}
	if uok && !fok {
		return tc.Usagef("HFSC: Upper-limit Service Curve without Link-Share Service Curve\n%s", classUsage)
	}
	b.Nest(sched.TCA_OPTIONS)
	if rok {
		b.Put(TCA_HFSC_RSC, rsc.Append(nil))
	}
	if fok {
		b.Put(TCA_HFSC_FSC, fsc.Append(nil))
	}
	if uok {
		b.Put(TCA_HFSC_USC, usc.Append(nil))
	}
	b.EndNest()
	return nil
}

// curveError carries what tc printed while reading a curve; an empty text
// means it printed nothing before explain1 of the curve's keyword.
type curveError struct{ msg string }

func (e *curveError) Error() string { return e.msg }

func joinMsg(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// parseCurve is hfsc_get_sc: the m1/d/m2 form, else, from the same word,
// the umax/dmax/rate form; both forms' messages are printed. On success
// the words of the curve are taken.
func parseCurve(a *tc.Args) (ServiceCurve, error) {
	words := a.Rest()
	sc, n, err1 := parseSC1(words)
	var err error
	if err1 != nil {
		if isExit(err1) {
			return sc, err1
		}
		var err2 error
		sc, n, err2 = parseSC2(words)
		if err2 != nil {
			if isExit(err2) {
				return sc, err2
			}
			return sc, &curveError{joinMsg(err1.Error(), err2.Error())}
		}
		// The first form's messages were printed all the same.
		err = err1
	}
	for i := 0; i < n; i++ {
		a.Next()
	}
	if sc.M1 == 0 && sc.M2 == 0 {
		return sc, &curveError{joinMsg(errText(err), "HFSC: Service Curve has two zero slopes")}
	}
	return sc, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func isExit(err error) bool {
	var ue *tc.UsageError
	return errors.As(err, &ue) && ue.Exit
}

// cursor walks a curve's words as NEXT_ARG does: running out of words ends
// tc.
type cursor struct {
	w []string
	i int
}

func (c *cursor) word() string { return c.w[c.i] }

func (c *cursor) next() error {
	if c.i+1 >= len(c.w) {
		return tc.Incomplete()
	}
	c.i++
	return nil
}

// parseSC1 is hfsc_get_sc1: `[m1 BPS] [d SEC] m2 BPS`; it returns the
// number of words taken.
func parseSC1(words []string) (ServiceCurve, int, error) {
	c := &cursor{w: words}
	var m1, d, m2 uint32
	var err error
	if tc.Matches(c.word(), "m1") {
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
		if m1, err = tc.ParseRate(c.word()); err != nil {
			return ServiceCurve{}, 0, &curveError{illegal("m1")}
		}
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
	}
	if tc.Matches(c.word(), "d") {
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
		if d, err = tc.ParseTime(c.word()); err != nil {
			return ServiceCurve{}, 0, &curveError{illegal("d")}
		}
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
	}
	if !tc.Matches(c.word(), "m2") {
		return ServiceCurve{}, 0, &curveError{}
	}
	if err = c.next(); err != nil {
		return ServiceCurve{}, 0, err
	}
	if m2, err = tc.ParseRate(c.word()); err != nil {
		return ServiceCurve{}, 0, &curveError{illegal("m2")}
	}
	return ServiceCurve{M1: m1, D: tc.TimeToKtime(d), M2: m2}, c.i + 1, nil
}

// parseSC2 is hfsc_get_sc2: `[umax BYTES] [dmax SEC] rate BPS`, made into
// a concave curve of slope umax/dmax up to dmax, or a convex one that
// starts after dmax - umax/rate.
func parseSC2(words []string) (ServiceCurve, int, error) {
	c := &cursor{w: words}
	var umax, dmax, rate uint32
	var err error
	if tc.Matches(c.word(), "umax") {
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
		if umax, err = tc.ParseSize(c.word()); err != nil {
			return ServiceCurve{}, 0, &curveError{illegal("umax")}
		}
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
	}
	if tc.Matches(c.word(), "dmax") {
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
		if dmax, err = tc.ParseTime(c.word()); err != nil {
			return ServiceCurve{}, 0, &curveError{illegal("dmax")}
		}
		if err = c.next(); err != nil {
			return ServiceCurve{}, 0, err
		}
	}
	if !tc.Matches(c.word(), "rate") {
		return ServiceCurve{}, 0, &curveError{}
	}
	if err = c.next(); err != nil {
		return ServiceCurve{}, 0, err
	}
	if rate, err = tc.ParseRate(c.word()); err != nil {
		return ServiceCurve{}, 0, &curveError{illegal("rate")}
	}
	if umax != 0 && dmax == 0 {
		return ServiceCurve{}, 0, &curveError{"HFSC: umax given but dmax is zero."}
	}
	var sc ServiceCurve
	if m1 := math.Ceil(float64(umax) * tc.TimeUnitsPerSec / float64(dmax)); dmax != 0 && m1 > float64(rate) {
		sc = ServiceCurve{M1: uint32(m1), D: tc.TimeToKtime(dmax), M2: rate}
	} else {
		if rate == 0 {
			// tc divides by the rate in unsigned arithmetic here
			// and dies of SIGFPE: 128+8, and nothing printed.
			return ServiceCurve{}, 0, tc.Exitf(136, "")
		}
		// dmax - umax*10^6/rate, in 32-bit unsigned arithmetic.
		x := dmax - umax*uint32(tc.TimeUnitsPerSec)/rate
		sc = ServiceCurve{M2: rate, D: tc.TimeToKtime(x)}
	}
	return sc, c.i + 1, nil
}

// PrintQdisc prints the default class in hex (hfsc_print_opt).
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	o, err := DecodeQopt(opt)
	if err != nil {
		return err
	}
	if o.DefCls != 0 {
		p.Fprintf("default %x ", o.DefCls)
	}
	return nil
}

// PrintClass prints the curves, `sc` when rt and ls are the same
// (hfsc_print_class_opt); truncated curves are reported on stderr.
func (syntax) PrintClass(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_HFSC_MAX)
	get := func(t uint16) *ServiceCurve {
		a := tb.Get(t)
		if a == nil {
			return nil
		}
		sc, err := DecodeServiceCurve(a.Data)
		if err != nil {
			return nil
		}
		return &sc
	}
	rsc, fsc, usc := get(TCA_HFSC_RSC), get(TCA_HFSC_FSC), get(TCA_HFSC_USC)
	if rsc != nil && fsc != nil && *rsc == *fsc {
		printSC(p, "sc", rsc)
	} else {
		if rsc != nil {
			printSC(p, "rt", rsc)
		}
		if fsc != nil {
			printSC(p, "ls", fsc)
		}
	}
	if usc != nil {
		printSC(p, "ul", usc)
	}
	return nil
}

func printSC(p *tc.Printer, name string, sc *ServiceCurve) {
	p.Fprintf("%s ", name)
	p.Fprintf("m1 %s ", tc.RateString(uint64(sc.M1), p.IEC))
	p.Fprintf("d %s ", tc.TimeString(tc.KtimeToTime(sc.D)))
	p.Fprintf("m2 %s ", tc.RateString(uint64(sc.M2), p.IEC))
}

var errShort = errors.New("hfsc: xstats too short")

// PrintXstats prints a class's period, work and level (hfsc_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	if b == nil {
		return nil
	}
	x, err := DecodeXstats(b)
	if err != nil {
		return errShort
	}
	p.Fprintf(" period %d ", x.Period)
	if x.Work != 0 {
		p.Fprintf("work %d bytes ", x.Work)
	}
	if x.RTWork != 0 {
		p.Fprintf("rtwork %d bytes ", x.RTWork)
	}
	p.Fprintf("level %d ", x.Level)
	p.Fprintf("\n")
	return nil
}
