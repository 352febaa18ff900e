package skbprio_test

import (
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
)

func flow(id, prio uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2, Priority: prio}
}

// sch_skbprio.c: when full, the newest packet of the lowest priority
// present makes room for a higher one; a packet of that priority or lower
// is dropped itself; dequeue serves the highest priority first.
func TestDropsLowestPriorityFirst(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e6})
	b.TC("qdisc add root handle 1: skbprio limit 4")
	b.Send(flow(0, 10), 1000) // on the wire
	for i := uint32(1); i <= 4; i++ {
		b.Send(flow(i, 5), 1000) // fill: prio 5
	}
	b.Send(flow(5, 7), 1000) // pushes out flow 4 (newest of prio 5)
	b.Send(flow(6, 3), 1000) // lowest: dropped itself
	b.Send(flow(7, 9), 1000) // pushes out flow 3
	q := b.Qdisc("1:")
	if q.QLen != 4 || q.Qstats.Drops != 3 {
		t.Fatalf("qlen %d drops %d, want 4 and 3", q.QLen, q.Qstats.Drops)
	}
	var order []uint32
	prev := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) { order = append(order, p.Flow); prev(p) }
	b.Run(1e9)
	want := []uint32{0, 7, 5, 1, 2}
	if len(order) != len(want) {
		t.Fatalf("delivered %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("delivered %v, want %v", order, want)
		}
	}
}
