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
	VLANTCI      uint16 // accelerated VLAN tag (0: none)
	VLANProto    uint16

	// Ifindex of the device the packet arrived on (skb->skb_iif).
	InIfindex int32

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

// CopyFrom gives p the same bytes and metadata as q (for duplicates).
func (p *Packet) CopyFrom(q *Packet) {
	p.SetLen(len(q.Data))
	copy(p.Data, q.Data)
	buf, pool, data := p.buf, p.pool, p.Data
	*p = *q
	p.buf, p.pool, p.Data, p.Next = buf, pool, data, nil
}
