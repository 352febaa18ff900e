package basic

import (
	"fmt"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is basic's tc face (f_basic.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... basic [ match EMATCH_TREE ]
                 [ action ACTION_SPEC ] [ classid CLASSID ]

Where:	SELECTOR := SAMPLE SAMPLE ...
	FILTERID := X:Y:Z
	ACTION_SPEC := ... look at individual actions

NOTE: CLASSID is parsed as hexadecimal input.`

// ParseFilter is basic_parse_opt.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		v, err := tc.GetU32(handle, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		fh = v
	}
	if !a.More() {
		return fh, nil
	}
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "match"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := ematch.ParseTree(a, TCA_BASIC_EMATCHES, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "classid") || tc.Matches(w, "flowid"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(v)
			if !ok {
				return 0, tc.Usagef("Illegal \"classid\"")
			}
			b.PutU32(TCA_BASIC_CLASSID, id)
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_BASIC_ACT, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_BASIC_POLICE, b); err != nil {
				return 0, err
			}
		case w == "help":
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.EndNest()
	return fh, nil
}

// PrintFilter is basic_print_opt.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_BASIC_MAX, map[uint16]int{TCA_BASIC_CLASSID: 4})
	if fh != 0 {
		if p.IsJSON() {
			p.String(tc.JSON, "handle", "%s", fmt.Sprintf("%x", fh))
		} else {
			p.Printf("handle 0x%x ", fh)
		}
	}
	if a := tb.Get(TCA_BASIC_CLASSID); a != nil {
		p.String(tc.Any, "flowid", "flowid %s ", clsutil.ClassIDString(a.U32()))
	}
	if a := tb.Get(TCA_BASIC_EMATCHES); a != nil {
		ematch.PrintTree(p, a.Data)
	}
	if a := tb.Get(TCA_BASIC_POLICE); a != nil {
		p.NL()
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_BASIC_ACT); a != nil {
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
