package fqcodel_test

import (
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// RFC 8290 sections 1.3 and 4.1: a sparse flow gets the new-flow priority
// and sees almost no queue, whatever the bulk flows do. Eight unresponsive
// bulk flows offer 16 Mbit/s to a 10 Mbit/s link; a sparse flow sends a
// 100-byte packet every 50 ms, long enough for its empty flow to leave the
// old list between packets (one DRR round of the bulk flows is ~10 ms). Its delay stays under CoDel's target, while
// the bulk flows queue and lose packets.
func TestSparseFlowIsolated(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: fq_codel")
	for i := uint32(1); i <= 8; i++ {
		b.CBR(flow(i), 2e6, 1000, 0, 10e9)
	}
	sparse := flow(100)
	b.CBR(sparse, 16e3, 100, 1e6, 10e9)
	// At the start every bulk flow is new too: judge from 100 ms on.
	var worst int64
	prev := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) {
		if now := b.Clock.Now(); p.Flow == 100 && now > 100e6 {
			worst = max(worst, now-p.Sent)
		}
		prev(p)
	}
	b.Run(11e9)
	s := b.Sink.Flows[100]
	if s == nil || s.Packets < 199 {
		t.Fatalf("sparse flow delivered %v, want all 200 packets", s)
	}
	const target = 5e6
	if worst >= target {
		t.Fatalf("sparse flow max delay %.2f ms, want under the 5 ms target", float64(worst)/1e6)
	}
	bulk := b.Sink.Flows[1]
	if bulk.MeanDelay() <= target {
		t.Fatalf("bulk mean delay %.2f ms: the bulk flows did not queue", bulk.MeanDelay()/1e6)
	}
	if q := b.Qdisc("1:"); q.Qstats.Drops == 0 {
		t.Fatal("the overload dropped nothing")
	}
	// The bulk flows share the rest about equally (DRR).
	for i := uint32(1); i <= 8; i++ {
		got := float64(b.Sink.Flows[i].Bytes) * 8 / 10
		if got < 1.05e6 || got > 1.3e6 {
			t.Errorf("bulk flow %d got %.0f bit/s, want about 1.2 Mbit/s", i, got)
		}
	}
}

// A priority naming one of the qdisc's flows picks it, as
// fq_codel_classify does; a class dump shows the busy flows only.
func TestPriorityPicksFlow(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: fq_codel flows 16")
	f := flow(1)
	f.Priority = 0x0001_0007 // 1:7
	for i := 0; i < 3; i++ {
		b.Send(f, 1000)
	}
	q := b.Qdisc("1:")
	var busy []any
	q.Discipline.(sched.Classful).Walk(func(c sched.Class) bool { busy = append(busy, c); return true })
	if len(busy) != 1 || q.QLen != 2 {
		t.Fatalf("busy flows %v, want flow 7 only", busy)
	}
	m := sched.TCMsg{Handle: q.Handle}
	q.Discipline.(sched.Classful).DumpClass(busy[0], &m, nil)
	if m.Handle != 0x0001_0007 {
		t.Fatalf("class %v, want 1:7", m.Handle)
	}
	if q.QLen != 2 {
		t.Fatalf("qlen %d, want 2 (one on the wire)", q.QLen)
	}
}

// Over the limit the fattest flow loses half its backlog from the head,
// at most drop_batch packets (fq_codel_drop); the arriving packet's flow
// being the fat one, the verdict is congestion.
func TestOverLimitDropsFromFattest(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e3})
	b.TC("qdisc add root handle 1: fq_codel limit 10 drop_batch 3")
	b.Send(flow(9), 100) // on the wire
	for i := 0; i < 8; i++ {
		b.Send(flow(1), 1000)
	}
	for i := 0; i < 3; i++ {
		b.Send(flow(2), 1000)
	}
	q := b.Qdisc("1:")
	// 11 queued > 10: flow 1 (8000 bytes) loses 3 packets, not half.
	if q.QLen != 8 || q.Qstats.Drops != 3 {
		t.Fatalf("qlen %d drops %d, want 8 and 3", q.QLen, q.Qstats.Drops)
	}
}

// Trimming on change dequeues through the flows, as the kernel does.
func TestChangeTrims(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e3})
	b.TC("qdisc add root handle 1: fq_codel limit 10")
	for i := uint32(0); i < 6; i++ {
		b.Send(flow(i), 1000)
	}
	b.TC("qdisc change root handle 1: fq_codel limit 1")
	if q := b.Qdisc("1:"); q.QLen != 1 || q.Backlog() != 1000 {
		t.Fatalf("qlen %d backlog %d, want 1 and 1000", q.QLen, q.Backlog())
	}
}

// BenchmarkEnqueueDequeue1024Flows keeps 1024 flows active: each dequeued
// packet goes back into its own flow.
func BenchmarkEnqueueDequeue1024Flows(b *testing.B) {
	bed := schedtest.New(b, schedtest.Options{})
	bed.TC("qdisc add root handle 1: fq_codel limit 100000 flows 1024")
	q := bed.Qdisc("1:")
	for i := uint32(0); i < 2048; i++ {
		p := bed.Pool.Get()
		bed.Frame(p, flow(i), 1000, 0)
		p.Hash = (i % 1024) << 22 // flow i%1024
		if v := q.Enqueue(p); v != 0 {
			b.Fatalf("enqueue %d: %v", i, v)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var p *pkt.Packet
	for i := 0; i < b.N; i++ {
		p = q.Dequeue()
		q.Enqueue(p)
	}
	b.StopTimer()
	if q.QLen != 2048 {
		b.Fatalf("qlen %d, want 2048", q.QLen)
	}
}
