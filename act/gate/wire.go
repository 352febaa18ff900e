package gate

import (
	"syscall"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_GATE_* attributes.
const (
	TCA_GATE_UNSPEC = iota
	TCA_GATE_TM
	TCA_GATE_PARMS
	TCA_GATE_PAD
	TCA_GATE_PRIORITY
	TCA_GATE_ENTRY_LIST
	TCA_GATE_BASE_TIME
	TCA_GATE_CYCLE_TIME
	TCA_GATE_CYCLE_TIME_EXT
	TCA_GATE_FLAGS
	TCA_GATE_CLOCKID
	TCA_GATE_MAX = TCA_GATE_CLOCKID
)

// Entry attributes.
const (
	TCA_GATE_ONE_ENTRY = 1

	TCA_GATE_ENTRY_INDEX      = 1
	TCA_GATE_ENTRY_GATE       = 2
	TCA_GATE_ENTRY_INTERVAL   = 3
	TCA_GATE_ENTRY_IPV        = 4
	TCA_GATE_ENTRY_MAX_OCTETS = 5
	TCA_GATE_ENTRY_MAX        = 5
)

// TCA_ID_GATE is gate's action type.
const TCA_ID_GATE = 30

// Clock ids.
const (
	clockRealtime  = 0
	clockMonotonic = 1
	clockBoottime  = 7
	clockTAI       = 11
)

// strict checks attributes as nla_parse_nested does: known types only,
// fixed sizes exact.
func strict(data []byte, max uint16, sizes map[uint16]int) error {
	var err error
	nl.Walk(data, func(a nl.Attr) bool {
		if a.Type == 0 || a.Type > max {
			err = sched.Err(syscall.EINVAL, "Unknown attribute type")
			return false
		}
		n, ok := sizes[a.Type]
		if !ok {
			return true
		}
		switch {
		case n == 0 && len(a.Data) != 0:
			err = sched.Err(syscall.EINVAL, "Attribute failed policy validation")
		case n > 0 && len(a.Data) < n:
			err = sched.Err(syscall.ERANGE, "Attribute failed policy validation")
		case n > 0 && len(a.Data) > n:
			err = sched.Err(syscall.EINVAL, "invalid attribute length")
		}
		return err == nil
	})
	return err
}

var gateSizes = map[uint16]int{
	TCA_GATE_PARMS: actutil.GenLen, TCA_GATE_PRIORITY: 4, TCA_GATE_BASE_TIME: 8, TCA_GATE_CYCLE_TIME: 8,
	TCA_GATE_CYCLE_TIME_EXT: 8, TCA_GATE_FLAGS: 4, TCA_GATE_CLOCKID: 4,
}

var entrySizes = map[uint16]int{
	TCA_GATE_ENTRY_INDEX: 4, TCA_GATE_ENTRY_GATE: 0, TCA_GATE_ENTRY_INTERVAL: 4, TCA_GATE_ENTRY_IPV: 4, TCA_GATE_ENTRY_MAX_OCTETS: 4,
}

// parseList is parse_gate_list: entries are added to those already there.
func parseList(list *nl.Attr, base []entry, ext *sched.Ext) ([]entry, error) {
	out := base
	i := 0
	var err error
	nl.Walk(list.Data, func(n nl.Attr) bool {
		if n.Type != TCA_GATE_ONE_ENTRY {
			ext.Warn("Attribute isn't type 'entry'")
			return true
		}
		if strict(n.Data, TCA_GATE_ENTRY_MAX, entrySizes) != nil {
			err = sched.Err(syscall.EINVAL, "Could not parse nested entry")
			return false
		}
		tb := nl.Parse(n.Data, TCA_GATE_ENTRY_MAX)
		e := entry{index: uint32(i), open: tb.Has(TCA_GATE_ENTRY_GATE), ipv: -1, maxOctets: -1}
		if x := tb.Get(TCA_GATE_ENTRY_INTERVAL); x != nil {
			e.interval = x.U32()
		}
		if e.interval == 0 {
			err = sched.Err(syscall.EINVAL, "Invalid interval for schedule entry")
			return false
		}
		if x := tb.Get(TCA_GATE_ENTRY_IPV); x != nil {
			e.ipv = int32(x.U32())
		}
		if x := tb.Get(TCA_GATE_ENTRY_MAX_OCTETS); x != nil {
			e.maxOctets = int32(x.U32())
		}
		out = append(out, e)
		i++
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// initGate is tcf_gate_init.
func initGate(r *sched.ActInit) (*sched.Action, bool, error) {
	if r.Options == nil {
		return nil, false, syscall.EINVAL
	}
	if err := strict(r.Options.Data, TCA_GATE_MAX, gateSizes); err != nil {
		return nil, false, err
	}
	tb := nl.Parse(r.Options.Data, TCA_GATE_MAX)
	pa := tb.Get(TCA_GATE_PARMS)
	if pa == nil {
		return nil, false, syscall.EINVAL
	}
	clockid := int32(clockTAI)
	if x := tb.Get(TCA_GATE_CLOCKID); x != nil {
		clockid = int32(x.U32())
		switch clockid {
		case clockRealtime, clockMonotonic, clockBoottime, clockTAI:
		default:
			return nil, false, sched.Err(syscall.EINVAL, "Invalid 'clockid'")
		}
	}
	parm := actutil.DecodeGen(pa.Data)
	a, created, bound, err := actutil.Obtain(r, parm.Index, func() sched.ActionOps { return &gate{} })
	if err != nil || bound {
		return a, false, err
	}
	prio := int32(-1)
	if x := tb.Get(TCA_GATE_PRIORITY); x != nil {
		prio = int32(x.U32())
	}
	var basetime uint64
	if x := tb.Get(TCA_GATE_BASE_TIME); x != nil {
		basetime = x.U64()
	}
	var gflags uint32
	if x := tb.Get(TCA_GATE_FLAGS); x != nil {
		gflags = x.U32()
	}
	ch, err := r.CheckCtrlAct(parm.Action)
	if err != nil {
		a.Release(r.Bind())
		return nil, false, err
	}
	g := a.Ops.(*gate)
	g.mu.Lock()
	fail := func(err error) (*sched.Action, bool, error) {
		g.mu.Unlock()
		sched.PutChain(ch)
		a.Release(r.Bind())
		return nil, false, err
	}
	var cycletime uint64
	if x := tb.Get(TCA_GATE_CYCLE_TIME); x != nil {
		cycletime = x.U64()
	}
	entries := g.entries
	if x := tb.Get(TCA_GATE_ENTRY_LIST); x != nil {
		if entries, err = parseList(x, entries, r.Ext); err != nil {
			return fail(err)
		}
	}
	if cycletime == 0 {
		for _, e := range entries {
			cycletime += uint64(e.interval)
		}
		if cycletime == 0 {
			return fail(syscall.EINVAL)
		}
	}
	g.entries = entries
	g.cycletime = cycletime
	if x := tb.Get(TCA_GATE_CYCLE_TIME_EXT); x != nil {
		g.cycleExt = x.U64()
	}
	if g.timer == nil {
		g.clk = r.Net.Clock
		g.timer = g.clk.NewTimer(g.tick)
	} else if basetime != g.basetime || clockid != g.clockid {
		g.timer.Stop()
	}
	g.basetime, g.clockid = basetime, clockid
	g.priority, g.flags = prio, gflags
	start := g.startTime()
	g.closeTime = start
	g.status = statusOpen | statusPending
	g.next = 0
	old := a.SetCtrlAct(parm.Action, ch)
	// gate_start_timer: the earlier of the new start and a pending expiry.
	if at, ok := g.timer.Pending(); ok && at < start {
		start = at
	}
	g.timerExpires = start
	g.timer.Reset(start)
	g.mu.Unlock()
	sched.PutChain(old)
	return a, created, nil
}
