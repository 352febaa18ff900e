package netdev

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"syscall"
)

var errNoBufs error = syscall.ENOBUFS

// EchoReply is an ICMP echo reply that reached a Pinger.
type EchoReply struct {
	Seq   uint16
	From  netip.Addr
	Bytes int   // ICMP length: header and data, as ping prints it
	TTL   uint8 // the reply's IP TTL
	At    int64 // arrival time on the namespace's clock, ns
}

// Pinger is a raw ICMP socket of the host stack with its own echo
// identifier: it sends echo requests and keeps the replies to them until
// taken. Send and Close need the control lock; Ready and Take do not, so
// a pinger can wait for replies without holding it.
type Pinger struct {
	h  *Host
	ID uint16

	mu      sync.Mutex // guards replies
	replies []EchoReply
	ready   chan struct{}
}

// NewPinger opens a pinger with an identifier no other open pinger of the
// namespace has.
func (h *Host) NewPinger() *Pinger {
	for h.pingers[h.nextID] != nil || h.nextID == 0 {
		h.nextID++
	}
	pg := &Pinger{h: h, ID: h.nextID, ready: make(chan struct{}, 1)}
	h.nextID += 0x1f1 // spread identifiers as ping's random ones are
	h.pingers[pg.ID] = pg
	return pg
}

// Close stops delivery to the pinger.
func (pg *Pinger) Close() {
	if pg.h.pingers[pg.ID] == pg {
		delete(pg.h.pingers, pg.ID)
	}
}

// deliver keeps a reply and wakes the waiter; it never blocks.
func (pg *Pinger) deliver(r EchoReply) {
	pg.mu.Lock()
	pg.replies = append(pg.replies, r)
	pg.mu.Unlock()
	select {
	case pg.ready <- struct{}{}:
	default:
	}
}

// Ready is signalled when replies may be waiting.
func (pg *Pinger) Ready() <-chan struct{} { return pg.ready }

// Take returns the replies received so far and forgets them.
func (pg *Pinger) Take() []EchoReply {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	r := pg.replies
	pg.replies = nil
	return r
}

// Echo describes one echo request.
type Echo struct {
	Seq     uint16
	DataLen int   // bytes of data after the ICMP header (ping -s)
	TOS     uint8 // IP_TOS of the socket (ping -Q); the priority follows
	Stamp   int64 // sender's timestamp, written into the data when it fits
}

// Send builds an echo request as ping does (the data counts up from 0,
// with a timestamp in front when there is room for one) and sends it by
// route rt. The error is what sendmsg would return.
func (pg *Pinger) Send(rt Route, e Echo) error {
	if rt.Dev == nil || rt.Dev.dead {
		return syscall.ENODEV
	}
	if e.DataLen < 0 || EchoFrameLen(e.DataLen)-ethHdrLen > 0xffff {
		return syscall.EMSGSIZE
	}
	h := pg.h
	p := h.ns.Pool().Get()
	p.SetLen(EchoFrameLen(e.DataLen))
	data := p.Data[ethHdrLen+ipv4HdrLen+icmpHdrLen:]
	for i := range data {
		data[i] = byte(i)
	}
	if len(data) >= 16 {
		// struct timeval, as ping puts it there (little-endian longs).
		binary.LittleEndian.PutUint64(data[0:], uint64(e.Stamp/1e9))
		binary.LittleEndian.PutUint64(data[8:], uint64(e.Stamp%1e9/1e3))
	}
	putICMPEcho(p.Data[ethHdrLen+ipv4HdrLen:], icmpEchoRequest, pg.ID, e.Seq)
	return h.ipOutput(p, rt, rt.Src, e.TOS)
}
