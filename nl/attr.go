package nl

import (
	"encoding/binary"
	"syscall"
)

// AttrHdrLen is sizeof(struct nlattr).
const AttrHdrLen = 4

// Attr is one attribute: its type without the NLA_F_* bits, those bits, and
// its payload.
type Attr struct {
	Type  uint16
	Flags uint16
	Data  []byte
}

// Attrs is an attribute table indexed by type, as nla_parse fills it. A type
// that was absent has a nil entry; a type that appeared more than once holds
// the last occurrence, as in the kernel.
type Attrs []*Attr

// Walk calls fn for each well-formed attribute of b in order. Like the kernel's
// nla_for_each_attr it stops at the first attribute whose length is impossible;
// the bytes left over are ignored, as the deprecated parser rtnetlink uses does.
func Walk(b []byte, fn func(a Attr) bool) {
	for len(b) >= AttrHdrLen {
		l := int(binary.NativeEndian.Uint16(b))
		if l < AttrHdrLen || l > len(b) {
			return
		}
		t := binary.NativeEndian.Uint16(b[2:])
		if !fn(Attr{Type: t & NLA_TYPE_MASK, Flags: t &^ NLA_TYPE_MASK, Data: b[AttrHdrLen:l]}) {
			return
		}
		n := Align(l)
		if n > len(b) {
			return
		}
		b = b[n:]
	}
}

// Parse builds a table of types 0..max from b. Types above max are skipped.
func Parse(b []byte, max uint16) Attrs {
	tb := make(Attrs, int(max)+1)
	Walk(b, func(a Attr) bool {
		if a.Type <= max {
			a := a
			tb[a.Type] = &a
		}
		return true
	})
	return tb
}

// Has reports whether type t was present.
func (tb Attrs) Has(t uint16) bool { return int(t) < len(tb) && tb[t] != nil }

// Get returns the attribute of type t, or nil.
func (tb Attrs) Get(t uint16) *Attr {
	if int(t) < len(tb) {
		return tb[t]
	}
	return nil
}

// Policy names the attribute shapes the kernel's validate_nla checks.
type Policy uint8

// The policy types we use; lengths follow nla_attr_minlen.
const (
	Unspec Policy = iota
	U8
	U16
	U32
	U64
	String
	Flag
	Nested
	Binary
)

// PolicyEntry is one row of an nla_policy table: the type and, for Binary
// and String, the maximum length (0: unbounded); for Unspec, a minimum.
type PolicyEntry struct {
	Type Policy
	Len  int
}

// Validate checks the table against a policy as validate_nla does in the
// deprecated (non-strict) mode: an attribute shorter than its type requires,
// a binary longer than its bound, or a flag with a payload is refused with
// ERANGE and the kernel's message.
func (tb Attrs) Validate(policy map[uint16]PolicyEntry) (err error, msg string) {
	for t, a := range tb {
		if a == nil {
			continue
		}
		p, ok := policy[uint16(t)]
		if !ok {
			continue
		}
		n := len(a.Data)
		bad := false
		switch p.Type {
		case U8:
			bad = n < 1
		case U16:
			bad = n < 2
		case U32:
			bad = n < 4
		case U64:
			bad = n < 8
		case Flag:
			bad = n > 0
		case Nested:
			bad = n != 0 && n < AttrHdrLen
		case Binary, String:
			bad = p.Len > 0 && n > p.Len
		case Unspec:
			bad = p.Len > 0 && n < p.Len
		}
		if bad {
			return syscall.ERANGE, "Attribute failed policy validation"
		}
	}
	return nil, ""
}

// U8 returns the first byte of the payload.
func (a *Attr) U8() uint8 { return a.Data[0] }

// U16 reads a host-order u16.
func (a *Attr) U16() uint16 { return binary.NativeEndian.Uint16(a.Data) }

// U32 reads a host-order u32.
func (a *Attr) U32() uint32 { return binary.NativeEndian.Uint32(a.Data) }

// U64 reads a host-order u64.
func (a *Attr) U64() uint64 { return binary.NativeEndian.Uint64(a.Data) }

// Str returns the payload as a string up to its first NUL, as nla_strcmp and
// nla_strscpy read it.
func (a *Attr) Str() string {
	for i, c := range a.Data {
		if c == 0 {
			return string(a.Data[:i])
		}
	}
	return string(a.Data)
}
