// Package hhf is the heavy-hitter filter (sch_hhf.c): flows are sorted into
// two buckets, heavy hitters and the rest, served by weighted deficit round
// robin with the rest weighted non_hh_weight times more. A multistage
// filter (four arrays of byte counters indexed by chunks of the flow hash)
// catches a flow as a heavy hitter once all four of its counters pass
// admit_bytes within reset_timeout; heavy hitters are then remembered in an
// exact table until they idle for evict_timeout.
//
// Flow of a packet: Enqueue classifies it (table hit, else the filter,
// which may admit it to the table), appends it to its bucket, and over the
// limit drops from the heavy-hitter bucket first. Dequeue serves the new
// list (the non-heavy-hitter bucket on its first turn) before the old one,
// as fq_codel does.
package hhf

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Fixed sizes (sch_hhf.c).
const (
	FlowsCnt   = 1024 // HH_FLOWS_CNT: chains of the heavy-hitter table
	arraysCnt  = 4    // HHF_ARRAYS_CNT
	arraysLen  = 1024 // HHF_ARRAYS_LEN
	bitMaskLen = 10   // HHF_BIT_MASK_LEN
	bitMask    = 0x3ff
	bucketHH   = 0 // WDRR_BUCKET_FOR_HH
	bucketNon  = 1 // WDRR_BUCKET_FOR_NON_HH
	none       = -1
)

