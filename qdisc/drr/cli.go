package drr

import (
	"errors"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is drr's tc face (q_drr.c of iproute2 6.1): the qdisc takes no
// words, a class takes `quantum SIZE`. Its printers use fprintf, so under
// -j their text lands in the JSON as it is.
var Syntax tc.QdiscSyntax = syntax{}

var (
	_ tc.ClassSyntax   = syntax{}
	_ tc.XstatsPrinter = syntax{}
)

type syntax struct{}

const (
	usage      = "Usage: ... drr"
	classUsage = "Usage: ... drr quantum SIZE"
)

// ParseQdisc refuses every word; drr sends no options.
func (syntax) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	if a.More() {
		if w := a.Next(); w != "help" {
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		return tc.Usagef("%s", usage)
	}
	return nil
}

// ParseClass reads `quantum SIZE` (drr_parse_class_opt): an options nest,
// empty without words, one attribute per quantum given.
func (syntax) ParseClass(a *tc.Args, b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		switch w := a.Next(); w {
		case "quantum":
			v, err := a.Value()
			if err != nil {
				return err
			}
			q, err := tc.ParseSize(v)
			if err != nil {
				return tc.Usagef("Illegal \"quantum\"")
			}
			b.PutU32(TCA_DRR_QUANTUM, q)
		case "help":
			return tc.Usagef("%s", classUsage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, classUsage)
		}
	}
	b.EndNest()
	return nil
}

// PrintQdisc prints options as drr_print_opt does (the qdisc dumps none).
func (s syntax) PrintQdisc(p *tc.Printer, opt []byte) error { return s.print(p, opt) }

// PrintClass prints a class's quantum.
func (s syntax) PrintClass(p *tc.Printer, opt []byte) error { return s.print(p, opt) }

func (syntax) print(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_DRR_MAX)
	if a := tb.Get(TCA_DRR_QUANTUM); a != nil && len(a.Data) >= 4 {
		p.Fprintf("quantum %s ", tc.SizeString(a.U32()))
	}
	return nil
}

var errShort = errors.New("drr: xstats too short")

// PrintXstats prints a class's deficit (drr_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	if b == nil {
		return nil
	}
	x, err := DecodeXstats(b)
	if err != nil {
		return errShort
	}
	p.Fprintf(" deficit %s ", tc.SizeString(x.Deficit))
	return nil
}
