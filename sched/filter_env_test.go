package sched_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/qdisc/ingress"
	"github.com/netsched/netsched/qdisc/mq"
	"github.com/netsched/netsched/qdisc/pfifofast"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// The tests of this file drive the core directly: requests as rtnl decodes
// them, answers and notifications as netlink messages, rendered as short
// lines for comparison.

// link is a device with nothing behind it.
type link struct {
	name  string
	index int32
	txq   int
}

func (l *link) Name() string               { return l.name }
func (l *link) Ifindex() int32             { return l.index }
func (l *link) MTU() uint32                { return 1500 }
func (l *link) HardHeaderLen() uint32      { return 14 }
func (l *link) TxQueueLen() uint32         { return 1000 }
func (l *link) SetTxQueueLen(uint32)       {}
func (l *link) NoQueue() bool              { return false }
func (l *link) IsUp() bool                 { return true }
func (l *link) Carrier() bool              { return true }
func (l *link) RealNumTxQueues() int       { return 1 }
func (l *link) Xmit(*pkt.Packet, int) bool { return true }

// recorder is a Notifier that keeps what it would send, marking echoes.
type recorder struct {
	listening bool
	got       []string
}

func (r *recorder) Wanted(req *sched.Request) bool {
	return r.listening || req.Flags&nl.NLM_F_ECHO != 0
}

func (r *recorder) Notify(req *sched.Request, fill func(b *nl.Builder) bool) {
	if !r.Wanted(req) {
		return
	}
	b := nl.NewBuilder()
	if !fill(b) {
		return
	}
	for _, l := range describe(b.Bytes()) {
		if req.Flags&nl.NLM_F_ECHO != 0 {
			l = "echo " + l
		}
		r.got = append(r.got, l)
	}
}

func (r *recorder) take() []string { g := r.got; r.got = nil; return g }

// env is a namespace with two devices, 2 (d2, one queue) and 3 (d3, four
// queues), both up with their default qdiscs.
type env struct {
	t     *testing.T
	n     *sched.Net
	devs  map[int32]*sched.Dev
	notes *recorder
	seq   uint32
}

// testKinds is the registry of these tests: the qdiscs, matchall and the
// test classifier "fake".
func testKinds() *sched.Registry {
	r := sched.NewRegistry()
	r.AddQdisc(sched.NoQueue, fifo.PFIFO, pfifofast.Kind, prio.Kind, mq.Kind, ingress.Ingress, ingress.Clsact, classfulKind)
	r.AddClassifier(matchall.Kind, fakeKind)
	return r
}

func newEnv(t *testing.T) *env {
	n := sched.NewNet(clock.NewVirtual(), testKinds(), sched.NewHandles())
	n.Default = pfifofast.Kind
	e := &env{t: t, n: n, devs: map[int32]*sched.Dev{}, notes: &recorder{}}
	for i, q := range map[int32]int{2: 1, 3: 4} {
		d := sched.NewDev(&link{name: fmt.Sprintf("d%d", i), index: i, txq: q}, n, q)
		d.Activate()
		e.devs[i] = d
	}
	return e
}

func (e *env) dev(i int32) *sched.Dev { return e.devs[i] }

// attr is one TCA_* attribute of a request.
type attr struct {
	typ  uint16
	data []byte
}

func kind(s string) attr              { return attr{sched.TCA_KIND, append([]byte(s), 0)} }
func chain(i uint32) attr             { return attr{sched.TCA_CHAIN, u32(i)} }
func opts(a ...attr) attr             { return attr{sched.TCA_OPTIONS, encode(a)} }
func u32attr(t uint16, v uint32) attr { return attr{t, u32(v)} }

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func encode(as []attr) []byte {
	b := nl.NewBuilder()
	for _, a := range as {
		b.Put(a.typ, a.data)
	}
	return b.Bytes()
}

