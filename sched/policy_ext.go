package sched

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
)

// Validation flags of a netlink parse (NL_VALIDATE_*).
type Validate uint8

// The checks a strict parse adds to the deprecated one.
const (
	ValidateTrailing    Validate = 1 << iota // bytes after the last attribute fail
	ValidateMaxType                          // types 0 and above max fail
	ValidateUnspec                           // types without a policy fail
	ValidateStrictAttrs                      // fixed-size types must be exact
	ValidateNested                           // NLA_F_NESTED must match the policy
	// ValidateStrict is NL_VALIDATE_STRICT, what nla_parse_nested does.
	ValidateStrict = ValidateTrailing | ValidateMaxType | ValidateUnspec | ValidateStrictAttrs | ValidateNested
)

// PolicyExt is an nla_policy table with what PolicyEntry cannot say:
// NLA_BITFIELD32 entries with their valid bits, integer ranges, and the
// type from which a deprecated parse turns strict (strict_start_type).
type PolicyExt struct {
	Entries     map[uint16]nl.PolicyEntry
	Bitfield32  map[uint16]uint32
	Range       map[uint16]Range
	StrictStart uint16
}

// Range bounds an unsigned integer attribute (NLA_POLICY_RANGE).
type Range struct{ Min, Max uint64 }

// ParseNestedStrict is nla_parse_nested: the nest must carry NLA_F_NESTED,
// and its attributes are parsed strictly.
func ParseNestedStrict(opt *nl.Attr, max uint16, p *PolicyExt) (nl.Attrs, error) {
	if opt.Flags&nl.NLA_F_NESTED == 0 {
		return nil, Err(syscall.EINVAL, "NLA_F_NESTED is missing")
	}
	return ParseAttrs(opt.Data, max, p, ValidateStrict)
}

// ParseNestedDeprecated is nla_parse_nested_deprecated with an extended
// policy: liberal, except for types at or above StrictStart.
func ParseNestedDeprecated(opt *nl.Attr, max uint16, p *PolicyExt) (nl.Attrs, error) {
	return ParseAttrs(opt.Data, max, p, 0)
}

// ParseAttrs is __nla_parse with validation flags v: each attribute is
// checked as it comes, the last of a type wins.
func ParseAttrs(b []byte, max uint16, p *PolicyExt, v Validate) (nl.Attrs, error) {
	tb := make(nl.Attrs, int(max)+1)
	var err error
	rem := len(b)
	nl.Walk(b, func(a nl.Attr) bool {
		rem -= nl.Align(nl.AttrHdrLen + len(a.Data))
		if a.Type == 0 || a.Type > max {
			if v&ValidateMaxType != 0 {
				err = Err(syscall.EINVAL, "Unknown attribute type")
				return false
			}
			return true
		}
		if p != nil {
			if err = p.validate(&a, v); err != nil {
				return false
			}
		}
		tb[a.Type] = &a
		return true
	})
	if err != nil {
		return nil, err
	}
	if rem > 0 && v&ValidateTrailing != 0 {
		return nil, Err(syscall.EINVAL, "bytes leftover after parsing attributes")
	}
	return tb, nil
}

// fixedLen is nla_attr_len: the exact size of fixed-size types.
func fixedLen(t nl.Policy) int {
	switch t {
	case nl.U8:
		return 1
	case nl.U16:
		return 2
	case nl.U32:
		return 4
	case nl.U64:
		return 8
	}
	return 0
}

// validate is validate_nla.
func (p *PolicyExt) validate(a *nl.Attr, v Validate) error {
	if p.StrictStart != 0 && a.Type >= p.StrictStart {
		v |= ValidateStrict
	}
	e, known := p.Entries[a.Type]
	mask, isBF := p.Bitfield32[a.Type]
	n := len(a.Data)
	if l := fixedLen(e.Type); l != 0 && n != l && v&ValidateStrictAttrs != 0 {
		return Err(syscall.EINVAL, "invalid attribute length")
	}
	if v&ValidateNested != 0 {
		nested := e.Type == nl.Nested
		if nested && a.Flags&nl.NLA_F_NESTED == 0 {
			return Err(syscall.EINVAL, "NLA_F_NESTED is missing")
		}
		if !nested && (known || isBF) && e.Type != nl.Unspec && a.Flags&nl.NLA_F_NESTED != 0 {
			return Err(syscall.EINVAL, "NLA_F_NESTED not expected")
		}
		if isBF && a.Flags&nl.NLA_F_NESTED != 0 {
			return Err(syscall.EINVAL, "NLA_F_NESTED not expected")
		}
	}
	bad := Err(syscall.ERANGE, "Attribute failed policy validation")
	switch {
	case isBF:
		if n != 8 {
			return bad
		}
		value := binary.NativeEndian.Uint32(a.Data)
		sel := binary.NativeEndian.Uint32(a.Data[4:])
		if mask == 0 || sel&^mask != 0 || value&^mask != 0 || value&^sel != 0 {
			return Err(syscall.EINVAL, "Attribute failed policy validation")
		}
		return nil
	case !known || e.Type == nl.Unspec:
		if v&ValidateUnspec != 0 {
			return Err(syscall.EINVAL, "Unsupported attribute")
		}
		if n < e.Len {
			return bad
		}
		return nil
	}
	if errno := checkPolicy(e, n); errno != 0 {
		return Err(errno, "Attribute failed policy validation")
	}
	if r, ok := p.Range[a.Type]; ok {
		var x uint64
		switch e.Type {
		case nl.U8:
			x = uint64(a.Data[0])
		case nl.U16:
			x = uint64(binary.NativeEndian.Uint16(a.Data))
		case nl.U32:
			x = uint64(binary.NativeEndian.Uint32(a.Data))
		case nl.U64:
			x = binary.NativeEndian.Uint64(a.Data)
		}
		if x < r.Min || x > r.Max {
			return Err(syscall.ERANGE, "integer out of range")
		}
	}
	return nil
}
