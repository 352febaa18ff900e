package mirred

import (
	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is mirred's tc face (m_mirred.c), with the block target
// (`blockid N`) of iproute2 releases after 6.1, which 6.1 lacks.
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: mirred <DIRECTION> <ACTION> [index INDEX] <TARGET>\n" +
	"where:\n" +
	"\tDIRECTION := <ingress | egress>\n" +
	"\tACTION := <mirror | redirect>\n" +
	"\tINDEX  is the specific policy instance id\n" +
	"\tTARGET := <BLOCK | DEVICE>\n" +
	"\tDEVICE := dev DEVICENAME\n" +
	"\tDEVICENAME is the devicename\n" +
	"\tBLOCK := blockid BLOCKID\n" +
	"\tBLOCKID := 32-bit unsigned block ID"

// ParseAction reads `mirred DIRECTION ACTION [index N] dev DEV|blockid N
// [CONTROL] [index N]` (parse_mirred and parse_direction).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "mirred") {
		return tc.Usagef("mirred bad argument %s", a.Peek())
	}
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	switch w := a.Peek(); {
	case tc.Matches(w, "egress"), tc.Matches(w, "ingress"), tc.Matches(w, "index"):
		return parseDirection(a, attr, b)
	case tc.Matches(w, "help"):
		return tc.Exitf(255, "%s", explain)
	default:
		return tc.Usagef("mirred option not supported %s", w)
	}
}

func parseDirection(a *tc.Args, attr uint16, b *nl.Builder) error {
	var p Parms
	ok, iok := 0, 0
	var mirror, redir, ingress, egress bool
	dev := ""
	var blockid uint32
	next := func() error {
		a.Next()
		if !a.More() {
			return tc.Incomplete()
		}
		return nil
	}
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "action"):
			if err := next(); err != nil {
				return err
			}
			break loop
		case !egress && tc.Matches(w, "egress"):
			egress = true
			if ingress {
				return tc.Usagef("Can't have both egress and ingress")
			}
			if err := next(); err != nil {
				return err
			}
			ok++
			continue
		case !ingress && tc.Matches(w, "ingress"):
			ingress = true
			if egress {
				return tc.Usagef("Can't have both ingress and egress")
			}
			if err := next(); err != nil {
				return err
			}
			ok++
			continue
		case tc.Matches(w, "index"):
			if err := next(); err != nil {
				return err
			}
			idx, err := tc.GetU32(a.Peek(), 10)
			if err != nil {
				return tc.Usagef("Illegal \"index\"")
			}
			p.Index = idx
			iok++
			if ok == 0 {
				a.Next()
				break loop
			}
		case ok == 0:
			a.Warn("was expecting egress or ingress (" + w + ")")
			break loop
		case !mirror && tc.Matches(w, "mirror"):
			mirror = true
			if redir {
				return tc.Usagef("Can't have both mirror and redir")
			}
			p.Eaction = TCA_INGRESS_MIRROR
			if egress {
				p.Eaction = TCA_EGRESS_MIRROR
			}
			p.Action = actutil.Pipe
			ok++
		case !redir && tc.Matches(w, "redirect"):
			redir = true
			if mirror {
				return tc.Usagef("Can't have both mirror and redir")
			}
			p.Eaction = TCA_INGRESS_REDIR
			if egress {
				p.Eaction = TCA_EGRESS_REDIR
			}
			p.Action = actutil.Stolen
			ok++
		case redir || mirror:
			// The target: a block or a device, and the words end.
			if w == "blockid" {
				if err := next(); err != nil {
					return err
				}
				v, err := tc.GetU32(a.Peek(), 0)
				if err != nil || v == 0 {
					return tc.Usagef("invalid block ID")
				}
				blockid = v
				a.Next()
			}
			if a.More() && tc.Matches(a.Peek(), "dev") {
				if blockid != 0 {
					return tc.Usagef("blockid and device are mutually exclusive.")
				}
				if err := next(); err != nil {
					return err
				}
				dev = a.Next()
				if len(dev) > 15 {
					dev = dev[:15]
				}
			}
			break loop
		}
		if err := next(); err != nil {
			return err
		}
	}
	if ok == 0 && iok == 0 {
		return tc.Usagef("")
	}
	if dev != "" {
		idx := actutil.LinkIndex(a, dev)
		if idx == 0 {
			return actutil.NoDev(dev)
		}
		p.Ifindex = uint32(idx)
	}
	if p.Eaction == TCA_EGRESS_MIRROR || p.Eaction == TCA_INGRESS_MIRROR {
		v, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
		if err != nil {
			return err
		}
		p.Action = v
	}
	if a.More() {
		if iok > 0 && tc.Matches(a.Peek(), "index") {
			return tc.Usagef("mirred: Illegal double index")
		}
		idx, has, err := actutil.ParseIndex(a, "mirred: Illegal \"index\"")
		if err != nil {
			return err
		}
		if has {
			p.Index = idx
		}
	}
	b.Nest(attr)
	b.Put(TCA_MIRRED_PARMS, p.Encode())
	if blockid != 0 {
		b.PutU32(TCA_MIRRED_BLOCKID, blockid)
	}
	b.EndNest()
	return nil
}

func eactionName(e int32) string {
	switch e {
	case TCA_EGRESS_REDIR:
		return "Egress Redirect"
	case TCA_INGRESS_REDIR:
		return "Ingress Redirect"
	case TCA_EGRESS_MIRROR:
		return "Egress Mirror"
	case TCA_INGRESS_MIRROR:
		return "Ingress Mirror"
	}
	return "unknown"
}

func direction(e int32) string {
	switch e {
	case TCA_EGRESS_REDIR, TCA_EGRESS_MIRROR:
		return "egress"
	case TCA_INGRESS_REDIR, TCA_INGRESS_MIRROR:
		return "ingress"
	}
	return "unknown"
}

func verb(e int32) string {
	switch e {
	case TCA_EGRESS_REDIR, TCA_INGRESS_REDIR:
		return "redirect"
	case TCA_EGRESS_MIRROR, TCA_INGRESS_MIRROR:
		return "mirror"
	}
	return "unknown"
}

// PrintAction prints a mirred action (print_mirred).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "mirred")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_MIRRED_MAX)
	pa := tb.Get(TCA_MIRRED_PARMS)
	if pa == nil {
		return tc.Fail("Missing mirred parameters")
	}
	m := DecodeParms(pa.Data)
	p.String(tc.Text, "", "(%s", eactionName(m.Eaction))
	p.String(tc.JSON, "mirred_action", "", verb(m.Eaction))
	p.String(tc.JSON, "direction", "", direction(m.Eaction))
	if ba := tb.Get(TCA_MIRRED_BLOCKID); ba != nil && len(ba.Data) >= 4 {
		p.Uint(tc.Any, "to_blockid", " to blockid %d)", uint64(ba.U32()))
	} else {
		p.String(tc.Any, "to_dev", " to device %s)", actutil.LinkName(p, int32(m.Ifindex)))
	}
	actutil.PrintControl(p, " ", m.Action, "")
	p.NL()
	p.Uint(tc.Any, "index", "\tindex %d", uint64(m.Index))
	p.Int(tc.Any, "ref", " ref %d", int64(m.Refcnt))
	p.Int(tc.Any, "bind", " bind %d", int64(m.Bindcnt))
	if p.Stats {
		if tm := tb.Get(TCA_MIRRED_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
