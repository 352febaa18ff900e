package sched

import (
	"sync/atomic"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
)

// Link is what the scheduler needs of a network device (the net_device side
// that netdev owns).
type Link interface {
	Name() string
	Ifindex() int32
	MTU() uint32
	HardHeaderLen() uint32
	TxQueueLen() uint32
	// SetTxQueueLen is used once, for the kernel's IFF_NO_QUEUE loophole:
	// a qdisc created on such a device with txqueuelen 0 sets it to 1000.
	SetTxQueueLen(n uint32)
	// NoQueue reports IFF_NO_QUEUE: virtual devices whose default is noqueue.
	NoQueue() bool
	IsUp() bool
	Carrier() bool
	RealNumTxQueues() int
	// Xmit hands p to the driver on TX queue txq. It returns false when the
	// driver is busy (NETDEV_TX_BUSY); the packet then stays with the caller.
	Xmit(p *pkt.Packet, txq int) bool
}

// Net is what the devices of one network namespace share: the clock, the
// kinds, the shared filter blocks, and the auto-handle counter (which in the
// kernel is global; pass the same Handles to every Net to keep that).
type Net struct {
	Clock clock.Clock
	Kinds *Registry
	// Default is net.core.default_qdisc: the kind a queue that needs a queue
	// gets by default (pfifo_fast unless set).
	Default *Kind
	Handles *Handles
	// Forwarder carries packets that actions send to another device of
	// the namespace (mirred); netdev sets it. Nil: such packets drop.
	Forwarder Forwarder
	// Names resolves device names for classifiers (filter_indev.go);
	// netdev sets it.
	Names DeviceNames

	blocks  map[uint32]*Block
	ports   blockPorts // block_ports.go
	actions *actNet    // act_api.go, made on first use
}

// NewNet returns a namespace's scheduling state.
func NewNet(clk clock.Clock, kinds *Registry, handles *Handles) *Net {
	return &Net{Clock: clk, Kinds: kinds, Handles: handles, blocks: map[uint32]*Block{}}
}

// Handles hands out qdisc auto-handles from 8001: upward (qdisc_alloc_handle).
type Handles struct {
	next uint32
}

// NewHandles returns a counter whose first handle is 8001:.
func NewHandles() *Handles { return &Handles{next: 0x80000000} }

// TxQueue is one transmit queue of a device (struct netdev_queue): the
// qdisc that runs while the device is up and the one that sleeps there
// while it is down.
type TxQueue struct {
	dev   *Dev
	index int
	// qdisc is the active root: noop while the device is down. The data
	// path reads it without the control lock.
	qdisc    atomic.Pointer[Qdisc]
	sleeping *Qdisc
	// stopped is the driver's flow control (netif_tx_stop_queue).
	stopped atomic.Bool
}

// Index is the queue's number on its device.
func (t *TxQueue) Index() int { return t.index }

// Dev returns the queue's device.
func (t *TxQueue) Dev() *Dev { return t.dev }

// Qdisc returns the active root qdisc.
func (t *TxQueue) Qdisc() *Qdisc { return t.qdisc.Load() }

// Sleeping returns the qdisc attached to the queue, active or not
// (qdisc_sleeping).
func (t *TxQueue) Sleeping() *Qdisc { return t.sleeping }

// hashBits is the size of the device's qdisc hash (DECLARE_HASHTABLE(qdisc_hash, 4)).
const hashBits = 4

// Dev is the scheduling half of a network device: its TX queues, its
// ingress queue, its root (dev->qdisc) and the hash of its qdiscs.
type Dev struct {
	link Link
	net  *Net
	txq  []*TxQueue
	// ingress is created on first use (dev_ingress_queue_create).
	ingress *TxQueue
	qdisc   *Qdisc
	// hash keeps the kernel's bucket order for dumps; byHandle finds
	// qdiscs by handle in O(1).
	hash     [1 << hashBits]*Qdisc
	byHandle map[tc.Handle]*Qdisc
	nhashed  int
}

// NewDev returns a device with numTx TX queues, all holding noop, as
// register_netdevice leaves them (dev_init_scheduler).
func NewDev(link Link, n *Net, numTx int) *Dev {
	d := &Dev{link: link, net: n, byHandle: map[tc.Handle]*Qdisc{}}
	d.txq = make([]*TxQueue, numTx)
	for i := range d.txq {
		t := &TxQueue{dev: d, index: i, sleeping: noopQdisc}
		t.qdisc.Store(noopQdisc)
		d.txq[i] = t
	}
	d.qdisc = noopQdisc
	return d
}

