package netdev

import (
	"net/netip"
	"syscall"
)

// Addr is an interface address (struct in_ifaddr / inet6_ifaddr).
type Addr struct {
	Dev       *Device
	Prefix    netip.Prefix // local address with its prefix length
	Peer      netip.Addr   // IFA_ADDRESS when it differs from the local one
	Broadcast netip.Addr
	Label     string
	Scope     uint8
	Flags     uint32
}

// Family is AF_INET or AF_INET6.
func (a *Addr) Family() uint8 {
	if a.Prefix.Addr().Is4() {
		return syscall.AF_INET
	}
	return syscall.AF_INET6
}

// Addrs lists the device's addresses in the order they were added.
func (d *Device) Addrs() []*Addr { return d.addrs }

// AddAddr adds an address; an existing one is EEXIST unless replace.
func (d *Device) AddAddr(a *Addr, replace bool) error {
	for i, x := range d.addrs {
		if x.Prefix.Addr() == a.Prefix.Addr() && x.Prefix.Bits() == a.Prefix.Bits() {
			if !replace {
				return syscall.EEXIST
			}
			a.Dev = d
			d.addrs[i] = a
			d.ns.emit(Event{Type: AddrNew, Dev: d, Addr: a})
			return nil
		}
	}
	a.Dev = d
	d.addrs = append(d.addrs, a)
	d.ns.emit(Event{Type: AddrNew, Dev: d, Addr: a})
	return nil
}

// DelAddr removes the address matching local (and prefix length, when
// bits >= 0); none is EADDRNOTAVAIL.
func (d *Device) DelAddr(local netip.Addr, bits int) error {
	for i, x := range d.addrs {
		if x.Prefix.Addr() == local && (bits < 0 || x.Prefix.Bits() == bits) {
			d.addrs = append(d.addrs[:i], d.addrs[i+1:]...)
			d.ns.emit(Event{Type: AddrDel, Dev: d, Addr: x})
			return nil
		}
	}
	return syscall.EADDRNOTAVAIL
}

// SourceFor picks the device's address to send to dst from: the first
// address of the same family whose prefix holds dst, else the first of the
// family.
func (d *Device) SourceFor(dst netip.Addr) (netip.Addr, bool) {
	var first netip.Addr
	for _, a := range d.addrs {
		if a.Prefix.Addr().Is4() != dst.Is4() {
			continue
		}
		if a.Prefix.Masked().Contains(dst) {
			return a.Prefix.Addr(), true
		}
		if !first.IsValid() {
			first = a.Prefix.Addr()
		}
	}
	return first, first.IsValid()
}
