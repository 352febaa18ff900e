package sfb_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// SFB (Feng et al. 1999): an unresponsive flow fills its bins and loses
// what exceeds them (bucket drops, early drops at its bins' probability),
// while a light flow, whose bins stay short, keeps nearly all its
// packets; the capacity the light flow leaves is not wasted.
func TestLimitsUnresponsiveFlow(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: sfb limit 100 target 10 max 15 penalty_rate 100 penalty_burst 20")
	b.CBR(flow(1), 20e6, 1000, 0, 10e9)
	b.CBR(flow(2), 1e6, 1000, 0, 10e9)
	b.Run(11e9)
	heavy := float64(b.Sink.Flows[1].Packets) * 8000 / 10
	light := float64(b.Sink.Flows[2].Packets) * 8000 / 10
	if light < 0.9e6 {
		t.Fatalf("light flow got %.0f bit/s of its 1 Mbit/s", light)
	}
	if heavy < 8e6 || heavy > 9.1e6 {
		t.Fatalf("unresponsive flow got %.0f bit/s, want the rest of the link", heavy)
	}
	if q := b.Qdisc("1:"); q.Qstats.Drops < 8000 {
		t.Fatalf("only %d drops of an unresponsive 20 Mbit/s flow", q.Qstats.Drops)
	}
}
