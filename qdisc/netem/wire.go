package netem

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
)

// Attributes after tc_netem_qopt in TCA_OPTIONS (TCA_NETEM_*).
const (
	TCA_NETEM_UNSPEC = iota
	TCA_NETEM_CORR
	TCA_NETEM_DELAY_DIST
	TCA_NETEM_REORDER
	TCA_NETEM_CORRUPT
	TCA_NETEM_LOSS
	TCA_NETEM_RATE
	TCA_NETEM_ECN
	TCA_NETEM_RATE64
	TCA_NETEM_PAD
	TCA_NETEM_LATENCY64
	TCA_NETEM_JITTER64
	TCA_NETEM_SLOT
	TCA_NETEM_SLOT_DIST
	TCA_NETEM_PRNG_SEED
	TCA_NETEM_MAX = TCA_NETEM_PRNG_SEED
)

// Loss models inside TCA_NETEM_LOSS (NETEM_LOSS_*).
const (
	NETEM_LOSS_UNSPEC = iota
	NETEM_LOSS_GI     // 4-state Markov
	NETEM_LOSS_GE     // Gilbert-Elliott
)

// Sizes of the structs.
const (
	QoptLen    = 24
	corrLen    = 12
	reorderLen = 8
	corruptLen = 8
	rateLen    = 16
	slotLen    = 40
	giLen      = 20
	geLen      = 16
)

// policy is netem_policy: Unspec entries give a minimum length.
var policy = map[uint16]nl.PolicyEntry{
	TCA_NETEM_CORR:      {Type: nl.Unspec, Len: corrLen},
	TCA_NETEM_REORDER:   {Type: nl.Unspec, Len: reorderLen},
	TCA_NETEM_CORRUPT:   {Type: nl.Unspec, Len: corruptLen},
	TCA_NETEM_RATE:      {Type: nl.Unspec, Len: rateLen},
	TCA_NETEM_LOSS:      {Type: nl.Nested},
	TCA_NETEM_ECN:       {Type: nl.U32},
	TCA_NETEM_RATE64:    {Type: nl.U64},
	TCA_NETEM_LATENCY64: {Type: nl.U64},
	TCA_NETEM_JITTER64:  {Type: nl.U64},
	TCA_NETEM_SLOT:      {Type: nl.Unspec, Len: slotLen},
	TCA_NETEM_PRNG_SEED: {Type: nl.U64},
}

var ne = binary.NativeEndian

// Qopt is struct tc_netem_qopt. Latency and jitter are psched ticks;
// probabilities are fractions of 2^32-1.
type Qopt struct {
	Latency   uint32
	Limit     uint32
	Loss      uint32
	Gap       uint32
	Duplicate uint32
	Jitter    uint32
}

func (o *Qopt) encode() []byte {
	b := make([]byte, QoptLen)
	for i, v := range []uint32{o.Latency, o.Limit, o.Loss, o.Gap, o.Duplicate, o.Jitter} {
		ne.PutUint32(b[4*i:], v)
	}
	return b
}

func decodeQopt(b []byte) Qopt {
	u := func(i int) uint32 { return ne.Uint32(b[4*i:]) }
	return Qopt{u(0), u(1), u(2), u(3), u(4), u(5)}
}

// Corr is struct tc_netem_corr.
type Corr struct{ Delay, Loss, Dup uint32 }

// Prob is tc_netem_reorder and tc_netem_corrupt: a probability and its
// correlation.
type Prob struct{ Probability, Correlation uint32 }

// Rate is struct tc_netem_rate.
type Rate struct {
	Rate           uint32 // bytes per second (~0: see TCA_NETEM_RATE64)
	PacketOverhead int32
	CellSize       uint32
	CellOverhead   int32
}

// Slot is struct tc_netem_slot.
type Slot struct {
	MinDelay   int64 // ns
	MaxDelay   int64
	MaxPackets int32
	MaxBytes   int32
	DistDelay  int64 // ns
	DistJitter int64
}

// GIModel is struct tc_netem_gimodel (4-state transition probabilities).
type GIModel struct{ P13, P31, P32, P14, P23 uint32 }

// GEModel is struct tc_netem_gemodel.
type GEModel struct{ P, R, H, K1 uint32 }

func u32s(vs ...uint32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = ne.AppendUint32(b, v)
	}
	return b
}

func (s *Slot) encode() []byte {
	b := make([]byte, slotLen)
	ne.PutUint64(b[0:], uint64(s.MinDelay))
	ne.PutUint64(b[8:], uint64(s.MaxDelay))
	ne.PutUint32(b[16:], uint32(s.MaxPackets))
	ne.PutUint32(b[20:], uint32(s.MaxBytes))
	ne.PutUint64(b[24:], uint64(s.DistDelay))
	ne.PutUint64(b[32:], uint64(s.DistJitter))
	return b
}

func decodeSlot(b []byte) Slot {
	return Slot{
		MinDelay:   int64(ne.Uint64(b[0:])),
		MaxDelay:   int64(ne.Uint64(b[8:])),
		MaxPackets: int32(ne.Uint32(b[16:])),
		MaxBytes:   int32(ne.Uint32(b[20:])),
		DistDelay:  int64(ne.Uint64(b[24:])),
		DistJitter: int64(ne.Uint64(b[32:])),
	}
}

func decodeRate(b []byte) Rate {
	return Rate{ne.Uint32(b), int32(ne.Uint32(b[4:])), ne.Uint32(b[8:]), int32(ne.Uint32(b[12:]))}
}

// encodeDist writes a table as its s16 values.
func encodeDist(t []int16) []byte {
	b := make([]byte, 2*len(t))
	for i, v := range t {
		ne.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// decodeDist reads the s16 values of a table attribute (get_dist_table);
// ok is false for an empty or too large one.
func decodeDist(b []byte) ([]int16, bool) {
	n := len(b) / 2
	if n == 0 || n > DistMax {
		return nil, false
	}
	t := make([]int16, n)
	for i := range t {
		t[i] = int16(ne.Uint16(b[2*i:]))
	}
	return t, true
}
