package choke_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// CHOKe (Pan, Prabhakar and Psounis 2000): a flow that fills the queue is
// the likeliest to be drawn, so it loses matched pairs and a larger share
// of its packets than a light flow.
func TestPenalizesHeavyFlow(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: choke limit 200 bandwidth 10mbit min 10 max 60")
	b.CBR(flow(1), 16e6, 1000, 0, 10e9)
	b.CBR(flow(2), 2e6, 1000, 0, 10e9)
	b.Run(11e9)
	sent := func(rate float64) float64 { return rate * 10 / 8000 }
	loss1 := 1 - float64(b.Sink.Flows[1].Packets)/sent(16e6)
	loss2 := 1 - float64(b.Sink.Flows[2].Packets)/sent(2e6)
	if loss1 <= loss2 {
		t.Fatalf("heavy flow lost %.2f, light flow %.2f: want the heavy one to lose more", loss1, loss2)
	}
}
