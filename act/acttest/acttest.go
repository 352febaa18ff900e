// Package acttest is the actions' test bench: a schedtest.Bed with more
// devices, filters and shared actions written as tc words (each kind's
// words read by its own tc face, the action list by a small parse_action
// of its own), packets sent out of or received on a device and caught
// where they end: on a device's wire, in the namespace's stack, or dropped.
//
// It does not go through tccli, so that the actions' tests depend only on
// the kinds' faces and the engine.
package acttest

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/act/police"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/std"
	"github.com/netsched/netsched/tc"
)

// registry has the kinds whose faces the bench uses.
var registry = std.Registry()

func policeFace() interface {
	ParsePolice(a *tc.Args, attr uint16, b *nl.Builder) error
	PrintPolice(p *tc.Printer, opt []byte) error
} {
	return police.Syntax
}

// Bed is a bench: namespace "bench", device eth0 (the schedtest link, whose
// far end is Sink) and the devices AddDev adds, each with a Wire.
type Bed struct {
	*schedtest.Bed
	conn  *rtnl.Conn
	seq   uint32
	Wires map[string]*Wire
	// Stack counts packets the namespace's stack received, by device.
	Stack map[string][]Frame
}

// Frame is a copy of a packet where it ended.
type Frame struct {
	Data      []byte
	Mark      uint32
	Priority  uint32
	Queue     uint16 // QueueMapping
	VLANTCI   uint16
	VLANProto uint16
	Protocol  uint16
	PktType   uint8
	Tunnel    *pkt.TunnelInfo
}

func frameOf(p *pkt.Packet) Frame {
	f := Frame{Data: append([]byte(nil), p.Data...), Mark: p.Mark, Priority: p.Priority,
		Queue: p.QueueMapping, VLANTCI: p.VLANTCI, VLANProto: p.VLANProto, Protocol: p.Protocol, PktType: p.PktType}
	if p.Tunnel != nil {
		t := *p.Tunnel
		f.Tunnel = &t
	}
	return f
}

// Wire is a driver that takes every packet at once and keeps a copy.
type Wire struct {
	Frames []Frame
}

// Xmit implements netdev.Driver.
func (w *Wire) Xmit(d *netdev.Device, p *pkt.Packet, txq int) bool {
	w.Frames = append(w.Frames, frameOf(p))
	p.Free()
	return true
}

// New makes a bench.
func New(t testing.TB) *Bed {
	b := &Bed{Bed: schedtest.New(t, schedtest.Options{}), Wires: map[string]*Wire{}, Stack: map[string][]Frame{}}
	b.conn = b.E.Connect("bench", 0, true, func([]byte) {})
	b.conn.SetOption(rtnl.NETLINK_EXT_ACK, 1)
	w0 := &Wire{}
	b.Wires["eth0"] = w0
	sink := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) {
		w0.Frames = append(w0.Frames, frameOf(p))
		sink(p)
	}
	b.E.Lock()
	b.NS.Deliver = func(d *netdev.Device, p *pkt.Packet) {
		b.Stack[d.Name()] = append(b.Stack[d.Name()], frameOf(p))
		p.Free()
	}
	b.E.Unlock()
	return b
}

// AddDev adds an up netdevsim device whose driver is a Wire.
func (b *Bed) AddDev(name string) *netdev.Device {
	b.E.Lock()
	defer b.E.Unlock()
	d, err := b.NS.AddLink(&netdev.LinkSpec{Name: name, Kind: "netdevsim"})
	if err != nil {
		b.T.Fatalf("acttest: add link %s: %v", name, err)
	}
	w := &Wire{}
	d.Driver = w
	b.Wires[name] = w
	d.SetUp(true)
	return d
}

// Dev finds a device by name.
func (b *Bed) Dev(name string) *netdev.Device {
	b.E.Lock()
	defer b.E.Unlock()
	d := b.NS.ByName(name)
	if d == nil {
		b.T.Fatalf("acttest: no device %s", name)
	}
	return d
}

