package sched

import (
	"encoding/binary"
	"math"

	"github.com/netsched/netsched/nl"
)

// Attribute numbers of TCA_STATS2's nest (enum TCA_STATS_*).
const (
	TCA_STATS_UNSPEC = iota
	TCA_STATS_BASIC
	TCA_STATS_RATE_EST
	TCA_STATS_QUEUE
	TCA_STATS_APP
	TCA_STATS_RATE_EST64
	TCA_STATS_PAD
	TCA_STATS_BASIC_HW
	TCA_STATS_PKT64
)

// StatsDump writes the statistics of a qdisc or class the way gnet_dump
// does: TCA_STATS2 with its parts, then the compatibility TCA_STATS and
// TCA_XSTATS at the top level.
type StatsDump struct {
	b *nl.Builder
	// compat struct tc_stats, filled as the parts are written
	bytes                                      uint64
	packets, drops, overlimits, bps, pps, qlen uint32
	backlog                                    uint32
	xstats                                     []byte
	open                                       bool
	statsAttr, xstatsAttr                      uint16
}

// startStats opens TCA_STATS2 (gnet_stats_start_copy_compat).
func startStats(b *nl.Builder) *StatsDump {
	d := &StatsDump{b: b, statsAttr: TCA_STATS, xstatsAttr: TCA_XSTATS}
	b.Nest(TCA_STATS2)
	d.open = true
	return d
}

// App writes kind-specific statistics (gnet_stats_copy_app).
func (d *StatsDump) App(xstats []byte) {
	d.xstats = xstats
	d.b.Put(TCA_STATS_APP, xstats)
}

// Basic writes bytes and packets (gnet_stats_copy_basic), with a 64-bit
// packet count when it does not fit 32 bits.
func (d *StatsDump) Basic(s *BasicStats) {
	d.bytes = s.Bytes
	d.packets = uint32(s.Packets)
	var sb [16]byte
	binary.NativeEndian.PutUint64(sb[0:], s.Bytes)
	binary.NativeEndian.PutUint32(sb[8:], uint32(s.Packets))
	d.b.Put(TCA_STATS_BASIC, sb[:])
	if s.Packets > math.MaxUint32 {
		d.b.PutU64(TCA_STATS_PKT64, s.Packets)
	}
}

// RateEst writes the estimator's rate if there is one (gnet_stats_copy_rate_est).
func (d *StatsDump) RateEst(e *Estimator) {
	if e == nil {
		return
	}
	bps, pps := e.Read()
	b32 := bps
	if b32 > math.MaxUint32 {
		b32 = math.MaxUint32
	}
	d.bps, d.pps = uint32(b32), uint32(pps)
	var r [8]byte
	binary.NativeEndian.PutUint32(r[0:], uint32(b32))
	binary.NativeEndian.PutUint32(r[4:], uint32(pps))
	d.b.Put(TCA_STATS_RATE_EST, r[:])
	if b32 != bps {
		var r64 [16]byte
		binary.NativeEndian.PutUint64(r64[0:], bps)
		binary.NativeEndian.PutUint64(r64[8:], pps)
		d.b.Put(TCA_STATS_RATE_EST64, r64[:])
	}
}

// Queue writes qlen, backlog, drops, requeues and overlimits
// (gnet_stats_copy_queue).
func (d *StatsDump) Queue(qlen int, s *QueueStats) {
	d.qlen, d.backlog, d.drops, d.overlimits = uint32(qlen), s.Backlog, s.Drops, s.Overlimits
	var q [20]byte
	binary.NativeEndian.PutUint32(q[0:], uint32(qlen))
	binary.NativeEndian.PutUint32(q[4:], s.Backlog)
	binary.NativeEndian.PutUint32(q[8:], s.Drops)
	binary.NativeEndian.PutUint32(q[12:], s.Requeues)
	binary.NativeEndian.PutUint32(q[16:], s.Overlimits)
	d.b.Put(TCA_STATS_QUEUE, q[:])
}

// finish closes TCA_STATS2 and writes TCA_STATS and TCA_XSTATS
// (gnet_stats_finish_copy).
func (d *StatsDump) finish() {
	d.b.EndNest()
	var t [40]byte // struct tc_stats, padded to 8
	binary.NativeEndian.PutUint64(t[0:], d.bytes)
	binary.NativeEndian.PutUint32(t[8:], d.packets)
	binary.NativeEndian.PutUint32(t[12:], d.drops)
	binary.NativeEndian.PutUint32(t[16:], d.overlimits)
	binary.NativeEndian.PutUint32(t[20:], d.bps)
	binary.NativeEndian.PutUint32(t[24:], d.pps)
	binary.NativeEndian.PutUint32(t[28:], d.qlen)
	binary.NativeEndian.PutUint32(t[32:], d.backlog)
	d.b.Put(d.statsAttr, t[:])
	if d.xstats != nil {
		d.b.Put(d.xstatsAttr, d.xstats)
	}
}

// AppNest writes kind-specific statistics as attributes that fill puts in
// a TCA_STATS_APP nest, as kinds that open the nest themselves do (cake's
// nla_nest_start on TCA_STATS_APP): no compat TCA_XSTATS copy follows,
// since gnet_stats_copy_app was never called.
func (d *StatsDump) AppNest(fill func(b *nl.Builder)) {
	d.b.Nest(TCA_STATS_APP)
	fill(d.b)
	d.b.EndNest()
}
