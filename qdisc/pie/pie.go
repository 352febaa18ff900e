// Package pie is the pie qdisc (sch_pie.c, RFC 8033): one FIFO whose
// arrivals are dropped, or ECN-marked, early with a probability that a
// proportional-integral controller, run every tupdate, moves so that the
// queueing delay settles at target (package aqm holds the controller,
// shared with fq_pie).
//
// Flow of a packet: Enqueue drops at the limit, else asks the controller
// whether to drop early (marking instead when ECN is on and the
// probability is at most 10%), stamps and appends. Dequeue takes the head
// and feeds its sojourn time (or the drain rate) to the controller. A
// timer recomputes the probability every tupdate.
package pie

import (
	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Kind is pie.
var Kind = &sched.Kind{
	ID:     "pie",
	New:    func(q *sched.Qdisc) sched.Discipline { return &pie{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer     = (*pie)(nil)
	_ sched.Dumper      = (*pie)(nil)
	_ sched.StatsDumper = (*pie)(nil)
	_ sched.Destroyer   = (*pie)(nil)
)

type pie struct {
	q      *sched.Qdisc
	limit  uint32 // packets (sch->limit)
	params aqm.PIEParams
	vars   aqm.PIEVars
	stats  aqm.PIEStats
	rnd    aqm.Rand
	timer  clock.Timer
}

// Init sets the defaults, applies the options and starts the timer half a
// second from now (pie_init).
func (p *pie) Init(opt *nl.Attr, ext *sched.Ext) error {
	p.params.Init()
	p.vars = aqm.PIEVars{}
	p.vars.Init()
	p.limit = p.params.Limit
	p.rnd = aqm.NewRand(aqm.Seed(p.q))
	p.timer = p.q.Dev().Net().Clock.NewTimer(p.tick)
	if opt != nil {
		if err := p.Change(opt, ext); err != nil {
			return err
		}
	}
	p.arm(sched.HZ / 2)
	return nil
}

// arm sets the timer j jiffies from now (mod_timer).
func (p *pie) arm(j uint64) {
	now := p.q.Now()
	p.timer.Reset(sched.JiffiesToNs(sched.Jiffies(now) + j))
}

// tick recomputes the probability, under the tree lock (pie_timer).
func (p *pie) tick() {
	l := p.q.RootLock()
	l.Lock()
	defer l.Unlock()
	p.vars.CalculateProbability(&p.params, p.q.Backlog())
	if p.params.TUpdate != 0 {
		p.arm(p.params.TUpdate)
	}
}

// Change applies options and trims the queue from the head to the new
// limit (pie_change).
func (p *pie) Change(opt *nl.Attr, _ *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if o[TCA_PIE_TARGET] != nil {
		p.params.Target = uint64(sched.NsToTicks(int64(*o[TCA_PIE_TARGET]) * 1000))
	}
	if o[TCA_PIE_TUPDATE] != nil {
		p.params.TUpdate = sched.UsecsToJiffies(*o[TCA_PIE_TUPDATE])
	}
	if v := o[TCA_PIE_LIMIT]; v != nil {
		p.params.Limit, p.limit = *v, *v
	}
	if v := o[TCA_PIE_ALPHA]; v != nil {
		p.params.Alpha = *v
	}
	if v := o[TCA_PIE_BETA]; v != nil {
		p.params.Beta = *v
	}
	if v := o[TCA_PIE_ECN]; v != nil {
		p.params.ECN = uint8(*v)
	}
	if v := o[TCA_PIE_BYTEMODE]; v != nil {
		p.params.Bytemode = uint8(*v)
	}
	if v := o[TCA_PIE_DQ_RATE_ESTIMATOR]; v != nil {
		p.params.DQRateEstimator = uint8(*v)
	}
	q := p.q
	var n, bytes int
	for uint32(q.QLen) > p.limit {
		pk := q.DequeueInternal(true)
		if pk == nil {
			break
		}
		n++
		bytes += int(pk.PktLen)
		q.Qstats.Drops++
		pk.Free()
	}
	q.TreeReduceBacklog(n, bytes)
	return nil
}

// Enqueue drops at the limit or early as the controller says, else queues
// (pie_qdisc_enqueue).
func (p *pie) Enqueue(pk *pkt.Packet) sched.Verdict {
	q := p.q
	if uint32(q.QLen) >= p.limit {
		p.stats.Overlimit++
	} else {
		enqueue := false
		if !p.vars.DropEarly(&p.params, q.Backlog(), uint32(pk.Len()), aqm.PschedMTU(q), &p.rnd) {
			enqueue = true
		} else if p.params.ECN != 0 && p.vars.Prob <= aqm.PIEMaxProb/10 && inet.SetCE(pk) {
			// Mark ECN-capable packets while the probability is
			// at most 10%; drop above that.
			p.stats.ECNMark++
			enqueue = true
		}
		if enqueue {
			if p.params.DQRateEstimator == 0 {
				pk.Tstamp = q.Now()
			}
			p.stats.PacketsIn++
			if uint32(q.QLen) > p.stats.MaxQ {
				p.stats.MaxQ = uint32(q.QLen)
			}
			return q.EnqueueTail(pk)
		}
	}
	p.stats.Dropped++
	p.vars.AccuProb = 0
	return q.Drop(pk)
}

func (p *pie) Dequeue() *pkt.Packet {
	q := p.q
	pk := q.DequeueHead()
	if pk == nil {
		return nil
	}
	p.vars.ProcessDequeue(pk, &p.params, q.Backlog(), q.Now())
	return pk
}

func (p *pie) Peek() *pkt.Packet { return p.q.PeekDequeued() }

func (p *pie) Reset() {
	p.q.ResetList()
	p.vars.Init()
}

// Destroy stops the timer.
func (p *pie) Destroy() {
	p.params.TUpdate = 0
	if p.timer != nil {
		p.timer.Stop()
	}
}

func (p *pie) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_PIE_TARGET, aqm.PIEDelayUs(p.params.Target))
	b.PutU32(TCA_PIE_LIMIT, p.limit)
	b.PutU32(TCA_PIE_TUPDATE, sched.JiffiesToUsecs(p.params.TUpdate))
	b.PutU32(TCA_PIE_ALPHA, p.params.Alpha)
	b.PutU32(TCA_PIE_BETA, p.params.Beta)
	b.PutU32(TCA_PIE_ECN, uint32(p.params.ECN))
	b.PutU32(TCA_PIE_BYTEMODE, uint32(p.params.Bytemode))
	b.PutU32(TCA_PIE_DQ_RATE_ESTIMATOR, uint32(p.params.DQRateEstimator))
	b.EndNest()
	return nil
}

func (p *pie) DumpStats(d *sched.StatsDump) error {
	x := Xstats{
		Prob:      p.vars.Prob << 8,
		Delay:     aqm.PIEDelayUs(p.vars.QDelay),
		PacketsIn: p.stats.PacketsIn,
		Overlimit: p.stats.Overlimit,
		MaxQ:      p.stats.MaxQ,
		Dropped:   p.stats.Dropped,
		ECNMark:   p.stats.ECNMark,
	}
	if p.params.DQRateEstimator != 0 {
		x.DQRateEstimating = 1
		x.AvgDQRate = aqm.PIEDQRate(&p.vars)
	}
	d.App(x.Encode())
	return nil
}
