package sched

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// Size table attributes (TCA_STAB_*).
const (
	TCA_STAB_UNSPEC = iota
	TCA_STAB_BASE
	TCA_STAB_DATA
)

const stabSizeLogMax = 30 // STAB_SIZE_LOG_MAX

// SizeSpec is struct tc_sizespec.
type SizeSpec struct {
	CellLog   uint8
	SizeLog   uint8
	CellAlign int16
	Overhead  int32
	LinkLayer uint32
	MPU       uint32
	MTU       uint32
	TSize     uint32
}

const sizeSpecLen = 24

// SizeTable maps packet lengths to the lengths the scheduler accounts:
// overhead, cells of ATM/ADSL link layers, minimum sizes (qdisc_size_table).
type SizeTable struct {
	Spec SizeSpec
	Data []uint16
	raw  []byte // TCA_STAB_BASE as given, dumped back
}

// ParseSizeTable reads a TCA_STAB nest (qdisc_get_stab).
func ParseSizeTable(opt []byte) (*SizeTable, error) {
	tb := nl.Parse(opt, TCA_STAB_DATA)
	if err, msg := tb.Validate(map[uint16]nl.PolicyEntry{
		TCA_STAB_BASE: {Type: nl.Binary, Len: sizeSpecLen},
		TCA_STAB_DATA: {Type: nl.Binary},
	}); err != nil {
		return nil, &Error{Errno: err.(syscall.Errno), Msg: msg}
	}
	base := tb.Get(TCA_STAB_BASE)
	if base == nil {
		return nil, Err(syscall.EINVAL, "Size table base attribute is missing")
	}
	var raw [sizeSpecLen]byte
	copy(raw[:], base.Data)
	s := SizeSpec{
		CellLog:   raw[0],
		SizeLog:   raw[1],
		CellAlign: int16(binary.NativeEndian.Uint16(raw[2:])),
		Overhead:  int32(binary.NativeEndian.Uint32(raw[4:])),
		LinkLayer: binary.NativeEndian.Uint32(raw[8:]),
		MPU:       binary.NativeEndian.Uint32(raw[12:]),
		MTU:       binary.NativeEndian.Uint32(raw[16:]),
		TSize:     binary.NativeEndian.Uint32(raw[20:]),
	}
	var data []uint16
	if s.TSize > 0 {
		d := tb.Get(TCA_STAB_DATA)
		if d == nil {
			return nil, Err(syscall.EINVAL, "Size table data attribute is missing")
		}
		data = make([]uint16, len(d.Data)/2)
		for i := range data {
			data[i] = binary.NativeEndian.Uint16(d.Data[2*i:])
		}
	}
	if uint32(len(data)) != s.TSize {
		return nil, Err(syscall.EINVAL, "Invalid size of size table")
	}
	if s.SizeLog > stabSizeLogMax || s.CellLog > stabSizeLogMax {
		return nil, Err(syscall.EINVAL, "Invalid logarithmic size of size table")
	}
	return &SizeTable{Spec: s, Data: data, raw: raw[:]}, nil
}

// Apply sets p.PktLen from the table (__qdisc_calculate_pkt_len).
func (t *SizeTable) Apply(p *pkt.Packet) {
	n := int64(len(p.Data)) + int64(t.Spec.Overhead)
	if t.Spec.TSize > 0 {
		slot := n + int64(t.Spec.CellAlign)
		if slot < 0 {
			slot = 0
		}
		slot >>= t.Spec.CellLog
		ts := int64(t.Spec.TSize)
		if slot < ts {
			n = int64(t.Data[slot])
		} else {
			n = int64(t.Data[ts-1])*(slot/ts) + int64(t.Data[slot%ts])
		}
		n <<= t.Spec.SizeLog
	}
	if n < 1 {
		n = 1
	}
	p.PktLen = uint32(n)
}

// dump writes TCA_STAB with its base only, as qdisc_dump_stab does.
func (t *SizeTable) dump(b *nl.Builder) {
	b.Nest(TCA_STAB)
	b.Put(TCA_STAB_BASE, t.raw)
	b.EndNest()
}
