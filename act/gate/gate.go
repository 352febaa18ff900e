// Package gate is the time-based gate of IEEE 802.1Qci (act_gate.c): a
// cyclic schedule of entries, each open or closed for an interval and
// optionally limited to a number of octets, on the namespace's clock. A
// packet passes while the current entry is open (and within its octets),
// and is dropped otherwise; until the schedule's start time the gate is
// open. The kernel keeps the schedule on the clock its clockid names (TAI
// by default); netsched has one clock per namespace and keeps every
// schedule on it, so base times count from that clock's origin.
package gate

import (
	"sync"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is gate.
var Kind = &sched.ActionKind{ID: "gate", Type: TCA_ID_GATE, Init: initGate, Offload: true, Syntax: Syntax}

// Gate status bits.
const (
	statusOpen    = 1 << 0 // GATE_ACT_GATE_OPEN
	statusPending = 1 << 1 // GATE_ACT_PENDING
)

type entry struct {
	index     uint32
	open      bool
	interval  uint32 // ns
	ipv       int32
	maxOctets int32
}

type gate struct {
	mu sync.Mutex // guards everything below (tcf_lock)

	entries   []entry
	basetime  uint64
	cycletime uint64
	cycleExt  uint64
	priority  int32
	flags     uint32
	clockid   int32

	timer        clock.Timer
	clk          clock.Clock
	status       uint8
	next         int // index into entries
	closeTime    int64
	entryOctets  int64
	maxOctets    int64
	timerExpires int64
}

var _ sched.ActionOps = (*gate)(nil)

// Act passes or drops p (tcf_gate_act).
func (g *gate) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	action := a.Control()
	a.LastUse()
	a.UpdateBstats(p)
	g.mu.Lock()
	if g.status&statusPending != 0 {
		g.mu.Unlock()
		return action
	}
	if g.status&statusOpen == 0 {
		g.mu.Unlock()
		a.IncDrops()
		return sched.ActShot
	}
	if g.maxOctets >= 0 {
		g.entryOctets += int64(p.PktLen)
		if g.entryOctets > g.maxOctets {
			g.mu.Unlock()
			a.IncOverlimits()
			a.IncDrops()
			return sched.ActShot
		}
	}
	g.mu.Unlock()
	return action
}

// startTime is gate_get_start_time: the base time if still ahead, else
// the next cycle's start after now.
func (g *gate) startTime() int64 {
	now := g.clk.Now()
	base := int64(g.basetime)
	if base > now {
		return base
	}
	n := uint64(now-base) / g.cycletime
	return base + int64((n+1)*g.cycletime)
}

// tick is gate_timer_func: the next entry takes effect, and the timer
// waits for its end.
func (g *gate) tick() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.entries) == 0 {
		return
	}
	e := g.entries[g.next]
	g.status = 0
	if e.open {
		g.status = statusOpen
	}
	g.entryOctets = 0
	g.maxOctets = int64(e.maxOctets)
	g.closeTime += int64(e.interval)
	closeTime := g.closeTime
	g.next = (g.next + 1) % len(g.entries)
	if now := g.clk.Now(); now > closeTime {
		base := int64(g.basetime)
		n := uint64(now-base) / g.cycletime
		closeTime = base + int64((n+1)*g.cycletime)
	}
	g.timerExpires = closeTime
	g.timer.Reset(closeTime)
}

// Cleanup stops the schedule.
func (g *gate) Cleanup(a *sched.Action) {
	if g.timer != nil {
		g.timer.Stop()
	}
}

// Dump writes the schedule (tcf_gate_dump).
func (g *gate) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	gen := a.Parms(bind, ref)
	b.Put(TCA_GATE_PARMS, gen[:])
	b.PutU64(TCA_GATE_BASE_TIME, g.basetime)
	b.PutU64(TCA_GATE_CYCLE_TIME, g.cycletime)
	b.PutU64(TCA_GATE_CYCLE_TIME_EXT, g.cycleExt)
	b.PutU32(TCA_GATE_CLOCKID, uint32(g.clockid))
	b.PutU32(TCA_GATE_FLAGS, g.flags)
	b.PutU32(TCA_GATE_PRIORITY, uint32(g.priority))
	b.Nest(TCA_GATE_ENTRY_LIST)
	for _, e := range g.entries {
		b.Nest(TCA_GATE_ONE_ENTRY)
		b.PutU32(TCA_GATE_ENTRY_INDEX, e.index)
		if e.open {
			b.PutFlag(TCA_GATE_ENTRY_GATE)
		}
		b.PutU32(TCA_GATE_ENTRY_INTERVAL, e.interval)
		b.PutU32(TCA_GATE_ENTRY_MAX_OCTETS, uint32(e.maxOctets))
		b.PutU32(TCA_GATE_ENTRY_IPV, uint32(e.ipv))
		b.EndNest()
	}
	b.EndNest()
	actutil.PutTm(b, TCA_GATE_TM, a)
	return nil
}
