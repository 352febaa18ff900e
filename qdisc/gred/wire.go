package gred

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Attributes of gred's TCA_OPTIONS (TCA_GRED_*) and of its VQ list.
const (
	TCA_GRED_UNSPEC = iota
	TCA_GRED_PARMS
	TCA_GRED_STAB
	TCA_GRED_DPS
	TCA_GRED_MAX_P
	TCA_GRED_LIMIT
	TCA_GRED_VQ_LIST
	TCA_GRED_MAX = TCA_GRED_VQ_LIST
)

// TCA_GRED_VQ_ENTRY is the one attribute type of TCA_GRED_VQ_LIST.
const TCA_GRED_VQ_ENTRY = 1

// Attributes of a VQ entry (TCA_GRED_VQ_*).
const (
	TCA_GRED_VQ_UNSPEC = iota
	TCA_GRED_VQ_PAD
	TCA_GRED_VQ_DP
	TCA_GRED_VQ_STAT_BYTES
	TCA_GRED_VQ_STAT_PACKETS
	TCA_GRED_VQ_STAT_BACKLOG
	TCA_GRED_VQ_STAT_PROB_DROP
	TCA_GRED_VQ_STAT_PROB_MARK
	TCA_GRED_VQ_STAT_FORCED_DROP
	TCA_GRED_VQ_STAT_FORCED_MARK
	TCA_GRED_VQ_STAT_PDROP
	TCA_GRED_VQ_STAT_OTHER
	TCA_GRED_VQ_FLAGS
	TCA_GRED_VQ_MAX = TCA_GRED_VQ_FLAGS
)

// Struct sizes: tc_gred_qopt and tc_gred_sopt.
const (
	QoptLen = 52
	SoptLen = 12
)

// policy is gred_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_GRED_PARMS:   {Type: nl.Unspec, Len: QoptLen},
	TCA_GRED_STAB:    {Type: nl.Unspec, Len: aqm.REDStabSize},
	TCA_GRED_DPS:     {Type: nl.Unspec, Len: SoptLen},
	TCA_GRED_MAX_P:   {Type: nl.U32},
	TCA_GRED_LIMIT:   {Type: nl.U32},
	TCA_GRED_VQ_LIST: {Type: nl.Nested},
}

// vqPolicy is gred_vq_policy.
var vqPolicy = map[uint16]nl.PolicyEntry{
	TCA_GRED_VQ_DP:    {Type: nl.U32},
	TCA_GRED_VQ_FLAGS: {Type: nl.U32},
}

// Qopt is struct tc_gred_qopt: one VQ's parameters in a request, its
// parameters and counters in a dump.
type Qopt struct {
	Limit, QthMin, QthMax, DP   uint32
	Backlog, Qave               uint32
	Forced, Early, Other, PDrop uint32
	Wlog, Plog, ScellLog, Prio  uint8
	Packets, Bytesin            uint32
}

// DecodeQopt reads a tc_gred_qopt of at least QoptLen bytes.
func DecodeQopt(b []byte) Qopt {
	u := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
	return Qopt{u(0), u(4), u(8), u(12), u(16), u(20), u(24), u(28), u(32), u(36),
		b[40], b[41], b[42], b[43], u(44), u(48)}
}

// Append writes the 52-byte tc_gred_qopt.
func (o *Qopt) Append(b []byte) []byte {
	for _, v := range []uint32{o.Limit, o.QthMin, o.QthMax, o.DP, o.Backlog, o.Qave, o.Forced, o.Early, o.Other, o.PDrop} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	b = append(b, o.Wlog, o.Plog, o.ScellLog, o.Prio)
	b = binary.NativeEndian.AppendUint32(b, o.Packets)
	return binary.NativeEndian.AppendUint32(b, o.Bytesin)
}

// Sopt is struct tc_gred_sopt: the table setup.
type Sopt struct {
	DPs, DefDP  uint32
	Grio, Flags uint8
}

// DecodeSopt reads a tc_gred_sopt of at least SoptLen bytes.
func DecodeSopt(b []byte) Sopt {
	return Sopt{binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:]), b[8], b[9]}
}

// Encode writes the 12-byte tc_gred_sopt.
func (s *Sopt) Encode() []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, SoptLen), s.DPs)
	b = binary.NativeEndian.AppendUint32(b, s.DefDP)
	return append(b, s.Grio, s.Flags, 0, 0)
}

type options struct {
	parms  *Qopt
	stab   []byte
	dps    *Sopt
	maxP   uint32
	limit  *uint32
	vqList []byte
}

