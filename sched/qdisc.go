package sched

import (
	"sync"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
)

// Flags are a qdisc's TCQ_F_* flags that the core reads.
type Flags uint32

// Qdisc flags.
const (
	Builtin    Flags = 1 << iota // TCQ_F_BUILTIN: noop; never dumped, never freed
	Ingress                      // TCQ_F_INGRESS: ingress and clsact
	OneTxQueue                   // TCQ_F_ONETXQUEUE
	NoParent                     // TCQ_F_NOPARENT: a per-queue root below mq; backlog stops here
	MQRoot                       // TCQ_F_MQROOT: mq and mqprio
	Invisible                    // TCQ_F_INVISIBLE: hidden from dumps unless asked
	Offloaded                    // TCQ_F_OFFLOADED
)

// BasicStats are the bytes and packets a qdisc or class sent (gnet_stats_basic).
type BasicStats struct {
	Bytes   uint64
	Packets uint64
}

// Update counts one packet of PktLen bytes.
func (s *BasicStats) Update(p *pkt.Packet) {
	s.Bytes += uint64(p.PktLen)
	s.Packets++
}

// QueueStats are gnet_stats_queue without qlen, which is Qdisc.QLen.
type QueueStats struct {
	Backlog    uint32 // bytes queued
	Drops      uint32
	Requeues   uint32
	Overlimits uint32
}

// Qdisc is one queueing discipline in a tree: the generic part the core
// manages (struct Qdisc) around the kind's Discipline.
type Qdisc struct {
	Discipline
	kind *Kind

	Handle tc.Handle
	Parent tc.Handle
	Flags  Flags

	// QLen is the number of packets in this qdisc and below (q.qlen).
	QLen   int
	Bstats BasicStats
	Qstats QueueStats

	// List is the packet queue simple qdiscs keep (sch->q); classful kinds
	// leave it empty and keep only QLen.
	List pkt.List

	dev    *Dev
	queue  *TxQueue // the TX queue this qdisc belongs to (dev_queue)
	refcnt int
	depth  int

	stab *SizeTable
	est  *Estimator

	// requeued holds a packet the driver refused or that a peek took out
	// (the kernel's gso_skb list).
	requeued pkt.List

	// mu guards the data-path state of the tree whose root this qdisc is;
	// see RootLock.
	mu sync.Mutex

	// dev hash membership (qdisc_hash_add): bucket neighbours.
	hprev, hnext *Qdisc
	hashed       bool

	deactivated bool
}

// Kind returns the qdisc's kind.
func (q *Qdisc) Kind() *Kind { return q.kind }

// Dev returns the device the qdisc belongs to.
func (q *Qdisc) Dev() *Dev { return q.dev }

// Queue returns the TX queue the qdisc belongs to.
func (q *Qdisc) Queue() *TxQueue { return q.queue }

// Refcnt is the reference count the kernel reports in tcm_info.
func (q *Qdisc) Refcnt() int { return q.refcnt }

// Stab returns the size table, or nil.
func (q *Qdisc) Stab() *SizeTable { return q.stab }

// IsNoop reports whether q is the builtin noop qdisc.
func (q *Qdisc) IsNoop() bool { return q.kind == noopKind }

// Root returns the root of the tree q is in: the sleeping qdisc of its queue
// (qdisc_root_sleeping).
func (q *Qdisc) Root() *Qdisc {
	if q.queue == nil {
		return q
	}
	return q.queue.sleeping
}

// RootLock returns the lock that guards q's tree (qdisc_root_sleeping_lock).
func (q *Qdisc) RootLock() *sync.Mutex { return &q.Root().mu }

// Backlog returns the queued bytes.
func (q *Qdisc) Backlog() uint32 { return q.Qstats.Backlog }

// Now reads the device's clock (ns).
func (q *Qdisc) Now() int64 { return q.dev.net.Clock.Now() }

// PacketLen is the length the scheduler accounts for p (qdisc_pkt_len).
func PacketLen(p *pkt.Packet) uint32 { return p.PktLen }

// EnqueueTail appends p to List and counts it (qdisc_enqueue_tail).
func (q *Qdisc) EnqueueTail(p *pkt.Packet) Verdict {
	q.List.PushBack(p)
	q.QLen++
	q.Qstats.Backlog += p.PktLen
	return Success
}

// DequeueHead removes the first packet of List and counts it as sent
// (qdisc_dequeue_head).
func (q *Qdisc) DequeueHead() *pkt.Packet {
	p := q.List.PopFront()
	if p != nil {
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
		q.Bstats.Update(p)
	}
	return p
}

