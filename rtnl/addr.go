package rtnl

import (
	"encoding/binary"
	"net/netip"
	"syscall"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
)

// IFA_* attributes.
const (
	IFA_ADDRESS   = 1
	IFA_LOCAL     = 2
	IFA_LABEL     = 3
	IFA_BROADCAST = 4
	IFA_CACHEINFO = 6
	IFA_FLAGS     = 8
	IFA_MAX       = 12

	IFA_F_PERMANENT = 0x80

	RT_SCOPE_UNIVERSE = 0
	RT_SCOPE_HOST     = 254
)

const ifaddrmsgLen = 8

type ifaddrmsg struct {
	family, prefixlen, flags, scope uint8
	index                           int32
}

func parseIfaddr(b []byte) ifaddrmsg {
	var x [ifaddrmsgLen]byte
	copy(x[:], b)
	return ifaddrmsg{x[0], x[1], x[2], x[3], int32(binary.NativeEndian.Uint32(x[4:]))}
}

func ipOf(family uint8, b []byte) (netip.Addr, bool) {
	switch {
	case family == syscall.AF_INET && len(b) >= 4:
		return netip.AddrFrom4([4]byte(b[:4])), true
	case family == syscall.AF_INET6 && len(b) >= 16:
		return netip.AddrFrom16([16]byte(b[:16])), true
	}
	return netip.Addr{}, false
}

func addrAttrs(data []byte) (ifaddrmsg, nl.Attrs, error) {
	if len(data) < ifaddrmsgLen {
		return ifaddrmsg{}, nil, syscall.EINVAL
	}
	return parseIfaddr(data), nl.Parse(data[ifaddrmsgLen:], IFA_MAX), nil
}

// newAddr is inet_rtm_newaddr / inet6_rtm_newaddr, for the addresses the
// engine keeps (no routes or neighbours follow from them).
func (c *Conn) newAddr(m *nl.Msg) error {
	ifa, tb, err := addrAttrs(m.Data)
	if err != nil {
		return err
	}
	if ifa.family != syscall.AF_INET && ifa.family != syscall.AF_INET6 {
		return syscall.EAFNOSUPPORT
	}
	d := c.ns.ByIndex(ifa.index)
	if d == nil {
		return syscall.ENODEV
	}
	la := tb.Get(IFA_LOCAL)
	if la == nil {
		la = tb.Get(IFA_ADDRESS)
	}
	if la == nil {
		return syscall.EINVAL
	}
	local, ok := ipOf(ifa.family, la.Data)
	if !ok {
		return syscall.EINVAL
	}
	max := 32
	if ifa.family == syscall.AF_INET6 {
		max = 128
	}
	if int(ifa.prefixlen) > max {
		return syscall.EINVAL
	}
	a := &netdev.Addr{Prefix: netip.PrefixFrom(local, int(ifa.prefixlen)), Scope: ifa.scope, Flags: IFA_F_PERMANENT}
	if pa := tb.Get(IFA_ADDRESS); pa != nil {
		if p, ok := ipOf(ifa.family, pa.Data); ok && p != local {
			a.Peer = p
		}
	}
	if ba := tb.Get(IFA_BROADCAST); ba != nil {
		a.Broadcast, _ = ipOf(ifa.family, ba.Data)
	}
	if l := tb.Get(IFA_LABEL); l != nil {
		a.Label = l.Str()
	} else if ifa.family == syscall.AF_INET {
		a.Label = d.Name()
	}
	if local.IsLoopback() && a.Scope == RT_SCOPE_UNIVERSE {
		a.Scope = RT_SCOPE_HOST
	}
	return d.AddAddr(a, m.Flags&nl.NLM_F_REPLACE != 0 && m.Flags&nl.NLM_F_EXCL == 0)
}

func (c *Conn) delAddr(m *nl.Msg) error {
	ifa, tb, err := addrAttrs(m.Data)
	if err != nil {
		return err
	}
	d := c.ns.ByIndex(ifa.index)
	if d == nil {
		return syscall.ENODEV
	}
	la := tb.Get(IFA_LOCAL)
	if la == nil {
		la = tb.Get(IFA_ADDRESS)
	}
	if la == nil {
		return syscall.EADDRNOTAVAIL
	}
	local, ok := ipOf(ifa.family, la.Data)
	if !ok {
		return syscall.EINVAL
	}
	return d.DelAddr(local, int(ifa.prefixlen))
}

func (c *Conn) dumpAddrs(m *nl.Msg, d *dumper) error {
	var fam uint8
	var index int32
	if len(m.Data) >= 1 {
		fam = m.Data[0]
	}
	if len(m.Data) >= ifaddrmsgLen {
		index = parseIfaddr(m.Data).index
	}
	for _, dev := range c.ns.Devices() {
		if index != 0 && c.strict && dev.Ifindex() != index {
			continue
		}
		for _, a := range dev.Addrs() {
			if fam != 0 && a.Family() != fam {
				continue
			}
			d.add(func(b *nl.Builder) bool {
				fillAddr(b, a, RTM_NEWADDR, nl.NLM_F_MULTI, m.Seq, c.Port)
				return true
			})
		}
	}
	if index != 0 && c.strict {
		d.flags |= nl.NLM_F_DUMP_FILTERED
	}
	return nil
}

// fillAddr writes an ifaddrmsg and its attributes (inet_fill_ifaddr).
func fillAddr(b *nl.Builder, a *netdev.Addr, typ, flags uint16, seq, pid uint32) {
	b.Begin(typ, flags, seq, pid)
	b.Raw([]byte{a.Family(), uint8(a.Prefix.Bits()), uint8(a.Flags), a.Scope})
	b.U32Raw(uint32(a.Dev.Ifindex()))
	local := a.Prefix.Addr().AsSlice()
	peer := local
	if a.Peer.IsValid() {
		peer = a.Peer.AsSlice()
	}
	b.Put(IFA_ADDRESS, peer)
	if a.Family() == syscall.AF_INET {
		b.Put(IFA_LOCAL, local)
		if a.Broadcast.IsValid() {
			b.Put(IFA_BROADCAST, a.Broadcast.AsSlice())
		}
		if a.Label != "" {
			b.PutString(IFA_LABEL, a.Label)
		}
	}
	b.PutU32(IFA_FLAGS, a.Flags)
	var ci [16]byte // ifa_cacheinfo: preferred, valid forever
	binary.NativeEndian.PutUint32(ci[0:], 0xFFFFFFFF)
	binary.NativeEndian.PutUint32(ci[4:], 0xFFFFFFFF)
	b.Put(IFA_CACHEINFO, ci[:])
	b.End()
}
