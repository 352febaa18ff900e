package netem_test

import (
	"hash/fnv"
	"math"
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/netem"
	"github.com/netsched/netsched/schedtest"
)

var flow = &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}

const n = 100000

// run sends n packets of flow through `tc qdisc add root netem ARGS` on a
// 10 Gbit/s link (serialization of 100 bytes: 80 ns) and records each
// arrival: delay, sequence, time.
type arrival struct {
	seq   uint64
	at    int64
	delay int64
}

func run(t testing.TB, args string, gap int64) (*schedtest.Bed, []arrival) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e9})
	b.TC("qdisc add root handle 1: netem " + args)
	var got []arrival
	b.Link.Deliver = func(p *pkt.Packet) {
		now := b.Clock.Now()
		got = append(got, arrival{p.Seq, now, now - p.Sent})
		p.Free()
	}
	var seq uint64
	for i := int64(0); i < n; i++ {
		b.Run(i * gap)
		p := b.Pool.Get()
		b.Frame(p, flow, 100, seq)
		seq++
		b.Dev.Transmit(p)
	}
	b.Run(n*gap + 10e9)
	return b, got
}

func meanStd(xs []float64) (float64, float64) {
	var s, s2 float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		s2 += (x - m) * (x - m)
	}
	return m, math.Sqrt(s2 / float64(len(xs)-1))
}

// Delay with uniform jitter (tabledist without a table): delay is
// uniform on [latency-jitter, latency+jitter), mean latency, deviation
// jitter/sqrt(3) (sch_netem.c tabledist). Within 5 standard errors over
// 100,000 packets; 80 ns of serialization at most adds to it.
func TestDelayUniformJitter(t *testing.T) {
	_, got := run(t, "limit 5000 delay 10ms 2ms", 10000)
	if len(got) != n {
		t.Fatalf("%d packets arrived, want %d", len(got), n)
	}
	ds := make([]float64, len(got))
	reordered := 0
	for i, a := range got {
		ds[i] = float64(a.delay)
		if i > 0 && a.seq < got[i-1].seq {
			reordered++
		}
		if a.delay < 8e6 || a.delay > 12e6+1000 {
			t.Fatalf("packet %d delayed %d ns, outside [8ms, 12ms]", a.seq, a.delay)
		}
	}
	m, s := meanStd(ds)
	wantS := 2e6 / math.Sqrt(3)
	if se := wantS / math.Sqrt(n); math.Abs(m-10e6) > 5*se+100 {
		t.Errorf("mean delay %.0f ns, want 10ms within %.0f", m, 5*se+100)
	}
	if math.Abs(s-wantS)/wantS > 0.02 {
		t.Errorf("delay deviation %.0f ns, want %.0f within 2%%", s, wantS)
	}
	// Jitter larger than the spacing reorders (the tfifo sorts by time).
	if reordered == 0 {
		t.Errorf("no reordering with 2ms jitter and 10us spacing")
	}
}

// With the normal table, jitter is the table's standard deviation
// (netem/normal.c scales N(0,1) by NETEM_DIST_SCALE).
func TestDelayNormalDistribution(t *testing.T) {
	_, got := run(t, "limit 5000 delay 10ms 1ms distribution normal", 10000)
	ds := make([]float64, len(got))
	for i, a := range got {
		ds[i] = float64(a.delay)
	}
	m, s := meanStd(ds)
	if se := 1e6 / math.Sqrt(n); math.Abs(m-10e6) > 5*se+100 {
		t.Errorf("mean delay %.0f ns, want 10ms", m)
	}
	if math.Abs(s-1e6)/1e6 > 0.02 {
		t.Errorf("delay deviation %.0f ns, want 1ms within 2%%", s)
	}
}

// Random loss: each packet is lost with probability p (loss_event,
// CLG_RANDOM): the count of survivors is binomial.
func TestLossRandom(t *testing.T) {
	b, got := run(t, "loss 5%", 1000)
	p := 0.05
	want := float64(n) * (1 - p)
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(len(got))-want) > 5*sd {
		t.Errorf("%d delivered, want %.0f within %.0f", len(got), want, 5*sd)
	}
	q := b.Qdisc("1:")
	if int(q.Qstats.Drops) != n-len(got) {
		t.Errorf("drops %d, want %d", q.Qstats.Drops, n-len(got))
	}
}

