// Package rtnl is the control plane: it reads rtnetlink requests, applies
// them to the namespaces of an engine under one control lock, and answers
// as the kernel does: ACKs and errors with extack messages, multipart dumps
// ending in NLMSG_DONE, and notifications to subscribed sockets. The same
// Engine serves the daemon's Unix socket (server.go) and in-process users
// (the simulator, tests).
package rtnl

import (
	"encoding/binary"
	"sync"
	"syscall"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/std"
)

// Engine is a set of namespaces behind one control lock (RTNL).
type Engine struct {
	// mu is the control lock: every request, dump and timer function
	// runs holding it, so namespaces, devices and qdisc trees change one
	// request at a time.
	mu    sync.Mutex
	world *netdev.World
	clock clock.Clock

	// conns are the sockets that may receive notifications, by namespace.
	conns    map[*netdev.Namespace]map[*Conn]bool
	nextPort uint32
}

// Options configure an Engine.
type Options struct {
	// Clock is the engine's time; nil means the host's monotonic clock,
	// with timer functions run under the control lock.
	Clock clock.Clock
	// Kinds is the registry of kinds; nil means std.Registry().
	Kinds *sched.Registry
	// PacketSize is the buffer size of the packet pool (default 65536+256).
	PacketSize int
}

// New returns an engine with no namespace yet.
func New(o Options) *Engine {
	e := &Engine{conns: map[*netdev.Namespace]map[*Conn]bool{}, nextPort: 0}
	realTime := o.Clock == nil
	if realTime {
		o.Clock = clock.NewMonotonicLocked(&e.mu)
	}
	if o.Kinds == nil {
		o.Kinds = std.Registry()
	}
	if o.PacketSize == 0 {
		o.PacketSize = 65536 + 256
	}
	e.clock = o.Clock
	handles := sched.NewHandles()
	e.world = netdev.NewWorld(func() *sched.Net {
		n := sched.NewNet(o.Clock, o.Kinds, handles)
		n.Default = std.DefaultQdisc
		return n
	}, pkt.NewPool(o.PacketSize))
	// On the host's clock (the daemon), the namespaces' host stacks
	// (netdev/host.go) answer ARP and ping, under the control lock. A
	// virtual clock (a simulation) keeps its packets to itself: the host
	// stack would answer on goroutines of its own, out of virtual time.
	if realTime {
		e.world.Lock = &e.mu
	}
	return e
}

// Lock takes the control lock, for in-process users that touch
// namespaces directly (the simulator); Unlock releases it.
func (e *Engine) Lock()   { e.mu.Lock() }
func (e *Engine) Unlock() { e.mu.Unlock() }

// World returns the engine's namespaces; hold the control lock to use it.
func (e *Engine) World() *netdev.World { return e.world }

// Clock returns the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.clock }

// Namespace returns (creating) a namespace; hold the control lock.
func (e *Engine) Namespace(name string) *netdev.Namespace {
	ns := e.world.Lookup(name)
	if ns == nil {
		ns = e.world.Namespace(name)
		ns.Events = func(ev netdev.Event) { e.linkEvent(ns, ev) }
	}
	return ns
}

// Conn is one client socket: its namespace, its port id, what it
// subscribed to and how it wants answers.
type Conn struct {
	e      *Engine
	ns     *netdev.Namespace
	Port   uint32
	groups uint64 // bit g-1 for group g
	// Privileged is false for a peer that is not root: it may read only.
	Privileged bool
	extAck     bool
	capAck     bool
	strict     bool
	// Send delivers a notification datagram to the client. It is called
	// holding the control lock and must not block.
	Send func(b []byte)
	// out collects the answers to the request being handled.
	out [][]byte
}

// Connect makes a socket in namespace ns (created on first use) with a
// fresh port id; pid, if not 0, is tried first as the kernel gives a
// process's first socket its pid.
func (e *Engine) Connect(ns string, pid uint32, privileged bool, send func([]byte)) *Conn {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.Namespace(ns)
	c := &Conn{e: e, ns: n, Privileged: privileged, Send: send}
	c.Port = e.allocPort(n, pid)
	if e.conns[n] == nil {
		e.conns[n] = map[*Conn]bool{}
	}
	e.conns[n][c] = true
	return c
}

