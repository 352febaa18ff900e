package qfq_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// Random class changes, deletions, grafts and packets of any size, with
// the link running: the counts stay consistent and everything queued
// drains.
func TestStress(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: qfq")
	exists := map[int]bool{}
	for step := 0; step < 20000; step++ {
		c := 1 + rng.IntN(12)
		switch op := rng.IntN(20); {
		case op == 0:
			if exists[c] {
				b.TryTC(fmt.Sprintf("class del classid 1:%x", c))
				delete(exists, c)
			}
		case op == 1:
			w := 1 + rng.IntN(1024)
			l := 512 + rng.IntN(4000)
			verb := "add parent 1:"
			if exists[c] {
				verb = "change"
			}
			if b.TryTC(fmt.Sprintf("class %s classid 1:%x qfq weight %d maxpkt %d", verb, c, w, l)) == nil {
				exists[c] = true
			}
		case op == 2:
			if exists[c] {
				b.TryTC(fmt.Sprintf("qdisc replace parent 1:%x pfifo limit %d", c, 1+rng.IntN(20)))
			}
		default:
			b.Send(flow(uint32(c), 0x10000|uint32(c)), 60+rng.IntN(9000))
		}
		if rng.IntN(8) == 0 {
			b.Run(b.Clock.Now() + rng.Int64N(3e6))
		}
	}
	b.Run(b.Clock.Now() + 10e9)
	q := b.Qdisc("1:")
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
	}
	t.Logf("delivered %d, dropped %d", b.Sink.Total.Packets, q.Qstats.Drops)
}
