package netdev

import (
	"crypto/rand"
	"math"
	"runtime"
	"syscall"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Interface flags (<linux/if.h>).
const (
	IFF_UP          = 0x1
	IFF_BROADCAST   = 0x2
	IFF_LOOPBACK    = 0x8
	IFF_POINTOPOINT = 0x10
	IFF_RUNNING     = 0x40
	IFF_NOARP       = 0x80
	IFF_PROMISC     = 0x100
	IFF_MULTICAST   = 0x1000
	IFF_LOWER_UP    = 0x10000
	IFF_DORMANT     = 0x20000
)

// ARPHRD types.
const (
	ARPHRD_ETHER    = 1
	ARPHRD_LOOPBACK = 772
)

// Kind is a link kind: how a device of it starts and what its driver does.
type Kind struct {
	Name string
	// NoQueue is IFF_NO_QUEUE: noqueue by default.
	NoQueue bool
	// Type is the ARPHRD type; HeaderLen the link-layer header length.
	Type      uint16
	HeaderLen uint32
	MTU       uint32
	Flags     uint32 // initial flags
	// DefaultTxQueues is num_tx_queues when the request names none.
	DefaultTxQueues func() int
	// Rtnl is true for kinds `ip link add ... type KIND` may create.
	Rtnl bool
}

var (
	kindLoopback = &Kind{Name: "loopback", NoQueue: true, Type: ARPHRD_LOOPBACK, HeaderLen: 14, MTU: 65536,
		Flags: IFF_LOOPBACK, DefaultTxQueues: one}
	kindDummy = &Kind{Name: "dummy", NoQueue: true, Type: ARPHRD_ETHER, HeaderLen: 14, MTU: 1500,
		Flags: IFF_BROADCAST | IFF_NOARP, DefaultTxQueues: one, Rtnl: true}
	// veth allocates a queue per possible CPU (veth_get_num_queues); only
	// the first is real.
	kindVeth = &Kind{Name: "veth", NoQueue: true, Type: ARPHRD_ETHER, HeaderLen: 14, MTU: 1500,
		Flags: IFF_BROADCAST | IFF_MULTICAST, DefaultTxQueues: runtime.NumCPU, Rtnl: true}
	// netdevsim stands for the kernel's simulated NIC: a real queueing
	// device whose queues are all real. The kernel makes it through sysfs;
	// here `type netdevsim` makes it, so that tests can map those writes.
	kindNetdevsim = &Kind{Name: "netdevsim", Type: ARPHRD_ETHER, HeaderLen: 14, MTU: 1500,
		Flags: IFF_BROADCAST | IFF_MULTICAST, DefaultTxQueues: one, Rtnl: true}
)

func one() int { return 1 }

// Kinds lists the link kinds by name.
var Kinds = map[string]*Kind{
	"loopback":  kindLoopback,
	"dummy":     kindDummy,
	"veth":      kindVeth,
	"netdevsim": kindNetdevsim,
}

// Driver carries packets off a device: a link model in the simulator, a
// socket for live traffic, or the kind's own behaviour.
type Driver interface {
	// Xmit takes p from TX queue txq and returns true, or returns false
	// when it has no room (the queue should then have been stopped).
	Xmit(d *Device, p *pkt.Packet, txq int) bool
}

// Stats are a device's counters (rtnl_link_stats64, the part we keep).
type Stats struct {
	RxPackets, TxPackets, RxBytes, TxBytes uint64
	RxDropped, TxDropped                   uint64
}

// Device is one network device.
type Device struct {
	ns     *Namespace
	kind   *Kind
	name   string
	index  int32
	flags  uint32
	mtu    uint32
	txqlen uint32
	numTx  int
	realTx int
	numRx  int
	addr   [6]byte
	group  uint32
	// carrier is the link's physical state (netif_carrier_ok).
	carrier bool
	peer    *Device
	addrs   []*Addr
	dead    bool

	Sched  *sched.Dev
	Driver Driver
	Stats  Stats
	// Alias is IFLA_IFALIAS.
	Alias string
}

// newDevice builds an unregistered device of kind k.
func newDevice(ns *Namespace, name string, k *Kind, numTx, numRx int) *Device {
	d := &Device{ns: ns, kind: k, name: name, flags: k.Flags, mtu: k.MTU, txqlen: 1000,
		numTx: numTx, realTx: 1, numRx: numRx}
	if k == kindNetdevsim {
		d.realTx = numTx
	}
	if k.Type == ARPHRD_ETHER {
		_, _ = rand.Read(d.addr[:])
		d.addr[0] = d.addr[0]&^1 | 2 // unicast, locally administered
	}
	// Devices without a peer or cable have carrier from the start.
	d.carrier = k != kindVeth
	d.Sched = sched.NewDev(d, ns.Net, numTx)
	return d
}

// Name is the device's name.
func (d *Device) Name() string { return d.name }

// Ifindex is the device's index in its namespace.
func (d *Device) Ifindex() int32 { return d.index }

// MTU is the device's MTU.
func (d *Device) MTU() uint32 { return d.mtu }

// HardHeaderLen is the link-layer header length (hard_header_len).
func (d *Device) HardHeaderLen() uint32 { return d.kind.HeaderLen }

// TxQueueLen is txqueuelen.
func (d *Device) TxQueueLen() uint32 { return d.txqlen }

// SetTxQueueLen sets txqueuelen without notifying qdiscs (sched's use).
func (d *Device) SetTxQueueLen(n uint32) { d.txqlen = n }

// NoQueue reports IFF_NO_QUEUE.
func (d *Device) NoQueue() bool { return d.kind.NoQueue }

// IsUp reports IFF_UP.
func (d *Device) IsUp() bool { return d.flags&IFF_UP != 0 }

// Carrier reports whether the link has carrier.
func (d *Device) Carrier() bool { return d.carrier }

// RealNumTxQueues is real_num_tx_queues.
func (d *Device) RealNumTxQueues() int { return d.realTx }

// NumTxQueues is num_tx_queues.
func (d *Device) NumTxQueues() int { return d.numTx }

// NumRxQueues is num_rx_queues.
func (d *Device) NumRxQueues() int { return d.numRx }

// Kind returns the link kind.
func (d *Device) Kind() *Kind { return d.kind }

// Namespace returns the device's namespace.
func (d *Device) Namespace() *Namespace { return d.ns }

// Flags returns the interface flags as the kernel reports them
// (dev_get_flags: IFF_RUNNING and IFF_LOWER_UP follow the carrier).
func (d *Device) Flags() uint32 {
	f := d.flags
	if d.flags&IFF_UP != 0 && d.carrier {
		f |= IFF_RUNNING | IFF_LOWER_UP
	}
	return f
}

// HWAddr is the link-layer address.
func (d *Device) HWAddr() [6]byte { return d.addr }

// Group is the device group.
func (d *Device) Group() uint32 { return d.group }

// Peer is the other end of a veth pair.
func (d *Device) Peer() *Device { return d.peer }

// Operstate is IF_OPER_*: up when up with carrier, lower-layer-down when
// up without, down otherwise; unknown for lo and dummy, which have no
// operstate of their own.
func (d *Device) Operstate() uint8 {
	const (
		unknown        = 0
		down           = 2
		lowerLayerDown = 3
		up             = 6
	)
	if d.flags&IFF_UP == 0 {
		return down
	}
	if !d.carrier {
		return lowerLayerDown
	}
	if d.kind == kindLoopback || d.kind == kindDummy {
		return unknown
	}
	return up
}

// Xmit is the driver entry sched calls.
func (d *Device) Xmit(p *pkt.Packet, txq int) bool {
	if d.Driver != nil {
		return d.Driver.Xmit(d, p, txq)
	}
	switch d.kind {
	case kindVeth:
		return d.vethXmit(p)
	case kindLoopback:
		d.Stats.TxPackets++
		d.Stats.TxBytes += uint64(len(p.Data))
		d.Receive(p)
		return true
	default:
		// dummy and netdevsim: count and free.
		d.Stats.TxPackets++
		d.Stats.TxBytes += uint64(len(p.Data))
		p.Free()
		return true
	}
}

// vethXmit forwards to the peer, dropping when the peer cannot take it
// (veth_xmit and __dev_forward_skb).
func (d *Device) vethXmit(p *pkt.Packet) bool {
	peer := d.peer
	if peer == nil || peer.flags&IFF_UP == 0 || len(p.Data) < 14 {
		d.Stats.TxDropped++
		p.Free()
		return true
	}
	d.Stats.TxPackets++
	d.Stats.TxBytes += uint64(len(p.Data))
	peer.Receive(p)
	return true
}

// Transmit sends p out of the device through its qdiscs. A device that
// is down holds the noop qdisc, which drops with a congestion notice
// (noop_enqueue), not an error.
func (d *Device) Transmit(p *pkt.Packet) sched.Verdict {
	if d.flags&IFF_UP == 0 {
		d.Stats.TxDropped++
		p.Free()
		return sched.CN
	}
	return d.Sched.Transmit(p)
}

// Receive takes a packet arriving on the device: counted, through the
// ingress qdisc if any, then to the namespace's stack.
func (d *Device) Receive(p *pkt.Packet) {
	d.Stats.RxPackets++
	d.Stats.RxBytes += uint64(len(p.Data))
	p.InIfindex = d.index
	if !d.Sched.Receive(p) {
		return
	}
	if d.ns.Deliver != nil {
		d.ns.Deliver(d, p)
		return
	}
	d.ns.world.netifRx(d, p)
}

// open brings the device up (__dev_open): qdiscs activate; a veth gets
// carrier when its peer is up too.
func (d *Device) open() {
	d.flags |= IFF_UP
	if d.kind == kindVeth && d.peer != nil && d.peer.flags&IFF_UP != 0 {
		d.carrier = true
		d.peer.setCarrier(true)
	}
	d.Sched.Activate()
}

// close takes the device down (__dev_close): qdiscs deactivate; a veth
// pair loses carrier.
func (d *Device) close() {
	d.Sched.Deactivate()
	d.flags &^= IFF_UP
	if d.kind == kindVeth {
		d.carrier = false
		if d.peer != nil {
			d.peer.setCarrier(false)
		}
	}
}

// setCarrier is netif_carrier_on/off with the link watch's reaction:
// an up device activates or deactivates its qdiscs.
func (d *Device) setCarrier(on bool) {
	if d.carrier == on {
		return
	}
	d.carrier = on
	if d.flags&IFF_UP != 0 {
		if on {
			d.Sched.Activate()
		} else {
			d.Sched.Deactivate()
		}
	}
	d.ns.emit(Event{Type: LinkChange, Dev: d})
}

// SetUp brings the device up or down (dev_change_flags with IFF_UP).
func (d *Device) SetUp(up bool) {
	if up == d.IsUp() {
		return
	}
	if up {
		d.open()
	} else {
		d.close()
	}
	d.ns.emit(Event{Type: LinkChange, Dev: d})
}

// SetMTU changes the MTU within the kind's limits (dev_set_mtu); a
// maximum of 0 means none (dev_validate_mtu), as for dummy.
func (d *Device) SetMTU(mtu uint32) error {
	lo, hi := d.MTURange()
	if mtu < lo || hi != 0 && mtu > hi || mtu > math.MaxInt32 {
		return syscall.EINVAL
	}
	d.mtu = mtu
	d.ns.emit(Event{Type: LinkChange, Dev: d})
	return nil
}

// MTURange is min_mtu and max_mtu.
func (d *Device) MTURange() (uint32, uint32) {
	switch d.kind {
	case kindLoopback:
		return 0, 0xFFFFFFFF
	case kindVeth:
		return 68, 65535
	case kindDummy:
		return 0, 0
	default:
		return 68, 1500
	}
}

// ChangeTxQueueLen sets txqueuelen and tells the qdiscs that follow it
// (dev_change_tx_queue_len).
func (d *Device) ChangeTxQueueLen(n uint32) error {
	if n == d.txqlen {
		return nil
	}
	old := d.txqlen
	d.txqlen = n
	if err := d.Sched.ChangeTxQueueLen(n); err != nil {
		d.txqlen = old
		return err
	}
	d.ns.emit(Event{Type: LinkChange, Dev: d})
	return nil
}

// Rename gives the device a new name (dev_change_name); as in recent
// kernels, an up device may be renamed too.
func (d *Device) Rename(name string) error {
	if name == d.name {
		return nil
	}
	n, err := d.ns.allocName(name)
	if err != nil {
		return err
	}
	delete(d.ns.byName, d.name)
	d.name = n
	d.ns.byName[n] = d
	d.ns.emit(Event{Type: LinkChange, Dev: d})
	return nil
}

// SetHWAddr sets the link-layer address.
func (d *Device) SetHWAddr(a [6]byte) { d.addr = a; d.ns.emit(Event{Type: LinkChange, Dev: d}) }

// SetGroup sets the device group.
func (d *Device) SetGroup(g uint32) { d.group = g; d.ns.emit(Event{Type: LinkChange, Dev: d}) }

// SetAlias sets ifalias.
func (d *Device) SetAlias(a string) { d.Alias = a; d.ns.emit(Event{Type: LinkChange, Dev: d}) }

// SendFrame sends a whole Ethernet frame out of the device as a packet
// socket does (packet_snd, then dev_queue_xmit): through the device's
// qdiscs, with the protocol read from the frame and no priority or mark.
func (d *Device) SendFrame(frame []byte) sched.Verdict {
	p := d.ns.Pool().Get()
	p.SetLen(len(frame))
	copy(p.Data, frame)
	p.MACLen = ethHdrLen
	p.Network = ethHdrLen
	p.Transport = -1
	if len(frame) >= ethHdrLen {
		p.Protocol = uint16(frame[12])<<8 | uint16(frame[13])
		if p.Protocol == EthPIP && len(frame) > ethHdrLen {
			p.Transport = int16(ethHdrLen + int(frame[ethHdrLen]&0x0f)*4)
		}
	}
	return d.Transmit(p)
}
