// Package netem is the network emulator (sch_netem.c): it delays packets
// by a latency with jitter drawn from a distribution, loses them (at
// random with correlation, or by a 4-state Markov or Gilbert-Elliott
// model), duplicates, corrupts and reorders them, and limits their rate
// (with per-packet overhead and cells) or sends them in slots.
//
// Flow of a packet: Enqueue decides duplication and loss, corrupts, makes
// a duplicate go in again at the root of the tree (marked so that it is
// never duplicated again), then gives the packet its time to send and
// queues it in the tfifo, ordered by that time; one in gap packets may be
// reordered to the head instead. Dequeue takes the tfifo's first packet
// once its time (and its slot) has come, straight out or through the
// child qdisc; until then the watchdog is set.
//
// The random source is the kernel's prandom state; TCA_NETEM_PRNG_SEED
// seeds it, and without one netem seeds it from the qdisc's identity, so a
// simulation repeats exactly.
package netem

import (
	"math/bits"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/qdisc/internal/timeq"
	"github.com/netsched/netsched/sched"
)

// Kind is netem.
var Kind = &sched.Kind{
	ID:     "netem",
	New:    func(q *sched.Qdisc) sched.Discipline { return &netem{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer   = (*netem)(nil)
	_ sched.Dumper    = (*netem)(nil)
	_ sched.Destroyer = (*netem)(nil)
	_ sched.Classful  = (*netem)(nil)
)

// Loss models (CLG_*).
const (
	clgRandom = iota
	clg4States
	clgGilbElliott
)

// States of the 4-state model and of Gilbert-Elliott.
const (
	txInGap = 1 + iota
	txInBurst
	lostInGap
	lostInBurst
	goodState = 1
	badState  = 2
)

// clgstate is the correlated loss generator's state and parameters.
type clgstate struct {
	state              uint8
	a1, a2, a3, a4, a5 uint32
}

type slotState struct {
	next        int64 // ns; 0: no slots
	packetsLeft int32
	bytesLeft   int32
}

type netem struct {
	q     *sched.Qdisc
	tfifo timeq.Queue
	child *sched.Qdisc // nil: packets leave the tfifo straight
	wd    *sched.Watchdog

	latency, jitter int64 // ns
	loss            uint32
	ecn             uint32
	limit           uint32
	counter         uint32
	gap             uint32
	duplicate       uint32
	reorder         uint32
	corrupt         uint32
	rate            uint64 // bytes per second
	packetOverhead  int32
	cellSize        uint32
	cellOverhead    int32

	delayCor, lossCor, dupCor, reorderCor, corruptCor crndstate

	seed uint64
	prng prng
	// rnd stands for get_random_*: the initial correlation state, the
	// corrupted bit and the slot's delay, which the kernel does not draw
	// from the seeded prng.
	rnd aqm.Rand

	delayDist []int16
	lossModel int
	clg       clgstate

	slotConfig Slot
	slot       slotState
	slotDist   []int16
}

// Init requires options (netem_init) and seeds the prng from the qdisc's
// identity unless the options carry a seed.
func (n *netem) Init(opt *nl.Attr, ext *sched.Ext) error {
	n.wd = n.q.NewWatchdog()
	if opt == nil {
		return syscall.EINVAL
	}
	n.lossModel = clgRandom
	n.rnd = aqm.NewRand(aqm.Seed(n.q))
	n.seed = n.rnd.Uint64()
	n.prng.seed(n.seed)
	return n.Change(opt, ext)
}

// Change applies options (netem_change): tables and time attributes are
// checked first; a bad loss model leaves the old one.
func (n *netem) Change(opt *nl.Attr, _ *sched.Ext) error {
	if len(opt.Data) < QoptLen {
		return syscall.EINVAL
	}
	qopt := decodeQopt(opt.Data)
	tb, err := sched.ParseOptions(opt.Data[QoptLen:], TCA_NETEM_MAX, policy)
	if err != nil {
		return sched.Quiet(err)
	}
	var delayDist, slotDist []int16
	if a := tb.Get(TCA_NETEM_DELAY_DIST); a != nil {
		var ok bool
		if delayDist, ok = decodeDist(a.Data); !ok {
			return syscall.EINVAL
		}
	}
	if a := tb.Get(TCA_NETEM_SLOT_DIST); a != nil {
		var ok bool
		if slotDist, ok = decodeDist(a.Data); !ok {
			return syscall.EINVAL
		}
	}
	if a := tb.Get(TCA_NETEM_SLOT); a != nil {
		if err := validateSlot(decodeSlot(a.Data)); err != nil {
			return err
		}
	}
	if a := tb.Get(TCA_NETEM_LATENCY64); a != nil && int64(a.U64()) < 0 {
		return sched.Err(syscall.EINVAL, "negative latency")
	}
	if a := tb.Get(TCA_NETEM_JITTER64); a != nil && int64(a.U64()) < 0 {
		return sched.Err(syscall.EINVAL, "negative jitter")
	}
	if a := tb.Get(TCA_NETEM_LOSS); a != nil {
		oldClg, oldModel := n.clg, n.lossModel
		if err := n.lossClg(a.Data); err != nil {
			n.clg, n.lossModel = oldClg, oldModel
			return err
		}
	} else {
		n.lossModel = clgRandom
	}
	if delayDist != nil {
		n.delayDist = delayDist
	}
	if slotDist != nil {
		n.slotDist = slotDist
	}
	n.latency = sched.TicksToNs(uint64(qopt.Latency))
	n.jitter = sched.TicksToNs(uint64(qopt.Jitter))
	n.limit = qopt.Limit
	n.gap = qopt.Gap
	n.counter = 0
	n.loss = qopt.Loss
	n.duplicate = qopt.Duplicate
	// For compatibility, a gap alone means reordering always.
	if n.gap != 0 {
		n.reorder = ^uint32(0)
	}
	if a := tb.Get(TCA_NETEM_CORR); a != nil {
		n.initCrandom(&n.delayCor, ne.Uint32(a.Data))
		n.initCrandom(&n.lossCor, ne.Uint32(a.Data[4:]))
		n.initCrandom(&n.dupCor, ne.Uint32(a.Data[8:]))
	}
	if a := tb.Get(TCA_NETEM_REORDER); a != nil {
		n.reorder = ne.Uint32(a.Data)
		n.initCrandom(&n.reorderCor, ne.Uint32(a.Data[4:]))
	}
	if a := tb.Get(TCA_NETEM_CORRUPT); a != nil {
		n.corrupt = ne.Uint32(a.Data)
		n.initCrandom(&n.corruptCor, ne.Uint32(a.Data[4:]))
	}
	if a := tb.Get(TCA_NETEM_RATE); a != nil {
		r := decodeRate(a.Data)
		n.rate = uint64(r.Rate)
		n.packetOverhead, n.cellSize, n.cellOverhead = r.PacketOverhead, r.CellSize, r.CellOverhead
	}
	if a := tb.Get(TCA_NETEM_RATE64); a != nil {
		n.rate = max(n.rate, a.U64())
	}
	if a := tb.Get(TCA_NETEM_LATENCY64); a != nil {
		n.latency = int64(a.U64())
	}
	if a := tb.Get(TCA_NETEM_JITTER64); a != nil {
		n.jitter = int64(a.U64())
	}
	if a := tb.Get(TCA_NETEM_ECN); a != nil {
		n.ecn = a.U32()
	}
	if a := tb.Get(TCA_NETEM_SLOT); a != nil {
		n.setSlot(decodeSlot(a.Data))
	}
	// tabledist takes jitter as a 32-bit int.
	if n.jitter < 0 {
		n.jitter = -n.jitter
	}
	n.jitter = min(n.jitter, 1<<31-1)
	if a := tb.Get(TCA_NETEM_PRNG_SEED); a != nil {
		n.seed = a.U64()
		n.prng.seed(n.seed)
	}
	return nil
}

// initCrandom is init_crandom: the correlation, and a random last value.
func (n *netem) initCrandom(s *crndstate, rho uint32) {
	s.rho = rho
	s.last = n.rnd.Uint32()
}

func validateSlot(c Slot) error {
	switch {
	case c.MinDelay < 0 || c.MaxDelay < 0:
		return sched.Err(syscall.EINVAL, "negative slot delay")
	case c.MinDelay > c.MaxDelay:
		return sched.Err(syscall.EINVAL, "slot min delay greater than max delay")
	case c.DistDelay < 0 || c.DistJitter < 0:
		return sched.Err(syscall.EINVAL, "negative dist delay")
	case c.MaxPackets < 0 || c.MaxBytes < 0:
		return sched.Err(syscall.EINVAL, "negative slot limit")
	}
	return nil
}

// setSlot is get_slot.
func (n *netem) setSlot(c Slot) {
	if c.MaxPackets == 0 {
		c.MaxPackets = 1<<31 - 1
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = 1<<31 - 1
	}
	if c.DistJitter < 0 {
		c.DistJitter = -c.DistJitter
	}
	c.DistJitter = min(c.DistJitter, 1<<31-1)
	n.slotConfig = c
	n.slot.packetsLeft = c.MaxPackets
	n.slot.bytesLeft = c.MaxBytes
	if c.MinDelay|c.MaxDelay|c.DistJitter != 0 {
		n.slot.next = n.q.Now()
	} else {
		n.slot.next = 0
	}
}

// lossClg reads TCA_NETEM_LOSS (get_loss_clg).
func (n *netem) lossClg(b []byte) error {
	var err error
	nl.Walk(b, func(a nl.Attr) bool {
		switch a.Type {
		case NETEM_LOSS_GI:
			if len(a.Data) < giLen {
				err = syscall.EINVAL
				return false
			}
			u := func(i int) uint32 { return ne.Uint32(a.Data[4*i:]) }
			n.lossModel = clg4States
			n.clg = clgstate{state: txInGap, a1: u(0), a2: u(1), a3: u(2), a4: u(3), a5: u(4)}
		case NETEM_LOSS_GE:
			if len(a.Data) < geLen {
				err = syscall.EINVAL
				return false
			}
			u := func(i int) uint32 { return ne.Uint32(a.Data[4*i:]) }
			n.lossModel = clgGilbElliott
			n.clg = clgstate{state: goodState, a1: u(0), a2: u(1), a3: u(2), a4: u(3)}
		default:
			err = syscall.EINVAL
			return false
		}
		return true
	})
	return err
}

// Destroy stops the watchdog and releases the child.
func (n *netem) Destroy() {
	if n.wd != nil {
		n.wd.Cancel()
	}
	if n.child != nil {
		n.child.Put()
		n.child = nil
	}
}

// Reset empties the reorder list, the tfifo and the child (netem_reset).
func (n *netem) Reset() {
	n.q.ResetList()
	n.tfifo.Purge()
	if n.child != nil {
		n.child.Reset()
	}
	n.q.QLen = 0
	n.q.Qstats.Backlog = 0
	n.wd.Cancel()
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Dump writes tc_netem_qopt followed by every attribute (netem_dump).
func (n *netem) Dump(b *nl.Builder) error {
	qopt := Qopt{
		Latency:   uint32(min(uint64(sched.NsToTicks(n.latency)), 1<<32-1)),
		Jitter:    uint32(min(uint64(sched.NsToTicks(n.jitter)), 1<<32-1)),
		Limit:     n.limit,
		Loss:      n.loss,
		Gap:       n.gap,
		Duplicate: n.duplicate,
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Raw(qopt.encode())
	b.PutU64(TCA_NETEM_LATENCY64, uint64(n.latency))
	b.PutU64(TCA_NETEM_JITTER64, uint64(n.jitter))
	b.Put(TCA_NETEM_CORR, u32s(n.delayCor.rho, n.lossCor.rho, n.dupCor.rho))
	b.Put(TCA_NETEM_REORDER, u32s(n.reorder, n.reorderCor.rho))
	b.Put(TCA_NETEM_CORRUPT, u32s(n.corrupt, n.corruptCor.rho))
	rate := uint32(n.rate)
	if n.rate >= 1<<32 {
		b.PutU64(TCA_NETEM_RATE64, n.rate)
		rate = ^uint32(0)
	}
	b.Put(TCA_NETEM_RATE, u32s(rate, uint32(n.packetOverhead), n.cellSize, uint32(n.cellOverhead)))
	if n.ecn != 0 {
		b.PutU32(TCA_NETEM_ECN, n.ecn)
	}
	switch n.lossModel {
	case clg4States:
		b.Nest(TCA_NETEM_LOSS)
		c := &n.clg
		b.Put(NETEM_LOSS_GI, u32s(c.a1, c.a2, c.a3, c.a4, c.a5))
		b.EndNest()
	case clgGilbElliott:
		b.Nest(TCA_NETEM_LOSS)
		c := &n.clg
		b.Put(NETEM_LOSS_GE, u32s(c.a1, c.a2, c.a3, c.a4))
		b.EndNest()
	}
	if c := n.slotConfig; c.MinDelay|c.MaxDelay|c.DistJitter != 0 {
		if c.MaxPackets == 1<<31-1 {
			c.MaxPackets = 0
		}
		if c.MaxBytes == 1<<31-1 {
			c.MaxBytes = 0
		}
		b.Put(TCA_NETEM_SLOT, c.encode())
	}
	b.PutU64(TCA_NETEM_PRNG_SEED, n.seed)
	b.EndNest()
	return nil
}

// Seed returns the seed of a netem's random source (for tests).
func Seed(q *sched.Qdisc) uint64 { return q.Discipline.(*netem).seed }

// mulShr32 is mul_u64_u32_shr(a, b, 32).
func mulShr32(a uint64, b uint32) uint64 {
	hi, lo := bits.Mul64(a, uint64(b))
	return hi<<32 | lo>>32
}
