package netdev

import (
	"syscall"
)

// LinkSpec is what a request to add a link asks for.
type LinkSpec struct {
	Name     string
	Kind     string
	NumTx    int // 0: the kind's default
	NumRx    int
	TxQLen   *uint32
	MTU      *uint32
	Up       bool
	Index    int32 // 0: allocate
	HWAddr   *[6]byte
	Group    *uint32
	PeerName string // veth
	PeerNS   *Namespace
	PeerTx   int
	PeerRx   int
	Peer     *LinkSpec // full peer request, if any
}

// AddLink creates a device (rtnl_newlink for a new device). A veth pair's
// peer is registered first, as veth_newlink does, so it has the lower index.
func (ns *Namespace) AddLink(s *LinkSpec) (*Device, error) {
	k := Kinds[s.Kind]
	if k == nil || !k.Rtnl {
		return nil, syscall.EOPNOTSUPP
	}
	if s.Name == "" {
		s.Name = k.Name + "%d"
		if k == kindNetdevsim || k == kindVeth {
			s.Name = map[*Kind]string{kindNetdevsim: "eth%d", kindVeth: "veth%d"}[k]
		}
	}
	name, err := ns.allocName(s.Name)
	if err != nil {
		return nil, err
	}
	numTx, numRx := s.NumTx, s.NumRx
	if numTx == 0 {
		numTx = k.DefaultTxQueues()
	}
	if numRx == 0 {
		numRx = k.DefaultTxQueues()
	}
	if numTx > 4096 || numRx > 4096 {
		return nil, syscall.EINVAL
	}
	var peer *Device
	if k == kindVeth {
		pns := ns
		if s.PeerNS != nil {
			pns = s.PeerNS
		}
		pname := s.PeerName
		if pname == "" {
			pname = "veth%d"
		}
		// The peer's name is checked after the device's own, so that
		// "veth%d" patterns do not collide.
		pn, err := pns.allocName(pname)
		if err != nil {
			return nil, err
		}
		if pn == name && pns == ns {
			return nil, syscall.EEXIST
		}
		ptx, prx := s.PeerTx, s.PeerRx
		if ptx == 0 {
			ptx = k.DefaultTxQueues()
		}
		if prx == 0 {
			prx = k.DefaultTxQueues()
		}
		peer = newDevice(pns, pn, k, ptx, prx)
		if s.PeerTx != 0 {
			peer.realTx = ptx
		}
		if s.Peer != nil {
			if err := peer.apply(s.Peer); err != nil {
				return nil, err
			}
		}
	}
	d := newDevice(ns, name, k, numTx, numRx)
	if s.NumTx != 0 {
		// Queues asked for are all real; a veth's default per-CPU queues
		// are not (only the first is).
		d.realTx = numTx
	}
	d.index = s.Index
	if err := d.apply(s); err != nil {
		return nil, err
	}
	if peer != nil {
		if err := peer.ns.register(peer); err != nil {
			return nil, err
		}
		d.peer, peer.peer = peer, d
	}
	if err := ns.register(d); err != nil {
		if peer != nil {
			peer.peer = nil
			peer.ns.unregister(peer)
		}
		return nil, err
	}
	if s.Up {
		d.SetUp(true)
	}
	return d, nil
}

// apply sets the optional attributes of a new device.
func (d *Device) apply(s *LinkSpec) error {
	if s.MTU != nil {
		lo, hi := d.MTURange()
		if (lo != 0 || hi != 0) && (*s.MTU < lo || *s.MTU > hi) {
			return syscall.EINVAL
		}
		d.mtu = *s.MTU
	}
	if s.TxQLen != nil {
		d.txqlen = *s.TxQLen
	}
	if s.HWAddr != nil {
		d.addr = *s.HWAddr
	}
	if s.Group != nil {
		d.group = *s.Group
	}
	return nil
}

// DelLink removes a device (rtnl_dellink); lo cannot go.
func (ns *Namespace) DelLink(d *Device) error {
	if d.kind == kindLoopback {
		return syscall.EOPNOTSUPP
	}
	ns.unregister(d)
	return nil
}
