package sim

import (
	"fmt"
	"math"

	"github.com/netsched/netsched/clock"
)

// sampler takes the time series: every sample interval it reads the
// flows' counters, the wires' sojourn times, and every qdisc's and class's
// statistics through rtnetlink dumps (as `tc -s` would), and keeps the
// snapshot at the end of the warm-up for the window's rates.
type sampler struct {
	s     *Sim
	timer clock.Timer
	warmT clock.Timer
	times []float64

	dumpers map[*host]*dumper
	tc      []*tcSeries
	byKey   map[tcKey]*tcSeries
	wires   []wireSeries
}

// tcKey names a qdisc or class.
type tcKey struct {
	host   string
	dev    string
	handle uint32
	parent uint32 // default qdiscs share handle 0: (mq's children)
	class  bool
}

// tcSeries is one qdisc's or class's history.
type tcSeries struct {
	key       tcKey
	port      *port
	last      tcEntry
	warm      tcEntry // at the end of the warm-up
	haveWarm  bool
	rate      []float64 // bits per second over each interval
	qlen      []float64 // packets queued at each sample
	backlog   []float64
	lastBytes uint64
	// delay estimates the queueing delay at each sample by Little's law
	// (backlog over the rate the queue drains at), within the window.
	delay histogram
}

type wireSeries struct {
	sojMean, sojMax, util []float64
}

func newSampler(s *Sim) *sampler {
	sm := &sampler{s: s, dumpers: map[*host]*dumper{}, byKey: map[tcKey]*tcSeries{}}
	if s.sample == 0 {
		objects := 0
		sm.readTC(func(*tcSeries, *tcEntry) { objects++ })
		s.sample = defaultSample(s.duration, objects)
	}
	sm.timer = s.clk.NewTimer(sm.tick)
	sm.warmT = s.clk.NewTimer(sm.warm)
	sm.wires = make([]wireSeries, len(s.wires))
	n := int(s.duration/s.sample) + 1
	for _, f := range s.flows[1:] {
		f.series = make([]float64, 0, n)
		f.goodSeries = make([]float64, 0, n)
		if f.tcp != nil {
			f.cwnd = make([]float64, 0, n)
		}
	}
	return sm
}

func (sm *sampler) start() {
	sm.snapshotTC(0) // the series start at zero bytes
	sm.timer.Reset(sm.s.sample)
	if sm.s.warmup > 0 {
		sm.warmT.Reset(sm.s.warmup)
	}
}

// warm records the counters at the end of the warm-up.
func (sm *sampler) warm() {
	sm.readTC(func(ts *tcSeries, e *tcEntry) {
		ts.warm, ts.haveWarm = *e, true
	})
}

// tick takes one sample.
func (sm *sampler) tick() {
	s := sm.s
	now := s.clk.Now()
	dt := float64(s.sample) / 1e9
	sm.times = append(sm.times, float64(now)/1e9)
	for _, f := range s.flows[1:] {
		f.series = append(f.series, round6(float64(f.rx.bytes-f.lastBytes)*8/dt))
		f.goodSeries = append(f.goodSeries, round6(float64(f.rx.good-f.lastGood)*8/dt))
		f.lastBytes, f.lastGood = f.rx.bytes, f.rx.good
		if f.tcp != nil {
			f.cwnd = append(f.cwnd, float64(f.tcp.cwnd))
		}
	}
	for i, w := range s.wires {
		ws := &sm.wires[i]
		mean := 0.0
		if w.iSojN > 0 {
			mean = float64(w.iSojSum) / float64(w.iSojN) / 1e6
		}
		busy := w.iBusyNs
		if w.busy {
			d := now - w.busySince
			busy += d
			w.busyNs += d
			w.busySince = now
		}
		ws.sojMean = append(ws.sojMean, round6(mean))
		ws.sojMax = append(ws.sojMax, round6(float64(w.iSojMax)/1e6))
		ws.util = append(ws.util, round6(float64(busy)/float64(s.sample)))
		w.iSojSum, w.iSojMax, w.iSojN, w.iBusyNs, w.iBytes = 0, 0, 0, 0, 0
	}
	sm.snapshotTC(dt)
	if s.progress != nil {
		s.progress(now, s.duration)
	}
	if next := now + s.sample; next <= s.duration {
		sm.timer.Reset(next)
	}
}

// snapshotTC appends a point to every qdisc's and class's series (dt 0:
// only remember the counters).
func (sm *sampler) snapshotTC(dt float64) {
	npts := len(sm.times)
	sm.readTC(func(ts *tcSeries, e *tcEntry) {
		if dt > 0 {
			for len(ts.rate) < npts-1 {
				ts.rate = append(ts.rate, 0)
				ts.qlen = append(ts.qlen, 0)
				ts.backlog = append(ts.backlog, 0)
			}
			d := e.bytes - ts.lastBytes
			if e.bytes < ts.lastBytes {
				d = 0
			}
			rate := float64(d) / dt // bytes per second
			ts.rate = append(ts.rate, round6(rate*8))
			ts.qlen = append(ts.qlen, float64(e.qlen))
			ts.backlog = append(ts.backlog, float64(e.backlog))
			if sm.s.clk.Now() > sm.s.warmup && rate > 0 {
				ts.delay.add(int64(float64(e.backlog) / rate * 1e9))
			}
		}
		ts.lastBytes = e.bytes
		ts.last = *e
	})
}

// readTC dumps every device's qdiscs and classes and calls fn for each.
func (sm *sampler) readTC(fn func(ts *tcSeries, e *tcEntry)) {
	s := sm.s
	for _, h := range s.hosts {
		d := sm.dumpers[h]
		if d == nil {
			d = newDumper(s.e, h.name)
			sm.dumpers[h] = d
		}
		for _, pt := range h.ports {
			for _, classes := range []bool{false, true} {
				d.dump(pt.dev.Ifindex(), classes, func(e *tcEntry) {
					k := tcKey{host: h.name, dev: pt.name, handle: uint32(e.handle), parent: uint32(e.parent), class: classes}
					ts := sm.byKey[k]
					if ts == nil {
						ts = &tcSeries{key: k, port: pt}
						sm.byKey[k] = ts
						sm.tc = append(sm.tc, ts)
					}
					fn(ts, e)
				})
			}
		}
	}
}

// round6 keeps six significant digits: the series are for plots and
// scripts, and shorter numbers keep the JSON small.
func round6(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(v)))
	p := math.Pow(10, 5-e)
	return math.Round(v*p) / p
}

func (k tcKey) String() string {
	what := "qdisc"
	if k.class {
		what = "class"
	}
	if !k.class && k.handle == 0 {
		return fmt.Sprintf("%s %s %s 0: parent %s", k.host, k.dev, what, handleString(k.parent, true))
	}
	return fmt.Sprintf("%s %s %s %s", k.host, k.dev, what, handleString(k.handle, k.class))
}
