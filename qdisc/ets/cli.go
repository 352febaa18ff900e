package ets

import (
	"errors"
	"fmt"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is ets's tc face (q_ets.c of iproute2 6.1): `[bands N] [strict N]
// [quanta Q1 Q2...] [priomap P1 P2...]` for the qdisc, `[quantum Q]` for a
// class.
var Syntax tc.QdiscSyntax = syntax{}

var _ tc.ClassSyntax = syntax{}

type syntax struct{}

const (
	usage      = "Usage: ... ets [bands NUMBER] [strict NUMBER] [quanta Q1 Q2...] [priomap P1 P2...]"
	classUsage = "Usage: ... ets [quantum Q1]"
)

// parseQuantum is parse_quantum: a positive number.
func parseQuantum(w string) (uint32, error) {
	q, err := tc.GetU32(w, 10)
	if err != nil {
		return 0, tc.Usagef("Illegal \"quanta\" element")
	}
	if q == 0 {
		return 0, tc.Usagef("\"quanta\" must be > 0")
	}
	return q, nil
}

// parseNBands is parse_nbands: a count of at most 16.
func parseNBands(w, what string) (uint8, error) {
	n, err := tc.GetU32(w, 10)
	if err != nil {
		return 0, tc.Usagef("Illegal \"%s\"", what)
	}
	if n > MaxBands {
		return 0, tc.Usagef("The number of \"%s\" must be <= %d", what, MaxBands)
	}
	return uint8(n), nil
}

// ParseQdisc reads the qdisc's words (ets_parse_opt). Numbers after quanta
// or priomap keep filling that list until another keyword. Like tc, the
// band count is a u8 computed from the lists when not given, so 17 quanta
// reach the kernel as 17 bands.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var nbands, nstrict uint8
	var quanta []uint32
	var priomap []uint8
	quantaMode, priomapMode := false, false
	for a.More() {
		w := a.Next()
		var err error
		switch {
		case w == "bands" || w == "strict":
			dst := &nbands
			if w == "strict" {
				dst = &nstrict
			}
			if *dst != 0 {
				return tc.Usagef("Duplicate \"%s\"", w)
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			if *dst, err = parseNBands(v, w); err != nil {
				return err
			}
			quantaMode, priomapMode = false, false
		case w == "quanta":
			if len(quanta) != 0 {
				return tc.Usagef("Duplicate \"quanta\"")
			}
			if w, err = a.Value(); err != nil {
				return err
			}
			quantaMode, priomapMode = true, false
			err = addQuantum(&quanta, w)
		case w == "priomap":
			if len(priomap) != 0 {
				return tc.Usagef("Duplicate \"priomap\"")
			}
			if w, err = a.Value(); err != nil {
				return err
			}
			quantaMode, priomapMode = false, true
			err = addPrio(&priomap, w)
		case w == "help":
			return tc.Usagef("%s", usage)
		case quantaMode:
			err = addQuantum(&quanta, w)
		case priomapMode:
			err = addPrio(&priomap, w)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		if err != nil {
			return err
		}
	}
	if nbands == 0 {
		nbands = uint8(len(quanta)) + nstrict
	}
	if nbands == 0 {
		return tc.Usagef("One of \"bands\", \"quanta\" or \"strict\" needs to be specified\n%s", usage)
	}
	if int(nstrict)+len(quanta) > int(nbands) {
		return tc.Usagef("Not enough total bands to cover all the strict bands and quanta\n%s", usage)
	}
	for _, p := range priomap {
		if p >= nbands {
			return tc.Usagef("\"priomap\" element is out of bounds")
		}
	}
	b.Nest(sched.TCA_OPTIONS | nl.NLA_F_NESTED)
	b.PutU8(TCA_ETS_NBANDS, nbands)
	if nstrict != 0 {
		b.PutU8(TCA_ETS_NSTRICT, nstrict)
	}
	if len(quanta) != 0 {
		b.Nest(TCA_ETS_QUANTA | nl.NLA_F_NESTED)
		for _, q := range quanta {
			b.PutU32(TCA_ETS_QUANTA_BAND, q)
		}
		b.EndNest()
	}
	if len(priomap) != 0 {
		b.Nest(TCA_ETS_PRIOMAP | nl.NLA_F_NESTED)
		for _, p := range priomap {
			b.PutU8(TCA_ETS_PRIOMAP_BAND, p)
		}
		b.EndNest()
	}
	b.EndNest()
	return nil
}

func addQuantum(quanta *[]uint32, w string) error {
	q, err := parseQuantum(w)
	if err != nil {
		return err
	}
	*quanta = append(*quanta, q)
	return nil
}

// addPrio takes one priomap element; tc stores it in a byte.
func addPrio(priomap *[]uint8, w string) error {
	band, err := tc.GetU32(w, 10)
	if err != nil {
		return tc.Usagef("Illegal \"priomap\" element")
	}
	if len(*priomap) > PrioMax {
		return tc.Usagef("\"priomap\" index cannot be higher than %d", PrioMax)
	}
	*priomap = append(*priomap, uint8(band))
	return nil
}

// ParseClass reads `[quantum Q]` (ets_parse_copt).
func (syntax) ParseClass(a *tc.Args, b *nl.Builder) error {
	var quantum uint32
	for a.More() {
		switch w := a.Next(); w {
		case "quantum":
			if quantum != 0 {
				return tc.Usagef("Duplicate \"quantum\"")
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			if quantum, err = parseQuantum(v); err != nil {
				return err
			}
		case "help":
			return tc.Usagef("%s", classUsage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, classUsage)
		}
	}
	b.Nest(sched.TCA_OPTIONS | nl.NLA_F_NESTED)
	if quantum != 0 {
		b.PutU32(TCA_ETS_QUANTA_BAND, quantum)
	}
	b.EndNest()
	return nil
}

var errIncomplete = errors.New("Incomplete ETS options")

// PrintQdisc prints bands, strict, quanta and priomap (ets_print_opt).
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_ETS_MAX)
	nb, pm := tb.Get(TCA_ETS_NBANDS), tb.Get(TCA_ETS_PRIOMAP)
	if nb == nil || pm == nil || len(nb.Data) < 1 {
		return errIncomplete
	}
	p.Uint(tc.Any, "bands", "bands %d ", uint64(nb.U8()))
	if a := tb.Get(TCA_ETS_NSTRICT); a != nil && len(a.Data) >= 1 {
		p.Uint(tc.Any, "strict", "strict %d ", uint64(a.U8()))
	}
	if a := tb.Get(TCA_ETS_QUANTA); a != nil {
		if err := printList(p, "quanta", a.Data, TCA_ETS_QUANTA_BAND, 4, "No ETS band quantum"); err != nil {
			return err
		}
	}
	return printList(p, "priomap", pm.Data, TCA_ETS_PRIOMAP_BAND, 1, "No ETS priomap band")
}

// printList prints the values of a nest of one attribute type, as an array
// (ets_print_opt_quanta, ets_print_opt_priomap).
func printList(p *tc.Printer, key string, data []byte, typ uint16, size int, missing string) error {
	p.OpenArray(tc.Any, key, key)
	var err error
	nl.Walk(data, func(a nl.Attr) bool {
		if a.Type != typ || len(a.Data) < size {
			err = fmt.Errorf("%s", missing)
			return false
		}
		v := uint64(a.Data[0])
		if size == 4 {
			v = uint64(a.U32())
		}
		p.Uint(tc.Any, "", " %d", v)
		return true
	})
	if err != nil {
		return err
	}
	p.CloseArray(tc.Any, " ")
	return nil
}

// PrintClass prints a sharing band's quantum (ets_print_copt).
func (syntax) PrintClass(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_ETS_MAX)
	if a := tb.Get(TCA_ETS_QUANTA_BAND); a != nil && len(a.Data) >= 4 {
		p.Uint(tc.Any, "quantum", "quantum %d ", uint64(a.U32()))
	}
	return nil
}
