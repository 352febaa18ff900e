package rtnl_test

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
)

// client is a raw daemon client: HELLO, then datagrams.
type client struct {
	t  *testing.T
	uc *net.UnixConn
}

func dial(t *testing.T, sock, ns string) *client {
	uc, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: sock, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uc.Close() })
	b := nl.NewBuilder()
	b.Begin(rtnl.NSCHED_HELLO, 0, 0, 0)
	b.Raw(append([]byte(ns), 0))
	b.End()
	c := &client{t: t, uc: uc}
	c.send(b.Bytes())
	if h := nl.ParseHeader(c.recv()); h.Type != rtnl.NSCHED_HELLO {
		t.Fatalf("hello answered with type %d", h.Type)
	}
	return c
}

func (c *client) send(b []byte) {
	if _, err := c.uc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) recv() []byte {
	buf := make([]byte, 1<<16)
	c.uc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.uc.Read(buf)
	if err != nil {
		c.t.Fatal(err)
	}
	return buf[:n]
}

// exchange sends a request and reads datagrams until the ACK, error or
// NLMSG_DONE that ends its answer.
func (c *client) exchange(req []byte) []byte {
	c.send(req)
	var all bytes.Buffer
	for {
		d := c.recv()
		all.Write(d)
		msgs, _ := nl.Split(d)
		for _, m := range msgs {
			if m.Type == nl.NLMSG_ERROR || m.Type == nl.NLMSG_DONE {
				return all.Bytes()
			}
		}
	}
}

// The daemon keeps serving, with its state unchanged, after a client sent
// it thousands of malformed datagrams; and a client that is not root may
// read but not change.
func TestDaemonSurvivesGarbage(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	e := rtnl.New(rtnl.Options{Clock: clock.NewVirtual()})
	srv, err := rtnl.Listen(e, sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	c := dial(t, sock, "garbage")
	for _, s := range seeds()[:4] {
		c.exchange(s)
	}
	dump := msg(sched.RTM_GETQDISC, nl.NLM_F_DUMP, func(b *nl.Builder) { b.Raw(make([]byte, 20)) })
	before := c.exchange(dump)
	r := rand.New(rand.NewSource(2))
	ss := seeds()
	for i := 0; i < 2000; i++ {
		d := garbage(r, ss[r.Intn(len(ss))])
		if len(d) < nl.HdrLen {
			// Too short for a header: ignored, as by the kernel. (An
			// empty datagram would read as the end of the connection.)
			if len(d) > 0 {
				c.send(d)
			}
			continue
		}
		c.exchange(d)
	}
	// A second client sees the same state, and the first still works.
	c2 := dial(t, sock, "garbage")
	if after := c2.exchange(dump); !sameDump(before, after) {
		t.Fatalf("state changed:\n%x\n%x", before, after)
	}
	if after := c.exchange(dump); !sameDump(before, after) {
		t.Fatalf("first client sees another state")
	}
}

// sameDump compares dumps ignoring the port id in the headers.
func sameDump(a, b []byte) bool {
	strip := func(d []byte) []byte {
		d = append([]byte(nil), d...)
		msgs, _ := nl.Split(d)
		off := 0
		for _, m := range msgs {
			for i := 12; i < 16; i++ {
				d[off+i] = 0
			}
			off += nl.Align(int(m.Len))
		}
		return d
	}
	return bytes.Equal(strip(a), strip(b))
}

// A peer without privilege may dump but not change: EPERM, as the kernel
// answers without CAP_NET_ADMIN.
func TestUnprivilegedReadsOnly(t *testing.T) {
	e := rtnl.New(rtnl.Options{Clock: clock.NewVirtual()})
	admin := e.Connect("perm", 0, true, func([]byte) {})
	admin.Handle(seeds()[0])
	user := e.Connect("perm", 0, false, func([]byte) {})
	for _, s := range seeds() {
		out := user.Handle(s)
		msgs, _ := nl.Split(out[len(out)-1])
		m := msgs[len(msgs)-1]
		typ := nl.ParseHeader(s).Type
		isGet := (typ-rtnl.RTM_BASE)&3 == 2
		errno := int32(0)
		if m.Type == nl.NLMSG_ERROR {
			errno = int32(binary.NativeEndian.Uint32(m.Data))
		}
		if !isGet && (m.Type != nl.NLMSG_ERROR || errno != -1) {
			t.Fatalf("change type %d by unprivileged peer: got type %d errno %d, want EPERM", typ, m.Type, errno)
		}
		if isGet && m.Type != nl.NLMSG_DONE {
			t.Fatalf("dump type %d by unprivileged peer: got type %d", typ, m.Type)
		}
	}
}