// QdiscOn adds a qdisc with no options to device dev: "clsact",
// "ingress", or a root kind ("prio").
func (b *Bed) QdiscOn(dev, kind string) error {
	d := b.Dev(dev)
	m := sched.TCMsg{Ifindex: d.Ifindex(), Parent: tc.Root}
	if kind == "clsact" || kind == "ingress" {
		m.Parent, m.Handle = tc.Ingress, tc.Make(uint32(tc.Ingress), 0)
	}
	return b.Do(sched.RTM_NEWQDISC, nl.NLM_F_EXCL|nl.NLM_F_CREATE, m, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, kind)
	})
}

// Links resolves device names for the faces (mirred).
type Links struct{ NS *netdev.Namespace }

// Index implements tc.LinkNames.
func (l Links) Index(name string) int32 {
	if d := l.NS.ByName(name); d != nil {
		return d.Ifindex()
	}
	return 0
}

// Name implements tc.LinkNames.
func (l Links) Name(idx int32) string {
	if d := l.NS.ByIndex(idx); d != nil {
		return d.Name()
	}
	return ""
}

// send sends one request and returns the error of its answer, with the
// extack text.
func (b *Bed) send(typ, flags uint16, fill func(nb *nl.Builder) error) error {
	b.seq++
	nb := nl.NewBuilder()
	nb.Begin(typ, flags|nl.NLM_F_REQUEST|nl.NLM_F_ACK, b.seq, 0)
	if err := fill(nb); err != nil {
		return err
	}
	nb.End()
	return answer(b.conn.Handle(nb.Bytes()))
}

