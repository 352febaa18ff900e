// Package red is the red qdisc (sch_red.c): Random Early Detection
// (package aqm holds the averaging and the probability curve, shared with
// gred and choke) in front of a child qdisc, a bfifo of limit bytes by
// default, which class 1:1 can replace. Early drops and marks can also be
// handed to filter blocks (qevents early_drop and mark).
//
// Flow of a packet: Enqueue updates the average backlog of the child (or
// decays it over an idle period), then RED says pass, mark with
// probability, or mark for sure above max; a mark is an ECN CE mark when
// ECN is on and the packet is capable, else a drop (nodrop keeps
// non-capable packets instead). Passed packets go to the child. Dequeue
// takes from the child and notes when the queue goes idle.
package red

import (
	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// SupportedFlags are the flags red takes (TC_RED_SUPPORTED_FLAGS).
const SupportedFlags = aqm.REDHistoric | aqm.REDNodrop

// Kind is red.
var Kind = &sched.Kind{
	ID:     "red",
	New:    func(q *sched.Qdisc) sched.Discipline { return &red{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*red)(nil)
	_ sched.Dumper      = (*red)(nil)
	_ sched.StatsDumper = (*red)(nil)
	_ sched.Destroyer   = (*red)(nil)
	_ sched.Classful    = (*red)(nil)
)

type red struct {
	q        *sched.Qdisc
	limit    uint32 // bytes, for the default child
	flags    uint8
	userbits uint8 // qopt flag bits red does not know, dumped back
	parms    aqm.REDParms
	vars     aqm.REDVars
	stats    aqm.REDStats
	child    *sched.Qdisc
	adapt    clock.Timer
	rnd      aqm.Rand

	earlyDrop, mark qevent
}

// theClass is red's one class, 1 (red_find answers it for any id).
type theClass struct{}

// Init needs options; the qevents bind after the parameters (red_init).
func (r *red) Init(opt *nl.Attr, ext *sched.Ext) error {
	r.child = sched.NoopQdisc()
	r.rnd = aqm.NewRand(aqm.Seed(r.q))
	r.adapt = r.q.Dev().Net().Clock.NewTimer(r.adaptTick)
	if opt == nil {
		return errInval
	}
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if err := r.change(&o, ext); err != nil {
		return err
	}
	if err := r.earlyDrop.init(r.q, o.earlyDropBlock); err != nil {
		return err
	}
	return r.mark.init(r.q, o.markBlock)
}

// Change applies new options; the qevent blocks cannot change
// (red_change).
func (r *red) Change(opt *nl.Attr, ext *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if err := r.earlyDrop.validateChange(o.earlyDropBlock); err != nil {
		return err
	}
	if err := r.mark.validateChange(o.markBlock); err != nil {
		return err
	}
	return r.change(&o, ext)
}

// change is __red_change: check, make the new child, then apply.
func (r *red) change(o *options, ext *sched.Ext) error {
	if o.parms == nil || o.stab == nil {
		return errInval
	}
	ctl := o.parms
	if !aqm.REDCheckParams(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.ScellLog, o.stab) {
		return errInval
	}
	value, selector, userbits, err := aqm.REDGetFlags(ctl.Flags, aqm.REDHistoric, o.flags, "sch_red")
	if err != nil {
		return err
	}
	var child *sched.Qdisc
	if ctl.Limit > 0 {
		if child, err = createBfifo(r.q, ctl.Limit, ext); err != nil {
			return err
		}
	}
	flags := r.flags&^uint8(selector) | uint8(value)
	if err := aqm.REDValidateFlags(flags, "sch_red"); err != nil {
		if child != nil {
			child.Put()
		}
		return err
	}
	r.flags = flags
	r.userbits = userbits
	r.limit = ctl.Limit
	var old *sched.Qdisc
	if child != nil {
		r.child.PurgeQueue()
		old = r.child
		r.child = child
	}
	r.parms.Set(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.Plog, ctl.ScellLog, o.stab, o.maxP)
	r.vars.SetVars()
	r.adapt.Stop()
	// The kernel starts adaptation from the qopt's flags byte only: the
	// flag in TCA_RED_FLAGS (what tc sends) does not start it.
	if ctl.Flags&aqm.REDAdaptative != 0 {
		r.armAdapt()
	}
	if r.child.QLen == 0 {
		r.vars.StartIdle(r.q.Now())
	}
	if old != nil {
		old.Put()
	}
	return nil
}

func (r *red) armAdapt() {
	r.adapt.Reset(sched.JiffiesToNs(sched.Jiffies(r.q.Now()) + sched.HZ/2))
}

// adaptTick runs adaptive RED every half second (red_adaptative_timer).
func (r *red) adaptTick() {
	l := r.q.RootLock()
	l.Lock()
	defer l.Unlock()
	r.parms.Adapt(&r.vars, r.q.Now())
	r.armAdapt()
}

// Enqueue is red_enqueue.
func (r *red) Enqueue(p *pkt.Packet) sched.Verdict {
	q := r.q
	r.vars.QAvg = r.parms.QAvg(&r.vars, q.Now(), r.child.Backlog())
	if r.vars.Idle {
		r.vars.EndIdle()
	}
	switch r.parms.Action(&r.vars, r.vars.QAvg, &r.rnd) {
	case aqm.REDActionProb:
		q.Qstats.Overlimits++
		if r.flags&aqm.REDECN == 0 {
			r.stats.ProbDrop++
			return r.congestionDrop(p)
		}
		if inet.SetCE(p) {
			r.stats.ProbMark++
			if v, taken := r.mark.handle(q, p); taken {
				return sched.CN | v
			}
		} else if r.flags&aqm.REDNodrop == 0 {
			r.stats.ProbDrop++
			return r.congestionDrop(p)
		}
		// Not ECN-capable in nodrop mode: queue it.
	case aqm.REDActionHard:
		q.Qstats.Overlimits++
		if r.flags&aqm.REDHarddrop != 0 || r.flags&aqm.REDECN == 0 {
			r.stats.ForcedDrop++
			return r.congestionDrop(p)
		}
		if inet.SetCE(p) {
			r.stats.ForcedMark++
			if v, taken := r.mark.handle(q, p); taken {
				return sched.CN | v
			}
		} else if r.flags&aqm.REDNodrop == 0 {
			r.stats.ForcedDrop++
			return r.congestionDrop(p)
		}
	}
	n := p.PktLen
	v := sched.Enqueue(r.child, p)
	if v == sched.Success {
		q.Qstats.Backlog += n
		q.QLen++
	} else if v.IsDrop() {
		r.stats.PDrop++
		q.Qstats.Drops++
	}
	return v
}

// congestionDrop hands the packet to the early_drop qevent, then drops it.
func (r *red) congestionDrop(p *pkt.Packet) sched.Verdict {
	if v, taken := r.earlyDrop.handle(r.q, p); taken {
		return sched.CN | v
	}
	r.q.Drop(p)
	return sched.CN
}

func (r *red) Dequeue() *pkt.Packet {
	q := r.q
	p := r.child.DequeuePeeked()
	if p != nil {
		q.Bstats.Update(p)
		q.Qstats.Backlog -= p.PktLen
		q.QLen--
	} else if !r.vars.Idle {
		r.vars.StartIdle(q.Now())
	}
	return p
}

func (r *red) Peek() *pkt.Packet { return r.child.Peek() }

func (r *red) Reset() {
	r.child.Reset()
	r.vars.Restart()
}

// Destroy releases the qevent blocks, the timer and the child.
func (r *red) Destroy() {
	r.mark.destroy(r.q)
	r.earlyDrop.destroy(r.q)
	if r.adapt != nil {
		r.adapt.Stop()
	}
	if r.child != nil {
		r.child.Put()
	}
}

func (r *red) Dump(b *nl.Builder) error {
	o := aqm.REDQopt{
		Limit:    r.limit,
		Flags:    r.flags&aqm.REDHistoric | r.userbits,
		QthMin:   r.parms.QthMin >> r.parms.Wlog,
		QthMax:   r.parms.QthMax >> r.parms.Wlog,
		Wlog:     r.parms.Wlog,
		Plog:     r.parms.Plog,
		ScellLog: r.parms.ScellLog,
	}
	b.Nest(sched.TCA_OPTIONS)
	b.Put(TCA_RED_PARMS, o.Encode())
	b.PutU32(TCA_RED_MAX_P, r.parms.MaxP)
	b.PutBitfield32(TCA_RED_FLAGS, uint32(r.flags), SupportedFlags)
	r.mark.dump(b, TCA_RED_MARK_BLOCK)
	r.earlyDrop.dump(b, TCA_RED_EARLY_DROP_BLOCK)
	b.EndNest()
	return nil
}

func (r *red) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		Early:  r.stats.ProbDrop + r.stats.ForcedDrop,
		PDrop:  r.stats.PDrop,
		Marked: r.stats.ProbMark + r.stats.ForcedMark,
	}
	d.App(x.Encode())
	return nil
}

// Find answers the one class for any id.
func (r *red) Find(tc.Handle) sched.Class { return theClass{} }

// Leaf is the child.
func (r *red) Leaf(sched.Class) *sched.Qdisc { return r.child }

// Graft replaces the child (nil: noop), purging the old one.
func (r *red) Graft(_ sched.Class, new *sched.Qdisc, _ *sched.Ext) (*sched.Qdisc, error) {
	if new == nil {
		new = sched.NoopQdisc()
	}
	old := r.child
	r.child = new
	old.PurgeQueue()
	return old, nil
}

// Walk visits the one class.
func (r *red) Walk(fn func(sched.Class) bool) { fn(theClass{}) }

// DumpClass shows the class as major:1 with its child's handle.
func (r *red) DumpClass(_ sched.Class, m *sched.TCMsg, _ *nl.Builder) error {
	m.Handle |= 1
	m.Info = uint32(r.child.Handle)
	return nil
}