// parseOptions reads TCA_OPTIONS as gred_init and gred_change do.
func parseOptions(opt *nl.Attr) (options, error) {
	tb, err := sched.ParseOptions(opt.Data, TCA_GRED_MAX, policy)
	if err != nil {
		return options{}, err
	}
	var o options
	if a := tb.Get(TCA_GRED_PARMS); a != nil {
		q := DecodeQopt(a.Data)
		o.parms = &q
	}
	if a := tb.Get(TCA_GRED_STAB); a != nil {
		o.stab = a.Data[:aqm.REDStabSize]
	}
	if a := tb.Get(TCA_GRED_DPS); a != nil {
		s := DecodeSopt(a.Data)
		o.dps = &s
	}
	if a := tb.Get(TCA_GRED_MAX_P); a != nil {
		o.maxP = a.U32()
	}
	if a := tb.Get(TCA_GRED_LIMIT); a != nil {
		v := a.U32()
		o.limit = &v
	}
	if a := tb.Get(TCA_GRED_VQ_LIST); a != nil {
		o.vqList = a.Data
		if o.vqList == nil {
			o.vqList = []byte{}
		}
	}
	return o, nil
}

// Dump writes the table, every VQ's parameters in the old all-in-one
// form, and the VQs again as a list with their counters (gred_dump).
func (g *gred) Dump(b *nl.Builder) error {
	s := Sopt{DPs: g.dps, DefDP: g.def, Flags: uint8(g.redFlags)}
	if g.rio {
		s.Grio = 1
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_GRED_DPS, s.Encode())
	maxP := make([]byte, 0, 4*MaxDPs)
	for _, v := range g.tab {
		var p uint32
		if v != nil {
			p = v.parms.MaxP
		}
		maxP = binary.NativeEndian.AppendUint32(maxP, p)
	}
	b.Put(TCA_GRED_MAX_P, maxP)
	b.PutU32(TCA_GRED_LIMIT, g.limit)
	parms := make([]byte, 0, QoptLen*MaxDPs)
	now := g.q.Now()
	for i, v := range g.tab {
		var o Qopt
		if v == nil {
			// How tc learns that no VQ sits at this DP.
			o.DP = MaxDPs + uint32(i)
			parms = o.Append(parms)
			continue
		}
		o = Qopt{
			Limit: v.limit, DP: v.dp, Backlog: g.backlog(v), Prio: v.prio,
			QthMin: v.parms.QthMin >> v.parms.Wlog, QthMax: v.parms.QthMax >> v.parms.Wlog,
			Wlog: v.parms.Wlog, Plog: v.parms.Plog, ScellLog: v.parms.ScellLog,
			Early: v.stats.ProbDrop, Forced: v.stats.ForcedDrop, PDrop: v.stats.PDrop,
			Packets: v.packetsin, Bytesin: uint32(v.bytesin),
		}
		if g.wred {
			g.loadWred(v)
		}
		qavg := v.parms.QAvg(&v.vars, now, uint32(v.vars.QAvg>>v.parms.Wlog))
		o.Qave = uint32(qavg >> v.parms.Wlog)
		parms = o.Append(parms)
	}
	b.Put(TCA_GRED_PARMS, parms)
	b.Nest(TCA_GRED_VQ_LIST)
	for _, v := range g.tab {
		if v == nil {
			continue
		}
		b.Nest(TCA_GRED_VQ_ENTRY)
		b.PutU32(TCA_GRED_VQ_DP, v.dp)
		b.PutU32(TCA_GRED_VQ_FLAGS, v.redFlags)
		b.PutU64(TCA_GRED_VQ_STAT_BYTES, v.bytesin)
		b.PutU32(TCA_GRED_VQ_STAT_PACKETS, v.packetsin)
		b.PutU32(TCA_GRED_VQ_STAT_BACKLOG, g.backlog(v))
		b.PutU32(TCA_GRED_VQ_STAT_PROB_DROP, v.stats.ProbDrop)
		b.PutU32(TCA_GRED_VQ_STAT_PROB_MARK, v.stats.ProbMark)
		b.PutU32(TCA_GRED_VQ_STAT_FORCED_DROP, v.stats.ForcedDrop)
		b.PutU32(TCA_GRED_VQ_STAT_FORCED_MARK, v.stats.ForcedMark)
		b.PutU32(TCA_GRED_VQ_STAT_PDROP, v.stats.PDrop)
		b.EndNest()
	}
	b.EndNest()
	b.EndNest()
	return nil
}
