package sched

import (
	"encoding/binary"
	"math"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// actMaxPrioMask bounds a jump's count (TCA_ACT_MAX_PRIO_MASK).
const actMaxPrioMask = 0x1FF

// ExecActions runs a list of actions on p (tcf_action_exec): each runs in
// turn while the verdict is pipe; jump N skips the next N actions from the
// start of the list again (at most 32 jumps, and a jump past the end stops
// the list with ok); goto chain points res at the chain; repeat runs an
// action again, at most 32 times. Actions marked skip_sw do not run.
func ExecActions(acts []*Action, p *pkt.Packet, res *Result) int {
	jmpPrgcnt := 0
	jmpTTL := TCA_ACT_MAX_PRIO
	ret := ActOK
restart:
	for i := 0; i < len(acts); i++ {
		a := acts[i]
		if jmpPrgcnt > 0 {
			jmpPrgcnt--
			continue
		}
		if a.Flags&ActFlagSkipSW != 0 {
			continue
		}
		for repeatTTL := 32; ; {
			ret = a.Ops.Act(a, p, res)
			if ret != ActRepeat {
				break
			}
			if repeatTTL--; repeatTTL == 0 {
				// A suspicious opcode: stop the pipeline.
				return ActOK
			}
		}
		switch ret & ActExtMask {
		case ActJump:
			jmpPrgcnt = ret & actMaxPrioMask
			if jmpPrgcnt == 0 || jmpPrgcnt > len(acts) {
				return ActOK
			}
			if jmpTTL--; jmpTTL > 0 {
				goto restart
			}
			return ActOK
		case ActGotoChain:
			ch := a.gotoChain.Load()
			if ch == nil {
				return ActShot
			}
			res.GotoChain = ch
		}
		if ret != ActPipe {
			break
		}
	}
	return ret
}

// dumpAction writes one action (tcf_action_dump_1): kind, statistics,
// cookie, hardware-stats and user flags, in-hardware count, and the
// kind's options. On failure nothing of it stays.
func dumpAction(b *nl.Builder, a *Action, bind, ref int) error {
	mark := b.Len()
	dumpTerse(b, a, false)
	if a.HWStats != TCA_ACT_HW_STATS_ANY {
		b.PutBitfield32(TCA_ACT_HW_STATS, uint32(a.HWStats), TCA_ACT_HW_STATS_ANY)
	}
	if f := a.Flags & ActFlagsUserMask; f != 0 {
		b.PutBitfield32(TCA_ACT_FLAGS, f, f)
	}
	b.PutU32(TCA_ACT_IN_HW_COUNT, 0)
	b.Nest(TCA_ACT_OPTIONS)
	if err := a.Ops.Dump(a, b, bind, ref); err != nil {
		b.CancelNest()
		b.B = b.B[:mark]
		return err
	}
	b.EndNest()
	return nil
}

// dumpTerse writes what a terse dump shows of an action
// (tcf_action_dump_terse): kind, statistics, the index when listing
// actions themselves, and the cookie.
func dumpTerse(b *nl.Builder, a *Action, fromAct bool) {
	b.PutString(TCA_ACT_KIND, a.Kind.ID)
	copyActionStats(b, a)
	if fromAct {
		b.PutU32(TCA_ACT_INDEX, a.Index)
	}
	if a.cookie != nil {
		b.Put(TCA_ACT_COOKIE, a.cookie)
	}
}

// copyActionStats writes TCA_ACT_STATS (tcf_action_copy_stats): basic,
// basic in hardware (none here), the rate estimate if an estimator runs,
// and the queue counters.
func copyActionStats(b *nl.Builder, a *Action) {
	b.Nest(TCA_ACT_STATS)
	putBasic(b, TCA_STATS_BASIC, a.bytes.Load(), a.packets.Load())
	putBasic(b, TCA_STATS_BASIC_HW, 0, 0)
	if bps, pps, ok := a.RateEstimate(); ok {
		var r [8]byte
		binary.NativeEndian.PutUint32(r[0:], uint32(min(bps, math.MaxUint32)))
		binary.NativeEndian.PutUint32(r[4:], uint32(pps))
		b.Put(TCA_STATS_RATE_EST, r[:])
		if bps > math.MaxUint32 {
			var r64 [16]byte
			binary.NativeEndian.PutUint64(r64[0:], bps)
			binary.NativeEndian.PutUint64(r64[8:], pps)
			b.Put(TCA_STATS_RATE_EST64, r64[:])
		}
	}
	var q [20]byte // struct gnet_stats_queue
	binary.NativeEndian.PutUint32(q[8:], a.drops.Load())
	binary.NativeEndian.PutUint32(q[16:], a.overlimits.Load())
	b.Put(TCA_STATS_QUEUE, q[:])
	b.EndNest()
}

// putBasic writes struct gnet_stats_basic, and the 64-bit packet count
// when it does not fit 32 bits.
func putBasic(b *nl.Builder, t uint16, bytes, packets uint64) {
	var sb [16]byte
	binary.NativeEndian.PutUint64(sb[0:], bytes)
	binary.NativeEndian.PutUint32(sb[8:], uint32(packets))
	b.Put(t, sb[:])
	if packets > math.MaxUint32 {
		b.PutU64(TCA_STATS_PKT64, packets)
	}
}

// copyCompatStats writes an old-style action's statistics the old way, as
// a filter with a police attribute dumps them (tcf_action_copy_stats in
// compat mode): struct tc_stats as TCA_STATS, at the filter's level.
func copyCompatStats(b *nl.Builder, a *Action) {
	var t [40]byte // struct tc_stats, padded to 8
	binary.NativeEndian.PutUint64(t[0:], a.bytes.Load())
	binary.NativeEndian.PutUint32(t[8:], uint32(a.packets.Load()))
	binary.NativeEndian.PutUint32(t[12:], a.drops.Load())
	binary.NativeEndian.PutUint32(t[16:], a.overlimits.Load())
	if bps, pps, ok := a.RateEstimate(); ok {
		binary.NativeEndian.PutUint32(t[20:], uint32(min(bps, math.MaxUint32)))
		binary.NativeEndian.PutUint32(t[24:], uint32(pps))
	}
	b.Put(TCA_STATS, t[:])
}

// dumpActionList writes each action in a nest numbered from 1
// (tcf_action_dump).
func dumpActionList(b *nl.Builder, acts []*Action, bind, ref int, terse bool) error {
	for i, a := range acts {
		b.Nest(uint16(i + 1))
		if terse {
			dumpTerse(b, a, false)
		} else if err := dumpAction(b, a, bind, ref); err != nil {
			b.CancelNest()
			return err
		}
		b.EndNest()
	}
	return nil
}