// Link returns the device's link side.
func (d *Dev) Link() Link { return d.link }

// Net returns the device's namespace state.
func (d *Dev) Net() *Net { return d.net }

// NumTxQueues is num_tx_queues.
func (d *Dev) NumTxQueues() int { return len(d.txq) }

// TxQueue returns queue i.
func (d *Dev) TxQueue(i int) *TxQueue { return d.txq[i] }

// IngressQueue returns the ingress queue, or nil if none was made.
func (d *Dev) IngressQueue() *TxQueue { return d.ingress }

// ingressQueueCreate makes the ingress queue on first use.
func (d *Dev) ingressQueueCreate() *TxQueue {
	if d.ingress == nil {
		t := &TxQueue{dev: d, index: -1, sleeping: noopQdisc}
		t.qdisc.Store(noopQdisc)
		d.ingress = t
	}
	return d.ingress
}

// Root returns dev->qdisc: the root the control plane sees.
func (d *Dev) Root() *Qdisc { return d.qdisc }

// Multiqueue is netif_is_multiqueue: more than one TX queue (allocated, not
// necessarily real).
func (d *Dev) Multiqueue() bool { return len(d.txq) > 1 }

func hash32(h tc.Handle) int { return int((uint32(h) * 0x61C88647) >> (32 - hashBits)) }

// hashAdd puts q in the device hash (qdisc_hash_add); roots and ingress
// qdiscs are never there.
func (d *Dev) hashAdd(q *Qdisc, invisible bool) {
	if q.Parent == tc.Root || q.Flags&Ingress != 0 || q.hashed {
		return
	}
	b := hash32(q.Handle)
	q.hnext = d.hash[b]
	q.hprev = nil
	if q.hnext != nil {
		q.hnext.hprev = q
	}
	d.hash[b] = q
	q.hashed = true
	d.nhashed++
	if q.Handle != 0 {
		if _, dup := d.byHandle[q.Handle]; !dup {
			d.byHandle[q.Handle] = q
		}
	}
	if invisible {
		q.Flags |= Invisible
	}
}

// HashAdd is qdisc_hash_add for kinds that attach children themselves (mq).
func (d *Dev) HashAdd(q *Qdisc, invisible bool) { d.hashAdd(q, invisible) }

// hashDel removes q from the device hash (qdisc_hash_del).
func (d *Dev) hashDel(q *Qdisc) {
	if !q.hashed {
		return
	}
	if q.hprev != nil {
		q.hprev.hnext = q.hnext
	} else {
		d.hash[hash32(q.Handle)] = q.hnext
	}
	if q.hnext != nil {
		q.hnext.hprev = q.hprev
	}
	q.hprev, q.hnext, q.hashed = nil, nil, false
	d.nhashed--
	if d.byHandle[q.Handle] == q {
		delete(d.byHandle, q.Handle)
		// Another hashed qdisc may carry the same handle (only possible
		// for handles the kernel would also let collide); find it.
		for x := d.hash[hash32(q.Handle)]; x != nil; x = x.hnext {
			if x.Handle == q.Handle {
				d.byHandle[q.Handle] = x
				break
			}
		}
	}
}

// eachHashed calls fn on hashed qdiscs in the kernel's hash_for_each order.
func (d *Dev) eachHashed(fn func(q *Qdisc) bool) bool {
	for b := range d.hash {
		for q := d.hash[b]; q != nil; {
			next := q.hnext
			if !fn(q) {
				return false
			}
			q = next
		}
	}
	return true
}

// matchFromRoot is qdisc_match_from_root.
func (d *Dev) matchFromRoot(root *Qdisc, h tc.Handle) *Qdisc {
	if root.Flags&Builtin == 0 && root.Handle == h {
		return root
	}
	return d.byHandle[h]
}

// Lookup finds the qdisc with handle h among the device's egress tree and
// then its ingress queue (qdisc_lookup).
func (d *Dev) Lookup(h tc.Handle) *Qdisc {
	if h == 0 {
		return nil
	}
	if q := d.matchFromRoot(d.qdisc, h); q != nil {
		return q
	}
	if d.ingress != nil {
		if s := d.ingress.sleeping; s.Flags&Builtin == 0 && s.Handle == h {
			return s
		}
	}
	return nil
}

// NoopQdisc returns the builtin noop qdisc (&noop_qdisc).
func NoopQdisc() *Qdisc { return noopQdisc }
