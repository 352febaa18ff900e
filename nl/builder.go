package nl

import "encoding/binary"

// Builder appends netlink messages and attributes to one buffer, the way the
// kernel fills an skb: start a message, put attributes, open and close nests,
// finish the message. Alignment padding is always zero.
type Builder struct {
	B     []byte
	msg   int   // offset of the open message's header, -1 when none
	nests []int // offsets of open nests
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{msg: -1} }

// Reset empties the buffer, keeping its memory.
func (b *Builder) Reset() { b.B = b.B[:0]; b.msg = -1; b.nests = b.nests[:0] }

// Len is the number of bytes written.
func (b *Builder) Len() int { return len(b.B) }

func (b *Builder) pad() {
	for len(b.B)%4 != 0 {
		b.B = append(b.B, 0)
	}
}

// Begin starts a message with the given header fields; its length is set by End.
func (b *Builder) Begin(typ, flags uint16, seq, pid uint32) {
	b.pad()
	b.msg = len(b.B)
	b.B = binary.NativeEndian.AppendUint32(b.B, 0)
	b.B = binary.NativeEndian.AppendUint16(b.B, typ)
	b.B = binary.NativeEndian.AppendUint16(b.B, flags)
	b.B = binary.NativeEndian.AppendUint32(b.B, seq)
	b.B = binary.NativeEndian.AppendUint32(b.B, pid)
}

// End closes the open message and writes its length.
func (b *Builder) End() {
	b.pad()
	binary.NativeEndian.PutUint32(b.B[b.msg:], uint32(len(b.B)-b.msg))
	b.msg = -1
}

// Cancel drops the open message, as nlmsg_trim does when a fill fails.
func (b *Builder) Cancel() {
	if b.msg >= 0 {
		b.B = b.B[:b.msg]
		b.msg = -1
		b.nests = b.nests[:0]
	}
}

// Raw appends bytes to the open message (a fixed header such as tcmsg).
func (b *Builder) Raw(p []byte) { b.B = append(b.B, p...) }

// U32Raw appends a host-order u32 without an attribute header.
func (b *Builder) U32Raw(v uint32) { b.B = binary.NativeEndian.AppendUint32(b.B, v) }

// Put appends an attribute with payload p.
func (b *Builder) Put(typ uint16, p []byte) {
	b.pad()
	b.B = binary.NativeEndian.AppendUint16(b.B, uint16(AttrHdrLen+len(p)))
	b.B = binary.NativeEndian.AppendUint16(b.B, typ)
	b.B = append(b.B, p...)
	b.pad()
}

// PutU8 appends a u8 attribute.
func (b *Builder) PutU8(typ uint16, v uint8) { b.Put(typ, []byte{v}) }

// PutU16 appends a host-order u16 attribute.
func (b *Builder) PutU16(typ uint16, v uint16) {
	var x [2]byte
	binary.NativeEndian.PutUint16(x[:], v)
	b.Put(typ, x[:])
}

// PutU32 appends a host-order u32 attribute.
func (b *Builder) PutU32(typ uint16, v uint32) {
	var x [4]byte
	binary.NativeEndian.PutUint32(x[:], v)
	b.Put(typ, x[:])
}

// PutBitfield32 appends a struct nla_bitfield32 attribute: the value, then
// the selector of the bits it sets.
func (b *Builder) PutBitfield32(typ uint16, value, selector uint32) {
	var x [8]byte
	binary.NativeEndian.PutUint32(x[0:], value)
	binary.NativeEndian.PutUint32(x[4:], selector)
	b.Put(typ, x[:])
}

// PutU64 appends a host-order u64 attribute.
func (b *Builder) PutU64(typ uint16, v uint64) {
	var x [8]byte
	binary.NativeEndian.PutUint64(x[:], v)
	b.Put(typ, x[:])
}

// PutString appends a NUL-terminated string attribute.
func (b *Builder) PutString(typ uint16, s string) {
	b.pad()
	b.B = binary.NativeEndian.AppendUint16(b.B, uint16(AttrHdrLen+len(s)+1))
	b.B = binary.NativeEndian.AppendUint16(b.B, typ)
	b.B = append(b.B, s...)
	b.B = append(b.B, 0)
	b.pad()
}

// PutFlag appends an attribute with no payload.
func (b *Builder) PutFlag(typ uint16) { b.Put(typ, nil) }

// Nest opens a nested attribute. typ is written as given: pass NLA_F_NESTED
// in it where the kernel uses nla_nest_start rather than the _noflag variant.
func (b *Builder) Nest(typ uint16) {
	b.pad()
	b.nests = append(b.nests, len(b.B))
	b.B = binary.NativeEndian.AppendUint16(b.B, 0)
	b.B = binary.NativeEndian.AppendUint16(b.B, typ)
}

// EndNest closes the innermost open nest.
func (b *Builder) EndNest() {
	i := len(b.nests) - 1
	off := b.nests[i]
	b.nests = b.nests[:i]
	b.pad()
	binary.NativeEndian.PutUint16(b.B[off:], uint16(len(b.B)-off))
}

// Bytes returns the buffer.
func (b *Builder) Bytes() []byte { return b.B }

// CancelNest drops the innermost open nest and everything written in it
// (nla_nest_cancel).
func (b *Builder) CancelNest() {
	i := len(b.nests) - 1
	b.B = b.B[:b.nests[i]]
	b.nests = b.nests[:i]
}
