// Package schedtest is a test bench for qdisc kinds: an engine on a virtual
// clock, one device whose driver is a link of a set rate and delay, traffic
// sources that make real Ethernet/IPv4/UDP frames, and a sink that counts
// what arrives, per flow and when. Kinds' tests configure the device with tc
// words (parsed by the kinds' own tc faces) and check behaviour against
// theory. It is a real package so that tests read like production code.
package schedtest

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Bed is one bench: a namespace "bench" with a queueing device "eth0" whose
// driver is Link.
type Bed struct {
	T     testing.TB
	Clock *clock.Virtual
	E     *rtnl.Engine
	NS    *netdev.Namespace
	Dev   *netdev.Device
	Link  *Link
	Sink  *Sink
	Pool  *pkt.Pool
	conn  *rtnl.Conn
	seq   uint32
}

// Options shape a bench.
type Options struct {
	Rate     uint64          // link rate in bits per second (0: 1 Gbit/s)
	Delay    int64           // propagation delay in ns
	TxQueues int             // TX queues of the device (0: 1)
	Kinds    *sched.Registry // nil: std.Registry()
}

// New makes a bench with its device up.
func New(t testing.TB, o Options) *Bed {
	if o.Rate == 0 {
		o.Rate = 1e9
	}
	if o.TxQueues == 0 {
		o.TxQueues = 1
	}
	vc := clock.NewVirtual()
	e := rtnl.New(rtnl.Options{Clock: vc, Kinds: o.Kinds, PacketSize: 2048})
	b := &Bed{T: t, Clock: vc, E: e}
	b.conn = e.Connect("bench", 0, true, func([]byte) {})
	b.conn.SetOption(rtnl.NETLINK_EXT_ACK, 1)
	e.Lock()
	b.NS = e.Namespace("bench")
	d, err := b.NS.AddLink(&netdev.LinkSpec{Name: "eth0", Kind: "netdevsim", NumTx: o.TxQueues})
	if err != nil {
		e.Unlock()
		t.Fatalf("schedtest: add link: %v", err)
	}
	b.Dev = d
	b.Sink = NewSink(vc)
	b.Link = &Link{Clock: vc, Rate: o.Rate, Delay: o.Delay, Deliver: b.Sink.Receive}
	d.Driver = b.Link
	b.Pool = b.NS.Pool()
	d.SetUp(true)
	e.Unlock()
	return b
}

// Link is a driver that sends one packet at a time at Rate bits per
// second: the TX queue stops while a packet is on the wire and wakes when
// it has left; the packet arrives Delay later. It allocates nothing per
// packet: one timer for the wire, one for the earliest arrival, and a FIFO
// of packets in flight (arrivals keep their order, the delay being fixed).
type Link struct {
	Clock   *clock.Virtual
	Rate    uint64 // bits per second
	Delay   int64  // ns
	Deliver func(p *pkt.Packet)
	Sent    uint64 // packets put on the wire

	busy     bool
	queue    *sched.TxQueue
	wire     clock.Timer
	arrive   clock.Timer
	inflight pkt.List
}

func (l *Link) init() {
	l.wire = l.Clock.NewTimer(func() {
		l.busy = false
		l.queue.Wake()
	})
	l.arrive = l.Clock.NewTimer(l.land)
}

// land delivers the packets due now and re-arms for the next.
func (l *Link) land() {
	now := l.Clock.Now()
	for p := l.inflight.Head; p != nil && p.Cb[3] <= uint64(now); p = l.inflight.Head {
		l.inflight.PopFront()
		l.Deliver(p)
	}
	if p := l.inflight.Head; p != nil {
		l.arrive.Reset(int64(p.Cb[3]))
	}
}

// Xmit implements netdev.Driver.
func (l *Link) Xmit(d *netdev.Device, p *pkt.Packet, txq int) bool {
	if l.busy {
		return false
	}
	if l.wire == nil {
		l.init()
	}
	l.busy = true
	l.Sent++
	l.queue = d.Sched.TxQueue(txq)
	l.queue.Stop()
	now := l.Clock.Now()
	tx := int64(uint64(len(p.Data)) * 8 * 1e9 / l.Rate)
	l.wire.Reset(now + tx)
	p.Cb[3] = uint64(now + tx + l.Delay) // arrival time; the driver owns Cb now
	first := l.inflight.Head == nil
	l.inflight.PushBack(p)
	if first {
		l.arrive.Reset(int64(p.Cb[3]))
	}
	return true
}

