package ematch

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// meta (em_meta.c): compares two values, each a constant or a piece of
// packet metadata, of the same type (integer or variable-length).

// Meta attributes (TCA_EM_META_*).
const (
	TCA_EM_META_HDR    = 1
	TCA_EM_META_LVALUE = 2
	TCA_EM_META_RVALUE = 3
)

// Meta types and ids (TCF_META_TYPE_*, TCF_META_ID_*).
const (
	MetaTypeVar = 0
	MetaTypeInt = 1

	MetaValue         = 0
	MetaRandom        = 1
	MetaLoadavg0      = 2
	MetaLoadavg1      = 3
	MetaLoadavg2      = 4
	MetaDev           = 5
	MetaPriority      = 6
	MetaProtocol      = 7
	MetaPktType       = 8
	MetaPktLen        = 9
	MetaDataLen       = 10
	MetaMacLen        = 11
	MetaNfMark        = 12
	MetaTCIndex       = 13
	MetaRTClassID     = 14
	MetaRTIif         = 15
	MetaSkFamily      = 16 // 16..45: socket fields
	MetaSkBoundIf     = 19
	metaSkRouteCaps   = 35 // never had a getter
	MetaSkWritePend   = 45
	MetaVLANTag       = 46
	MetaRxHash        = 47
	metaIDMax         = 47
	metaTypeMax       = 1
	metaHdrLen        = 8
	sizeofUnsignedLng = 8
)

type metaVal struct {
	kind  uint16
	shift uint8
	op    uint8
	val   uint64 // integer constant, or the mask of a metadata value
	buf   []byte // variable-length constant
	len   int
}

func (v *metaVal) typ() uint16 { return v.kind >> 12 }
func (v *metaVal) id() uint16  { return v.kind & 0xfff }

type meta struct{ l, r metaVal }

func newMeta(d []byte) (matcher, int, error) {
	tb := nl.Parse(d, 3)
	if h := tb.Get(TCA_EM_META_HDR); h != nil && len(h.Data) < metaHdrLen {
		return nil, 0, syscall.ERANGE
	}
	h := tb.Get(TCA_EM_META_HDR)
	if h == nil {
		return nil, 0, syscall.EINVAL
	}
	ne := binary.NativeEndian
	m := &meta{
		l: metaVal{kind: ne.Uint16(h.Data[0:]), shift: h.Data[2], op: h.Data[3]},
		r: metaVal{kind: ne.Uint16(h.Data[4:]), shift: h.Data[6], op: h.Data[7]},
	}
	if m.l.typ() != m.r.typ() || m.l.typ() > metaTypeMax || m.l.id() > metaIDMax || m.r.id() > metaIDMax {
		return nil, 0, syscall.EINVAL
	}
	if !supported(&m.l) || !supported(&m.r) {
		return nil, 0, syscall.EOPNOTSUPP
	}
	if err := m.l.change(tb.Get(TCA_EM_META_LVALUE)); err != nil {
		return nil, 0, err
	}
	if err := m.r.change(tb.Get(TCA_EM_META_RVALUE)); err != nil {
		return nil, 0, err
	}
	return m, len(d), nil
}

// supported is meta_is_supported: a constant, or an id with a getter of
// that type. Variable-length getters are the device and bound-device
// names; every id has an integer getter but the route caps.
func supported(v *metaVal) bool {
	if v.id() == MetaValue {
		return true
	}
	if v.typ() == MetaTypeVar {
		return v.id() == MetaDev || v.id() == MetaSkBoundIf
	}
	return v.id() != metaSkRouteCaps
}

// change is meta_change_data.
func (v *metaVal) change(a *nl.Attr) error {
	if a == nil {
		return nil
	}
	if len(a.Data) == 0 {
		return syscall.EINVAL
	}
	if v.typ() == MetaTypeVar {
		v.buf = append([]byte(nil), a.Data...)
		v.len = len(a.Data)
		return nil
	}
	switch {
	case len(a.Data) >= sizeofUnsignedLng:
		v.val = binary.NativeEndian.Uint64(a.Data)
		v.len = sizeofUnsignedLng
	case len(a.Data) == 4:
		v.val = uint64(binary.NativeEndian.Uint32(a.Data))
		v.len = 4
	default:
		return syscall.EINVAL
	}
	return nil
}

