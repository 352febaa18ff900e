package gate

import (
	"math"
	"strings"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is gate's tc face (m_gate.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: gate [ priority PRIO-SPEC ] [ base-time BASE-TIME ]\n" +
	"       [ cycle-time CYCLE-TIME ]\n" +
	"       [ cycle-time-ext CYCLE-TIME-EXT ]\n" +
	"       [ clockid CLOCKID ] [flags FLAGS]\n" +
	"       [ sched-entry GATE0 INTERVAL [ INTERNAL-PRIO-VALUE MAX-OCTETS ] ]\n" +
	"       [ sched-entry GATE1 INTERVAL [ INTERNAL-PRIO-VALUE MAX-OCTETS ] ]\n" +
	"       ......\n" +
	"       [ sched-entry GATEn INTERVAL [ INTERNAL-PRIO-VALUE MAX-OCTETS ] ]\n" +
	"       [ CONTROL ]\n" +
	"       GATEn := open | close\n" +
	"       INTERVAL : nanoseconds period of gate slot\n" +
	"       INTERNAL-PRIO-VALUE : internal priority decide which\n" +
	"                             rx queue number direct to.\n" +
	"                             default to be -1 which means wildcard.\n" +
	"       MAX-OCTETS : maximum number of MSDU octets that are\n" +
	"                    permitted to pas the gate during the\n" +
	"                    specified TimeInterval.\n" +
	"                    default to be -1 which means wildcard.\n" +
	"       CONTROL := pipe | drop | continue | pass |\n" +
	"                  goto chain <CHAIN_INDEX>"

const entryFormat = "Usage: sched-entry <open | close> <interval> [ <interval ipv> <octets max bytes> ]"

// clockInvalid is CLOCKID_INVALID.
const clockInvalid = -1

// clocks is iproute2's clockt_map, in its order.
var clocks = []struct {
	name string
	id   int32
}{{"REALTIME", clockRealtime}, {"TAI", clockTAI}, {"BOOTTIME", clockBoottime}, {"MONOTONIC", clockMonotonic}}

// parseClockID is get_clockid: a name from clockt_map, with or without
// CLOCK_ (tc skips six bytes whenever CLOCK_ occurs anywhere in the word).
func parseClockID(s string) (int32, bool) {
	if strings.Contains(strings.ToUpper(s), "CLOCK_") {
		s = s[len("CLOCK_"):]
	}
	for _, c := range clocks {
		if strings.EqualFold(c.name, s) {
			return c.id, true
		}
	}
	return 0, false
}

// clockName is get_clock_name.
func clockName(id int32) string {
	for _, c := range clocks {
		if c.id == id {
			return c.name
		}
	}
	return "invalid"
}

// getS64 is get_s64.
func getS64(s string, base int) (int64, bool) {
	if s == "" {
		return 0, false
	}
	v, n, over := tc.Strtol(s, base)
	if n == 0 || n != len(s) || over {
		return 0, false
	}
	return v, true
}

// getTime is get_s64 in base 10, then get_time64.
func getTime(s string) (int64, bool) {
	if v, ok := getS64(s, 10); ok {
		return v, true
	}
	v, err := tc.ParseTime64(s)
	return v, err == nil
}

type cliEntry struct {
	open      bool
	interval  uint32
	ipv       int32
	maxOctets int32
}

// parseEntry reads the words after sched-entry (the sched-entry branch of
// parse_gate); the current word is sched-entry.
func parseEntry(a *tc.Args) (cliEntry, error) {
	e := cliEntry{ipv: -1, maxOctets: -1}
	bad := tc.Usagef("%s\n\"sched-entry\" is incomplete", entryFormat)
	a.Next()
	if !a.More() {
		return e, bad
	}
	switch w := a.Next(); {
	case strings.EqualFold(w, "OPEN"):
		e.open = true
	case strings.EqualFold(w, "CLOSE"):
	default:
		return e, bad
	}
	if !a.More() {
		return e, bad
	}
	w := a.Next()
	var iv64 int64
	if v, err := tc.GetU32(w, 0); err == nil {
		e.interval = v
	} else {
		t, err := tc.ParseTime64(w)
		if err != nil {
			return e, bad
		}
		iv64 = t
	}
	if iv64 > math.MaxUint32 {
		return e, tc.Usagef("\"interval\" is too large")
	} else if iv64 != 0 {
		e.interval = uint32(iv64)
	}
	if !a.More() {
		return e, nil
	}
	ipv, err := tc.GetInteger(a.Peek(), 0)
	if err != nil {
		return e, nil
	}
	a.Next()
	e.ipv = ipv
	if !e.open {
		e.ipv = -1
	}
	if !a.More() {
		return e, nil
	}
	var octU uint32
	w = a.Peek()
	if v, err := tc.GetInteger(w, 0); err == nil {
		e.maxOctets = v
		a.Next()
	} else if v, err := tc.ParseSize(w); err == nil {
		octU = v
		a.Next()
	}
	if octU > math.MaxInt32 {
		return e, tc.Usagef("\"maxoctets\" is too large")
	} else if octU != 0 {
		e.maxOctets = int32(octU)
	}
	if !e.open {
		e.maxOctets = -1
	}
	return e, nil
}

// ParseAction reads `gate [priority P] [base-time T] [cycle-time T]
// [cycle-time-ext T] [clockid C] [flags F] [sched-entry ...]... [index N]
// [CONTROL]` (parse_gate).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "gate") {
		return tc.Usagef("")
	}
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	gen := actutil.Gen{Action: actutil.Pipe}
	clockid := int32(clockInvalid)
	var baseTime, cycleTime, cycleExt int64
	var flags uint32
	prio := int32(-1)
	var entries []cliEntry
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
		case tc.Matches(w, "index"):
			v, err := value()
			if err != nil {
				return err
			}
			if gen.Index, err = tc.GetU32(v, 10); err != nil {
				return tc.InvArg("index", v)
			}
		case tc.Matches(w, "priority"):
			v, err := value()
			if err != nil {
				return err
			}
			if prio, err = tc.GetInteger(v, 0); err != nil {
				return tc.InvArg("priority", v)
			}
		case tc.Matches(w, "base-time"), tc.Matches(w, "cycle-time"), tc.Matches(w, "cycle-time-ext"):
			// matches() takes the first branch a prefix fits, so "cycle"
			// is cycle-time.
			name := "base-time"
			dst := &baseTime
			if !tc.Matches(w, "base-time") {
				name, dst = "cycle-time", &cycleTime
				if !tc.Matches(w, "cycle-time") {
					name, dst = "cycle-time-ext", &cycleExt
				}
			}
			v, err := value()
			if err != nil {
				return err
			}
			t, ok := getTime(v)
			if !ok {
				return tc.InvArg(name, v)
			}
			*dst = t
		case tc.Matches(w, "clockid"):
			v, err := value()
			if err != nil {
				return err
			}
			id, ok := parseClockID(v)
			if !ok {
				return tc.InvArg("clockid", v)
			}
			clockid = id
		case tc.Matches(w, "flags"):
			v, err := value()
			if err != nil {
				return err
			}
			if flags, err = tc.GetU32(v, 0); err != nil {
				return tc.InvArg("flags", v)
			}
		case tc.Matches(w, "sched-entry"):
			e, err := parseEntry(a)
			if err != nil {
				return err
			}
			entries = append(entries, e)
			continue
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		a.Next()
	}
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	if len(entries) == 0 && gen.Index == 0 {
		return tc.Usagef("gate: must add at least one entry")
	}
	var parms [actutil.GenLen]byte
	gen.Put(parms[:])
	b.Nest(attr)
	b.Put(TCA_GATE_PARMS, parms[:])
	if prio != -1 {
		b.PutU32(TCA_GATE_PRIORITY, uint32(prio))
	}
	if flags != 0 {
		b.PutU32(TCA_GATE_FLAGS, flags)
	}
	if baseTime != 0 {
		b.PutU64(TCA_GATE_BASE_TIME, uint64(baseTime))
	}
	if cycleTime != 0 {
		b.PutU64(TCA_GATE_CYCLE_TIME, uint64(cycleTime))
	}
	if cycleExt != 0 {
		b.PutU64(TCA_GATE_CYCLE_TIME_EXT, uint64(cycleExt))
	}
	if clockid != clockInvalid {
		b.PutU32(TCA_GATE_CLOCKID, uint32(clockid))
	}
	b.Nest(TCA_GATE_ENTRY_LIST | nl.NLA_F_NESTED)
	for _, e := range entries {
		b.Nest(TCA_GATE_ONE_ENTRY | nl.NLA_F_NESTED)
		if e.open {
			b.PutFlag(TCA_GATE_ENTRY_GATE)
		}
		b.PutU32(TCA_GATE_ENTRY_INTERVAL, e.interval)
		b.PutU32(TCA_GATE_ENTRY_IPV, uint32(e.ipv))
		b.PutU32(TCA_GATE_ENTRY_MAX_OCTETS, uint32(e.maxOctets))
		b.EndNest()
	}
	b.EndNest()
	b.EndNest()
	return nil
}