// Handy request pieces.
const (
	ingressParent = tc.Handle(0xFFFFFFF2) // ffff:fff2
	egressParent  = tc.Handle(0xFFFFFFF3)
	ethAll        = 0x0300 // htons(ETH_P_ALL)
	ethIP         = 0x0008 // htons(ETH_P_IP)
	ethIPv6       = 0xDD86 // htons(ETH_P_IPV6)
	create        = nl.NLM_F_CREATE | nl.NLM_F_EXCL
	magic         = sched.IfindexMagicBlock
)

func info(pref uint16, proto uint16) uint32 { return uint32(pref)<<16 | uint32(proto) }

// req sends one request and returns the replies of a get, as lines.
func (e *env) req(typ, flags uint16, m sched.TCMsg, as ...attr) ([]string, error) {
	e.seq++
	r := &sched.Request{
		Header: nl.Header{Type: typ, Flags: nl.NLM_F_REQUEST | flags, Seq: e.seq, Pid: 77},
		TCM:    m,
		Attrs:  nl.Parse(encode(as), sched.TCA_MAX),
		Notify: e.notes,
	}
	if err, msg := r.Attrs.Validate(sched.TCAPolicy); err != nil {
		return nil, &sched.Error{Errno: err.(syscall.Errno), Msg: msg}
	}
	var replies []string
	reply := func(fill func(b *nl.Builder) bool) {
		b := nl.NewBuilder()
		if fill(b) {
			replies = append(replies, describe(b.Bytes())...)
		}
	}
	devs := func(i int32) *sched.Dev { return e.devs[i] }
	var err error
	switch typ {
	case sched.RTM_NEWTFILTER, sched.RTM_DELTFILTER, sched.RTM_GETTFILTER:
		err = sched.FilterCtl(e.n, devs, r, reply)
	case sched.RTM_NEWCHAIN, sched.RTM_DELCHAIN, sched.RTM_GETCHAIN:
		err = sched.ChainCtl(e.n, devs, r, reply)
	case sched.RTM_NEWQDISC:
		err = e.devs[m.Ifindex].ModifyQdisc(r)
	case sched.RTM_DELQDISC:
		err = e.devs[m.Ifindex].GetQdisc(r, reply)
	case sched.RTM_NEWTCLASS, sched.RTM_DELTCLASS:
		err = e.devs[m.Ifindex].ClassCtl(r, reply)
	default:
		e.t.Fatalf("request type %d", typ)
	}
	return replies, err
}

// must sends a request that has to succeed.
func (e *env) must(typ, flags uint16, m sched.TCMsg, as ...attr) []string {
	e.t.Helper()
	out, err := e.req(typ, flags, m, as...)
	if err != nil {
		e.t.Fatalf("request %d %+v: %v", typ, m, err)
	}
	return out
}

// dump runs a filter (or chain) dump and returns its lines.
func (e *env) dump(typ uint16, m sched.TCMsg, as ...attr) ([]string, error) {
	r := &sched.Request{
		Header: nl.Header{Type: typ, Flags: nl.NLM_F_REQUEST | nl.NLM_F_DUMP, Seq: 9, Pid: 77},
		TCM:    m,
		Attrs:  nl.Parse(encode(as), sched.TCA_MAX),
	}
	var lines []string
	add := func(fill func(b *nl.Builder) bool) {
		b := nl.NewBuilder()
		fill(b)
		lines = append(lines, describe(b.Bytes())...)
	}
	devs := func(i int32) *sched.Dev { return e.devs[i] }
	var err error
	if typ == sched.RTM_GETCHAIN {
		err = sched.DumpChains(e.n, devs, r, add)
	} else {
		err = sched.DumpFilters(e.n, devs, r, add)
	}
	return lines, err
}

