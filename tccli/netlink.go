package tccli

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/netsched/netsched/nl"
)

// handle is one rtnetlink socket with iproute2's libnetlink behaviour:
// sequence numbers, acknowledgements, dumps, and the way refusals are
// printed ("Error: <extack>." or "RTNETLINK answers: <strerror>").
type handle struct {
	c      Conn
	seq    uint32
	dump   uint32
	stderr io.Writer
}

// errReported is a failure whose message has been printed already.
var errReported = errors.New("reported")

func newHandle(c Conn, stderr io.Writer) *handle {
	return &handle{c: c, seq: uint32(time.Now().Unix()), stderr: stderr}
}

// request builds a message of type typ with flags and the fixed header
// hdr; attributes follow with the returned builder, then End.
func request(typ, flags uint16, hdr []byte) *nl.Builder {
	b := nl.NewBuilder()
	b.Begin(typ, nl.NLM_F_REQUEST|flags, 0, 0)
	b.Raw(hdr)
	return b
}

// errnoText is glibc's strerror.
func errnoText(e syscall.Errno) string {
	if int(e) < len(strerrors) && strerrors[e] != "" {
		return strerrors[e]
	}
	return "Unknown error " + itoa(int(e))
}

func itoa(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// extAck reads the extended ack message of an NLMSG_ERROR or NLMSG_DONE
// (nl_dump_ext_ack): the NLMSGERR_ATTR_MSG text, if the TLV flag is set.
func extAck(m *nl.Msg, done bool) string {
	if m.Flags&nl.NLM_F_ACK_TLVS == 0 && !done {
		return ""
	}
	off := 4
	if !done {
		// struct nlmsgerr: error, then the request's header and, when
		// not capped, its payload.
		off = 4 + nl.HdrLen
		if m.Flags&nl.NLM_F_CAPPED == 0 && len(m.Data) >= off {
			inner := binary.NativeEndian.Uint32(m.Data[4:])
			if inner >= nl.HdrLen {
				off = 4 + nl.Align(int(inner))
			}
		}
	}
	if off > len(m.Data) {
		return ""
	}
	tb := nl.Parse(m.Data[off:], nl.NLMSGERR_ATTR_OFFS)
	if a := tb.Get(nl.NLMSGERR_ATTR_MSG); a != nil {
		return a.Str()
	}
	return ""
}

// printExtAck prints "Error: msg." or "Warning: msg." (print_ext_ack_msg).
func (h *handle) printExtAck(isErr bool, msg string) {
	kind := "Warning"
	if isErr {
		kind = "Error"
	}
	dot := ""
	if !strings.HasSuffix(msg, ".") {
		dot = "."
	}
	io.WriteString(h.stderr, kind+": "+msg+dot+"\n")
}

func msgErrno(m *nl.Msg) int32 {
	if len(m.Data) < 4 {
		return 0
	}
	return int32(binary.NativeEndian.Uint32(m.Data))
}

// TalkError is the kernel's refusal of a request.
type TalkError struct {
	Errno syscall.Errno
	Msg   string // extack
}

func (e *TalkError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return errnoText(e.Errno)
}

// talk sends one request and waits for its acknowledgement or, with
// answer, its answer (rtnl_talk). Refusals are printed unless quiet; the
// error is then a *TalkError.
func (h *handle) talk(b *nl.Builder, answer, quiet bool) (*nl.Msg, error) {
	msg := b.Bytes()
	h.seq++
	seq := h.seq
	binary.NativeEndian.PutUint32(msg[8:], seq)
	if !answer {
		flags := binary.NativeEndian.Uint16(msg[6:])
		binary.NativeEndian.PutUint16(msg[6:], flags|nl.NLM_F_ACK)
	}
	if err := h.c.Send(msg); err != nil {
		io.WriteString(h.stderr, "Cannot talk to rtnetlink: "+err.Error()+"\n")
		return nil, errReported
	}
	for {
		d, err := h.c.Recv()
		if err != nil {
			io.WriteString(h.stderr, "netlink receive error "+err.Error()+"\n")
			return nil, errReported
		}
		msgs, err := nl.Split(d)
		if err != nil {
			io.WriteString(h.stderr, "!!!malformed message\n")
			return nil, errReported
		}
		for i := range msgs {
			m := &msgs[i]
			if m.Pid != h.c.Port() || m.Seq != seq {
				continue
			}
			if m.Type == nl.NLMSG_ERROR {
				if len(m.Data) < 4+nl.HdrLen {
					io.WriteString(h.stderr, "ERROR truncated\n")
					return nil, errReported
				}
				errno := msgErrno(m)
				text := extAck(m, false)
				if errno == 0 {
					if text != "" {
						h.printExtAck(false, text)
					}
					return m, nil
				}
				te := &TalkError{Errno: syscall.Errno(-errno), Msg: text}
				if !quiet {
					if text != "" {
						h.printExtAck(true, text)
					} else {
						io.WriteString(h.stderr, "RTNETLINK answers: "+errnoText(te.Errno)+"\n")
					}
				}
				return nil, te
			}
			if answer {
				return m, nil
			}
			io.WriteString(h.stderr, "Unexpected reply!!!\n")
		}
	}
}

// dumpRequest sends a dump request (rtnl_dump_request_n).
func (h *handle) dumpRequest(b *nl.Builder) error {
	msg := b.Bytes()
	h.seq++
	h.dump = h.seq
	binary.NativeEndian.PutUint16(msg[6:], nl.NLM_F_DUMP|nl.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], h.dump)
	binary.NativeEndian.PutUint32(msg[12:], 0)
	return h.c.Send(msg)
}

