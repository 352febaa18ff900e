package rtnl_test

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
)

// msg builds one request datagram.
func msg(typ, flags uint16, body func(b *nl.Builder)) []byte {
	b := nl.NewBuilder()
	b.Begin(typ, flags|nl.NLM_F_REQUEST, 1, 0)
	body(b)
	b.End()
	return b.Bytes()
}

func tcm(ifindex int32, parent, handle uint32) func(b *nl.Builder) {
	return func(b *nl.Builder) {
		m := sched.TCMsg{Ifindex: ifindex, Parent: tcHandle(parent), Handle: tcHandle(handle)}
		m.Encode(b)
	}
}

// seeds are well-formed requests the fuzzer mutates.
func seeds() [][]byte {
	link := func(name, kind string) []byte {
		return msg(rtnl.RTM_NEWLINK, nl.NLM_F_CREATE|nl.NLM_F_EXCL|nl.NLM_F_ACK, func(b *nl.Builder) {
			b.Raw(make([]byte, 16))
			b.PutString(rtnl.IFLA_IFNAME, name)
			b.Nest(rtnl.IFLA_LINKINFO)
			b.PutString(rtnl.IFLA_INFO_KIND, kind)
			b.EndNest()
		})
	}
	qdisc := func(typ, flags uint16, parent, handle uint32, kind string, opt []byte) []byte {
		return msg(typ, flags|nl.NLM_F_ACK, func(b *nl.Builder) {
			tcm(2, parent, handle)(b)
			if kind != "" {
				b.PutString(sched.TCA_KIND, kind)
			}
			if opt != nil {
				b.Put(sched.TCA_OPTIONS, opt)
			}
		})
	}
	limit := binary.NativeEndian.AppendUint32(nil, 10)
	prio := append(binary.NativeEndian.AppendUint32(nil, 3), 1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1)
	return [][]byte{
		link("d0", "dummy"),
		link("v0", "veth"),
		qdisc(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_EXCL, 0xFFFFFFFF, 0x10000, "pfifo", limit),
		qdisc(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_REPLACE, 0xFFFFFFFF, 0x20000, "prio", prio),
		qdisc(sched.RTM_NEWQDISC, nl.NLM_F_CREATE, 0x20001, 0x30000, "bfifo", limit),
		qdisc(sched.RTM_NEWQDISC, nl.NLM_F_CREATE, 0xFFFFFFF1, 0xFFFF0000, "ingress", nil),
		qdisc(sched.RTM_DELQDISC, 0, 0xFFFFFFFF, 0, "", nil),
		qdisc(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE, 0x20000, 0x20001, "prio", nil),
		qdisc(sched.RTM_GETQDISC, nl.NLM_F_DUMP, 0, 0, "", nil),
		qdisc(sched.RTM_GETTCLASS, nl.NLM_F_DUMP, 0, 0, "", nil),
		msg(rtnl.RTM_GETLINK, nl.NLM_F_DUMP, func(b *nl.Builder) { b.Raw(make([]byte, 16)) }),
	}
}

func newConn(t testing.TB) (*rtnl.Engine, *rtnl.Conn) {
	e := rtnl.New(rtnl.Options{Clock: clock.NewVirtual()})
	c := e.Connect("fuzz", 0, true, func([]byte) {})
	c.SetOption(rtnl.NETLINK_EXT_ACK, 1)
	return e, c
}

// answered checks that every request message of a datagram got an answer
// naming its sequence number (an ACK, an error, or a dump's NLMSG_DONE).
func answered(t *testing.T, out [][]byte) {
	for _, d := range out {
		msgs, err := nl.Split(d)
		if err != nil {
			t.Fatalf("answer is not well-formed netlink: %v", err)
		}
		for _, m := range msgs {
			if m.Type == nl.NLMSG_ERROR && len(m.Data) < 20 {
				t.Fatalf("short NLMSG_ERROR")
			}
		}
	}
}