func (e *Engine) allocPort(ns *netdev.Namespace, pid uint32) uint32 {
	used := func(p uint32) bool {
		for c := range e.conns[ns] {
			if c.Port == p {
				return true
			}
		}
		return false
	}
	if pid != 0 && !used(pid) {
		return pid
	}
	for {
		e.nextPort--
		if e.nextPort == 0 || e.nextPort > 0xFFFFF000 {
			e.nextPort = 0xFFFFF000
		}
		if !used(e.nextPort) {
			return e.nextPort
		}
	}
}

// Close forgets the socket.
func (c *Conn) Close() {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	delete(c.e.conns[c.ns], c)
}

// Namespace is the socket's namespace.
func (c *Conn) Namespace() *netdev.Namespace { return c.ns }

// SOL_NETLINK options.
const (
	NETLINK_ADD_MEMBERSHIP  = 1
	NETLINK_DROP_MEMBERSHIP = 2
	NETLINK_CAP_ACK         = 10
	NETLINK_EXT_ACK         = 11
	NETLINK_GET_STRICT_CHK  = 12
)

// SetOption applies a SOL_NETLINK socket option.
func (c *Conn) SetOption(opt, val uint32) {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	switch opt {
	case NETLINK_ADD_MEMBERSHIP:
		if val > 0 && val <= 64 {
			c.groups |= 1 << (val - 1)
		}
	case NETLINK_DROP_MEMBERSHIP:
		if val > 0 && val <= 64 {
			c.groups &^= 1 << (val - 1)
		}
	case NETLINK_CAP_ACK:
		c.capAck = val != 0
	case NETLINK_EXT_ACK:
		c.extAck = val != 0
	case NETLINK_GET_STRICT_CHK:
		c.strict = val != 0
	}
}

// Bind sets the legacy group bitmask of bind(2).
func (c *Conn) Bind(groups uint32) {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	c.groups = c.groups&^0xFFFFFFFF | uint64(groups)
}

// rtnetlink multicast groups.
const (
	RTNLGRP_LINK        = 1
	RTNLGRP_TC          = 4
	RTNLGRP_IPV4_IFADDR = 5
	RTNLGRP_IPV6_IFADDR = 9
)

// broadcast sends a notification to every socket of ns in group, except
// exclude (the requester when it also gets an echo).
func (e *Engine) broadcast(ns *netdev.Namespace, group int, b []byte, exclude *Conn) {
	for c := range e.conns[ns] {
		if c != exclude && c.groups&(1<<(group-1)) != 0 {
			c.Send(b)
		}
	}
}

func (e *Engine) hasListeners(ns *netdev.Namespace, group int) bool {
	for c := range e.conns[ns] {
		if c.groups&(1<<(group-1)) != 0 {
			return true
		}
	}
	return false
}

// maxDumpDatagram keeps dump parts within what `tc monitor` and other
// listeners read in one go (16 KiB).
const maxDumpDatagram = 16 * 1024

// emit queues an answer datagram for the requester.
func (c *Conn) emit(b []byte) { c.out = append(c.out, b) }

// Handle processes one datagram from the client and returns the answer
// datagrams, in order.
func (c *Conn) Handle(dgram []byte) [][]byte {
	if len(dgram) >= nl.HdrLen && nl.ParseHeader(dgram).Type == NSCHED_PING {
		// A ping waits for replies, which it must not do holding the
		// control lock.
		return c.HandlePing(dgram, nil)
	}
	msgs, err := nl.Split(dgram)
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	defer func() { c.out = nil }()
	for i := range msgs {
		c.handleMsg(&msgs[i])
	}
	if err != nil && len(dgram) >= nl.HdrLen {
		// A message that claims more bytes than the datagram holds: the
		// kernel drops it silently; we answer it so that a client never
		// waits for nothing.
		off := 0
		for _, m := range msgs {
			off += nl.Align(int(m.Len))
		}
		if off+nl.HdrLen <= len(dgram) {
			h := nl.ParseHeader(dgram[off:])
			c.emit(c.ackBytes(&nl.Msg{Header: h}, syscall.EINVAL, ""))
		}
	}
	return c.out
}

