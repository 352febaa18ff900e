// Package sfb is the sfb qdisc (sch_sfb.c): Stochastic Fair Blue (Feng,
// Kandlur, Saha and Shin, 1999) in front of a child qdisc, a pfifo by
// default. Each packet's flow hash picks one bin in each of 8 levels of 16
// bins; a bin's marking probability grows while its virtual queue is over
// target and decays while it is empty, and a packet is marked (ECN) or
// dropped with the smallest probability of its bins. A flow at probability
// 1 is unresponsive: it is rate-limited to penalty_rate packets per second.
// The hash is perturbed, and the perturbation changes every rehash
// interval, with a warm-up period of double buffering before it does.
package sfb

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// SFB geometry (SFB_*).
const (
	bucketShift = 4
	numBuckets  = 1 << bucketShift
	bucketMask  = numBuckets - 1
	levels      = 32 / bucketShift
	// MaxProb is SFB_MAX_PROB: probabilities are Q0.16.
	MaxProb = 0xFFFF
)

// Kind is sfb.
var Kind = &sched.Kind{
	ID:     "sfb",
	New:    func(q *sched.Qdisc) sched.Discipline { return &sfb{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer      = (*sfb)(nil)
	_ sched.Dumper       = (*sfb)(nil)
	_ sched.StatsDumper  = (*sfb)(nil)
	_ sched.Destroyer    = (*sfb)(nil)
	_ sched.Classful     = (*sfb)(nil)
	_ sched.ClassChanger = (*sfb)(nil)
	_ sched.ClassDeleter = (*sfb)(nil)
	_ sched.BlockOwner   = (*sfb)(nil)
	_ sched.FilterBinder = (*sfb)(nil)
)

// bucket is a bin: its virtual queue length and marking probability.
type bucket struct {
	qlen  uint16
	pMark uint16
}

// bins is one set of levels with its hash perturbation.
type bins struct {
	perturb uint32
	b       [levels][numBuckets]bucket
}

type sfb struct {
	q               *sched.Qdisc
	child           *sched.Qdisc
	block           *sched.Block
	rehashInterval  uint64 // jiffies
	warmupTime      uint64 // jiffies
	max             uint32
	binSize         uint32
	increment       uint32
	decrement       uint32
	limit           uint32
	penaltyRate     uint32
	penaltyBurst    uint32
	tokensAvail     uint32
	rehashTime      uint64 // jiffies
	tokenTime       uint64 // jiffies
	slot            uint8
	doubleBuffering bool
	bins            [2]bins
	rnd             aqm.Rand
	stats           struct{ earlydrop, penaltydrop, bucketdrop, queuedrop, childdrop, marked uint32 }
}

// The packet's hashes in the two bin sets sit in Cb[cbHashes], slot 0 in
// the low half (the kernel's sfb_skb_cb); 0 means none.
const cbHashes = 0

func hashOf(p *pkt.Packet, slot uint8) uint32 { return uint32(p.Cb[cbHashes] >> (32 * slot)) }

func setHash(p *pkt.Packet, slot uint8, h uint32) {
	p.Cb[cbHashes] = p.Cb[cbHashes]&^(0xffffffff<<(32*slot)) | uint64(h)<<(32*slot)
}

func probPlus(a, b uint32) uint32 { return min(a+b, MaxProb) }

func probMinus(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return 0
}

func (s *sfb) changeQlen(h uint32, slot uint8, up bool) {
	for i := 0; i < levels; i++ {
		b := &s.bins[slot].b[i][h&bucketMask]
		h >>= bucketShift
		if up && b.qlen < 0xFFFF {
			b.qlen++
		} else if !up && b.qlen > 0 {
			b.qlen--
		}
	}
}

// incrementQlen and decrementQlen count a packet in the bins of both
// slots it was hashed into.
func (s *sfb) incrementQlen(hashes uint64) {
	for slot := uint8(0); slot < 2; slot++ {
		if h := uint32(hashes >> (32 * slot)); h != 0 {
			s.changeQlen(h, slot, true)
		}
	}
}

func (s *sfb) decrementQlen(p *pkt.Packet) {
	for slot := uint8(0); slot < 2; slot++ {
		if h := hashOf(p, slot); h != 0 {
			s.changeQlen(h, slot, false)
		}
	}
}

// initPerturbation draws a new hash perturbation for a slot.
func (s *sfb) initPerturbation(slot uint8) { s.bins[slot].perturb = s.rnd.Uint32() }

func (s *sfb) swapSlot() {
	s.initPerturbation(s.slot)
	s.slot ^= 1
	s.doubleBuffering = false
}

// rateLimit reports whether an unresponsive flow's packet is over its
// penalty rate (sfb_rate_limit).
func (s *sfb) rateLimit(now uint64) bool {
	if s.penaltyRate == 0 || s.penaltyBurst == 0 {
		return true
	}
	if s.tokensAvail < 1 {
		age := min(10*sched.HZ, now-s.tokenTime)
		s.tokensAvail = uint32(age * uint64(s.penaltyRate) / sched.HZ)
		if s.tokensAvail > s.penaltyBurst {
			s.tokensAvail = s.penaltyBurst
		}
		s.tokenTime = now
		if s.tokensAvail < 1 {
			return true
		}
	}
	s.tokensAvail--
	return false
}

// updateBins walks a packet's bins, adjusting their probabilities, and
// returns the smallest queue and probability met.
func (s *sfb) updateBins(h uint32, slot uint8) (minqlen, pmin uint32) {
	minqlen, pmin = ^uint32(0), ^uint32(0)
	for i := 0; i < levels; i++ {
		b := &s.bins[slot].b[i][h&bucketMask]
		h >>= bucketShift
		if b.qlen == 0 {
			b.pMark = uint16(probMinus(uint32(b.pMark), s.decrement))
		} else if uint32(b.qlen) >= s.binSize {
			b.pMark = uint16(probPlus(uint32(b.pMark), s.increment))
		}
		minqlen = min(minqlen, uint32(b.qlen))
		pmin = min(pmin, uint32(b.pMark))
	}
	return minqlen, pmin
}

// Enqueue is sfb_enqueue.
func (s *sfb) Enqueue(p *pkt.Packet) sched.Verdict {
	q := s.q
	n := p.PktLen
	if uint32(q.QLen) >= s.limit {
		q.Qstats.Overlimits++
		s.stats.queuedrop++
		return s.drop(p)
	}
	now := sched.Jiffies(q.Now())
	if s.rehashInterval > 0 {
		limit := s.rehashTime + s.rehashInterval
		if int64(now-limit) > 0 {
			s.swapSlot()
			s.rehashTime = now
		} else if !s.doubleBuffering && s.warmupTime > 0 && int64(now-(limit-s.warmupTime)) > 0 {
			s.doubleBuffering = true
		}
	}
	slot := s.slot
	var h uint32
	if s.block.HasFilters() {
		// An external classifier's class id is the flow.
		var res sched.Result
		switch v := s.block.Classify(p, &res); {
		case v == sched.ActStolen || v == sched.ActQueued || v == sched.ActTrap:
			p.Free()
			return sched.Success | sched.Stolen
		case v == sched.ActShot || v < 0:
			q.Qstats.Drops++
			p.Free()
			return sched.Success | sched.Bypass
		}
		h = inet.HashWord(uint32(res.ClassID.Minor()), s.bins[slot].perturb)
	} else {
		h = inet.HashPerturb(p, s.bins[slot].perturb)
	}
	if h == 0 {
		h = 1
	}
	setHash(p, slot, h)
	minqlen, pmin := s.updateBins(h, slot)
	slot ^= 1
	setHash(p, slot, 0)
	if minqlen >= s.max {
		q.Qstats.Overlimits++
		s.stats.bucketdrop++
		return s.drop(p)
	}
	if pmin >= MaxProb {
		// An unresponsive flow: rate-limited, never marked.
		if s.doubleBuffering {
			h2 := inet.HashPerturb(p, s.bins[slot].perturb)
			if h2 == 0 {
				h2 = 1
			}
			setHash(p, slot, h2)
			s.updateBins(h2, slot)
		}
		if s.rateLimit(now) {
			q.Qstats.Overlimits++
			s.stats.penaltydrop++
			return s.drop(p)
		}
	} else if r := uint32(s.rnd.Uint16()) & MaxProb; r < pmin {
		// Marking that often means congestion or an unresponsive
		// flow: drop instead.
		if pmin > MaxProb/2 && r < (pmin-MaxProb/2)*2 {
			s.stats.earlydrop++
			return s.drop(p)
		}
		if inet.SetCE(p) {
			s.stats.marked++
		} else {
			s.stats.earlydrop++
			return s.drop(p)
		}
	}
	hashes := p.Cb[cbHashes]
	v := sched.Enqueue(s.child, p)
	if v == sched.Success {
		q.Qstats.Backlog += n
		q.QLen++
		s.incrementQlen(hashes)
	} else if v.IsDrop() {
		s.stats.childdrop++
		q.Qstats.Drops++
	}
	return v
}

func (s *sfb) drop(p *pkt.Packet) sched.Verdict {
	s.q.Drop(p)
	return sched.CN
}

func (s *sfb) Dequeue() *pkt.Packet {
	q := s.q
	p := s.child.Dequeue()
	if p != nil {
		q.Bstats.Update(p)
		q.Qstats.Backlog -= p.PktLen
		q.QLen--
		s.decrementQlen(p)
	}
	return p
}

func (s *sfb) Peek() *pkt.Packet { return s.child.Peek() }

func (s *sfb) Reset() {
	s.child.Reset()
	s.slot = 0
	s.doubleBuffering = false
	s.bins[0].b, s.bins[1].b = [levels][numBuckets]bucket{}, [levels][numBuckets]bucket{}
	s.initPerturbation(0)
}

// Destroy releases the block and the child.
func (s *sfb) Destroy() {
	if s.block != nil {
		s.q.Dev().Net().PutBlock(s.block)
	}
	if s.child != nil {
		s.child.Put()
	}
}

// Init takes the block, then the options or the defaults (sfb_init).
func (s *sfb) Init(opt *nl.Attr, ext *sched.Ext) error {
	s.rnd = aqm.NewRand(aqm.Seed(s.q))
	s.block = s.q.Dev().Net().GetBlock(0, s.q)
	s.child = sched.NoopQdisc()
	return s.Change(opt, ext)
}

// Change applies the parameters, or the defaults without options, with a
// new pfifo child and fresh bins (sfb_change).
func (s *sfb) Change(opt *nl.Attr, ext *sched.Ext) error {
	ctl := Defaults
	if opt != nil {
		c, err := parseOptions(opt)
		if err != nil {
			return err
		}
		ctl = c
	}
	limit := ctl.Limit
	if limit == 0 {
		limit = s.q.Dev().Link().TxQueueLen()
	}
	child, err := fifo.CreateDefault(s.q, fifo.PFIFO, limit, ext)
	if err != nil {
		return err
	}
	s.q.Dev().HashAdd(child, true)
	s.child.PurgeQueue()
	old := s.child
	s.child = child
	now := sched.Jiffies(s.q.Now())
	s.rehashInterval = sched.MsecsToJiffies(ctl.RehashInterval)
	s.warmupTime = sched.MsecsToJiffies(ctl.WarmupTime)
	s.rehashTime = now
	s.limit = limit
	s.increment, s.decrement = ctl.Increment, ctl.Decrement
	s.max, s.binSize = ctl.Max, ctl.BinSize
	s.penaltyRate, s.penaltyBurst = ctl.PenaltyRate, ctl.PenaltyBurst
	s.tokensAvail = ctl.PenaltyBurst
	s.tokenTime = now
	s.slot = 0
	s.doubleBuffering = false
	s.bins[0].b, s.bins[1].b = [levels][numBuckets]bucket{}, [levels][numBuckets]bucket{}
	s.initPerturbation(0)
	s.initPerturbation(1)
	old.Put()
	return nil
}

// Dump writes the parameters; the qdisc's backlog is refreshed from the
// child's on the way, as the kernel does.
func (s *sfb) Dump(b *nl.Builder) error {
	o := Qopt{
		RehashInterval: sched.JiffiesToMsecs(s.rehashInterval),
		WarmupTime:     sched.JiffiesToMsecs(s.warmupTime),
		Limit:          s.limit,
		Max:            s.max,
		BinSize:        s.binSize,
		Increment:      s.increment,
		Decrement:      s.decrement,
		PenaltyRate:    s.penaltyRate,
		PenaltyBurst:   s.penaltyBurst,
	}
	s.q.Qstats.Backlog = s.child.Backlog()
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_SFB_PARMS, o.Encode())
	b.EndNest()
	return nil
}

// DumpStats adds the largest bin queue and the largest and average
// probability of the current bins (sfb_compute_qlen).
func (s *sfb) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		EarlyDrop: s.stats.earlydrop, PenaltyDrop: s.stats.penaltydrop, BucketDrop: s.stats.bucketdrop,
		QueueDrop: s.stats.queuedrop, ChildDrop: s.stats.childdrop, Marked: s.stats.marked,
	}
	var total uint32
	for i := range s.bins[s.slot].b {
		for _, b := range s.bins[s.slot].b[i] {
			x.MaxQlen = max(x.MaxQlen, uint32(b.qlen))
			x.MaxProb = max(x.MaxProb, uint32(b.pMark))
			total += uint32(b.pMark)
		}
	}
	x.AvgProb = total / (levels * numBuckets)
	d.App(x.Encode())
	return nil
}