func answer(out [][]byte) error {
	for _, d := range out {
		msgs, _ := nl.Split(d)
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

// Dump sends a dump request and returns the messages of its answer.
func (b *Bed) Dump(typ uint16, fill func(nb *nl.Builder)) []nl.Msg {
	b.seq++
	nb := nl.NewBuilder()
	nb.Begin(typ, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, b.seq, 0)
	fill(nb)
	nb.End()
	var msgs []nl.Msg
	for _, d := range b.conn.Handle(nb.Bytes()) {
		m, _ := nl.Split(d)
		for _, x := range m {
			if x.Type != nl.NLMSG_DONE && x.Type != nl.NLMSG_ERROR {
				msgs = append(msgs, nl.Msg{Header: x.Header, Data: append([]byte(nil), x.Data...)})
			}
		}
	}
	return msgs
}

func (b *Bed) args(words []string) *tc.Args {
	a := tc.NewArgs(words)
	a.Actions = Syntax{Links: Links{b.NS}}
	a.Links = Links{b.NS}
	return a
}

// Filter runs `tc filter add dev DEV ...` with the words after the device:
// "ingress prio 1 protocol all matchall action drop",
// "parent 1: prio 1 protocol ip matchall classid 1:2 action ...". The
// classifier's words are read by its face.
func (b *Bed) Filter(dev, cmd string) error {
	w := strings.Fields(cmd)
	var m sched.TCMsg
	var prio, proto uint32
	var chain *uint32
	proto = 0x0003 // ETH_P_ALL
	i := 0
	for ; i < len(w); i++ {
		switch w[i] {
		case "ingress":
			m.Parent = tc.Make(uint32(tc.Ingress), uint32(tc.MinIngress))
		case "egress":
			m.Parent = tc.Make(uint32(tc.Ingress), uint32(tc.MinEgress))
		case "root":
			m.Parent = tc.Root
		case "parent":
			i++
			h, err := tc.ParseClassID(w[i])
			if err != nil {
				return err
			}
			m.Parent = h
		case "chain":
			i++
			v, err := tc.GetU32(w[i], 0)
			if err != nil {
				return err
			}
			chain = &v
		case "prio", "pref":
			i++
			v, err := tc.GetU32(w[i], 0)
			if err != nil {
				return err
			}
			prio = v
		case "protocol":
			i++
			switch w[i] {
			case "all":
				proto = 0x0003
			case "ip":
				proto = 0x0800
			case "ipv6":
				proto = 0x86DD
			case "802.1q":
				proto = 0x8100
			default:
				v, err := tc.GetU16(w[i], 0)
				if err != nil {
					return err
				}
				proto = uint32(v)
			}
		default:
			goto kind
		}
	}
kind:
	if i >= len(w) {
		return fmt.Errorf("acttest: no classifier in %q", cmd)
	}
	kind := w[i]
	d := b.Dev(dev)
	m.Ifindex = d.Ifindex()
	m.Info = prio<<16 | uint32(htons(uint16(proto)))
	return b.send(sched.RTM_NEWTFILTER, nl.NLM_F_EXCL|nl.NLM_F_CREATE, func(nb *nl.Builder) error {
		m.Encode(nb)
		nb.PutString(sched.TCA_KIND, kind)
		if chain != nil {
			nb.PutU32(sched.TCA_CHAIN, *chain)
		}
		k := b.NS.Net.Kinds.Classifier(kind)
		if k == nil || k.Syntax == nil {
			return fmt.Errorf("acttest: no classifier %s", kind)
		}
		a := b.args(w[i+1:])
		fh, err := k.Syntax.ParseFilter(a, "", nb)
		if err != nil {
			return err
		}
		if a.More() {
			return fmt.Errorf("acttest: words left: %v", a.Rest())
		}
		binary.NativeEndian.PutUint32(nb.B[nl.HdrLen+8:], fh)
		return nil
	})
}

// MustFilter is Filter failing the test on error.
func (b *Bed) MustFilter(dev, cmd string) {
	b.T.Helper()
	if err := b.Filter(dev, cmd); err != nil {
		b.T.Fatalf("filter %s: %v", cmd, err)
	}
}

func htons(v uint16) uint16 {
	var x [2]byte
	binary.BigEndian.PutUint16(x[:], v)
	return binary.NativeEndian.Uint16(x[:])
}

// Actions runs `tc actions VERB ...`: add, replace, change, delete, get,
// flush, with the words after the verb.
func (b *Bed) Actions(verb, cmd string) error {
	w := strings.Fields(cmd)
	var typ, flags uint16
	switch verb {
	case "add":
		typ, flags = sched.RTM_NEWACTION, nl.NLM_F_EXCL|nl.NLM_F_CREATE
	case "replace":
		typ, flags = sched.RTM_NEWACTION, nl.NLM_F_CREATE|nl.NLM_F_REPLACE
	case "change":
		typ = sched.RTM_NEWACTION
	case "delete", "del":
		typ = sched.RTM_DELACTION
	case "get":
		typ = sched.RTM_GETACTION
	case "flush":
		typ, flags = sched.RTM_DELACTION, nl.NLM_F_ROOT
	default:
		return fmt.Errorf("acttest: verb %q", verb)
	}
	return b.send(typ, flags, func(nb *nl.Builder) error {
		nb.Raw(make([]byte, sched.TcamsgLen))
		if typ != sched.RTM_NEWACTION {
			// action KIND [index N]
			a := tc.NewArgs(w)
			nb.Nest(sched.TCA_ROOT_TAB)
			prio := 0
			for a.More() {
				if a.Next() != "action" || !a.More() {
					return fmt.Errorf("acttest: %q", cmd)
				}
				prio++
				nb.Nest(uint16(prio))
				nb.PutString(sched.TCA_ACT_KIND, a.Next())
				if a.More() && a.Peek() == "index" {
					a.Next()
					v, err := tc.GetU32(a.Next(), 10)
					if err != nil {
						return err
					}
					nb.PutU32(sched.TCA_ACT_INDEX, v)
				}
				nb.EndNest()
			}
			nb.EndNest()
			return nil
		}
		a := b.args(w)
		if err := (Syntax{Links: Links{b.NS}}).ParseActions(a, sched.TCA_ROOT_TAB, nb); err != nil {
			return err
		}
		if a.More() {
			return fmt.Errorf("acttest: words left: %v", a.Rest())
		}
		return nil
	})
}

// MustActions is Actions failing the test on error.
func (b *Bed) MustActions(verb, cmd string) {
	b.T.Helper()
	if err := b.Actions(verb, cmd); err != nil {
		b.T.Fatalf("actions %s %s: %v", verb, cmd, err)
	}
}

// Action returns the namespace's action of kind with index (nil: none).
func (b *Bed) Action(kind string, index uint32) *sched.Action {
	b.E.Lock()
	defer b.E.Unlock()
	return b.NS.Net.LookupAction(kind, index)
}

// Transmit sends the frame s out of device dev through its qdiscs, and
// returns the verdict. fix, when given, edits the built packet first.
func (b *Bed) Transmit(dev string, s *schedtest.Packet, fix ...func(p *pkt.Packet)) sched.Verdict {
	d := b.Dev(dev)
	p := b.build(s, fix)
	b.E.Lock()
	defer b.E.Unlock()
	return d.Transmit(p)
}

// Receive hands the frame s to device dev as its driver would: the
// ingress hook, then the stack.
func (b *Bed) Receive(dev string, s *schedtest.Packet, fix ...func(p *pkt.Packet)) {
	d := b.Dev(dev)
	p := b.build(s, fix)
	b.E.Lock()
	defer b.E.Unlock()
	d.Receive(p)
}

func (b *Bed) build(s *schedtest.Packet, fix []func(p *pkt.Packet)) *pkt.Packet {
	p := b.Pool.Get()
	s.Build(p)
	p.Sent = b.Clock.Now()
	for _, f := range fix {
		f(p)
	}
	return p
}

// Settle runs what is due at the current virtual time: forwarded
// packets (mirred), the link's deliveries.
func (b *Bed) Settle() { b.Clock.AdvanceTo(b.Clock.Now()) }

// Syntax is a parse_action and tc_print_action of the bench's own: an
// action list with each kind's words read by the kind's face (gact's
// control words without a kind), cookies and the action flags. It is
// also the classifiers' old `police` syntax.
type Syntax struct {
	Links tc.LinkNames
}

var _ tc.ActionSyntax = Syntax{}

// ParseActions implements tc.ActionSyntax.
func (s Syntax) ParseActions(a *tc.Args, attr uint16, b *nl.Builder) error {
	b.Nest(attr)
	prio := 0
	for a.More() {
		w := a.Peek()
		if w == "action" || w == "actions" {
			a.Next()
			continue
		}
		if w == "flowid" || w == "classid" || w == "help" {
			break
		}
		kind := w
		if actutil.IsControl(w) {
			kind = "gact"
		}
		k := registry.Action(kind)
		if k == nil || k.Syntax == nil {
			return fmt.Errorf("acttest: no action %s", kind)
		}
		prio++
		b.Nest(uint16(prio))
		b.PutString(sched.TCA_ACT_KIND, kind)
		if err := k.Syntax.ParseAction(a, sched.TCA_ACT_OPTIONS|nl.NLA_F_NESTED, b); err != nil {
			return err
		}
		for a.More() {
			switch a.Peek() {
			case "cookie":
				a.Next()
				c, err := hex.DecodeString(a.Next())
				if err != nil {
					return err
				}
				b.Put(sched.TCA_ACT_COOKIE, c)
				continue
			case "no_percpu", "skip_sw", "skip_hw":
				f := map[string]uint32{"no_percpu": sched.ActFlagNoPercpuStats,
					"skip_hw": sched.ActFlagSkipHW, "skip_sw": sched.ActFlagSkipSW}[a.Next()]
				b.PutBitfield32(sched.TCA_ACT_FLAGS, f, f)
				continue
			}
			break
		}
		b.EndNest()
	}
	b.EndNest()
	if prio == 0 {
		return fmt.Errorf("acttest: empty action list")
	}
	return nil
}

// PrintActions implements tc.ActionSyntax (the kinds' own prints, with
// tc_print_one_action's header).
func (s Syntax) PrintActions(p *tc.Printer, list []byte) error {
	tb := nl.Parse(list, sched.TCA_ACT_MAX_PRIO)
	for i := 0; i <= sched.TCA_ACT_MAX_PRIO; i++ {
		a := tb.Get(uint16(i))
		if a == nil {
			continue
		}
		at := nl.Parse(a.Data, sched.TCA_ACT_MAX)
		p.Fprintf("\n\taction order %d: ", i)
		k := at.Get(sched.TCA_ACT_KIND)
		if k == nil {
			continue
		}
		ak := registry.Action(k.Str())
		var opt []byte
		if o := at.Get(sched.TCA_ACT_OPTIONS); o != nil {
			opt = o.Data
		}
		if ak != nil && ak.Syntax != nil {
			if err := ak.Syntax.PrintAction(p, opt); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParsePolice is the classifiers' old police words (the police kind's).
func (s Syntax) ParsePolice(a *tc.Args, attr uint16, b *nl.Builder) error {
	return policeFace().ParsePolice(a, attr, b)
}

// PrintPolice prints a classifier's police attribute.
func (s Syntax) PrintPolice(p *tc.Printer, opt []byte) error {
	return policeFace().PrintPolice(p, opt)
}

// FilterDel deletes the filters of priority prio at parent ("ingress",
// "egress" or a class id) of device dev.
func (b *Bed) FilterDel(dev, parent string, prio uint32) error {
	d := b.Dev(dev)
	m := sched.TCMsg{Ifindex: d.Ifindex(), Info: prio << 16}
	switch parent {
	case "ingress":
		m.Parent = tc.Make(uint32(tc.Ingress), uint32(tc.MinIngress))
	case "egress":
		m.Parent = tc.Make(uint32(tc.Ingress), uint32(tc.MinEgress))
	default:
		h, err := tc.ParseClassID(parent)
		if err != nil {
			return err
		}
		m.Parent = h
	}
	return b.send(sched.RTM_DELTFILTER, 0, func(nb *nl.Builder) error {
		m.Encode(nb)
		return nil
	})
}

// ListActions dumps the actions of kind as tc actions list does (a
// large dump) and returns TCA_ROOT_COUNT summed over the answer's
// messages and the actions' attributes.
func (b *Bed) ListActions(kind string) (count uint32, acts []nl.Attrs) {
	msgs := b.Dump(sched.RTM_GETACTION, func(nb *nl.Builder) {
		nb.Raw(make([]byte, sched.TcamsgLen))
		var bf [8]byte
		binary.NativeEndian.PutUint32(bf[0:], 1) // TCA_ACT_FLAG_LARGE_DUMP_ON
		binary.NativeEndian.PutUint32(bf[4:], 1)
		nb.Put(sched.TCA_ROOT_FLAGS, bf[:])
		nb.Nest(sched.TCA_ROOT_TAB)
		nb.Nest(1)
		nb.PutString(sched.TCA_ACT_KIND, kind)
		nb.EndNest()
		nb.EndNest()
	})
	for _, m := range msgs {
		if len(m.Data) < sched.TcamsgLen {
			continue
		}
		tb := nl.Parse(m.Data[sched.TcamsgLen:], sched.TCA_ROOT_MAX)
		if c := tb.Get(sched.TCA_ROOT_COUNT); c != nil {
			count += c.U32()
		}
		if t := tb.Get(sched.TCA_ROOT_TAB); t != nil {
			nl.Walk(t.Data, func(a nl.Attr) bool {
				acts = append(acts, nl.Parse(a.Data, sched.TCA_ACT_MAX))
				return true
			})
		}
	}
	return count, acts
}