// Kind is hhf. It has no classes.
var Kind = &sched.Kind{
	ID:     "hhf",
	New:    func(q *sched.Qdisc) sched.Discipline { return &hhf{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*hhf)(nil)
	_ sched.Dumper      = (*hhf)(nil)
	_ sched.StatsDumper = (*hhf)(nil)
)

// hhFlow is a heavy hitter's entry (struct hh_flow_state), on a chain of
// the table; entries come from a fixed pool (the table never holds more
// than 2*FlowsCnt), so nothing allocates per packet.
type hhFlow struct {
	hashID       uint32
	hitTimestamp uint32 // jiffies
	prev, next   int32
}

// chain is a list of pool entries (a list_head of hh_flows).
type chain struct{ head, tail int32 }

// wdrrBucket is one of the two buckets (struct wdrr_bucket).
type wdrrBucket struct {
	head, tail *pkt.Packet
	deficit    int32
	list       *bucketList // nil when on no list
	next       *wdrrBucket
}

// bucketList is new_buckets or old_buckets.
type bucketList struct{ head, tail *wdrrBucket }

func (l *bucketList) pushBack(b *wdrrBucket) {
	b.list, b.next = l, nil
	if l.tail == nil {
		l.head = b
	} else {
		l.tail.next = b
	}
	l.tail = b
}

func (l *bucketList) popFront() *wdrrBucket {
	b := l.head
	l.head = b.next
	if l.head == nil {
		l.tail = nil
	}
	b.list, b.next = nil, nil
	return b
}

type hhf struct {
	q       *sched.Qdisc
	limit   uint32 // sch->limit, packets
	buckets [2]wdrrBucket
	newList bucketList
	oldList bucketList

	perturbation  uint32
	quantum       uint32
	dropOverlimit uint32

	table      []chain // hh_flows: FlowsCnt chains
	pool       []hhFlow
	free       int32 // first free pool entry
	flowsLimit uint32
	overlimit  uint32
	totalCnt   uint32
	currentCnt uint32

	arrays     [arraysCnt][arraysLen]uint32
	valid      [arraysCnt][arraysLen / 64]uint64
	resetStamp uint32 // jiffies of the last reset of the arrays

	resetTimeout uint32 // jiffies
	admitBytes   uint32
	evictTimeout uint32 // jiffies
	nonHHWeight  uint32
}

// now is hhf_time_stamp: jiffies, in 32 bits.
func (h *hhf) now() uint32 { return uint32(sched.Jiffies(h.q.Now())) }

func before(a, b uint32) bool { return int32(a-b) < 0 }

// Init sets the defaults, applies the options and makes the tables
// (hhf_init).
func (h *hhf) Init(opt *nl.Attr, ext *sched.Ext) error {
	h.limit = 1000
	h.quantum = aqm.PschedMTU(h.q)
	rnd := aqm.NewRand(aqm.Seed(h.q))
	h.perturbation = rnd.Uint32()
	h.resetTimeout = sched.HZ / 25
	h.admitBytes = 131072
	h.evictTimeout = sched.HZ
	h.nonHHWeight = 2
	if int32(h.quantum) <= 0 || uint64(h.quantum)*uint64(h.nonHHWeight) > 1<<31-1 {
		h.quantum = 256
	}
	h.flowsLimit = 2 * FlowsCnt
	if opt != nil {
		if err := h.Change(opt, ext); err != nil {
			return err
		}
	}
	if h.table == nil {
		h.table = make([]chain, FlowsCnt)
		for i := range h.table {
			h.table[i] = chain{none, none}
		}
		h.pool = make([]hhFlow, 2*FlowsCnt)
		for i := range h.pool {
			h.pool[i].next = int32(i + 1)
		}
		h.pool[len(h.pool)-1].next = none
		h.free = 0
		h.overlimit, h.totalCnt, h.currentCnt = 0, 0, 0
		h.resetStamp = h.now()
	}
	return nil
}

// Change applies options (hhf_change): the non-heavy-hitter quantum must
// stay within an int; the queue is trimmed to the new limit by dequeueing.
func (h *hhf) Change(opt *nl.Attr, _ *sched.Ext) error {
	tb, err := sched.ParseNestedDeprecated(opt, TCA_HHF_MAX, policy)
	if err != nil {
		return err
	}
	quantum, weight := h.quantum, h.nonHHWeight
	if a := tb.Get(TCA_HHF_QUANTUM); a != nil {
		quantum = a.U32()
	}
	if a := tb.Get(TCA_HHF_NON_HH_WEIGHT); a != nil {
		weight = a.U32()
	}
	if nq := uint64(quantum) * uint64(weight); nq == 0 || nq > 1<<31-1 {
		return syscall.EINVAL
	}
	if a := tb.Get(TCA_HHF_BACKLOG_LIMIT); a != nil {
		h.limit = a.U32()
	}
	h.quantum, h.nonHHWeight = quantum, weight
	if a := tb.Get(TCA_HHF_HH_FLOWS_LIMIT); a != nil {
		h.flowsLimit = a.U32()
	}
	if a := tb.Get(TCA_HHF_RESET_TIMEOUT); a != nil {
		h.resetTimeout = uint32(sched.UsecsToJiffies(a.U32()))
	}
	if a := tb.Get(TCA_HHF_ADMIT_BYTES); a != nil {
		h.admitBytes = a.U32()
	}
	if a := tb.Get(TCA_HHF_EVICT_TIMEOUT); a != nil {
		h.evictTimeout = uint32(sched.UsecsToJiffies(a.U32()))
	}
	q := h.q
	var n, bytes int
	for uint32(q.QLen) > h.limit {
		p := q.DequeueInternal(false)
		if p == nil {
			break
		}
		n++
		bytes += int(p.PktLen)
		p.Free()
	}
	q.TreeReduceBacklog(n, bytes)
	return nil
}

func (h *hhf) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_HHF_BACKLOG_LIMIT, h.limit)
	b.PutU32(TCA_HHF_QUANTUM, h.quantum)
	b.PutU32(TCA_HHF_HH_FLOWS_LIMIT, h.flowsLimit)
	b.PutU32(TCA_HHF_RESET_TIMEOUT, sched.JiffiesToUsecs(uint64(h.resetTimeout)))
	b.PutU32(TCA_HHF_ADMIT_BYTES, h.admitBytes)
	b.PutU32(TCA_HHF_EVICT_TIMEOUT, sched.JiffiesToUsecs(uint64(h.evictTimeout)))
	b.PutU32(TCA_HHF_NON_HH_WEIGHT, h.nonHHWeight)
	b.EndNest()
	return nil
}

