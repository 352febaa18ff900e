package skbedit

import (
	"strings"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is skbedit's tc face (m_skbedit.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: ... skbedit <[QM] [PM] [MM] [PT] [IF]>\n" +
	"QM = queue_mapping QUEUE_MAPPING\n" +
	"PM = priority PRIORITY\n" +
	"MM = mark MARK[/MASK]\n" +
	"PT = ptype PACKETYPE\n" +
	"IF = inheritdsfield\n" +
	"PACKETYPE = is one of:\n" +
	"  host, otherhost, broadcast, multicast\n" +
	"QUEUE_MAPPING = device transmit queue to use\n" +
	"PRIORITY = classID to assign to priority field\n" +
	"MARK = firewall mark to set\n" +
	"MASK = mask applied to firewall mark (0xffffffff by default)\n" +
	"note: inheritdsfield maps DS field to skb->priority"

// Packet types (PACKET_*).
const (
	packetHost      = 0
	packetBroadcast = 1
	packetMulticast = 2
	packetOtherhost = 3
)

// ParseAction reads `skbedit [queue_mapping N] [priority ID] [mark M[/K]]
// [ptype T] [inheritdsfield] [CONTROL] [index N]` (parse_skbedit).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "skbedit") {
		return tc.Usagef("")
	}
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	var flags uint32
	var qm, ptype uint16
	var prio, mark, mask uint32
	var pure uint64
	ok := 0
	// value is NEXT_ARG: the option's argument, left for the a.Next()
	// at the end of the loop.
	value := func() (string, error) {
		a.Next()
		if !a.More() {
			return "", tc.Incomplete()
		}
		return a.Peek(), nil
	}
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "queue_mapping"):
			flags |= SKBEDIT_F_QUEUE_MAPPING
			v, err := value()
			if err != nil {
				return err
			}
			n, err := tc.GetU32(v, 10)
			if err != nil || n > 65535 {
				return tc.Usagef("Illegal queue_mapping")
			}
			qm = uint16(n)
			ok++
		case tc.Matches(w, "priority"):
			flags |= SKBEDIT_F_PRIORITY
			v, err := value()
			if err != nil {
				return err
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.Usagef("Illegal priority")
			}
			prio = uint32(h)
			ok++
		case tc.Matches(w, "mark"):
			v, err := value()
			if err != nil {
				return err
			}
			m, k, slash := strings.Cut(v, "/")
			flags |= SKBEDIT_F_MARK
			if mark, err = tc.GetU32(m, 0); err != nil {
				return tc.Usagef("Illegal mark")
			}
			if slash {
				if mask, err = tc.GetU32(k, 0); err != nil {
					return tc.Usagef("Illegal mask")
				}
				flags |= SKBEDIT_F_MASK
			}
			ok++
		case tc.Matches(w, "ptype"):
			v, err := value()
			if err != nil {
				return err
			}
			switch {
			case tc.Matches(v, "host"):
				ptype = packetHost
			case tc.Matches(v, "broadcast"):
				ptype = packetBroadcast
			case tc.Matches(v, "multicast"):
				ptype = packetMulticast
			case tc.Matches(v, "otherhost"):
				ptype = packetOtherhost
			default:
				return tc.Usagef("Illegal ptype (%s)", v)
			}
			flags |= SKBEDIT_F_PTYPE
			ok++
		case tc.Matches(w, "inheritdsfield"):
			pure |= SKBEDIT_F_INHERITDSFIELD
			ok++
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		a.Next()
	}
	var gen actutil.Gen
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	idx, has, err := actutil.ParseIndex(a, "skbedit: Illegal \"index\"")
	if err != nil {
		return err
	}
	if has {
		gen.Index = idx
		ok++
	}
	if ok == 0 {
		return tc.Usagef("%s", explain)
	}
	var parms [actutil.GenLen]byte
	gen.Put(parms[:])
	b.Nest(attr)
	b.Put(TCA_SKBEDIT_PARMS, parms[:])
	if flags&SKBEDIT_F_QUEUE_MAPPING != 0 {
		b.PutU16(TCA_SKBEDIT_QUEUE_MAPPING, qm)
	}
	if flags&SKBEDIT_F_PRIORITY != 0 {
		b.PutU32(TCA_SKBEDIT_PRIORITY, prio)
	}
	if flags&SKBEDIT_F_MARK != 0 {
		b.PutU32(TCA_SKBEDIT_MARK, mark)
	}
	if flags&SKBEDIT_F_MASK != 0 {
		b.PutU32(TCA_SKBEDIT_MASK, mask)
	}
	if flags&SKBEDIT_F_PTYPE != 0 {
		b.PutU16(TCA_SKBEDIT_PTYPE, ptype)
	}
	if pure != 0 {
		b.PutU64(TCA_SKBEDIT_FLAGS, pure)
	}
	b.EndNest()
	return nil
}

// PrintAction prints a skbedit action (print_skbedit).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "skbedit")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_SKBEDIT_MAX)
	pa := tb.Get(TCA_SKBEDIT_PARMS)
	if pa == nil {
		return tc.Fail("Missing skbedit parameters")
	}
	g := actutil.DecodeGen(actutil.Fixed(pa.Data, actutil.GenLen))
	if x := tb.Get(TCA_SKBEDIT_QUEUE_MAPPING); x != nil && len(x.Data) >= 2 {
		p.Uint(tc.Any, "queue_mapping", "queue_mapping %d", uint64(x.U16()))
	}
	if x := tb.Get(TCA_SKBEDIT_PRIORITY); x != nil && len(x.Data) >= 4 {
		p.String(tc.Any, "priority", " priority %s", tc.Handle(x.U32()).String())
	}
	if x := tb.Get(TCA_SKBEDIT_MARK); x != nil && len(x.Data) >= 4 {
		p.Uint(tc.Any, "mark", " mark %d", uint64(x.U32()))
	}
	if x := tb.Get(TCA_SKBEDIT_MASK); x != nil && len(x.Data) >= 4 {
		actutil.PrintAltHex(p, "mask", "/", uint64(x.U32()))
	}
	if x := tb.Get(TCA_SKBEDIT_PTYPE); x != nil && len(x.Data) >= 2 {
		switch t := x.U16(); t {
		case packetHost:
			p.String(tc.Any, "ptype", " ptype %s", "host")
		case packetBroadcast:
			p.String(tc.Any, "ptype", " ptype %s", "broadcast")
		case packetMulticast:
			p.String(tc.Any, "ptype", " ptype %s", "multicast")
		case packetOtherhost:
			p.String(tc.Any, "ptype", " ptype %s", "otherhost")
		default:
			p.Uint(tc.Any, "ptype", " ptype %d", uint64(t))
		}
	}
	if x := tb.Get(TCA_SKBEDIT_FLAGS); x != nil && len(x.Data) >= 8 {
		if x.U64()&SKBEDIT_F_INHERITDSFIELD != 0 {
			p.Null(tc.Any, "inheritdsfield", " %s", "inheritdsfield")
		}
	}
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_SKBEDIT_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}
