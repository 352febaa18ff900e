package nl

import (
	"encoding/binary"
	"errors"
	"syscall"
)

// Netlink header constants, as in <linux/netlink.h>.
const (
	HdrLen = 16 // sizeof(struct nlmsghdr)

	NLMSG_NOOP    = 0x1
	NLMSG_ERROR   = 0x2
	NLMSG_DONE    = 0x3
	NLMSG_OVERRUN = 0x4

	NLM_F_REQUEST       = 0x01
	NLM_F_MULTI         = 0x02
	NLM_F_ACK           = 0x04
	NLM_F_ECHO          = 0x08
	NLM_F_DUMP_INTR     = 0x10
	NLM_F_DUMP_FILTERED = 0x20
	NLM_F_ROOT          = 0x100
	NLM_F_MATCH         = 0x200
	NLM_F_DUMP          = NLM_F_ROOT | NLM_F_MATCH
	NLM_F_REPLACE       = 0x100
	NLM_F_EXCL          = 0x200
	NLM_F_CREATE        = 0x400
	NLM_F_APPEND        = 0x800
	NLM_F_CAPPED        = 0x100 // in NLMSG_ERROR
	NLM_F_ACK_TLVS      = 0x200 // in NLMSG_ERROR

	NLMSGERR_ATTR_MSG  = 1
	NLMSGERR_ATTR_OFFS = 2

	NLA_F_NESTED        = 0x8000
	NLA_F_NET_BYTEORDER = 0x4000
	NLA_TYPE_MASK       = ^uint16(NLA_F_NESTED | NLA_F_NET_BYTEORDER)
)

// Header is struct nlmsghdr.
type Header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	Pid   uint32
}

// Msg is one netlink message: its header and its payload (the bytes after the
// header, up to Len).
type Msg struct {
	Header
	Data []byte
}

// ErrTruncated reports a datagram whose last message claims more bytes than
// the datagram holds.
var ErrTruncated = errors.New("netlink: truncated message")

// Align rounds n up to the netlink alignment of 4 bytes.
func Align(n int) int { return (n + 3) &^ 3 }

// ParseHeader reads a header from the first 16 bytes of b.
func ParseHeader(b []byte) Header {
	return Header{
		Len:   binary.NativeEndian.Uint32(b[0:]),
		Type:  binary.NativeEndian.Uint16(b[4:]),
		Flags: binary.NativeEndian.Uint16(b[6:]),
		Seq:   binary.NativeEndian.Uint32(b[8:]),
		Pid:   binary.NativeEndian.Uint32(b[12:]),
	}
}

// Split cuts a datagram into its messages. It stops at the first message whose
// length is impossible and reports the messages read so far with the error, so
// that a server can still answer those and refuse the rest.
func Split(b []byte) ([]Msg, error) {
	var msgs []Msg
	for len(b) >= HdrLen {
		h := ParseHeader(b)
		if h.Len < HdrLen || int(h.Len) > len(b) {
			return msgs, ErrTruncated
		}
		msgs = append(msgs, Msg{Header: h, Data: b[HdrLen:h.Len]})
		n := Align(int(h.Len))
		if n >= len(b) {
			return msgs, nil
		}
		b = b[n:]
	}
	if len(b) != 0 {
		return msgs, ErrTruncated
	}
	return msgs, nil
}

// Errno is what the kernel puts in struct nlmsgerr: a negative errno, or 0 for
// an acknowledgement.
func Errno(err error) int32 {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return -int32(e)
	}
	return -int32(syscall.EINVAL)
}