// printList is print_gate_list.
func printList(p *tc.Printer, list []byte) {
	p.Text(p.SL())
	p.Text("\tschedule:" + p.SL())
	p.OpenArray(tc.JSON, "schedule", "")
	nl.Walk(list, func(it nl.Attr) bool {
		tb := nl.Parse(it.Data, TCA_GATE_ENTRY_MAX)
		var index, interval uint32
		ipv, maxOctets := int32(-1), int32(-1)
		if x := tb.Get(TCA_GATE_ENTRY_INDEX); x != nil && len(x.Data) >= 4 {
			index = x.U32()
		}
		open := tb.Has(TCA_GATE_ENTRY_GATE)
		if x := tb.Get(TCA_GATE_ENTRY_INTERVAL); x != nil && len(x.Data) >= 4 {
			interval = x.U32()
		}
		if x := tb.Get(TCA_GATE_ENTRY_IPV); x != nil && len(x.Data) >= 4 {
			ipv = int32(x.U32())
		}
		if x := tb.Get(TCA_GATE_ENTRY_MAX_OCTETS); x != nil && len(x.Data) >= 4 {
			maxOctets = int32(x.U32())
		}
		p.OpenObject("")
		p.Uint(tc.Any, "number", "\t number %4d", uint64(index))
		state := "close"
		if open {
			state = "open"
		}
		p.String(tc.Any, "gate_state", "\tgate-state %s ", state)
		p.Uint(tc.JSON, "interval", "", uint64(interval))
		p.String(tc.Text, "", "\tinterval %s", tc.Time64String(int64(interval)))
		if ipv != -1 {
			p.Uint(tc.Any, "ipv", "\t ipv %-10d", uint64(uint32(ipv)))
		} else {
			p.Int(tc.JSON, "ipv", "", int64(ipv))
			p.String(tc.Text, "", "\t ipv %s", "wildcard")
		}
		if maxOctets != -1 {
			p.Size(tc.Any, "max_octets", "\t max-octets %s", uint32(maxOctets))
		} else {
			p.String(tc.Text, "", "\t max-octets %s", "wildcard")
			p.Int(tc.JSON, "max_octets", "", int64(maxOctets))
		}
		p.CloseObject()
		p.Text(p.SL())
		return true
	})
	p.CloseArray(tc.JSON, "")
}

