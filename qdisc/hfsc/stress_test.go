package hfsc_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

var curves = []string{"rt m2 %dkbit", "ls m2 %dkbit", "sc m2 %dkbit", "ls m2 %dkbit ul m2 2mbit",
	"rt m1 %dkbit d 5ms m2 100kbit ls m2 1mbit", "rt umax 1500 dmax 2ms rate %dkbit"}

// Random class trees, changes, deletions, grafts and packets, with the
// link running: the counts stay consistent and everything queued drains
// (link sharing guarantees nothing to rt-only classes, so only classes
// with ls curves get traffic at the end).
func TestStress(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: hfsc default 1")
	parent := map[int]int{}
	for step := 0; step < 20000; step++ {
		c := 1 + rng.IntN(16)
		sc := fmt.Sprintf(curves[rng.IntN(len(curves))], 100+rng.IntN(5000))
		switch op := rng.IntN(20); {
		case op == 0:
			if _, ok := parent[c]; ok && b.TryTC(fmt.Sprintf("class del classid 1:%x", c)) == nil {
				delete(parent, c)
			}
		case op == 1:
			if p, ok := parent[c]; ok {
				b.TryTC(fmt.Sprintf("class change parent 1:%x classid 1:%x hfsc %s", p, c, sc))
				break
			}
			p := 0
			if rng.IntN(2) == 0 {
				for k := range parent {
					if k != c {
						p = k
						break
					}
				}
			}
			if b.TryTC(fmt.Sprintf("class add parent 1:%x classid 1:%x hfsc %s", p, c, sc)) == nil {
				parent[c] = p
			}
		case op == 2:
			if _, ok := parent[c]; ok {
				b.TryTC(fmt.Sprintf("qdisc replace parent 1:%x pfifo limit %d", c, 1+rng.IntN(20)))
			}
		default:
			b.Send(flow(uint32(c), 0x10000|uint32(c)), 60+rng.IntN(1500))
		}
		if rng.IntN(8) == 0 {
			b.Run(b.Clock.Now() + rng.Int64N(2e6))
		}
	}
	// Give every class a link-sharing curve so that all can drain.
	for c, p := range parent {
		b.TryTC(fmt.Sprintf("class change parent 1:%x classid 1:%x hfsc ls m2 1mbit", p, c))
	}
	b.Run(b.Clock.Now() + 100e9)
	q := b.Qdisc("1:")
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
	}
	t.Logf("delivered %d, dropped %d, %d classes", b.Sink.Total.Packets, q.Qstats.Drops, len(parent))
}
