package netdev

import (
	"net/netip"
	"syscall"
)

// StaticRoute is an IPv4 route added with `ip route add` (RTM_NEWROUTE):
// the minimal part of the kernel's FIB that traffic control reads, the
// realms of a route (RTA_FLOW, the nexthop's tclassid: from realm << 16 |
// to realm), which cls_route and flow's rt-classid key see on packets
// sent along it. Connected routes are not stored: Host.Route finds them
// from the addresses.
type StaticRoute struct {
	Dst      netip.Prefix
	Dev      *Device
	Gateway  netip.Addr // unset: on link
	Src      netip.Addr // preferred source (RTA_PREFSRC)
	Metric   uint32     // RTA_PRIORITY
	Realms   uint32     // RTA_FLOW
	Table    uint32     // RT_TABLE_MAIN (254) unless asked
	Protocol uint8      // RTPROT_*
	Scope    uint8      // RT_SCOPE_*
	Type     uint8      // RTN_*
	TOS      uint8
}

// Routes lists the namespace's static routes in the order of a dump.
func (ns *Namespace) Routes() []*StaticRoute { return ns.routes }

// same reports whether r names the same route as x (fib's key: table,
// destination, TOS, priority).
func (r *StaticRoute) same(x *StaticRoute) bool {
	return r.Table == x.Table && r.Dst == x.Dst && r.TOS == x.TOS && r.Metric == x.Metric
}

// AddRoute adds r: an existing route of the same key is an error with
// excl, replaced with replace, else r goes in beside it (append).
func (ns *Namespace) AddRoute(r *StaticRoute, excl, replace bool) error {
	for i, x := range ns.routes {
		if !x.same(r) {
			continue
		}
		if excl {
			return syscall.EEXIST
		}
		if replace {
			ns.routes[i] = r
			return nil
		}
	}
	// Kept sorted by prefix, longest first within a table, as the
	// kernel's trie dumps them (by address, then length).
	i := 0
	for i < len(ns.routes) && lessRoute(ns.routes[i], r) {
		i++
	}
	ns.routes = append(ns.routes, nil)
	copy(ns.routes[i+1:], ns.routes[i:])
	ns.routes[i] = r
	return nil
}

func lessRoute(a, b *StaticRoute) bool {
	if a.Table != b.Table {
		return a.Table < b.Table
	}
	if c := a.Dst.Addr().Compare(b.Dst.Addr()); c != 0 {
		return c < 0
	}
	if a.Dst.Bits() != b.Dst.Bits() {
		return a.Dst.Bits() < b.Dst.Bits()
	}
	return a.Metric <= b.Metric
}

// DelRoute deletes the first route that matches r where r says something
// (fib_table_delete): ESRCH when none does.
func (ns *Namespace) DelRoute(r *StaticRoute) error {
	for i, x := range ns.routes {
		if x.Table != r.Table || x.Dst != r.Dst {
			continue
		}
		if r.Dev != nil && x.Dev != r.Dev || r.Gateway.IsValid() && x.Gateway != r.Gateway ||
			r.Metric != 0 && x.Metric != r.Metric || r.Realms != 0 && x.Realms != r.Realms {
			continue
		}
		ns.routes = append(ns.routes[:i:i], ns.routes[i+1:]...)
		return nil
	}
	return syscall.ESRCH
}

// dropRoutes forgets the routes through d (its unregistration).
func (ns *Namespace) dropRoutes(d *Device) {
	out := ns.routes[:0]
	for _, r := range ns.routes {
		if r.Dev != d {
			out = append(out, r)
		}
	}
	ns.routes = out
}

// lookupStatic is the longest-prefix static route to dst through an up
// device, or nil.
func (ns *Namespace) lookupStatic(dst netip.Addr) *StaticRoute {
	var best *StaticRoute
	for _, r := range ns.routes {
		if r.Table != 254 || !r.Dst.Contains(dst) || r.Dev == nil || !r.Dev.IsUp() {
			continue
		}
		if best == nil || r.Dst.Bits() > best.Dst.Bits() || r.Dst.Bits() == best.Dst.Bits() && r.Metric < best.Metric {
			best = r
		}
	}
	return best
}
