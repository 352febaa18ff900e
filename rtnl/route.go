package rtnl

import (
	"net/netip"
	"syscall"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Routes: RTM_NEWROUTE, RTM_DELROUTE and RTM_GETROUTE dumps for IPv4
// static routes with their realms (netdev.StaticRoute), enough for
// `ip route add ... realm N` and `ip route show`.

const (
	rtmsgLen = 12

	RTA_DST      = 1
	RTA_OIF      = 4
	RTA_GATEWAY  = 5
	RTA_PRIORITY = 6
	RTA_PREFSRC  = 7
	RTA_FLOW     = 11
	RTA_TABLE    = 15
	rtaMax       = 30

	rtTableMain   = 254
	rtnUnicast    = 1
	rtScopeLink   = 253
	rtScopeUniv   = 0
	rtprotBoot    = 3
	rtnhFLinkdown = 16 // RTNH_F_LINKDOWN: the nexthop's device has no carrier
)

// routeAttrs decodes an rtmsg and its attributes into a route.
func (c *Conn) routeAttrs(m *nl.Msg) (*netdev.StaticRoute, error) {
	if len(m.Data) < rtmsgLen {
		return nil, syscall.EINVAL
	}
	h := m.Data
	if h[0] != syscall.AF_INET {
		return nil, syscall.EAFNOSUPPORT
	}
	if h[1] > 32 {
		return nil, syscall.EINVAL
	}
	r := &netdev.StaticRoute{TOS: h[3], Table: uint32(h[4]), Protocol: h[5], Scope: h[6], Type: h[7]}
	tb := nl.Parse(h[rtmsgLen:], rtaMax)
	if a := tb.Get(RTA_TABLE); a != nil && len(a.Data) >= 4 {
		r.Table = a.U32()
	}
	if r.Table == 0 {
		r.Table = rtTableMain
	}
	dst := netip.IPv4Unspecified()
	if a := tb.Get(RTA_DST); a != nil {
		ip, ok := netip.AddrFromSlice(a.Data)
		if !ok || !ip.Is4() {
			return nil, syscall.EINVAL
		}
		dst = ip
	}
	r.Dst = netip.PrefixFrom(dst, int(h[1]))
	if r.Dst.Masked() != r.Dst {
		return nil, sched.Err(syscall.EINVAL, "Invalid prefix for given prefix length")
	}
	if a := tb.Get(RTA_OIF); a != nil && len(a.Data) >= 4 {
		if r.Dev = c.ns.ByIndex(int32(a.U32())); r.Dev == nil {
			return nil, sched.Err(syscall.ENODEV, "Device not found")
		}
	}
	if a := tb.Get(RTA_GATEWAY); a != nil {
		gw, ok := netip.AddrFromSlice(a.Data)
		if !ok || !gw.Is4() {
			return nil, syscall.EINVAL
		}
		r.Gateway = gw
	}
	if a := tb.Get(RTA_PREFSRC); a != nil {
		if src, ok := netip.AddrFromSlice(a.Data); ok {
			r.Src = src
		}
	}
	if a := tb.Get(RTA_PRIORITY); a != nil && len(a.Data) >= 4 {
		r.Metric = a.U32()
	}
	if a := tb.Get(RTA_FLOW); a != nil && len(a.Data) >= 4 {
		r.Realms = a.U32()
	}
	return r, nil
}

// newRoute is inet_rtm_newroute for static unicast routes.
func (c *Conn) newRoute(m *nl.Msg) error {
	r, err := c.routeAttrs(m)
	if err != nil {
		return err
	}
	if r.Type != rtnUnicast {
		return syscall.EOPNOTSUPP
	}
	if r.Dev == nil {
		// A route through a gateway alone would need the device found
		// from the gateway's connected route; not modelled.
		return sched.Err(syscall.ENODEV, "Nexthop has invalid gateway")
	}
	if m.Flags&nl.NLM_F_CREATE == 0 && m.Flags&nl.NLM_F_REPLACE == 0 {
		return syscall.ENOENT
	}
	return c.ns.AddRoute(r, m.Flags&nl.NLM_F_EXCL != 0, m.Flags&nl.NLM_F_REPLACE != 0)
}

// delRoute is inet_rtm_delroute.
func (c *Conn) delRoute(m *nl.Msg) error {
	r, err := c.routeAttrs(m)
	if err != nil {
		return err
	}
	return c.ns.DelRoute(r)
}

// dumpRoutes answers an IPv4 (or any family) route dump.
func (c *Conn) dumpRoutes(m *nl.Msg, d *dumper) error {
	if len(m.Data) >= 1 && m.Data[0] != 0 && m.Data[0] != syscall.AF_INET {
		return nil
	}
	for _, r := range c.ns.Routes() {
		d.add(func(b *nl.Builder) bool {
			fillRoute(b, r, RTM_NEWROUTE, nl.NLM_F_MULTI, m.Seq, c.Port)
			return true
		})
	}
	return nil
}

// fillRoute writes an rtmsg and its attributes (fib_dump_info).
func fillRoute(b *nl.Builder, r *netdev.StaticRoute, typ, flags uint16, seq, pid uint32) {
	b.Begin(typ, flags, seq, pid)
	table := uint8(r.Table)
	if r.Table >= 256 {
		table = 252 // RT_TABLE_COMPAT
	}
	b.Raw([]byte{syscall.AF_INET, uint8(r.Dst.Bits()), 0, r.TOS, table, r.Protocol, r.Scope, r.Type})
	var rtmFlags uint32
	if r.Dev != nil && !r.Dev.Carrier() {
		rtmFlags |= rtnhFLinkdown
	}
	b.U32Raw(rtmFlags)
	b.PutU32(RTA_TABLE, r.Table)
	if r.Dst.Bits() > 0 {
		b.Put(RTA_DST, r.Dst.Addr().AsSlice())
	}
	if r.Metric != 0 {
		b.PutU32(RTA_PRIORITY, r.Metric)
	}
	if r.Src.IsValid() {
		b.Put(RTA_PREFSRC, r.Src.AsSlice())
	}
	if r.Gateway.IsValid() {
		b.Put(RTA_GATEWAY, r.Gateway.AsSlice())
	}
	if r.Dev != nil {
		b.PutU32(RTA_OIF, uint32(r.Dev.Ifindex()))
	}
	if r.Realms != 0 {
		b.PutU32(RTA_FLOW, r.Realms)
	}
	b.End()
}
