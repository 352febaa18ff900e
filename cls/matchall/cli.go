package matchall

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is matchall's tc face (f_matchall.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... matchall [skip_sw | skip_hw]
                 [ action ACTION_SPEC ] [ classid CLASSID ]

Where: SELECTOR := SAMPLE SAMPLE ...
       FILTERID := X:Y:Z
       ACTION_SPEC := ... look at individual actions

NOTE: CLASSID is parsed as hexadecimal input.`

// ParseFilter reads `[skip_sw | skip_hw] [action ...] [classid CLASSID]`.
// Options are sent only when words follow the kind.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		h, ok := strtol(handle)
		if !ok {
			return 0, tc.Usagef("Illegal handle \"%s\", must be numeric.", handle)
		}
		fh = uint32(h)
	}
	if !a.More() {
		return fh, nil
	}
	var c Config
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "classid") || w == "flowid":
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, err := tc.ParseClassID(v)
			if err != nil {
				return 0, tc.Usagef("Illegal \"classid\"\n%s", usage)
			}
			b.PutU32(TCA_MATCHALL_CLASSID, uint32(id))
		case tc.Matches(w, "action"):
			if !a.More() {
				return 0, &tc.UsageError{Msg: "Command line is not complete. Try option \"help\"", Code: 255}
			}
			if a.Actions == nil {
				return 0, tc.Usagef("Illegal \"action\"")
			}
			if err := a.Actions.ParseActions(a, TCA_MATCHALL_ACT, b); err != nil {
				return 0, err
			}
		case w == "skip_hw" || w == "skip_sw":
			// f_matchall.c takes these with NEXT_ARG: one must follow.
			if !a.More() {
				return 0, &tc.UsageError{Msg: "Command line is not complete. Try option \"help\"", Code: 255}
			}
			if w == "skip_hw" {
				c.Flags |= FlagSkipHW
			} else {
				c.Flags |= FlagSkipSW
			}
		case w == "help":
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	if c.Flags != 0 {
		if c.Flags == FlagSkipHW|FlagSkipSW {
			return 0, tc.Usagef("skip_hw and skip_sw are mutually exclusive")
		}
		b.PutU32(TCA_MATCHALL_FLAGS, c.Flags)
	}
	b.EndNest()
	return fh, nil
}

// strtol is C's strtol(s, NULL, 0) as f_matchall.c uses it: base from the
// prefix, digits up to the first that does not fit (garbage reads as 0),
// refused only when it overflows a long.
func strtol(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && isDigit(t[2], 16):
		base, t = 16, t[2:]
	case len(t) > 0 && t[0] == '0':
		base = 8
	}
	end := 0
	for end < len(t) && isDigit(t[end], base) {
		end++
	}
	if end == 0 {
		return 0, true
	}
	v, err := strconv.ParseUint(t[:end], base, 64)
	if err != nil || (!neg && v > math.MaxInt64) || (neg && v > 1<<63) {
		return 0, false
	}
	if neg {
		if v == 1<<63 {
			return 0, false // LONG_MIN is refused as well
		}
		return -int64(v), true
	}
	if v == math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

func isDigit(c byte, base int) bool {
	var d int
	switch {
	case c >= '0' && c <= '9':
		d = int(c - '0')
	case c >= 'a' && c <= 'z':
		d = int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		d = int(c-'A') + 10
	default:
		return false
	}
	return d < base
}

// PrintFilter prints a filter's options as matchall_print_opt does.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := nl.Parse(opt, TCA_MATCHALL_MAX)
	if fh != 0 {
		p.Uint(tc.Any, "handle", "handle 0x%x ", uint64(fh))
	}
	if a := tb.Get(TCA_MATCHALL_CLASSID); a != nil && len(a.Data) >= 4 {
		p.String(tc.Any, "flowid", "flowid %s ", tc.Handle(a.U32()).String())
	}
	if a := tb.Get(TCA_MATCHALL_FLAGS); a != nil && len(a.Data) >= 4 {
		f := a.U32()
		if f&FlagSkipHW != 0 {
			p.Bool(tc.Any, "skip_hw", "\n  skip_hw", true)
		}
		if f&FlagSkipSW != 0 {
			p.Bool(tc.Any, "skip_sw", "\n  skip_sw", true)
		}
		if f&FlagInHW != 0 {
			p.Bool(tc.Any, "in_hw", "\n  in_hw", true)
		} else if f&FlagNotInHW != 0 {
			p.Bool(tc.Any, "not_in_hw", "\n  not_in_hw", true)
		}
	}
	if a := tb.Get(TCA_MATCHALL_PCNT); a != nil {
		if len(a.Data) < 8 {
			p.Printf("Broken perf counters\n")
			return fmt.Errorf("broken perf counters")
		}
		if p.Stats {
			p.Uint(tc.Any, "rule_hit", " (rule hit %d)", binary.NativeEndian.Uint64(a.Data))
		}
	}
	if a := tb.Get(TCA_MATCHALL_ACT); a != nil && p.Actions != nil {
		return p.Actions.PrintActions(p, a.Data)
	}
	return nil
}