// Do sends one raw tc request (type, flags, tcmsg, attributes) and returns
// the kernel-style error (nil for an ACK) with its extack text.
func (b *Bed) Do(typ, flags uint16, m sched.TCMsg, attrs func(*nl.Builder)) error {
	b.seq++
	nb := nl.NewBuilder()
	nb.Begin(typ, flags|nl.NLM_F_REQUEST|nl.NLM_F_ACK, b.seq, 0)
	if m.Ifindex == 0 {
		m.Ifindex = b.Dev.Ifindex()
	}
	m.Encode(nb)
	if attrs != nil {
		attrs(nb)
	}
	nb.End()
	for _, out := range b.conn.Handle(nb.Bytes()) {
		msgs, _ := nl.Split(out)
		for _, msg := range msgs {
			if msg.Type != nl.NLMSG_ERROR || len(msg.Data) < 4 {
				continue
			}
			errno := -int32(binary.NativeEndian.Uint32(msg.Data))
			if errno == 0 {
				return nil
			}
			text := ""
			if msg.Flags&nl.NLM_F_ACK_TLVS != 0 {
				off := 4 + nl.HdrLen
				if msg.Flags&nl.NLM_F_CAPPED == 0 {
					off = 4 + int(binary.NativeEndian.Uint32(msg.Data[4:]))
				}
				if off <= len(msg.Data) {
					if a := nl.Parse(msg.Data[off:], 8).Get(nl.NLMSGERR_ATTR_MSG); a != nil {
						text = a.Str()
					}
				}
			}
			return &sched.Error{Errno: syscall.Errno(errno), Msg: text}
		}
	}
	return nil
}

// TC runs a tc command on the bench's device, written as after
// `tc ... dev eth0`: "qdisc add root handle 1: htb default 10",
// "class add parent 1: classid 1:10 htb rate 1mbit". The kind's words are
// parsed by the kind's own tc face. It fails the test on error.
func (b *Bed) TC(cmd string) {
	b.T.Helper()
	if err := b.TryTC(cmd); err != nil {
		b.T.Fatalf("tc %s: %v", cmd, err)
	}
}

// TryTC is TC returning the error.
func (b *Bed) TryTC(cmd string) error {
	w := strings.Fields(cmd)
	if len(w) < 2 {
		return fmt.Errorf("schedtest: short command %q", cmd)
	}
	obj, verb := w[0], w[1]
	var typ, flags uint16
	switch verb {
	case "add":
		flags = nl.NLM_F_EXCL | nl.NLM_F_CREATE
	case "replace":
		flags = nl.NLM_F_CREATE | nl.NLM_F_REPLACE
	case "change":
	case "del", "delete":
	default:
		return fmt.Errorf("schedtest: verb %q", verb)
	}
	del := verb == "del" || verb == "delete"
	switch obj {
	case "qdisc":
		typ = sched.RTM_NEWQDISC
		if del {
			typ = sched.RTM_DELQDISC
		}
	case "class":
		typ = sched.RTM_NEWTCLASS
		if del {
			typ = sched.RTM_DELTCLASS
		}
	default:
		return fmt.Errorf("schedtest: object %q", obj)
	}
	var m sched.TCMsg
	a := tc.NewArgs(w[2:])
	kind := ""
	for a.More() && kind == "" {
		switch x := a.Next(); x {
		case "root":
			m.Parent = tc.Root
		case "ingress", "clsact":
			m.Parent = tc.Ingress
			m.Handle = tc.Make(uint32(tc.Ingress), 0)
			if x == "clsact" {
				kind = x
			} else {
				kind = x
			}
		case "parent":
			h, err := tc.ParseClassID(a.Next())
			if err != nil {
				return err
			}
			m.Parent = h
		case "handle", "classid":
			s := a.Next()
			var h tc.Handle
			var err error
			if obj == "qdisc" {
				h, err = tc.ParseQdiscHandle(s)
			} else {
				h, err = tc.ParseClassID(s)
			}
			if err != nil {
				return err
			}
			m.Handle = h
		default:
			kind = x
		}
	}
	return b.Do(typ, flags, m, func(nb *nl.Builder) {
		if kind == "" {
			return
		}
		nb.PutString(sched.TCA_KIND, kind)
		k := b.kind(kind)
		if k == nil || k.Syntax == nil {
			return
		}
		if obj == "qdisc" {
			if err := k.Syntax.ParseQdisc(a, nb); err != nil {
				b.T.Fatalf("tc %s: %v", cmd, err)
			}
		} else if cs, ok := k.Syntax.(tc.ClassSyntax); ok {
			if err := cs.ParseClass(a, nb); err != nil {
				b.T.Fatalf("tc %s: %v", cmd, err)
			}
		}
	})
}

func (b *Bed) kind(id string) *sched.Kind {
	return b.NS.Net.Kinds.Qdisc(id)
}

// Qdisc finds a qdisc of the device by handle (holding no lock: the bench
// is single-threaded).
func (b *Bed) Qdisc(h string) *sched.Qdisc {
	hd, err := tc.ParseQdiscHandle(h)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.Dev.Sched.Lookup(hd)
}

// Run advances virtual time to at (ns), firing everything due.
func (b *Bed) Run(at int64) { b.Clock.AdvanceTo(at) }
