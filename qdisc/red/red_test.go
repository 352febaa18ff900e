package red_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// Floyd and Jacobson 1993, section 4: under a persistent overload RED
// drops early, before the hard limit, and holds the average queue between
// its thresholds. 12 Mbit/s into 10 Mbit/s: one packet in six must go.
func TestEarlyDropsHoldQueueBetweenThresholds(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: red limit 400000 min 30000 max 90000 avpkt 1000 burst 50 probability 0.1 bandwidth 10mbit")
	b.CBR(flow(1), 12e6, 1000, 0, 20e9)
	q := b.Qdisc("1:")
	var sum, n float64
	for ts := int64(5e9); ts < 20e9; ts += 10e6 {
		b.Run(ts)
		sum += float64(q.Backlog())
		n++
	}
	b.Run(21e9)
	avg := sum / n
	if avg < 30000 || avg > 90000 {
		t.Fatalf("mean backlog %.0f bytes, want between min 30000 and max 90000", avg)
	}
	offered := uint64(12e6 * 20 / 8000)
	dropped := uint64(q.Qstats.Drops)
	if got := float64(dropped) / float64(offered); got < 0.14 || got > 0.19 {
		t.Fatalf("dropped %.3f of the packets, want about 1/6", got)
	}
	if q.Qstats.Overlimits == 0 {
		t.Fatal("no overlimits counted")
	}
}

// With ECN, capable packets are marked rather than dropped; nodrop keeps
// the others too.
func TestECNMarks(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: red limit 400000 min 30000 max 90000 avpkt 1000 burst 50 probability 0.1 bandwidth 10mbit ecn")
	f := flow(1)
	f.TOS = 0x02 // ECT(0)
	b.CBR(f, 12e6, 1000, 0, 5e9)
	b.Run(6e9)
	if q := b.Qdisc("1:"); q.Qstats.Overlimits == 0 {
		t.Fatal("no marks")
	}
}
