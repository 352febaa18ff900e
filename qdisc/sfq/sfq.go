// Package sfq is stochastic fairness queueing (sch_sfq.c): packets are
// hashed into flows (slots), at most depth packets each, served round robin
// with a quantum of bytes per turn; over the limit the longest flow loses
// its tail (or head, with headdrop). With redflowlimit each flow also runs
// RED on its own backlog (SFQRED, package aqm's RED).
//
// Flow of a packet: Enqueue classifies it (priority naming a slot, filters,
// else the perturbed flow hash) to a bucket of the hash table, which points
// at a slot; a new flow takes a free slot and joins the round at its tail
// with a quantum of credit. Dequeue serves the slot after the tail: a slot
// out of credit gets a quantum and the round moves on. Slots are kept in
// lists by their length (dep[]) so that the longest one is found at once.
package sfq

import (
	"syscall"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Limits and defaults (sch_sfq.c).
const (
	MaxDepth       = 127                          // SFQ_MAX_DEPTH: packets per flow
	DefaultFlows   = 128                          // SFQ_DEFAULT_FLOWS
	MaxFlows       = 0x10000 - MaxDepth - 1       // SFQ_MAX_FLOWS
	emptySlot      = 0xffff                       // SFQ_EMPTY_SLOT
	DefaultDivisor = 1024                         // SFQ_DEFAULT_HASH_DIVISOR
	maxPerturb     = (1<<31 - 1) / sched.HZ       // INT_MAX / HZ seconds
	modName        = "sch_sfq: "                  // NL_SET_ERR_MSG_MOD's prefix
	noTail         = -1                           // q->tail == NULL
	depBase        = MaxFlows                     // dep[] indexes follow the slots
	depLen         = MaxDepth + 1                 // dep[0..127]
	redFlags       = aqm.REDECN | aqm.REDHarddrop // the flags SFQRED looks at
)

// Kind is sfq.
var Kind = &sched.Kind{
	ID:     "sfq",
	New:    func(q *sched.Qdisc) sched.Discipline { return &sfq{q: q} },
	Syntax: Syntax,
}

// sfq has no change operation: the kernel's .change is NULL, so `tc qdisc
// change ... sfq` is refused by the core.
var (
	_ sched.Dumper           = (*sfq)(nil)
	_ sched.Destroyer        = (*sfq)(nil)
	_ sched.Classful         = (*sfq)(nil)
	_ sched.ClassStatsDumper = (*sfq)(nil)
	_ sched.BlockOwner       = (*sfq)(nil)
	_ sched.FilterBinder     = (*sfq)(nil)
)

// depHead links a slot into the list of slots of its length; indexes below
// MaxFlows are slots, the others dep[] heads (struct sfq_head).
type depHead struct{ next, prev uint16 }

// slot is one flow (struct sfq_slot): a FIFO through Packet.Next.
type slot struct {
	head, tail *pkt.Packet
	qlen       uint16
	next       uint16 // next slot in the round
	dep        depHead
	hash       uint16 // its bucket in ht
	allot      int32  // credit, bytes
	backlog    uint32 // bytes
	vars       aqm.REDVars
}

type sfq struct {
	q        *sched.Qdisc
	limit    uint32 // packets
	divisor  uint32
	headdrop bool
	maxdepth uint32
	maxflows uint32
	quantum  uint32
	flags    uint8
	// perturbPeriod is in jiffies.
	perturbPeriod int64
	perturbation  uint32 // the flow hash's seed (siphash key in the kernel)
	curDepth      uint32 // length of the longest slot

	block *sched.Block
	ht    []uint16 // bucket -> slot
	slots []slot
	red   *aqm.REDParms
	stats REDStats
	tail  int32 // the slot at the end of the round, or noTail
	dep   [depLen]depHead

	rnd   aqm.Rand
	timer clock.Timer
}

func (s *sfq) depHead(i uint16) *depHead {
	if i < MaxFlows {
		return &s.slots[i].dep
	}
	return &s.dep[i-depBase]
}

// link puts slot x on the list of its length (sfq_link).
func (s *sfq) link(x uint16) {
	sl := &s.slots[x]
	ql := sl.qlen
	p := ql + depBase
	n := s.dep[ql].next
	sl.dep = depHead{next: n, prev: p}
	s.dep[ql].next = x
	s.depHead(n).prev = x
}

func (s *sfq) unlink(x uint16) (n, p uint16) {
	n, p = s.slots[x].dep.next, s.slots[x].dep.prev
	s.depHead(p).next = n
	s.depHead(n).prev = p
	return n, p
}

// dec and inc move slot x to the list of its new length (sfq_dec, sfq_inc).
func (s *sfq) dec(x uint16) {
	n, p := s.unlink(x)
	d := uint32(s.slots[x].qlen)
	s.slots[x].qlen--
	if n == p && s.curDepth == d {
		s.curDepth--
	}
	s.link(x)
}

func (s *sfq) inc(x uint16) {
	s.unlink(x)
	s.slots[x].qlen++
	if d := uint32(s.slots[x].qlen); s.curDepth < d {
		s.curDepth = d
	}
	s.link(x)
}

func (sl *slot) add(p *pkt.Packet) {
	p.Next = nil
	if sl.head == nil {
		sl.head = p
	} else {
		sl.tail.Next = p
	}
	sl.tail = p
}

func (sl *slot) popHead() *pkt.Packet {
	p := sl.head
	sl.head = p.Next
	if sl.head == nil {
		sl.tail = nil
	}
	p.Next = nil
	return p
}

// popTail removes the last packet. The list is singly linked, so this
// walks it: at most depth (127) packets, and only when dropping.
func (sl *slot) popTail() *pkt.Packet {
	p := sl.tail
	if sl.head == p {
		sl.head, sl.tail = nil, nil
		return p
	}
	prev := sl.head
	for prev.Next != p {
		prev = prev.Next
	}
	prev.Next = nil
	sl.tail = prev
	return p
}

// hash is sfq_hash: the flow hash with our perturbation, within divisor.
func (s *sfq) hash(p *pkt.Packet) uint32 {
	return inet.HashPerturb(p, s.perturbation) & (s.divisor - 1)
}

// classify picks the packet's bucket, 1-based, or 0 with the verdict of a
// filter that took or dropped it (sfq_classify).
func (s *sfq) classify(p *pkt.Packet) (uint32, sched.Verdict) {
	prio := tc.Handle(p.Priority)
	if prio.Maj() == s.q.Handle && prio.Minor() > 0 && uint32(prio.Minor()) <= s.divisor {
		return uint32(prio.Minor()), 0
	}
	if !s.block.HasFilters() {
		return s.hash(p) + 1, 0
	}
	var res sched.Result
	switch v := s.block.Classify(p, &res); {
	case v == sched.ActStolen || v == sched.ActQueued || v == sched.ActTrap:
		return 0, sched.Success | sched.Stolen
	case v == sched.ActShot:
		return 0, sched.Success | sched.Bypass
	case v >= 0:
		if m := uint32(res.ClassID.Minor()); m <= s.divisor {
			return m, 0
		}
	}
	return 0, sched.Success | sched.Bypass
}

// Init sets the defaults, applies the options and makes the tables
// (sfq_init); the perturbation timer runs on the engine's clock.
func (s *sfq) Init(opt *nl.Attr, ext *sched.Ext) error {
	s.timer = s.q.Dev().Net().Clock.NewTimer(s.perturb)
	s.block = s.q.Dev().Net().GetBlock(0, s.q)
	for i := range s.dep {
		s.dep[i] = depHead{next: uint16(i + depBase), prev: uint16(i + depBase)}
	}
	s.limit = MaxDepth
	s.maxdepth = MaxDepth
	s.curDepth = 0
	s.tail = noTail
	s.divisor = DefaultDivisor
	s.maxflows = DefaultFlows
	s.quantum = min(max(aqm.PschedMTU(s.q), 256), 1<<20)
	s.perturbPeriod = 0
	s.rnd = aqm.NewRand(aqm.Seed(s.q))
	s.perturbation = s.rnd.Uint32()
	if opt != nil {
		if err := s.change(opt); err != nil {
			return err
		}
	}
	s.ht = make([]uint16, s.divisor)
	for i := range s.ht {
		s.ht[i] = emptySlot
	}
	s.slots = make([]slot, s.maxflows)
	for i := range s.slots {
		s.link(uint16(i))
	}
	return nil
}

// change applies options (sfq_change): checked first, then committed, then
// the queue is trimmed to the new limit from the longest flows.
func (s *sfq) change(opt *nl.Attr) error {
	o, v1, err := Decode(opt.Data)
	if err != nil {
		return err
	}
	if o.Divisor != 0 && (o.Divisor&(o.Divisor-1) != 0 || o.Divisor > 65536) {
		return syscall.EINVAL
	}
	if int32(o.Quantum) < 0 {
		return sched.Err(syscall.EINVAL, modName+"invalid quantum")
	}
	if o.PerturbPeriod < 0 || o.PerturbPeriod > maxPerturb {
		return sched.Err(syscall.EINVAL, modName+"invalid perturb period")
	}
	if v1 && !aqm.REDCheckParams(o.QthMin, o.QthMax, o.Wlog, o.ScellLog, nil) {
		return syscall.EINVAL
	}
	var p *aqm.REDParms
	if v1 && o.QthMin != 0 {
		p = new(aqm.REDParms)
	}
	limit, divisor, headdrop := s.limit, s.divisor, s.headdrop
	maxdepth, maxflows, quantum, flags := s.maxdepth, s.maxflows, s.quantum, s.flags
	if o.Quantum != 0 {
		quantum = o.Quantum
	}
	if o.Flows != 0 {
		maxflows = min(o.Flows, MaxFlows)
	}
	if o.Divisor != 0 {
		divisor = o.Divisor
		maxflows = min(maxflows, divisor)
	}
	if v1 {
		if o.Depth != 0 {
			maxdepth = min(o.Depth, MaxDepth)
		}
		if p != nil {
			p.Set(o.QthMin, o.QthMax, o.Wlog, o.Plog, o.ScellLog, nil, o.MaxP)
		}
		flags = o.Flags
		headdrop = o.Headdrop != 0
	}
	if o.Qopt.Limit != 0 {
		limit = min(o.Qopt.Limit, maxdepth*maxflows)
		maxflows = min(maxflows, limit)
	}
	if limit == 1 {
		return sched.Err(syscall.EINVAL, modName+"invalid limit")
	}
	s.limit, s.divisor, s.headdrop = limit, divisor, headdrop
	s.maxdepth, s.maxflows = maxdepth, maxflows
	s.perturbPeriod = int64(o.PerturbPeriod) * sched.HZ
	s.quantum, s.flags = quantum, flags
	if p != nil {
		s.red = p
	}
	q := s.q
	qlen := q.QLen
	var dropped uint32
	for uint32(q.QLen) > s.limit {
		dropped += s.drop()
	}
	q.TreeReduceBacklog(qlen-q.QLen, int(dropped))
	s.timer.Stop()
	if s.perturbPeriod != 0 {
		s.arm()
		s.perturbation = s.rnd.Uint32()
	}
	return nil
}

// arm sets the perturbation timer a period from now (mod_timer).
func (s *sfq) arm() {
	now := s.q.Now()
	s.timer.Reset(sched.JiffiesToNs(sched.Jiffies(now) + uint64(s.perturbPeriod)))
}

// perturb is the timer (sfq_perturbation): a new hash seed, and the queued
// packets rehashed so that no flow is reordered, unless filters choose the
// flows.
func (s *sfq) perturb() {
	l := s.q.RootLock()
	l.Lock()
	defer l.Unlock()
	s.perturbation = s.rnd.Uint32()
	if !s.block.HasFilters() && s.tail != noTail {
		s.rehash()
	}
	if s.perturbPeriod != 0 {
		s.arm()
	}
}

// Destroy stops the timer and lets the filter block go (sfq_destroy).
func (s *sfq) Destroy() {
	s.perturbPeriod = 0
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.block != nil {
		s.q.Dev().Net().PutBlock(s.block)
		s.block = nil
	}
}

// Reset dequeues and frees everything (sfq_reset).
func (s *sfq) Reset() {
	for p := s.Dequeue(); p != nil; p = s.Dequeue() {
		p.Free()
	}
}

func (s *sfq) Dump(b *nl.Builder) error {
	o := QoptV1{
		Qopt: Qopt{
			Quantum:       s.quantum,
			PerturbPeriod: int32(s.perturbPeriod / sched.HZ),
			Limit:         s.limit,
			Divisor:       s.divisor,
			Flows:         s.maxflows,
		},
		Depth: s.maxdepth,
		Flags: s.flags,
		Stats: s.stats,
	}
	if s.headdrop {
		o.Headdrop = 1
	}
	if p := s.red; p != nil {
		o.QthMin = p.QthMin >> p.Wlog
		o.QthMax = p.QthMax >> p.Wlog
		o.Wlog, o.Plog, o.ScellLog = p.Wlog, p.Plog, p.ScellLog
		o.MaxP = p.MaxP
	}
	b.Put(sched.TCA_OPTIONS, o.Encode())
	return nil
}
