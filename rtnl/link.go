package rtnl

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// IFLA_* attributes.
const (
	IFLA_ADDRESS            = 1
	IFLA_BROADCAST          = 2
	IFLA_IFNAME             = 3
	IFLA_MTU                = 4
	IFLA_LINK               = 5
	IFLA_QDISC              = 6
	IFLA_STATS              = 7
	IFLA_MASTER             = 10
	IFLA_TXQLEN             = 13
	IFLA_MAP                = 14
	IFLA_OPERSTATE          = 16
	IFLA_LINKMODE           = 17
	IFLA_LINKINFO           = 18
	IFLA_NET_NS_PID         = 19
	IFLA_IFALIAS            = 20
	IFLA_STATS64            = 23
	IFLA_AF_SPEC            = 26
	IFLA_GROUP              = 27
	IFLA_NET_NS_FD          = 28
	IFLA_EXT_MASK           = 29
	IFLA_PROMISCUITY        = 30
	IFLA_NUM_TX_QUEUES      = 31
	IFLA_NUM_RX_QUEUES      = 32
	IFLA_CARRIER            = 33
	IFLA_CARRIER_CHANGES    = 35
	IFLA_LINK_NETNSID       = 37
	IFLA_PROTO_DOWN         = 39
	IFLA_GSO_MAX_SEGS       = 40
	IFLA_GSO_MAX_SIZE       = 41
	IFLA_TARGET_NETNSID     = 46
	IFLA_CARRIER_UP_COUNT   = 47
	IFLA_CARRIER_DOWN_COUNT = 48
	IFLA_MIN_MTU            = 50
	IFLA_MAX_MTU            = 51
	IFLA_ALT_IFNAME         = 53
	IFLA_GRO_MAX_SIZE       = 58
	IFLA_TSO_MAX_SIZE       = 59
	IFLA_TSO_MAX_SEGS       = 60
	IFLA_ALLMULTI           = 61
	IFLA_MAX                = 70

	IFLA_INFO_KIND = 1
	IFLA_INFO_DATA = 2

	VETH_INFO_PEER = 1
)

// ifinfomsgLen is sizeof(struct ifinfomsg).
const ifinfomsgLen = 16

type ifinfomsg struct {
	family uint8
	typ    uint16
	index  int32
	flags  uint32
	change uint32
}

func parseIfinfo(b []byte) ifinfomsg {
	var x [ifinfomsgLen]byte
	copy(x[:], b)
	return ifinfomsg{
		family: x[0],
		typ:    binary.NativeEndian.Uint16(x[2:]),
		index:  int32(binary.NativeEndian.Uint32(x[4:])),
		flags:  binary.NativeEndian.Uint32(x[8:]),
		change: binary.NativeEndian.Uint32(x[12:]),
	}
}

var linkPolicy = map[uint16]nl.PolicyEntry{
	IFLA_IFNAME:        {Type: nl.String, Len: 15},
	IFLA_MTU:           {Type: nl.U32},
	IFLA_TXQLEN:        {Type: nl.U32},
	IFLA_LINKINFO:      {Type: nl.Nested},
	IFLA_NUM_TX_QUEUES: {Type: nl.U32},
	IFLA_NUM_RX_QUEUES: {Type: nl.U32},
	IFLA_GROUP:         {Type: nl.U32},
	IFLA_EXT_MASK:      {Type: nl.U32},
	IFLA_IFALIAS:       {Type: nl.String, Len: 255},
	IFLA_NET_NS_PID:    {Type: nl.U32},
	IFLA_NET_NS_FD:     {Type: nl.U32},
}

// linkAttrs parses an ifinfomsg and its attributes.
func linkAttrs(data []byte) (ifinfomsg, nl.Attrs, error) {
	if len(data) < ifinfomsgLen {
		return ifinfomsg{}, nil, syscall.EINVAL
	}
	ifm := parseIfinfo(data)
	tb := nl.Parse(data[ifinfomsgLen:], IFLA_MAX)
	if err, msg := tb.Validate(linkPolicy); err != nil {
		return ifm, nil, &sched.Error{Errno: err.(syscall.Errno), Msg: msg}
	}
	return ifm, tb, nil
}

// findLink finds the device a link request names, by index or by name.
func (c *Conn) findLink(ifm ifinfomsg, tb nl.Attrs) *netdev.Device {
	if ifm.index > 0 {
		return c.ns.ByIndex(ifm.index)
	}
	if a := tb.Get(IFLA_IFNAME); a != nil {
		return c.ns.ByName(a.Str())
	}
	if a := tb.Get(IFLA_ALT_IFNAME); a != nil {
		return c.ns.ByName(a.Str())
	}
	return nil
}

