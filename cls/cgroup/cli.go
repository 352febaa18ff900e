package cgroup

import (
	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is cgroup's tc face (f_cgroup.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... cgroup [ match EMATCH_TREE ]
                  [ action ACTION_SPEC ]`

// ParseFilter is cgroup_parse_opt: options are always sent.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		v, err := tc.GetU32(handle, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		fh = v
	}
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "match"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := ematch.ParseTree(a, TCA_CGROUP_EMATCHES, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_CGROUP_ACT, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_CGROUP_POLICE, b); err != nil {
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

// PrintFilter is cgroup_print_opt.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := nl.Parse(opt, TCA_CGROUP_MAX)
	if fh != 0 {
		p.Fprintf("handle 0x%x ", fh)
	}
	if a := tb.Get(TCA_CGROUP_EMATCHES); a != nil {
		ematch.PrintTree(p, a.Data)
	}
	if a := tb.Get(TCA_CGROUP_POLICE); a != nil {
		p.NL()
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_CGROUP_ACT); a != nil {
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