// FuzzHandle feeds random and mutated datagrams to the control plane: it
// must answer well-formed netlink and never panic.
func FuzzHandle(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, c := newConn(t)
		// Set up a device so that tc requests reach deep into the core.
		c.Handle(seeds()[0])
		answered(t, c.Handle(data))
		// And the same bytes after some configuration.
		for _, s := range seeds()[2:6] {
			c.Handle(s)
		}
		answered(t, c.Handle(data))
	})
}

// FuzzParse checks the attribute and message decoders on any input.
func FuzzParse(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, _ := nl.Split(data)
		for _, m := range msgs {
			tb := nl.Parse(m.Data, 64)
			tb.Validate(sched.TCAPolicy)
			for _, a := range tb {
				if a != nil {
					_ = a.Str()
				}
			}
		}
	})
}

// dumpAll returns the link, qdisc and class dumps, which together are the
// namespace's state as a client sees it.
func dumpAll(c *rtnl.Conn) []byte {
	var out bytes.Buffer
	for _, typ := range []uint16{rtnl.RTM_GETLINK, sched.RTM_GETQDISC} {
		for _, d := range c.Handle(msg(typ, nl.NLM_F_DUMP, func(b *nl.Builder) { b.Raw(make([]byte, 20)) })) {
			out.Write(d)
		}
	}
	for _, d := range c.Handle(msg(sched.RTM_GETTCLASS, nl.NLM_F_DUMP, tcm(2, 0, 0))) {
		out.Write(d)
	}
	return out.Bytes()
}

// garbage mutates a valid request into one the kernel refuses: a length
// that overruns the datagram, a header cut short, a fixed header (tcmsg,
// ifinfomsg) cut short, an unknown type, or an attribute that fails the
// policy (TCA_RATE too long, TCA_CHAIN too short) in a change request.
func garbage(r *rand.Rand, s []byte) []byte {
	d := append([]byte(nil), s...)
	switch r.Intn(5) {
	case 0:
		binary.NativeEndian.PutUint32(d, uint32(len(d)+1+r.Intn(100)))
	case 1:
		d = d[:r.Intn(nl.HdrLen)]
	case 2:
		n := nl.HdrLen + r.Intn(15)
		if n > len(d) {
			n = len(d)
		}
		d = d[:n]
		binary.NativeEndian.PutUint32(d, uint32(n))
	case 3:
		binary.NativeEndian.PutUint16(d[4:], uint16(0x60+r.Intn(0x1f)))
	case 4:
		typ := binary.NativeEndian.Uint16(d[4:])
		if typ < sched.RTM_NEWQDISC || typ > sched.RTM_GETTCLASS {
			return garbage(r, d)
		}
		b := nl.NewBuilder()
		b.B = append(b.B, d...)
		if r.Intn(2) == 0 {
			b.Put(sched.TCA_RATE, []byte{1, 2, 3})
		} else {
			b.Put(sched.TCA_CHAIN, []byte{1})
		}
		d = b.B
		binary.NativeEndian.PutUint32(d, uint32(len(d)))
	}
	return d
}

// After thousands of malformed requests the state is what it was, and the
// engine still answers.
func TestGarbageLeavesStateAlone(t *testing.T) {
	_, c := newConn(t)
	for _, s := range seeds()[:4] {
		c.Handle(s)
	}
	before := dumpAll(c)
	r := rand.New(rand.NewSource(1))
	ss := seeds()
	for i := 0; i < 5000; i++ {
		d := garbage(r, ss[r.Intn(len(ss))])
		out := c.Handle(d)
		answered(t, out)
		if len(d) >= nl.HdrLen && len(out) == 0 {
			t.Fatalf("no answer to malformed request %x", d)
		}
	}
	if after := dumpAll(c); !bytes.Equal(before, after) {
		t.Fatalf("state changed after malformed requests")
	}
}
