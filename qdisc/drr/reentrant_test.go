package drr_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/duptest"
	"github.com/netsched/netsched/schedtest"
)

// A child that enqueues a duplicate at the root from inside its own
// enqueue (netem's duplicate) must not get its class activated twice: the
// kernel's reentrancy guard (tdc 90ec, 1f1f, 5e6d, bf1d). Every packet
// and its copy are delivered and the counts come back to zero.
func TestReentrantEnqueue(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6, Kinds: duptest.Registry()})
	for _, cmd := range []string{"qdisc add root handle 1: drr", "class add parent 1: classid 1:1 drr", "class add parent 1: classid 1:2 drr"} {
		b.TC(cmd)
	}
	b.TC("qdisc add parent 1:1 handle 2: dup")
	q := b.Qdisc("1:")
	for i := 0; i < 20; i++ {
		b.Send(flow(1, 0x10001), 1000)
		b.Send(flow(2, 0x10002), 1000)
		if i%5 == 4 {
			b.Run(b.Clock.Now() + 3e6)
		}
	}
	b.Run(b.Clock.Now() + 1e9)
	if got := b.Sink.Flows[1].Packets; got != 40 {
		t.Errorf("duplicated class delivered %d, want 40", got)
	}
	if got := b.Sink.Flows[2].Packets; got != 20 {
		t.Errorf("other class delivered %d, want 20", got)
	}
	if q.QLen != 0 || q.Backlog() != 0 || q.Qstats.Drops != 0 {
		t.Fatalf("left qlen %d backlog %d drops %d", q.QLen, q.Backlog(), q.Qstats.Drops)
	}
}
