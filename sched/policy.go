package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
)

// ParseOptions parses a kind's TCA_OPTIONS payload as
// nla_parse_nested_deprecated does: attributes in stream order, each known
// one checked against its policy entry as it comes (validate_nla in liberal
// mode), the last occurrence of a type winning, types above max skipped.
// A short attribute fails with ERANGE, a flag with a payload with EINVAL,
// both with "Attribute failed policy validation" (which kinds that pass no
// extack to the parser drop: see Error.Msg).
func ParseOptions(b []byte, max uint16, policy map[uint16]nl.PolicyEntry) (nl.Attrs, error) {
	tb := make(nl.Attrs, int(max)+1)
	var err error
	nl.Walk(b, func(a nl.Attr) bool {
		if a.Type > max {
			return true
		}
		if p, ok := policy[a.Type]; ok {
			if errno := checkPolicy(p, len(a.Data)); errno != 0 {
				err = Err(errno, "Attribute failed policy validation")
				return false
			}
		}
		tb[a.Type] = &a
		return true
	})
	if err != nil {
		return nil, err
	}
	return tb, nil
}

func checkPolicy(p nl.PolicyEntry, n int) syscall.Errno {
	bad := false
	switch p.Type {
	case nl.U8:
		bad = n < 1
	case nl.U16:
		bad = n < 2
	case nl.U32:
		bad = n < 4
	case nl.U64:
		bad = n < 8
	case nl.Flag:
		if n > 0 {
			return syscall.EINVAL
		}
	case nl.Nested:
		bad = n != 0 && n < nl.AttrHdrLen
	case nl.Binary, nl.String:
		bad = p.Len > 0 && n > p.Len
	case nl.Unspec:
		bad = p.Len > 0 && n < p.Len
	}
	if bad {
		return syscall.ERANGE
	}
	return 0
}

// Quiet drops the extack text of err, for kinds whose kernel code parses
// without an extack (the errno stays).
func Quiet(err error) error {
	if err == nil {
		return nil
	}
	return syscall.Errno(ErrnoOf(err))
}
