package csum

import (
	"encoding/binary"
	"strings"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is csum's tc face (m_csum.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: ... csum <UPDATE>\n" +
	"Where: UPDATE := <TARGET> [<UPDATE>]\n" +
	"       TARGET := { ip4h | icmp | igmp | tcp | udp | udplite | sctp | <SWEETS> }\n" +
	"       SWEETS := { and | or | '+' }"

// parseArgs is parse_csum_args: targets, and the words that join them.
func parseArgs(a *tc.Args, flags *uint32) {
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "iph"), tc.Matches(w, "ip4h"), tc.Matches(w, "ipv4h"):
			*flags |= TCA_CSUM_UPDATE_FLAG_IPV4HDR
		case tc.Matches(w, "icmp"):
			*flags |= TCA_CSUM_UPDATE_FLAG_ICMP
		case tc.Matches(w, "igmp"):
			*flags |= TCA_CSUM_UPDATE_FLAG_IGMP
		case tc.Matches(w, "tcp"):
			*flags |= TCA_CSUM_UPDATE_FLAG_TCP
		case tc.Matches(w, "udp"):
			*flags |= TCA_CSUM_UPDATE_FLAG_UDP
		case tc.Matches(w, "udplite"):
			*flags |= TCA_CSUM_UPDATE_FLAG_UDPLITE
		case tc.Matches(w, "sctp"):
			*flags |= TCA_CSUM_UPDATE_FLAG_SCTP
		case tc.Matches(w, "and"), tc.Matches(w, "or"), tc.Matches(w, "+"):
		default:
			return
		}
		a.Next()
	}
}

// ParseAction reads `csum TARGET... [CONTROL] [index N]`, or `csum index N`
// to bind an existing action (parse_csum).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	var gen actutil.Gen
	var flags uint32
	ok := 0
	skip := false
loop:
	for a.More() {
		switch w := a.Peek(); {
		case tc.Matches(w, "csum"):
			a.Next()
			if !a.More() {
				return tc.Incomplete()
			}
			if a.Peek() == "index" {
				skip = true
				break loop
			}
			parseArgs(a, &flags)
			ok++
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
	}
	if !skip {
		if ok == 0 {
			return tc.Usagef("%s", explain)
		}
		if flags == 0 {
			return tc.Usagef("Illegal csum construct, empty <UPDATE> list")
		}
		ctl, err := actutil.ParseControlDefault(a, false, actutil.OK)
		if err != nil {
			return err
		}
		gen.Action = ctl
	}
	if skip || (a.More() && tc.Matches(a.Peek(), "index")) {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.Usagef("Illegal \"index\" (%s) <csum>", v)
		}
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint32(parms[20:], flags)
	b.Nest(attr)
	b.Put(TCA_CSUM_PARMS, parms)
	b.EndNest()
	return nil
}

// PrintAction prints a csum action (print_csum).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "csum")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_CSUM_MAX)
	pa := tb.Get(TCA_CSUM_PARMS)
	if pa == nil {
		return tc.Fail("Missing csum parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	flags := binary.NativeEndian.Uint32(d[20:])
	var names []string
	if flags&TCA_CSUM_UPDATE_FLAG_IPV4HDR != 0 {
		names = append(names, "iph")
	}
	for _, f := range []struct {
		bit  uint32
		name string
	}{{TCA_CSUM_UPDATE_FLAG_ICMP, "icmp"}, {TCA_CSUM_UPDATE_FLAG_IGMP, "igmp"}, {TCA_CSUM_UPDATE_FLAG_TCP, "tcp"},
		{TCA_CSUM_UPDATE_FLAG_UDP, "udp"}, {TCA_CSUM_UPDATE_FLAG_UDPLITE, "udplite"}, {TCA_CSUM_UPDATE_FLAG_SCTP, "sctp"}} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	s := strings.Join(names, ", ")
	if s == "" {
		s = "?empty"
	}
	p.String(tc.Any, "csum", "(%s) ", s)
	actutil.PrintControl(p, "action ", g.Action, p.SL())
	p.Uint(tc.Any, "index", "\tindex %d", uint64(g.Index))
	p.Int(tc.Any, "ref", " ref %d", int64(g.Refcnt))
	p.Int(tc.Any, "bind", " bind %d", int64(g.Bindcnt))
	if p.Stats {
		if tm := tb.Get(TCA_CSUM_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