func (h *hhf) DumpStats(d *sched.StatsDump) error {
	x := Xstats{h.dropOverlimit, h.overlimit, h.totalCnt, h.currentCnt}
	d.App(x.Encode())
	return nil
}

// Reset dequeues everything and empties the heavy-hitter table and the
// filter (hhf_reset).
func (h *hhf) Reset() {
	for p := h.Dequeue(); p != nil; p = h.Dequeue() {
		p.Free()
	}
	if h.table == nil {
		return
	}
	for i := range h.table {
		for e := h.table[i].head; e != none; {
			next := h.pool[e].next
			h.release(e)
			e = next
		}
		h.table[i] = chain{none, none}
	}
	h.currentCnt = 0
	h.valid = [arraysCnt][arraysLen / 64]uint64{}
	h.resetStamp = h.now()
}

// release returns a pool entry to the free list.
func (h *hhf) release(e int32) {
	h.pool[e] = hhFlow{next: h.free, prev: none}
	h.free = e
}

// unlink takes entry e off chain c.
func (h *hhf) unlink(c *chain, e int32) {
	f := &h.pool[e]
	if f.prev == none {
		c.head = f.next
	} else {
		h.pool[f.prev].next = f.next
	}
	if f.next == none {
		c.tail = f.prev
	} else {
		h.pool[f.next].prev = f.prev
	}
}

// seek looks a heavy hitter up in its chain, freeing expired entries on the
// way but keeping the last one for reuse (seek_list).
func (h *hhf) seek(hash uint32, c *chain, now uint32) int32 {
	for e := c.head; e != none; {
		f := &h.pool[e]
		next := f.next
		if before(f.hitTimestamp+h.evictTimeout, now) {
			if next == none {
				return none
			}
			h.unlink(c, e)
			h.release(e)
			h.currentCnt--
		} else if f.hashID == hash {
			return e
		}
		e = next
	}
	return none
}

// allocNew gives an entry for a new heavy hitter: an expired one of the
// chain, else a new one unless the table is at its limit (alloc_new_hh).
func (h *hhf) allocNew(c *chain, now uint32) int32 {
	for e := c.head; e != none; e = h.pool[e].next {
		if before(h.pool[e].hitTimestamp+h.evictTimeout, now) {
			return e
		}
	}
	if h.currentCnt >= h.flowsLimit || h.free == none {
		h.overlimit++
		return none
	}
	e := h.free
	h.free = h.pool[e].next
	h.currentCnt++
	f := &h.pool[e]
	*f = hhFlow{prev: c.tail, next: none}
	if c.tail == none {
		c.head = e
	} else {
		h.pool[c.tail].next = e
	}
	c.tail = e
	return e
}

func (h *hhf) testBit(i, pos uint32) bool { return h.valid[i][pos/64]&(1<<(pos%64)) != 0 }
func (h *hhf) setBit(i, pos uint32)       { h.valid[i][pos/64] |= 1 << (pos % 64) }

// classify picks the packet's bucket through the table and the multistage
// filter (hhf_classify).
func (h *hhf) classify(p *pkt.Packet) int {
	now := h.now()
	if before(h.resetStamp+h.resetTimeout, now) {
		h.valid = [arraysCnt][arraysLen / 64]uint64{}
		h.resetStamp = now
	}
	hash := inet.HashPerturb(p, h.perturbation)
	c := &h.table[hash&bitMask]
	if e := h.seek(hash, c, now); e != none {
		h.pool[e].hitTimestamp = now
		return bucketHH
	}
	// Three 10-bit chunks of the hash, and their XOR with the rest.
	var pos [arraysCnt]uint32
	tmp, xorsum := hash, uint32(0)
	for i := 0; i < arraysCnt-1; i++ {
		pos[i] = tmp & bitMask
		xorsum ^= pos[i]
		tmp >>= bitMaskLen
	}
	pos[arraysCnt-1] = xorsum ^ tmp
	minVal := ^uint32(0)
	for i := uint32(0); i < arraysCnt; i++ {
		if !h.testBit(i, pos[i]) {
			h.arrays[i][pos[i]] = 0
			h.setBit(i, pos[i])
		}
		if v := h.arrays[i][pos[i]] + p.PktLen; v < minVal {
			minVal = v
		}
	}
	if minVal > h.admitBytes {
		// A new heavy hitter; its bytes stay out of the arrays
		// (shielding).
		e := h.allocNew(c, now)
		if e == none {
			return bucketNon
		}
		h.pool[e].hashID = hash
		h.pool[e].hitTimestamp = now
		h.totalCnt++
		return bucketHH
	}
	// Conservative update.
	for i := 0; i < arraysCnt; i++ {
		if h.arrays[i][pos[i]] < minVal {
			h.arrays[i][pos[i]] = minVal
		}
	}
	return bucketNon
}

