package fw

import (
	"strings"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is fw's tc face (f_fw.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... fw [ classid CLASSID ] [ indev DEV ] [ action ACTION_SPEC ]
	CLASSID := Push matching packets to the class identified by CLASSID with format X:Y
		CLASSID is parsed as hexadecimal input.
	DEV := specify device for incoming device classification.
	ACTION_SPEC := Apply an action on matching packets.
	NOTE: handle is represented as HANDLE[/FWMASK].
		FWMASK is 0xffffffff by default.`

// ParseFilter is fw_parse_opt: HANDLE[/MASK] and the words.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh, mask uint32
	maskSet := false
	if handle != "" {
		h, m, slash := strings.Cut(handle, "/")
		v, err := tc.GetU32(h, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		fh = v
		if slash {
			if mask, err = tc.GetU32(m, 0); err != nil {
				return 0, tc.Usagef("Illegal \"handle\" mask")
			}
			maskSet = true
		}
	}
	if !a.More() {
		return fh, nil
	}
	b.Nest(sched.TCA_OPTIONS)
	if maskSet {
		b.PutU32(TCA_FW_MASK, mask)
	}
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "classid") || tc.Matches(w, "flowid"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(v)
			if !ok {
				return 0, tc.Usagef("Illegal \"classid\"")
			}
			b.PutU32(TCA_FW_CLASSID, id)
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_FW_POLICE, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_FW_ACT, b); err != nil {
				return 0, err
			}
		case w == "indev":
			if !a.More() {
				return 0, tc.Usagef("Illegal indev")
			}
			name := a.Next()
			if len(name) > 16 {
				name = name[:16]
			}
			b.PutString(TCA_FW_INDEV, name)
		case w == "help":
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.EndNest()
	return fh, nil
}

// PrintFilter is fw_print_opt of iproute2 6.1, which prints with
// fprintf: its text lands in JSON output too.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_FW_MAX, map[uint16]int{TCA_FW_CLASSID: 4, TCA_FW_MASK: 4})
	if fh != 0 || tb.Has(TCA_FW_MASK) {
		if a := tb.Get(TCA_FW_MASK); a != nil && a.U32() != 0xFFFFFFFF {
			p.Fprintf("handle 0x%x/0x%x ", fh, a.U32())
		} else {
			p.Fprintf("handle 0x%x ", fh)
		}
	}
	if a := tb.Get(TCA_FW_CLASSID); a != nil {
		p.Fprintf("classid %s ", clsutil.ClassIDString(a.U32()))
	}
	if a := tb.Get(TCA_FW_POLICE); a != nil {
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_FW_INDEV); a != nil {
		p.Fprintf("input dev %s ", a.Str())
	}
	if a := tb.Get(TCA_FW_ACT); a != nil {
		p.Fprintf("\n")
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