func s64(tb nl.Attrs, t uint16) int64 {
	if x := tb.Get(t); x != nil && len(x.Data) >= 8 {
		return int64(x.U64())
	}
	return 0
}

// PrintAction prints a gate action (print_gate).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	if opt == nil {
		return tc.Fail("")
	}
	tb := nl.Parse(opt, TCA_GATE_MAX)
	pa := tb.Get(TCA_GATE_PARMS)
	if pa == nil {
		return tc.Fail("Missing gate parameters")
	}
	p.Text("\n")
	g := actutil.DecodeGen(actutil.Fixed(pa.Data, actutil.GenLen))
	prio := int32(-1)
	if x := tb.Get(TCA_GATE_PRIORITY); x != nil && len(x.Data) >= 4 {
		prio = int32(x.U32())
	}
	if prio != -1 {
		p.Int(tc.Any, "priority", "\tpriority %-8d", int64(prio))
	} else {
		p.String(tc.Text, "", "\tpriority %s", "wildcard")
		p.Int(tc.JSON, "priority", "", int64(prio))
	}
	clockid := int32(clockInvalid)
	if x := tb.Get(TCA_GATE_CLOCKID); x != nil && len(x.Data) >= 4 {
		clockid = int32(x.U32())
	}
	p.String(tc.Any, "clockid", "\tclockid %s", clockName(clockid))
	if x := tb.Get(TCA_GATE_FLAGS); x != nil && len(x.Data) >= 4 {
		actutil.PrintAltHex(p, "flags", "\tflags ", uint64(x.U32()))
	}
	p.Text("\n")
	base := s64(tb, TCA_GATE_BASE_TIME)
	p.String(tc.Text, "", "\tbase-time %s", tc.Time64String(base))
	p.Uint(tc.JSON, "base_time", "", uint64(base))
	cycle := s64(tb, TCA_GATE_CYCLE_TIME)
	p.String(tc.Text, "", "\tcycle-time %s", tc.Time64String(cycle))
	p.Uint(tc.JSON, "cycle_time", "", uint64(cycle))
	ext := s64(tb, TCA_GATE_CYCLE_TIME_EXT)
	p.String(tc.Text, "", "\tcycle-time-ext %s", tc.Time64String(ext))
	p.Uint(tc.JSON, "cycle_time_ext", "", uint64(ext))
	if l := tb.Get(TCA_GATE_ENTRY_LIST); l != nil {
		printList(p, l.Data)
	}
	actutil.PrintControl(p, "\t", g.Action, "")
	p.Uint(tc.Any, "index", "\n\t index %d", uint64(g.Index))
	p.Int(tc.Any, "ref", " ref %d", int64(g.Refcnt))
	p.Int(tc.Any, "bind", " bind %d", int64(g.Bindcnt))
	if p.Stats {
		if tm := tb.Get(TCA_GATE_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.Text("\n")
	return nil
}