// sfb's one class holds the child; it cannot be dumped, created or
// deleted (ENOSYS), only grafted, as the kernel's class ops allow.
type theClass struct{}

func (s *sfb) Find(tc.Handle) sched.Class                  { return theClass{} }
func (s *sfb) Leaf(sched.Class) *sched.Qdisc               { return s.child }
func (s *sfb) Walk(fn func(c sched.Class) bool)            { fn(theClass{}) }
func (s *sfb) BindFilter(tc.Handle, tc.Handle) sched.Class { return nil }
func (s *sfb) UnbindFilter(sched.Class)                    {}

func (s *sfb) Graft(_ sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	if new == nil {
		new = sched.NoopQdisc()
	}
	old := s.child
	s.child = new
	old.PurgeQueue()
	return old, nil
}

func (s *sfb) DumpClass(sched.Class, *sched.TCMsg, *nl.Builder) error { return syscall.ENOSYS }

func (s *sfb) ChangeClass(*sched.ClassChange, sched.Class, *sched.Ext) (sched.Class, error) {
	return nil, syscall.ENOSYS
}

func (s *sfb) DeleteClass(sched.Class, *sched.Ext) error { return syscall.ENOSYS }

// Block gives the qdisc's filter block; the class has none.
func (s *sfb) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if c != nil {
		return nil, nil
	}
	return s.block, nil
}
