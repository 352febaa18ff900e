// Package pkt holds the packet the scheduler moves: the frame's bytes with
// their header offsets and the metadata that qdiscs, classifiers and actions
// read and write (the parts of struct sk_buff that traffic control uses).
// Packets come from a Pool and go back to it; nothing on the data path
// allocates.
package pkt

// Packet is one frame on its way through a device.
type Packet struct {
	// Data holds the frame from its link-layer header on. Its capacity is
	// the buffer the Pool gave; headers may be pushed in front by moving
	// Data back into Headroom.
	Data []byte
	buf  []byte

	// PktLen is the length the scheduler accounts (qdisc_pkt_len): the size
	// table's answer if the root has one, else len(Data).
	PktLen uint32

	// Protocol is the link-layer protocol (skb->protocol), an EtherType in
	// host order (0x0800 for IPv4).
	Protocol uint16
	// MACLen is the length of the link-layer header at the start of Data;
	// Network and Transport are offsets into Data (-1 when unknown).
	MACLen    int16
	Network   int16
	Transport int16

	Mark         uint32
	Priority     uint32 // skb->priority
	QueueMapping uint16
	TCIndex      uint16
	Hash         uint32 // flow hash, 0 when not computed
	VLANTCI      uint16 // accelerated VLAN tag
	VLANProto    uint16 // its protocol (0x8100, 0x88a8); 0: no tag

	// Ifindex of the device the packet arrived on (skb->skb_iif).
	InIfindex int32

	// CgroupClassID is the net_cls class id of the sending socket's
	// cgroup (what cls_cgroup reads); RouteClassID is the realms of the
	// route the packet took (dst->tclassid: from realm << 16 | to
	// realm), 0 when it was not routed. The sender sets both.
	CgroupClassID uint32
	RouteClassID  uint32

	// Traffic-control state the kernel keeps in skb bits and per-CPU
	// variables. AtIngress is skb->tc_at_ingress: the packet is in a
	// device's ingress hook (its Data still starts at the MAC header
	// there, unlike the kernel's, whose data is pulled to the network
	// header). PktType is skb->pkt_type (PACKET_HOST, ...). MirredNest
	// counts the mirred hops the packet made (mirred drops it past its
	// recursion limit). Tunnel is the tunnel metadata tunnel_key set
	// (the kernel's metadata dst), nil when none.
	AtIngress bool
	// Dev is the device the packet is on (skb->dev): a *sched.Dev while
	// it is in traffic control, set by the hooks and Transmit.
	Dev        any
	PktType    uint8
	MirredNest uint8
	Tunnel     *TunnelInfo

	// Tstamp is when the packet entered the qdisc that timestamps it (ns);
	// TimeToSend is for qdiscs that hold packets until a time (netem, fq).
	Tstamp     int64
	TimeToSend int64

	// Cb is scratch space a qdisc may use while it owns the packet
	// (qdisc_skb_cb's data[]).
	Cb [4]uint64

	// Next links packets in queues; owned by whoever queues the packet.
	Next *Packet

	// Flow, Seq and Sent belong to the traffic source that made the packet
	// (the simulator's flow id, sequence number and send time).
	Flow uint32
	Seq  uint64
	Sent int64

	pool *Pool
}

// Len is the frame length in bytes (skb->len).
func (p *Packet) Len() int { return len(p.Data) }

// Free returns the packet to its pool (kfree_skb). A packet without a pool is
// left to the garbage collector.
func (p *Packet) Free() {
	if p.pool != nil {
		p.pool.put(p)
	}
}

// reset clears the metadata, keeping the buffer.
func (p *Packet) reset() {
	buf, pool := p.buf, p.pool
	*p = Packet{buf: buf, pool: pool, Network: -1, Transport: -1}
	p.Data = buf[:0]
}

// SetLen makes Data n bytes long, growing the buffer if needed (which
// allocates: pools should be sized for the largest frame).
func (p *Packet) SetLen(n int) {
	if n > cap(p.buf) {
		nb := make([]byte, n)
		copy(nb, p.Data)
		p.buf = nb
	}
	p.Data = p.buf[:n]
}

// Clone returns a copy of p drawn from p's pool (skb_clone, as a real copy
// here); a packet without a pool gets a new buffer.
func (p *Packet) Clone() *Packet {
	q := &Packet{Network: -1, Transport: -1}
	if p.pool != nil {
		q = p.pool.Get()
	}
	q.CopyFrom(p)
	return q
}

// CopyFrom gives p the same bytes and metadata as q (for duplicates).
func (p *Packet) CopyFrom(q *Packet) {
	p.SetLen(len(q.Data))
	copy(p.Data, q.Data)
	buf, pool, data := p.buf, p.pool, p.Data
	*p = *q
	p.buf, p.pool, p.Data, p.Next = buf, pool, data, nil
}

// TunnelInfo is the metadata of a tunnel a packet is to be sent through
// (struct ip_tunnel_info): what tunnel_key set sets and a later
// classifier or tunnel device would read. It is shared, never written
// once set.
type TunnelInfo struct {
	IPv6     bool
	Src, Dst [16]byte // IPv4 addresses in the first 4 bytes
	KeyID    uint32   // with FlagKey
	DstPort  uint16   // the port (host order; the kernel keeps tp_dst in network order); 0 for none
	TOS, TTL uint8
	Flags    uint16 // TUNNEL_* bits: key, csum, dont-fragment, options type
	// Options are the encapsulation options in the kernel's layout
	// (geneve TLVs, vxlan or erspan metadata).
	Options []byte
}