// dumpFilter reads the parts of a dump and gives each message to fn
// (rtnl_dump_filter). A refusal is printed as libnetlink prints it; the
// caller then prints "Dump terminated".
func (h *handle) dumpFilter(fn func(m *nl.Msg) error) error {
	intr := false
	for {
		d, err := h.c.Recv()
		if err != nil {
			io.WriteString(h.stderr, "netlink receive error "+err.Error()+"\n")
			return errReported
		}
		msgs, _ := nl.Split(d)
		for i := range msgs {
			m := &msgs[i]
			if m.Pid != h.c.Port() || m.Seq != h.dump {
				continue
			}
			if m.Flags&nl.NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch m.Type {
			case nl.NLMSG_DONE:
				if err := h.dumpDone(m); err != nil {
					return err
				}
				if intr {
					io.WriteString(h.stderr, "Dump was interrupted and may be inconsistent.\n")
				}
				return nil
			case nl.NLMSG_ERROR:
				if len(m.Data) < 4+nl.HdrLen {
					io.WriteString(h.stderr, "ERROR truncated\n")
				} else {
					io.WriteString(h.stderr, "RTNETLINK answers: "+errnoText(syscall.Errno(-msgErrno(m)))+"\n")
				}
				return errReported
			}
			if err := fn(m); err != nil {
				return err
			}
		}
	}
}

// dumpDone reads NLMSG_DONE (rtnl_dump_done).
func (h *handle) dumpDone(m *nl.Msg) error {
	if len(m.Data) < 4 {
		io.WriteString(h.stderr, "DONE truncated\n")
		return errReported
	}
	errno := msgErrno(m)
	if errno < 0 {
		if text := extAck(m, true); text != "" {
			h.printExtAck(true, text)
			return errReported
		}
		switch e := syscall.Errno(-errno); e {
		case syscall.ENOENT, syscall.EOPNOTSUPP:
		case syscall.EMSGSIZE:
			io.WriteString(h.stderr, "Error: Buffer too small for object.\n")
		default:
			io.WriteString(h.stderr, "RTNETLINK answers: "+errnoText(e)+"\n")
		}
		return errReported
	}
	if m.Flags&nl.NLM_F_ACK_TLVS != 0 {
		if text := extAck(m, true); text != "" {
			h.printExtAck(false, text)
		}
	}
	return nil
}
