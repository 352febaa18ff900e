package pkt

import "sync"

// Pool hands out packets with buffers of a fixed capacity and takes them back.
// Get and Free are safe for concurrent use and, once the pool is warm, do not
// allocate.
type Pool struct {
	size int
	p    sync.Pool
	// OnFree, when set, sees every packet returned to the pool before its
	// metadata is cleared: a destructor for its owner's accounting (the
	// simulator's TCP counts the bytes its sockets have below them, as
	// the kernel's skb destructor does for TCP small queues). Set it
	// before the pool is shared.
	OnFree func(p *Packet)
}

// NewPool returns a pool of packets whose buffers hold size bytes.
func NewPool(size int) *Pool {
	pl := &Pool{size: size}
	pl.p.New = func() any {
		p := &Packet{buf: make([]byte, size), pool: pl}
		p.reset()
		return p
	}
	return pl
}

// Get returns a packet with empty Data and cleared metadata.
func (pl *Pool) Get() *Packet {
	p := pl.p.Get().(*Packet)
	return p
}

func (pl *Pool) put(p *Packet) {
	if pl.OnFree != nil {
		pl.OnFree(p)
	}
	p.reset()
	pl.p.Put(p)
}

// List is a FIFO of packets linked through Next, as struct qdisc_skb_head:
// head, tail and count, with no allocation.
type List struct {
	Head, Tail *Packet
	Len        int
}

// PushBack appends p.
func (l *List) PushBack(p *Packet) {
	p.Next = nil
	if l.Tail == nil {
		l.Head = p
	} else {
		l.Tail.Next = p
	}
	l.Tail = p
	l.Len++
}

// PushFront prepends p.
func (l *List) PushFront(p *Packet) {
	p.Next = l.Head
	l.Head = p
	if l.Tail == nil {
		l.Tail = p
	}
	l.Len++
}

// PopFront removes and returns the first packet, or nil.
func (l *List) PopFront() *Packet {
	p := l.Head
	if p == nil {
		return nil
	}
	l.Head = p.Next
	if l.Head == nil {
		l.Tail = nil
	}
	p.Next = nil
	l.Len--
	return p
}
