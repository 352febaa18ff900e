package netdev

import (
	"net/netip"
	"syscall"
)

// Route is an output route for IPv4 (the part of struct rtable the host
// stack needs): the device to send on, the address to send to on that
// link (no gateways: every destination is on a link), and the preferred
// source.
type Route struct {
	Dev *Device
	Dst netip.Addr
	Src netip.Addr
	// Local is set for a destination that is one of our own addresses:
	// the packet goes through lo whatever device was asked for, as the
	// kernel routes RTN_LOCAL destinations.
	Local bool
	// Realms are the static route's (dst->tclassid), 0 for others.
	Realms uint32
}

// Route finds the output route to dst (ip_route_output_key with only
// connected routes). oif, when set, is the device the socket is bound to
// (SO_BINDTODEVICE): a destination without a route is then taken to be
// on that link, as the kernel does, and a down device is ENETUNREACH.
func (h *Host) Route(dst netip.Addr, oif *Device) (Route, error) {
	ns := h.ns
	if !dst.Is4() {
		return Route{}, syscall.EAFNOSUPPORT
	}
	if oif != nil {
		if oif.dead {
			return Route{}, syscall.ENODEV
		}
		if !oif.IsUp() {
			return Route{}, syscall.ENETUNREACH
		}
	}
	// The local table: our own address goes through lo, when no device
	// is asked for or the address is on the device asked for (the local
	// route's nexthop must match the bound device).
	if ld := ns.localDev(dst); ld != nil && (oif == nil || oif == ld) {
		lo := ns.loopback()
		if lo == nil {
			return Route{}, syscall.ENETUNREACH
		}
		return Route{Dev: lo, Dst: dst, Src: dst, Local: true}, nil
	}
	if oif != nil {
		return Route{Dev: oif, Dst: dst, Src: h.selectSource(oif, dst)}, nil
	}
	// Static routes (routes.go), longest prefix, before the connected
	// ones they may be more specific than.
	if r := ns.lookupStatic(dst); r != nil {
		via := dst
		if r.Gateway.IsValid() {
			via = r.Gateway
		}
		src := r.Src
		if !src.IsValid() {
			src = h.selectSource(r.Dev, dst)
		}
		return Route{Dev: r.Dev, Dst: via, Src: src, Realms: r.Realms}, nil
	}
	// The main table: the connected route of the first up device with an
	// address whose prefix holds dst.
	for _, d := range ns.devs {
		if !d.IsUp() {
			continue
		}
		for _, a := range d.addrs {
			if a.Prefix.Addr().Is4() && a.Prefix.Masked().Contains(dst) {
				return Route{Dev: d, Dst: dst, Src: a.Prefix.Addr()}, nil
			}
		}
	}
	return Route{}, syscall.ENETUNREACH
}

// selectSource is inet_select_addr: an address of d (preferring one whose
// prefix holds dst), else the first IPv4 address of another up device,
// else 0.0.0.0.
func (h *Host) selectSource(d *Device, dst netip.Addr) netip.Addr {
	if a, ok := d.SourceFor(dst); ok {
		return a
	}
	for _, x := range h.ns.devs {
		if x == d || !x.IsUp() || x.kind == kindLoopback {
			continue
		}
		for _, a := range x.addrs {
			if a.Prefix.Addr().Is4() {
				return a.Prefix.Addr()
			}
		}
	}
	return netip.IPv4Unspecified()
}

// loopback returns the namespace's lo.
func (ns *Namespace) loopback() *Device {
	for _, d := range ns.devs {
		if d.kind == kindLoopback {
			return d
		}
	}
	return nil
}