func (m *meta) dumpData(b *nl.Builder) {
	var h [metaHdrLen]byte
	ne := binary.NativeEndian
	ne.PutUint16(h[0:], m.l.kind)
	h[2], h[3] = m.l.shift, m.l.op
	ne.PutUint16(h[4:], m.r.kind)
	h[6], h[7] = m.r.shift, m.r.op
	b.Put(TCA_EM_META_HDR, h[:])
	for i, v := range []*metaVal{&m.l, &m.r} {
		typ := uint16(TCA_EM_META_LVALUE + i)
		if m.l.typ() == MetaTypeVar {
			if v.buf != nil && v.len > 0 {
				b.Put(typ, v.buf)
			}
			continue
		}
		switch v.len {
		case sizeofUnsignedLng:
			b.PutU64(typ, v.val)
		case 4:
			b.PutU32(typ, uint32(v.val))
		}
	}
}

// value is a collected operand (struct meta_obj).
type value struct {
	v   uint64
	buf []byte
}

// get is meta_get: false when the packet has no such metadata.
func (v *metaVal) get(p *pkt.Packet) (value, bool) {
	if v.id() == MetaValue {
		return value{v: v.val, buf: v.buf}, true
	}
	if v.typ() == MetaTypeVar {
		// Device names: packets here do not carry their device, and
		// there are no sockets.
		return value{}, false
	}
	var x uint64
	switch v.id() {
	case MetaRandom:
		x = uint64(rand.Uint32())
	case MetaLoadavg0, MetaLoadavg1, MetaLoadavg2:
		x = 0 // no run queue here: the load is nil
	case MetaDev:
		if p.InIfindex == 0 {
			return value{}, false
		}
		x = uint64(p.InIfindex)
	case MetaPriority:
		x = uint64(p.Priority)
	case MetaProtocol:
		pr := clsutil.Protocol(p)
		if p.VLANTCI != 0 {
			pr = p.VLANProto
		}
		x = uint64(pr)
	case MetaPktType:
		x = uint64(p.PktType)
	case MetaPktLen:
		x = uint64(len(p.Data))
	case MetaDataLen:
		x = 0 // linear packets
	case MetaMacLen:
		x = uint64(p.MACLen)
	case MetaNfMark:
		x = uint64(p.Mark)
	case MetaTCIndex:
		x = uint64(p.TCIndex)
	case MetaRTClassID:
		if p.RouteClassID == 0 {
			return value{}, false
		}
		x = uint64(p.RouteClassID)
	case MetaRTIif:
		return value{}, false // no input route
	case MetaVLANTag:
		switch {
		case p.VLANTCI != 0:
			x = uint64(p.VLANTCI)
		default:
			var h clsutil.Headers
			clsutil.Parse(p, &h)
			if h.NumVLANs == 0 {
				return value{}, false
			}
			x = uint64(h.VLANs[0].TCI)
		}
	case MetaRxHash:
		x = uint64(p.Hash)
	default:
		return value{}, false // socket fields: no local socket
	}
	if v.shift != 0 {
		x >>= v.shift
	}
	if v.val != 0 {
		x &= v.val
	}
	return value{v: x}, true
}

func (m *meta) match(p *pkt.Packet) bool {
	l, ok := m.l.get(p)
	if !ok {
		return false
	}
	r, ok := m.r.get(p)
	if !ok {
		return false
	}
	var c int
	if m.l.typ() == MetaTypeVar {
		c = len(l.buf) - len(r.buf)
		if c == 0 {
			c = bytes.Compare(l.buf, r.buf)
		}
	} else if l.v < r.v {
		c = -1
	} else if l.v > r.v {
		c = 1
	}
	switch m.l.op {
	case opEQ:
		return c == 0
	case opLT:
		return c < 0
	case opGT:
		return c > 0
	}
	return false
}