// handleMsg is netlink_rcv_skb and rtnetlink_rcv_msg for one message.
func (c *Conn) handleMsg(m *nl.Msg) {
	if m.Flags&nl.NLM_F_REQUEST == 0 || m.Type < 0x10 {
		if m.Flags&nl.NLM_F_ACK != 0 {
			c.emit(c.ackBytes(m, 0, ""))
		}
		return
	}
	err, ext, dumped := c.dispatch(m)
	if dumped {
		return
	}
	if err != nil || m.Flags&nl.NLM_F_ACK != 0 {
		msg := sched.MsgOf(err)
		if err == nil {
			msg = ext
		}
		c.emit(c.ackBytes(m, sched.ErrnoOf0(err), msg))
	}
}

// ackBytes builds an NLMSG_ERROR answer (netlink_ack).
func (c *Conn) ackBytes(m *nl.Msg, errno syscall.Errno, msg string) []byte {
	b := nl.NewBuilder()
	var flags uint16
	full := errno != 0 && !c.capAck
	if !full {
		flags |= nl.NLM_F_CAPPED
	}
	if c.extAck && msg != "" {
		flags |= nl.NLM_F_ACK_TLVS
	}
	b.Begin(nl.NLMSG_ERROR, flags, m.Seq, c.Port)
	b.U32Raw(uint32(-int32(errno)))
	var hdr [nl.HdrLen]byte
	binary.NativeEndian.PutUint32(hdr[0:], m.Len)
	binary.NativeEndian.PutUint16(hdr[4:], m.Type)
	binary.NativeEndian.PutUint16(hdr[6:], m.Flags)
	binary.NativeEndian.PutUint32(hdr[8:], m.Seq)
	binary.NativeEndian.PutUint32(hdr[12:], m.Pid)
	b.Raw(hdr[:])
	if full {
		b.Raw(m.Data)
	}
	if c.extAck && msg != "" {
		b.PutString(nl.NLMSGERR_ATTR_MSG, msg)
	}
	b.End()
	return b.Bytes()
}

// dumper collects the messages of a dump into datagrams.
type dumper struct {
	c     *Conn
	m     *nl.Msg
	b     *nl.Builder
	flags uint16 // extra answer flags (NLM_F_DUMP_FILTERED)
}

func (c *Conn) newDumper(m *nl.Msg) *dumper {
	return &dumper{c: c, m: m, b: nl.NewBuilder()}
}

// flush sends the datagram built so far if it grew past the limit.
func (d *dumper) flush(force bool) {
	if d.b.Len() == 0 || (!force && d.b.Len() < maxDumpDatagram) {
		return
	}
	out := make([]byte, d.b.Len())
	copy(out, d.b.Bytes())
	d.c.emit(out)
	d.b.Reset()
}

// add lets fill write one or more messages, then flushes when full.
func (d *dumper) add(fill func(b *nl.Builder) bool) {
	fill(d.b)
	d.flush(false)
}

// done ends the dump with NLMSG_DONE carrying errno (netlink_dump_done).
func (d *dumper) done(err error) {
	var errno int32
	msg := ""
	if err != nil {
		errno = -int32(sched.ErrnoOf(err))
		msg = sched.MsgOf(err)
	}
	flags := uint16(nl.NLM_F_MULTI) | d.flags
	if msg != "" && d.c.extAck {
		flags |= nl.NLM_F_ACK_TLVS
	}
	d.b.Begin(nl.NLMSG_DONE, flags, d.m.Seq, d.c.Port)
	d.b.U32Raw(uint32(errno))
	if msg != "" && d.c.extAck {
		d.b.PutString(nl.NLMSGERR_ATTR_MSG, msg)
	}
	d.b.End()
	d.flush(true)
}
