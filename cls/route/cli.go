package route

import (
	"fmt"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is route's tc face (f_route.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

const usage = `Usage: ... route [ from REALM | fromif TAG ] [ to REALM ]
                [ classid CLASSID ] [ action ACTION_SPEC ]
       ACTION_SPEC := ... look at individual actions
       CLASSID := X:Y

NOTE: CLASSID is parsed as hexadecimal input.`

// realm is rtnl_rtrealm_a2n with the default table (0 is "cosmos").
func realm(s string) (uint32, bool) {
	if s == "cosmos" {
		return 0, true
	}
	v, err := tc.GetU32(s, 0)
	return v, err == nil
}

func realmString(v uint32) string {
	if v == 0 {
		return "cosmos"
	}
	return fmt.Sprint(v)
}

// ParseFilter is route_parse_opt: without a handle, tc sends the one the
// words make.
func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var th uint32
	if handle != "" {
		v, err := tc.GetU32(handle, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		th = v
	}
	if !a.More() {
		return th, nil
	}
	fh := uint32(0xFFFF8000)
	var order uint32
	b.Nest(sched.TCA_OPTIONS)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "to"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := realm(v)
			if !ok {
				return 0, tc.Usagef("Illegal \"to\"")
			}
			b.PutU32(TCA_ROUTE4_TO, id)
			fh &^= 0x80FF
			fh |= id & 0xFF
		case tc.Matches(w, "from"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := realm(v)
			if !ok {
				return 0, tc.Usagef("Illegal \"from\"")
			}
			b.PutU32(TCA_ROUTE4_FROM, id)
			fh &= 0xFFFF
			fh |= id << 16
		case tc.Matches(w, "fromif"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			var id int32
			if a.Links != nil {
				id = a.Links.Index(v)
			}
			if id <= 0 {
				return 0, tc.Usagef("Illegal \"fromif\"")
			}
			b.PutU32(TCA_ROUTE4_IIF, uint32(id))
			fh &= 0x80FF
			fh |= (0x8000 | uint32(id)) << 16
		case tc.Matches(w, "order"):
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			if order, err = tc.GetU32(v, 0); err != nil {
				return 0, tc.Usagef("Illegal \"order\"")
			}
		case tc.Matches(w, "classid") || w == "flowid":
			v, err := a.Value()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(v)
			if !ok {
				return 0, tc.Usagef("Illegal \"classid\"")
			}
			b.PutU32(TCA_ROUTE4_CLASSID, id)
		case tc.Matches(w, "police"):
			if !a.More() {
				return 0, tc.Incomplete()
			}
			if err := clsutil.ParsePolice(a, TCA_ROUTE4_POLICE, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_ROUTE4_ACT, b); err != nil {
				return 0, err
			}
		case tc.Matches(w, "help"):
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.EndNest()
	if order != 0 {
		fh &^= 0x7F00
		fh |= order << 8 & 0x7F00
	}
	if th == 0 {
		th = fh
	}
	return th, nil
}

// PrintFilter is route_print_opt.
func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_ROUTE4_MAX, map[uint16]int{TCA_ROUTE4_CLASSID: 4, TCA_ROUTE4_TO: 4, TCA_ROUTE4_FROM: 4, TCA_ROUTE4_IIF: 4})
	if fh != 0 {
		p.Fprintf("fh 0x%08x ", fh)
	}
	if fh&0x7F00 != 0 {
		p.Fprintf("order %d ", (fh>>8)&0x7F)
	}
	if a := tb.Get(TCA_ROUTE4_CLASSID); a != nil {
		p.Fprintf("flowid %s ", clsutil.ClassIDString(a.U32()))
	}
	if a := tb.Get(TCA_ROUTE4_TO); a != nil {
		p.Fprintf("to %s ", realmString(a.U32()))
	}
	if a := tb.Get(TCA_ROUTE4_FROM); a != nil {
		p.Fprintf("from %s ", realmString(a.U32()))
	}
	if a := tb.Get(TCA_ROUTE4_IIF); a != nil {
		name := fmt.Sprintf("if%d", a.U32())
		if p.Links != nil {
			if n := p.Links.Name(int32(a.U32())); n != "" {
				name = n
			}
		}
		p.Fprintf("fromif %s", name)
	}
	if a := tb.Get(TCA_ROUTE4_POLICE); a != nil {
		clsutil.PrintPolice(p, a.Data)
	}
	if a := tb.Get(TCA_ROUTE4_ACT); a != nil {
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}