// newLink is rtnl_newlink (and rtnl_setlink): change an existing device or
// create one.
func (c *Conn) newLink(m *nl.Msg) error {
	ifm, tb, err := linkAttrs(m.Data)
	if err != nil {
		return err
	}
	dev := c.findLink(ifm, tb)
	if ifm.index > 0 && dev == nil && m.Type == RTM_SETLINK {
		return syscall.ENODEV
	}
	if m.Type == RTM_SETLINK && dev == nil {
		return syscall.ENODEV
	}
	var kind string
	var info nl.Attrs
	if a := tb.Get(IFLA_LINKINFO); a != nil {
		info = nl.Parse(a.Data, 5)
		if k := info.Get(IFLA_INFO_KIND); k != nil {
			kind = k.Str()
		}
	}
	if dev != nil {
		if m.Flags&nl.NLM_F_EXCL != 0 {
			return syscall.EEXIST
		}
		if m.Flags&nl.NLM_F_REPLACE != 0 && m.Type == RTM_NEWLINK {
			return syscall.EOPNOTSUPP
		}
		if kind != "" && kind != dev.Kind().Name {
			return syscall.EOPNOTSUPP
		}
		return c.setLink(dev, ifm, tb)
	}
	if m.Flags&nl.NLM_F_CREATE == 0 {
		return syscall.ENODEV
	}
	if kind == "" || netdev.Kinds[kind] == nil || !netdev.Kinds[kind].Rtnl {
		return sched.Err(syscall.EOPNOTSUPP, "Unknown device type")
	}
	spec, err := linkSpec(ifm, tb)
	if err != nil {
		return err
	}
	spec.Kind = kind
	if kind == "veth" && info != nil {
		if data := info.Get(IFLA_INFO_DATA); data != nil {
			vt := nl.Parse(data.Data, VETH_INFO_PEER)
			if p := vt.Get(VETH_INFO_PEER); p != nil {
				pifm, ptb, err := linkAttrs(p.Data)
				if err != nil {
					return err
				}
				ps, err := linkSpec(pifm, ptb)
				if err != nil {
					return err
				}
				spec.Peer = ps
				spec.PeerName = ps.Name
				spec.PeerTx, spec.PeerRx = ps.NumTx, ps.NumRx
			}
		}
	}
	_, err = c.ns.AddLink(spec)
	return err
}

// linkSpec reads the creation attributes of a link (rtnl_create_link).
func linkSpec(ifm ifinfomsg, tb nl.Attrs) (*netdev.LinkSpec, error) {
	s := &netdev.LinkSpec{Index: ifm.index, Up: ifm.flags&ifm.change&netdev.IFF_UP != 0 || (ifm.change == 0 && ifm.flags&netdev.IFF_UP != 0)}
	if a := tb.Get(IFLA_IFNAME); a != nil {
		s.Name = a.Str()
	}
	if a := tb.Get(IFLA_NUM_TX_QUEUES); a != nil {
		n := a.U32()
		if n < 1 || n > 4096 {
			return nil, sched.Err(syscall.EINVAL, "Invalid number of transmit queues")
		}
		s.NumTx = int(n)
	}
	if a := tb.Get(IFLA_NUM_RX_QUEUES); a != nil {
		n := a.U32()
		if n < 1 || n > 4096 {
			return nil, sched.Err(syscall.EINVAL, "Invalid number of receive queues")
		}
		s.NumRx = int(n)
	}
	if a := tb.Get(IFLA_MTU); a != nil {
		v := a.U32()
		s.MTU = &v
	}
	if a := tb.Get(IFLA_TXQLEN); a != nil {
		v := a.U32()
		s.TxQLen = &v
	}
	if a := tb.Get(IFLA_GROUP); a != nil {
		v := a.U32()
		s.Group = &v
	}
	if a := tb.Get(IFLA_ADDRESS); a != nil && len(a.Data) == 6 {
		var hw [6]byte
		copy(hw[:], a.Data)
		s.HWAddr = &hw
	}
	return s, nil
}

