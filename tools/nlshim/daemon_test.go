package nlshim_test

// The fake daemon used by shim_test.go: a test fixture that speaks
// PROTOCOL.md just well enough for tc and ip, not the product. It knows one
// device (fake0, index 7) with one qdisc (pfifo 1: limit 1000) and answers
// every other request with an ACK, or with EPERM plus an extack message
// when told to refuse changes.

import (
	"bytes"
	"encoding/binary"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

const (
	nschedHello   = 0x7f00
	nschedSockopt = 0x7f01
	nschedBind    = 0x7f02

	nlmsgError = 2
	nlmsgDone  = 3

	nlmFMulti   = 0x2
	nlmFAck     = 0x4
	nlmFDump    = 0x300
	nlmFCapped  = 0x100
	nlmFAckTLVs = 0x200

	rtmNewLink  = 16
	rtmGetLink  = 18
	rtmNewQdisc = 36
	rtmGetQdisc = 38

	iflaAddress   = 1
	iflaBroadcast = 2
	iflaIfname    = 3
	iflaMTU       = 4
	iflaTxqlen    = 13

	tcaKind    = 1
	tcaOptions = 2

	nlmsgerrAttrMsg = 1

	netlinkExtAck       = 11
	netlinkGetStrictChk = 12

	fakeIndex  = 7
	refuseText = "fake daemon refuses changes"
)

var ne = binary.NativeEndian

// ---- netlink message building and parsing ---------------------------------

func align4(n int) int { return (n + 3) &^ 3 }

func pad4(b []byte) []byte { return append(b, make([]byte, align4(len(b))-len(b))...) }

func u32(v uint32) []byte { return ne.AppendUint32(nil, v) }

func cstr(s string) []byte { return append([]byte(s), 0) }

func attr(typ uint16, data []byte) []byte {
	b := ne.AppendUint16(nil, uint16(4+len(data)))
	b = ne.AppendUint16(b, typ)
	return pad4(append(b, data...))
}

func nlmsg(typ, flags uint16, seq, pid uint32, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	b := ne.AppendUint32(nil, uint32(16+len(body)))
	b = ne.AppendUint16(b, typ)
	b = ne.AppendUint16(b, flags)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, pid)
	return pad4(append(b, body...))
}

type message struct {
	typ, flags uint16
	seq        uint32
	raw, data  []byte
}

// splitMessages walks a datagram as the kernel does: it stops at anything
// that is not a whole message, which skips the zero padding iproute2
// sometimes sends after the last one.
func splitMessages(b []byte) []message {
	var out []message
	for len(b) >= 16 {
		n := int(ne.Uint32(b))
		if n < 16 || n > len(b) {
			break
		}
		out = append(out, message{
			typ: ne.Uint16(b[4:]), flags: ne.Uint16(b[6:]), seq: ne.Uint32(b[8:]),
			raw: b[:n], data: b[16:n],
		})
		b = b[min(align4(n), len(b)):]
	}
	return out
}

// linkRequest reads ifi_index and IFLA_IFNAME from an RTM_GETLINK.
func linkRequest(data []byte) (index uint32, name string) {
	if len(data) < 16 {
		return 0, ""
	}
	index = ne.Uint32(data[4:])
	for a := data[16:]; len(a) >= 4; {
		n := int(ne.Uint16(a))
		if n < 4 || n > len(a) {
			break
		}
		if ne.Uint16(a[2:]) == iflaIfname {
			name, _, _ = strings.Cut(string(a[4:n]), "\x00")
		}
		a = a[min(align4(n), len(a)):]
	}
	return index, name
}

