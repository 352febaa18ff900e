// Package tbf is the token bucket filter (sch_tbf.c): packets leave at
// most at rate, with bursts of up to burst bytes, and, with a peak rate,
// at most at the peak rate over one MTU. Packets wait in a child qdisc, a
// bfifo of limit bytes by default, which class 1:1 can replace.
//
// Flow of a packet: Enqueue drops what could never pass (larger than the
// bucket) and queues the rest in the child. Dequeue peeks at the child's
// head and sends it if both buckets hold its time; otherwise it arms the
// watchdog for when they will and returns nil. Nothing polls.
package tbf

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is tbf.
var Kind = &sched.Kind{
	ID:     "tbf",
	New:    func(q *sched.Qdisc) sched.Discipline { return &tbf{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer   = (*tbf)(nil)
	_ sched.Dumper    = (*tbf)(nil)
	_ sched.Destroyer = (*tbf)(nil)
	_ sched.Classful  = (*tbf)(nil)
)

type tbf struct {
	q *sched.Qdisc
	Config

	tokens  int64 // rate bucket, ns of sending time
	ptokens int64 // peak bucket, ns
	tc      int64 // checkpoint
	child   *sched.Qdisc
	wd      *sched.Watchdog
}

// theClass is tbf's only class, 1:1 (tbf_find answers it for any id).
type theClass struct{}

// Init starts a tbf; options are required (tbf_init).
func (t *tbf) Init(opt *nl.Attr, ext *sched.Ext) error {
	t.wd = t.q.NewWatchdog()
	t.child = sched.NoopQdisc()
	if opt == nil {
		return syscall.EINVAL
	}
	t.tc = t.q.Now()
	return t.Change(opt, ext)
}

// Change applies new options (tbf_change): the child's limit follows, or a
// bfifo child is made when there is none, and both buckets refill.
func (t *tbf) Change(opt *nl.Attr, ext *sched.Ext) error {
	c, err := parseConfig(opt)
	if err != nil {
		return err
	}
	var child *sched.Qdisc
	if !t.child.IsNoop() {
		if err := fifo.SetLimit(t.child, c.Limit); err != nil {
			return err
		}
	} else if c.Limit > 0 {
		if child, err = fifo.CreateDefault(t.q, fifo.BFIFO, c.Limit, ext); err != nil {
			return err
		}
		t.q.Dev().HashAdd(child, true)
	}
	var old *sched.Qdisc
	if child != nil {
		t.child.PurgeQueue()
		old = t.child
		t.child = child
	}
	t.Config = c
	t.tokens = c.Buffer
	t.ptokens = c.MTU
	if old != nil {
		old.Put()
	}
	return nil
}

func (t *tbf) peakPresent() bool { return t.Peak.BytesPerSec != 0 }

// Enqueue queues p in the child unless it is larger than a full bucket
// lets through (such a packet could never leave).
func (t *tbf) Enqueue(p *pkt.Packet) sched.Verdict {
	n := p.PktLen
	if n > t.MaxSize {
		// The kernel segments GSO packets here; netsched has none.
		return t.q.Drop(p)
	}
	if v := sched.Enqueue(t.child, p); v != sched.Success {
		if v.IsDrop() {
			t.q.Qstats.Drops++
		}
		return v
	}
	t.q.Qstats.Backlog += n
	t.q.QLen++
	return sched.Success
}

// Dequeue sends the child's head if both buckets hold its sending time;
// otherwise it sets the watchdog for when they will (tbf_dequeue).
func (t *tbf) Dequeue() *pkt.Packet {
	p := t.child.Peek()
	if p == nil {
		return nil
	}
	now := t.q.Now()
	toks := min(now-t.tc, t.Buffer)
	var ptoks int64
	if t.peakPresent() {
		ptoks = min(toks+t.ptokens, t.MTU)
		ptoks -= int64(t.Peak.L2T(p.PktLen))
	}
	toks = min(toks+t.tokens, t.Buffer)
	toks -= int64(t.Rate.L2T(p.PktLen))
	if toks|ptoks >= 0 {
		if p = t.child.DequeuePeeked(); p == nil {
			return nil
		}
		t.tc = now
		t.tokens = toks
		t.ptokens = ptoks
		t.q.Qstats.Backlog -= p.PktLen
		t.q.QLen--
		t.q.Bstats.Update(p)
		return p
	}
	t.wd.ScheduleNs(now + max(-toks, -ptoks))
	// Sending a shorter packet behind would reorder: wait instead.
	t.q.Qstats.Overlimits++
	return nil
}

// Peek dequeues and holds the packet (qdisc_peek_dequeued).
func (t *tbf) Peek() *pkt.Packet { return t.q.PeekDequeued() }

// Reset empties the child and refills the buckets.
func (t *tbf) Reset() {
	t.child.Reset()
	t.tc = t.q.Now()
	t.tokens = t.Buffer
	t.ptokens = t.MTU
	t.wd.Cancel()
}

// Destroy releases the child.
func (t *tbf) Destroy() {
	if t.wd != nil {
		t.wd.Cancel()
	}
	if t.child != nil {
		t.child.Put()
	}
}

// Dump writes TCA_TBF_PARMS, with 64-bit rates that do not fit it.
func (t *tbf) Dump(b *nl.Builder) error {
	o := Qopt{
		Limit:  t.Limit,
		Rate:   t.Rate.Spec(),
		MTU:    uint32(sched.NsToTicks(t.MTU)),
		Buffer: uint32(sched.NsToTicks(t.Buffer)),
	}
	if t.peakPresent() {
		o.PeakRate = t.Peak.Spec()
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_TBF_PARMS, o.Append(make([]byte, 0, qoptLen)))
	if t.Rate.BytesPerSec >= 1<<32 {
		b.PutU64(TCA_TBF_RATE64, t.Rate.BytesPerSec)
	}
	if t.peakPresent() && t.Peak.BytesPerSec >= 1<<32 {
		b.PutU64(TCA_TBF_PRATE64, t.Peak.BytesPerSec)
	}
	b.EndNest()
	return nil
}

// Find answers the one class for any id, as tbf_find does.
func (t *tbf) Find(tc.Handle) sched.Class { return theClass{} }

// Leaf is the child qdisc.
func (t *tbf) Leaf(sched.Class) *sched.Qdisc { return t.child }

// Graft replaces the child (nil: noop), purging the old one.
func (t *tbf) Graft(_ sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	if new == nil {
		new = sched.NoopQdisc()
	}
	old := t.child
	t.child = new
	old.PurgeQueue()
	return old, nil
}

// Walk visits the one class.
func (t *tbf) Walk(fn func(sched.Class) bool) { fn(theClass{}) }

// DumpClass shows the class as major:1 with its child's handle.
func (t *tbf) DumpClass(_ sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= 1
	m.Info = uint32(t.child.Handle)
	return nil
}