// setLink applies changes to an existing device (do_setlink).
func (c *Conn) setLink(d *netdev.Device, ifm ifinfomsg, tb nl.Attrs) error {
	if tb.Has(IFLA_NET_NS_PID) || tb.Has(IFLA_NET_NS_FD) {
		return sched.Err(syscall.EOPNOTSUPP, "Moving devices between namespaces is not supported by netsched")
	}
	if a := tb.Get(IFLA_NUM_TX_QUEUES); a != nil && int(a.U32()) != d.NumTxQueues() {
		return syscall.EOPNOTSUPP
	}
	if a := tb.Get(IFLA_ADDRESS); a != nil {
		if len(a.Data) != 6 || d.Kind().Type != netdev.ARPHRD_ETHER {
			return syscall.EINVAL
		}
		var hw [6]byte
		copy(hw[:], a.Data)
		d.SetHWAddr(hw)
	}
	if a := tb.Get(IFLA_MTU); a != nil {
		if err := d.SetMTU(a.U32()); err != nil {
			return err
		}
	}
	if a := tb.Get(IFLA_GROUP); a != nil {
		d.SetGroup(a.U32())
	}
	if ifm.index > 0 {
		if a := tb.Get(IFLA_IFNAME); a != nil {
			if err := d.Rename(a.Str()); err != nil {
				return err
			}
		}
	}
	if a := tb.Get(IFLA_IFALIAS); a != nil {
		d.SetAlias(a.Str())
	}
	if a := tb.Get(IFLA_TXQLEN); a != nil {
		if err := d.ChangeTxQueueLen(a.U32()); err != nil {
			return err
		}
	}
	if ifm.change != 0 || ifm.flags != 0 {
		mask := ifm.change
		if mask == 0 {
			mask = 0xFFFFFFFF
		}
		if mask&netdev.IFF_UP != 0 {
			d.SetUp(ifm.flags&netdev.IFF_UP != 0)
		}
	}
	return nil
}

func (c *Conn) delLink(m *nl.Msg) error {
	ifm, tb, err := linkAttrs(m.Data)
	if err != nil {
		return err
	}
	if ifm.index <= 0 && !tb.Has(IFLA_IFNAME) && !tb.Has(IFLA_ALT_IFNAME) {
		return syscall.EINVAL
	}
	d := c.findLink(ifm, tb)
	if d == nil {
		return syscall.ENODEV
	}
	return c.ns.DelLink(d)
}

// getLink answers a GETLINK for one device (rtnl_getlink).
func (c *Conn) getLink(m *nl.Msg) error {
	ifm, tb, err := linkAttrs(m.Data)
	if err != nil {
		return err
	}
	d := c.findLink(ifm, tb)
	if d == nil {
		return syscall.ENODEV
	}
	b := nl.NewBuilder()
	fillLink(b, d, RTM_NEWLINK, 0, m.Seq, c.Port, 0)
	c.emit(b.Bytes())
	return nil
}

func (c *Conn) dumpLinks(m *nl.Msg, d *dumper) error {
	for _, dev := range c.ns.Devices() {
		d.add(func(b *nl.Builder) bool {
			fillLink(b, dev, RTM_NEWLINK, nl.NLM_F_MULTI, m.Seq, c.Port, 0)
			return true
		})
	}
	return nil
}