func linkMsg(seq, pid uint32, flags uint16) []byte {
	const up = 0x1 | 0x2 | 0x40 | 0x1000 | 0x10000 // UP BROADCAST RUNNING MULTICAST LOWER_UP
	ifi := []byte{0, 0}                            // family, pad
	ifi = ne.AppendUint16(ifi, 1)                  // ARPHRD_ETHER
	ifi = ne.AppendUint32(ifi, fakeIndex)
	ifi = ne.AppendUint32(ifi, up)
	ifi = ne.AppendUint32(ifi, 0) // change
	return nlmsg(rtmNewLink, flags, seq, pid, ifi,
		attr(iflaIfname, cstr("fake0")),
		attr(iflaMTU, u32(1500)),
		attr(iflaTxqlen, u32(1000)),
		attr(iflaAddress, []byte{0x02, 0, 0, 0, 0, fakeIndex}),
		attr(iflaBroadcast, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
}

func qdiscMsg(seq, pid uint32) []byte {
	tcm := []byte{0, 0, 0, 0} // family, pads
	tcm = ne.AppendUint32(tcm, fakeIndex)
	tcm = ne.AppendUint32(tcm, 0x10000)    // handle 1:
	tcm = ne.AppendUint32(tcm, 0xffffffff) // parent: root
	tcm = ne.AppendUint32(tcm, 2)          // info: refcnt
	return nlmsg(rtmNewQdisc, nlmFMulti, seq, pid, tcm,
		attr(tcaKind, cstr("pfifo")), attr(tcaOptions, u32(1000)))
}

func doneMsg(seq, pid uint32) []byte { return nlmsg(nlmsgDone, nlmFMulti, seq, pid, u32(0)) }

// errMsg answers req in the kernel's layout: the error, then the original
// message (only its header for an ACK, flagged NLM_F_CAPPED), then extack
// attributes (flagged NLM_F_ACK_TLVS).
func errMsg(req message, pid uint32, errno syscall.Errno, text string) []byte {
	var flags uint16
	orig := req.raw
	if errno == 0 {
		flags |= nlmFCapped
		orig = req.raw[:16]
	}
	var tlvs []byte
	if text != "" {
		flags |= nlmFAckTLVs
		tlvs = attr(nlmsgerrAttrMsg, cstr(text))
	}
	return nlmsg(nlmsgError, flags, req.seq, pid, u32(uint32(-int32(errno))), pad4(orig), tlvs)
}

// ---- the fake daemon ------------------------------------------------------

type fakeDaemon struct {
	path   string
	refuse atomic.Bool

	mu       sync.Mutex
	nextPort uint32
	hellos   []string    // namespace names, in order
	sockopts [][2]uint32 // optname, value
	binds    []uint32
	names    []string // names asked for by RTM_GETLINK
}

func startDaemon(t *testing.T) *fakeDaemon {
	t.Helper()
	d := &fakeDaemon{path: filepath.Join(t.TempDir(), "nsd.sock"), nextPort: 1000}
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: d.path, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.AcceptUnix()
			if err != nil {
				return
			}
			go d.serve(c)
		}
	}()
	return d
}

func (d *fakeDaemon) serve(c *net.UnixConn) {
	defer c.Close()
	buf := make([]byte, 1<<16)
	n, err := c.Read(buf)
	if err != nil {
		return
	}
	msgs := splitMessages(buf[:n])
	if len(msgs) != 1 || msgs[0].typ != nschedHello {
		return
	}
	ns, _, _ := strings.Cut(string(msgs[0].data), "\x00")
	d.mu.Lock()
	port := d.nextPort
	d.nextPort++
	d.hellos = append(d.hellos, ns)
	d.mu.Unlock()
	if _, err := c.Write(nlmsg(nschedHello, 0, msgs[0].seq, port, u32(port))); err != nil {
		return
	}
	if ns == "eof" { // lets the probe see a daemon hang up
		return
	}
	for {
		n, err := c.Read(buf)
		if err != nil || n == 0 {
			return
		}
		for _, m := range splitMessages(buf[:n]) {
			for _, reply := range d.handle(m, port) {
				if _, err := c.Write(reply); err != nil {
					return
				}
			}
		}
	}
}

// handle returns the datagrams answering one request.
func (d *fakeDaemon) handle(m message, port uint32) [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	// Only GET requests are dumps: NLM_F_DUMP's bits mean EXCL/REPLACE on NEW.
	dump := m.typ >= 16 && m.typ%4 == 2 && m.flags&nlmFDump != 0
	switch {
	case m.typ == nschedSockopt && len(m.data) >= 8:
		d.sockopts = append(d.sockopts, [2]uint32{ne.Uint32(m.data), ne.Uint32(m.data[4:])})
	case m.typ == nschedBind && len(m.data) >= 4:
		d.binds = append(d.binds, ne.Uint32(m.data))
	case m.typ == rtmGetLink && dump:
		// Dump parts are packed, DONE may share the datagram.
		return [][]byte{append(linkMsg(m.seq, port, nlmFMulti), doneMsg(m.seq, port)...)}
	case m.typ == rtmGetLink:
		index, name := linkRequest(m.data)
		if name != "" {
			d.names = append(d.names, name)
		}
		if (name == "" && index == fakeIndex) || name == "fake0" {
			return [][]byte{linkMsg(m.seq, port, 0)}
		}
		return [][]byte{errMsg(m, port, syscall.ENODEV, "")}
	case m.typ == rtmGetQdisc && dump:
		return [][]byte{qdiscMsg(m.seq, port), doneMsg(m.seq, port)}
	case dump:
		return [][]byte{doneMsg(m.seq, port)}
	case d.refuse.Load():
		return [][]byte{errMsg(m, port, syscall.EPERM, refuseText)}
	case m.flags&nlmFAck != 0:
		return [][]byte{errMsg(m, port, 0, "")}
	}
	return nil
}

func (d *fakeDaemon) snapshot() (hellos []string, sockopts [][2]uint32, binds []uint32, names []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.hellos...), append([][2]uint32(nil), d.sockopts...),
		append([]uint32(nil), d.binds...), append([]string(nil), d.names...)
}