func (b *wdrrBucket) add(p *pkt.Packet) {
	p.Next = nil
	if b.head == nil {
		b.head = p
	} else {
		b.tail.Next = p
	}
	b.tail = p
}

func (b *wdrrBucket) popHead() *pkt.Packet {
	p := b.head
	b.head = p.Next
	p.Next = nil
	return p
}

// drop drops the head of the heavy-hitter bucket, else of the other, and
// returns the bucket (hhf_drop).
func (h *hhf) drop() int {
	idx := bucketHH
	if h.buckets[idx].head == nil {
		idx = bucketNon
	}
	if b := &h.buckets[idx]; b.head != nil {
		p := b.popHead()
		h.q.QLen--
		h.q.Qstats.Backlog -= p.PktLen
		h.q.Drop(p)
	}
	return idx
}

func (h *hhf) weight(idx int) uint32 {
	if idx == bucketHH {
		return 1
	}
	return h.nonHHWeight
}

// Enqueue is hhf_enqueue.
func (h *hhf) Enqueue(p *pkt.Packet) sched.Verdict {
	q := h.q
	idx := h.classify(p)
	b := &h.buckets[idx]
	b.add(p)
	q.Qstats.Backlog += p.PktLen
	if b.list == nil {
		// Heavy hitters always go to the old list; the others get the
		// new list's priority, as fq_codel's new flows.
		if idx == bucketHH {
			h.oldList.pushBack(b)
		} else {
			h.newList.pushBack(b)
		}
		b.deficit = int32(h.weight(idx) * h.quantum)
	}
	q.QLen++
	if uint32(q.QLen) <= h.limit {
		return sched.Success
	}
	prev := q.Qstats.Backlog
	h.dropOverlimit++
	if h.drop() == idx {
		return sched.CN
	}
	q.TreeReduceBacklog(1, int(prev-q.Qstats.Backlog))
	return sched.Success
}

// Dequeue is hhf_dequeue.
func (h *hhf) Dequeue() *pkt.Packet {
	q := h.q
	for {
		l := &h.newList
		if l.head == nil {
			l = &h.oldList
			if l.head == nil {
				return nil
			}
		}
		b := l.head
		if b.deficit <= 0 {
			idx := 0
			if b == &h.buckets[bucketNon] {
				idx = bucketNon
			}
			b.deficit += int32(h.weight(idx) * h.quantum)
			l.popFront()
			h.oldList.pushBack(b)
			continue
		}
		if b.head == nil {
			// Force a pass through the old list against starvation.
			l.popFront()
			if l == &h.newList && h.oldList.head != nil {
				h.oldList.pushBack(b)
			}
			continue
		}
		p := b.popHead()
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
		q.Bstats.Update(p)
		b.deficit -= int32(p.PktLen)
		return p
	}
}

// Peek is qdisc_peek_dequeued.
func (h *hhf) Peek() *pkt.Packet { return h.q.PeekDequeued() }

// Flows reports the heavy hitters now in the table (for tests).
func Flows(q *sched.Qdisc) uint32 { return q.Discipline.(*hhf).currentCnt }