// Duplication: a duplicate goes in again at the root, never duplicated
// itself; delivered = n + Binomial(n, p).
func TestDuplicate(t *testing.T) {
	b, got := run(t, "duplicate 3%", 1000)
	p := 0.03
	want := float64(n) * (1 + p)
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(len(got))-want) > 5*sd {
		t.Errorf("%d delivered, want %.0f within %.0f", len(got), want, 5*sd)
	}
	q := b.Qdisc("1:")
	if q.QLen != 0 || q.Backlog() != 0 || int(q.Bstats.Packets) != len(got) {
		t.Errorf("qlen %d backlog %d sent %d after the run, want 0 0 %d", q.QLen, q.Backlog(), q.Bstats.Packets, len(got))
	}
}

// Reordering: with gap 1 (tc's default with reorder), each packet is
// sent at once, ahead of the delayed ones, with probability r
// (netem_enqueue's reorder branch).
func TestReorder(t *testing.T) {
	b, got := run(t, "limit 20000 delay 10ms reorder 25%", 1000)
	early := 0
	for _, a := range got {
		if a.delay < 1e6 {
			early++
		}
	}
	p := 0.25
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(early)-float64(n)*p) > 5*sd {
		t.Errorf("%d sent early, want %.0f within %.0f", early, float64(n)*p, 5*sd)
	}
	if q := b.Qdisc("1:"); int(q.Qstats.Requeues) != early {
		t.Errorf("requeues %d, want the %d reordered", q.Qstats.Requeues, early)
	}
}

// Gilbert-Elliott: the loss rate is pi_good*(1-k) + pi_bad*(1-h) with
// pi_bad = p/(p+r) (loss_gilb_ell).
func TestLossGilbertElliott(t *testing.T) {
	_, got := run(t, "loss gemodel 2% 20% 30% 1%", 1000)
	p, r, oneH, oneK := 0.02, 0.20, 0.30, 0.01
	piB := p / (p + r)
	// tc's third word, 1-h, is the loss probability in the bad state
	// (tc sends h, the kernel loses when a draw exceeds it); the fourth,
	// 1-k, the good state's.
	want := (1-piB)*oneK + piB*oneH
	loss := 1 - float64(len(got))/n
	// Losses are correlated: allow a wider margin than Bernoulli.
	if math.Abs(loss-want) > 0.01 {
		t.Errorf("loss %.4f, want %.4f", loss, want)
	}
}

// The 4-state model with only p13: stays in the burst state with 1-p31
// = p13, so the loss rate is p13/(p13+p31) = p13.
func TestLoss4State(t *testing.T) {
	_, got := run(t, "loss state 10%", 1000)
	loss := 1 - float64(len(got))/n
	if math.Abs(loss-0.10) > 0.01 {
		t.Errorf("loss %.4f, want 0.10", loss)
	}
}

func digest(got []arrival) uint64 {
	h := fnv.New64a()
	for _, a := range got {
		var b [16]byte
		for i := 0; i < 8; i++ {
			b[i] = byte(a.seq >> (8 * i))
			b[8+i] = byte(a.at >> (8 * i))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// The same qdisc seeded the same way repeats bit for bit; the seed word
// (TCA_NETEM_PRNG_SEED) changes the run.
func TestRepeatsExactly(t *testing.T) {
	const args = "limit 5000 delay 10ms 3ms 25% loss 2% 10% duplicate 1% reorder 5% corrupt 1%"
	_, a := run(t, args, 7000)
	_, b := run(t, args, 7000)
	if digest(a) != digest(b) || len(a) != len(b) {
		t.Fatalf("two runs differ: %d and %d arrivals", len(a), len(b))
	}
	bed := schedtest.New(t, schedtest.Options{})
	bed.TC("qdisc add root handle 1: netem delay 1ms")
	if netem.Seed(bed.Qdisc("1:")) == 0 {
		t.Errorf("no seed chosen")
	}
}