// fillLink writes an ifinfomsg with the attributes iproute2 reads
// (rtnl_fill_ifinfo).
func fillLink(b *nl.Builder, d *netdev.Device, typ, flags uint16, seq, pid uint32, change uint32) {
	b.Begin(typ, flags, seq, pid)
	var hdr [ifinfomsgLen]byte
	binary.NativeEndian.PutUint16(hdr[2:], d.Kind().Type)
	binary.NativeEndian.PutUint32(hdr[4:], uint32(d.Ifindex()))
	binary.NativeEndian.PutUint32(hdr[8:], d.Flags())
	binary.NativeEndian.PutUint32(hdr[12:], change)
	b.Raw(hdr[:])
	b.PutString(IFLA_IFNAME, d.Name())
	b.PutU32(IFLA_TXQLEN, d.TxQueueLen())
	b.PutU8(IFLA_OPERSTATE, d.Operstate())
	b.PutU8(IFLA_LINKMODE, 0)
	b.PutU32(IFLA_MTU, d.MTU())
	lo, hi := d.MTURange()
	b.PutU32(IFLA_MIN_MTU, lo)
	b.PutU32(IFLA_MAX_MTU, hi)
	b.PutU32(IFLA_GROUP, d.Group())
	b.PutU32(IFLA_PROMISCUITY, 0)
	b.PutU32(IFLA_ALLMULTI, 0)
	b.PutU32(IFLA_NUM_TX_QUEUES, uint32(d.NumTxQueues()))
	b.PutU32(IFLA_GSO_MAX_SEGS, 65535)
	b.PutU32(IFLA_GSO_MAX_SIZE, 65536)
	b.PutU32(IFLA_GRO_MAX_SIZE, 65536)
	b.PutU32(IFLA_TSO_MAX_SIZE, 524280)
	b.PutU32(IFLA_TSO_MAX_SEGS, 65535)
	b.PutU32(IFLA_NUM_RX_QUEUES, uint32(d.NumRxQueues()))
	if p := d.Peer(); p != nil {
		b.PutU32(IFLA_LINK, uint32(p.Ifindex()))
	}
	var carrier uint8
	if d.Carrier() {
		carrier = 1
	}
	b.PutU8(IFLA_CARRIER, carrier)
	b.PutString(IFLA_QDISC, d.Sched.Root().Kind().ID)
	if d.Alias != "" {
		b.PutString(IFLA_IFALIAS, d.Alias)
	}
	b.PutU32(IFLA_CARRIER_CHANGES, 0)
	b.PutU32(IFLA_CARRIER_UP_COUNT, 0)
	b.PutU32(IFLA_CARRIER_DOWN_COUNT, 0)
	b.PutU8(IFLA_PROTO_DOWN, 0)
	if d.Kind().Type == netdev.ARPHRD_ETHER || d.Kind().Type == netdev.ARPHRD_LOOPBACK {
		hw := d.HWAddr()
		b.Put(IFLA_ADDRESS, hw[:])
		brd := [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		if d.Kind().Type == netdev.ARPHRD_LOOPBACK {
			brd = [6]byte{}
		}
		b.Put(IFLA_BROADCAST, brd[:])
	}
	var st [24 * 8]byte // rtnl_link_stats64
	s := d.Stats
	binary.NativeEndian.PutUint64(st[0:], s.RxPackets)
	binary.NativeEndian.PutUint64(st[8:], s.TxPackets)
	binary.NativeEndian.PutUint64(st[16:], s.RxBytes)
	binary.NativeEndian.PutUint64(st[24:], s.TxBytes)
	binary.NativeEndian.PutUint64(st[48:], s.RxDropped)
	binary.NativeEndian.PutUint64(st[56:], s.TxDropped)
	b.Put(IFLA_STATS64, st[:])
	var st32 [24 * 4]byte
	for i := 0; i < 24; i++ {
		binary.NativeEndian.PutUint32(st32[4*i:], uint32(binary.NativeEndian.Uint64(st[8*i:])))
	}
	b.Put(IFLA_STATS, st32[:])
	if d.Kind().Name != "loopback" {
		b.Nest(IFLA_LINKINFO)
		b.PutString(IFLA_INFO_KIND, d.Kind().Name)
		b.EndNest()
	}
	if p := d.Peer(); p != nil && p.Namespace() != d.Namespace() {
		b.PutU32(IFLA_LINK_NETNSID, uint32(d.Namespace().NsID(p.Namespace())))
	}
	b.End()
}

// linkEvent turns a device change into a notification (rtmsg_ifinfo).
func (e *Engine) linkEvent(ns *netdev.Namespace, ev netdev.Event) {
	switch ev.Type {
	case netdev.LinkNew, netdev.LinkChange, netdev.LinkDel:
		if !e.hasListeners(ns, RTNLGRP_LINK) {
			return
		}
		typ := uint16(RTM_NEWLINK)
		if ev.Type == netdev.LinkDel {
			typ = RTM_DELLINK
		}
		b := nl.NewBuilder()
		fillLink(b, ev.Dev, typ, 0, 0, 0, 0xFFFFFFFF)
		e.broadcast(ns, RTNLGRP_LINK, b.Bytes(), nil)
	case netdev.AddrNew, netdev.AddrDel:
		group := RTNLGRP_IPV4_IFADDR
		if ev.Addr.Family() == syscall.AF_INET6 {
			group = RTNLGRP_IPV6_IFADDR
		}
		if !e.hasListeners(ns, group) {
			return
		}
		typ := uint16(RTM_NEWADDR)
		if ev.Type == netdev.AddrDel {
			typ = RTM_DELADDR
		}
		b := nl.NewBuilder()
		fillAddr(b, ev.Addr, typ, 0, 0, 0)
		e.broadcast(ns, group, b.Bytes(), nil)
	}
}
