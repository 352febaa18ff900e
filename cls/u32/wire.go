package u32

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// TCA_U32_* attributes inside TCA_OPTIONS.
const (
	TCA_U32_UNSPEC = iota
	TCA_U32_CLASSID
	TCA_U32_HASH
	TCA_U32_LINK
	TCA_U32_DIVISOR
	TCA_U32_SEL
	TCA_U32_POLICE
	TCA_U32_ACT
	TCA_U32_INDEV
	TCA_U32_PCNT
	TCA_U32_MARK
	TCA_U32_FLAGS
	TCA_U32_PAD
	TCA_U32_MAX = TCA_U32_PAD
)

// Selector flags (TC_U32_*).
const (
	FlagTerminal  = 1 // TC_U32_TERMINAL: the node classifies (no link)
	FlagOffset    = 2 // TC_U32_OFFSET: nexthdr at a constant offset
	FlagVarOffset = 4 // TC_U32_VAROFFSET: nexthdr read from the packet
	FlagEat       = 8 // TC_U32_EAT: the next header becomes the base
)

// Handle parts (TC_U32_*): htid(12 bits):bucket(8):node(12).
const (
	HandleRoot = 0xFFF00000 // TC_U32_ROOT
	maxDepth   = 8          // TC_U32_MAXDEPTH
	selHdrLen  = 16         // sizeof(struct tc_u32_sel)
	keyLen     = 16         // sizeof(struct tc_u32_key)
	markLen    = 12         // sizeof(struct tc_u32_mark)
	maxBuckets = 0x100
)

// HTID, Hash, Node and Key take a handle apart (TC_U32_HTID, ...).
func HTID(h uint32) uint32 { return h & 0xFFF00000 }
func Hash(h uint32) uint32 { return (h >> 12) & 0xFF }
func Node(h uint32) uint32 { return h & 0xFFF }
func Key(h uint32) uint32  { return h & 0xFFFFF }

// KeySel is one key of a selector (struct tc_u32_key): 32 bits of the
// packet at Off (plus the next-header offset where OffMask says) that,
// masked, must equal Val. Mask and Val are in network order as stored:
// their bytes, read big-endian.
type KeySel struct {
	Mask, Val uint32
	Off       int32
	OffMask   int32
}

// Sel is a node's selector (struct tc_u32_sel).
type Sel struct {
	Flags    uint8
	OffShift uint8
	NKeys    uint8
	pad      uint8
	OffMask  uint16 // network order bytes, read big-endian
	Off      uint16
	OffOff   int16
	HOff     int16
	HMask    uint32 // big-endian value of the network-order mask
	Keys     []KeySel
}

// DecodeSel reads a struct tc_u32_sel with its keys; ok is false when the
// attribute is shorter than its nkeys say.
func DecodeSel(b []byte) (Sel, bool) {
	var s Sel
	if len(b) < selHdrLen {
		return s, false
	}
	ne := binary.NativeEndian
	s.Flags, s.OffShift, s.NKeys, s.pad = b[0], b[1], b[2], b[3]
	s.OffMask = binary.BigEndian.Uint16(b[4:])
	s.Off = ne.Uint16(b[6:])
	s.OffOff = int16(ne.Uint16(b[8:]))
	s.HOff = int16(ne.Uint16(b[10:]))
	s.HMask = binary.BigEndian.Uint32(b[12:])
	if len(b) < selHdrLen+int(s.NKeys)*keyLen {
		return s, false
	}
	s.Keys = make([]KeySel, s.NKeys)
	for i := range s.Keys {
		k := b[selHdrLen+i*keyLen:]
		s.Keys[i] = KeySel{
			Mask:    binary.BigEndian.Uint32(k[0:]),
			Val:     binary.BigEndian.Uint32(k[4:]),
			Off:     int32(ne.Uint32(k[8:])),
			OffMask: int32(ne.Uint32(k[12:])),
		}
	}
	return s, true
}

// Encode writes the selector as struct tc_u32_sel with its keys.
func (s *Sel) Encode() []byte {
	b := make([]byte, selHdrLen+len(s.Keys)*keyLen)
	ne := binary.NativeEndian
	b[0], b[1], b[2], b[3] = s.Flags, s.OffShift, uint8(len(s.Keys)), s.pad
	binary.BigEndian.PutUint16(b[4:], s.OffMask)
	ne.PutUint16(b[6:], s.Off)
	ne.PutUint16(b[8:], uint16(s.OffOff))
	ne.PutUint16(b[10:], uint16(s.HOff))
	binary.BigEndian.PutUint32(b[12:], s.HMask)
	for i, k := range s.Keys {
		o := b[selHdrLen+i*keyLen:]
		binary.BigEndian.PutUint32(o[0:], k.Mask)
		binary.BigEndian.PutUint32(o[4:], k.Val)
		ne.PutUint32(o[8:], uint32(k.Off))
		ne.PutUint32(o[12:], uint32(k.OffMask))
	}
	return b
}

// Mark is struct tc_u32_mark: the packet mark under Mask must be Val.
type Mark struct {
	Val, Mask, Success uint32
}

func encodeMark(m Mark) []byte {
	b := make([]byte, markLen)
	binary.NativeEndian.PutUint32(b[0:], m.Val)
	binary.NativeEndian.PutUint32(b[4:], m.Mask)
	binary.NativeEndian.PutUint32(b[8:], m.Success)
	return b
}

func decodeMark(b []byte) Mark {
	ne := binary.NativeEndian
	return Mark{Val: ne.Uint32(b[0:]), Mask: ne.Uint32(b[4:]), Success: ne.Uint32(b[8:])}
}

// policy is u32_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_U32_CLASSID: {Type: nl.U32},
	TCA_U32_HASH:    {Type: nl.U32},
	TCA_U32_LINK:    {Type: nl.U32},
	TCA_U32_DIVISOR: {Type: nl.U32},
	TCA_U32_SEL:     {Type: nl.Unspec, Len: selHdrLen},
	TCA_U32_INDEV:   {Type: nl.String, Len: 17}, // IFNAMSIZ and its NUL
	TCA_U32_MARK:    {Type: nl.Unspec, Len: markLen},
	TCA_U32_FLAGS:   {Type: nl.U32},
}

// Decode parses TCA_OPTIONS against u32_policy (with an extack).
func Decode(opt []byte) (nl.Attrs, error) {
	return sched.ParseOptions(opt, TCA_U32_MAX, policy)
}

// validSel checks a selector attribute's length against its keys.
func validSel(a *nl.Attr) (Sel, error) {
	s, ok := DecodeSel(a.Data)
	if !ok {
		return s, syscall.EINVAL
	}
	return s, nil
}