func (e *env) mustDump(typ uint16, m sched.TCMsg, as ...attr) []string {
	e.t.Helper()
	l, err := e.dump(typ, m, as...)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

var typeNames = map[uint16]string{
	sched.RTM_NEWTFILTER: "newfilter", sched.RTM_DELTFILTER: "delfilter", sched.RTM_GETTFILTER: "getfilter",
	sched.RTM_NEWCHAIN: "newchain", sched.RTM_DELCHAIN: "delchain", sched.RTM_GETCHAIN: "getchain",
	sched.RTM_NEWQDISC: "newqdisc", sched.RTM_DELQDISC: "delqdisc", sched.RTM_NEWTCLASS: "newclass",
	sched.RTM_DELTCLASS: "delclass",
}

// describe renders each message of b on one line: type, flags worth
// seeing, where (dev N or block N, parent), pref and protocol, handle,
// kind, chain and the kind's options as attribute numbers and values.
func describe(b []byte) []string {
	msgs, err := nl.Split(b)
	if err != nil {
		return []string{"bad: " + err.Error()}
	}
	var out []string
	for _, m := range msgs {
		var s strings.Builder
		s.WriteString(typeNames[m.Type])
		if m.Flags&(nl.NLM_F_CREATE|nl.NLM_F_EXCL) != 0 {
			fmt.Fprintf(&s, "(%#x)", m.Flags&(nl.NLM_F_CREATE|nl.NLM_F_EXCL|nl.NLM_F_REPLACE))
		}
		d := m.Data
		ifindex := int32(binary.NativeEndian.Uint32(d[4:]))
		handle := binary.NativeEndian.Uint32(d[8:])
		parent := tc.Handle(binary.NativeEndian.Uint32(d[12:]))
		inf := binary.NativeEndian.Uint32(d[16:])
		if ifindex == magic {
			fmt.Fprintf(&s, " block %d", uint32(parent))
		} else {
			fmt.Fprintf(&s, " dev %d parent %s", ifindex, parent)
		}
		if m.Type != sched.RTM_NEWCHAIN && m.Type != sched.RTM_DELCHAIN && m.Type != sched.RTM_GETCHAIN {
			fmt.Fprintf(&s, " pref %d proto %#x", inf>>16, inf&0xFFFF)
			if handle != 0 {
				fmt.Fprintf(&s, " handle %#x", handle)
			}
		}
		tb := nl.Parse(d[20:], sched.TCA_MAX)
		if a := tb.Get(sched.TCA_KIND); a != nil {
			fmt.Fprintf(&s, " %s", a.Str())
		}
		if a := tb.Get(sched.TCA_CHAIN); a != nil {
			fmt.Fprintf(&s, " chain %d", a.U32())
		}
		if a := tb.Get(sched.TCA_OPTIONS); a != nil {
			s.WriteString(" [")
			sep := ""
			nl.Walk(a.Data, func(x nl.Attr) bool {
				if len(x.Data) == 4 && binary.NativeEndian.Uint32(x.Data) == 0 {
					fmt.Fprintf(&s, "%s%d=0", sep, x.Type)
				} else if len(x.Data) == 4 {
					fmt.Fprintf(&s, "%s%d=%#x", sep, x.Type, binary.NativeEndian.Uint32(x.Data))
				} else if len(x.Data) == 8 {
					fmt.Fprintf(&s, "%s%d=%d", sep, x.Type, binary.NativeEndian.Uint64(x.Data))
				} else {
					fmt.Fprintf(&s, "%s%d=%x", sep, x.Type, x.Data)
				}
				sep = " "
				return true
			})
			s.WriteString("]")
		}
		if a := tb.Get(sched.TCA_EXT_WARN_MSG); a != nil {
			fmt.Fprintf(&s, " warn %q", a.Str())
		}
		out = append(out, s.String())
	}
	return out
}

// errIs compares an error with an errno and extack message.
func errIs(err error, errno syscall.Errno, msg string) bool {
	if errno == 0 {
		return err == nil
	}
	return errors.Is(err, errno) && sched.MsgOf(err) == msg
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