// PeekHead returns the first packet of List.
func (q *Qdisc) PeekHead() *pkt.Packet { return q.List.Head }

// Drop frees p and counts a drop (qdisc_drop).
func (q *Qdisc) Drop(p *pkt.Packet) Verdict {
	q.Qstats.Drops++
	p.Free()
	return Dropped
}

// DropHead removes the first packet of List and drops it, returning its
// length (qdisc_queue_drop_head).
func (q *Qdisc) DropHead() uint32 {
	p := q.List.PopFront()
	if p == nil {
		return 0
	}
	n := p.PktLen
	q.QLen--
	q.Qstats.Backlog -= n
	q.Qstats.Drops++
	p.Free()
	return n
}

// ResetList frees every packet of List and clears the counters
// (qdisc_reset_queue).
func (q *Qdisc) ResetList() {
	for p := q.List.PopFront(); p != nil; p = q.List.PopFront() {
		p.Free()
	}
	q.QLen = 0
	q.Qstats.Backlog = 0
}

// Enqueue hands p to a child qdisc (qdisc_enqueue).
func Enqueue(child *Qdisc, p *pkt.Packet) Verdict { return child.Discipline.Enqueue(p) }

// DequeuePeeked dequeues from a child whose packet may have been taken out
// by PeekDequeued (qdisc_dequeue_peeked).
func (q *Qdisc) DequeuePeeked() *pkt.Packet {
	if p := q.requeued.PopFront(); p != nil {
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
		return p
	}
	return q.Discipline.Dequeue()
}

// PeekDequeued is the peek of qdiscs that can only dequeue: it dequeues one
// packet and holds it until DequeuePeeked takes it (qdisc_peek_dequeued).
func (q *Qdisc) PeekDequeued() *pkt.Packet {
	if p := q.requeued.Head; p != nil {
		return p
	}
	p := q.Discipline.Dequeue()
	if p != nil {
		q.requeued.PushBack(p)
		q.QLen++
		q.Qstats.Backlog += p.PktLen
	}
	return p
}

// resetAll is qdisc_reset: the kind's reset, then the held packets.
func (q *Qdisc) resetAll() {
	q.Discipline.Reset()
	for p := q.requeued.PopFront(); p != nil; p = q.requeued.PopFront() {
		p.Free()
	}
	q.QLen = 0
	q.Qstats.Backlog = 0
}

// TreeReduceBacklog tells q's ancestors that n packets of len bytes left q
// outside a dequeue (qdisc_tree_reduce_backlog): each parent's counts drop,
// and a parent whose child became empty hears of it through QlenNotify.
// n < 0 with len < 0 counts packets added (netem's duplicates).
func (q *Qdisc) TreeReduceBacklog(n, length int) {
	drops := n
	if drops < 0 {
		drops = 0
	}
	sch := q
	for {
		parentid := sch.Parent
		if parentid == 0 || parentid == tc.Root || sch.Flags&NoParent != 0 {
			return
		}
		notify := sch.QLen == 0
		p := sch.dev.Lookup(parentid.Maj())
		if p == nil {
			return
		}
		if notify {
			if cf, ok := p.Discipline.(Classful); ok {
				if qn, ok := p.Discipline.(QlenNotifier); ok {
					if c := cf.Find(parentid); c != nil {
						qn.QlenNotify(c)
					}
				}
			}
		}
		p.QLen -= n
		p.Qstats.Backlog -= uint32(length)
		p.Qstats.Drops += uint32(drops)
		sch = p
	}
}

// PurgeQueue resets a child and propagates the loss up the tree
// (qdisc_purge_queue), under the caller's tree lock.
func (q *Qdisc) PurgeQueue() {
	n, l := q.QLen, q.Qstats.Backlog
	q.resetAll()
	q.TreeReduceBacklog(n, int(l))
}

// Reset is qdisc_reset, for kinds resetting their children.
func (q *Qdisc) Reset() { q.resetAll() }

// TCMsg is struct tcmsg.
type TCMsg struct {
	Family  uint8
	Ifindex int32
	Handle  tc.Handle
	Parent  tc.Handle
	Info    uint32
}

// Encode appends the 20-byte tcmsg.
func (m *TCMsg) Encode(b *nl.Builder) {
	b.Raw([]byte{m.Family, 0, 0, 0})
	b.U32Raw(uint32(m.Ifindex))
	b.U32Raw(uint32(m.Handle))
	b.U32Raw(uint32(m.Parent))
	b.U32Raw(m.Info)
}
