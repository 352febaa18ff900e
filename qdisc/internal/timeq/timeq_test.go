package timeq_test

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/internal/timeq"
)

// Packets leave by time, equal times in arrival order, whatever mix of
// the list and the heap holds them; Last is the latest time queued.
func TestOrder(t *testing.T) {
	for _, tt := range []struct {
		name  string
		times []int64
	}{
		{"in order", []int64{1, 2, 2, 3, 10}},
		{"reversed", []int64{9, 8, 7, 7, 1}},
		{"ties across list and heap", []int64{5, 5, 3, 5, 3, 5, 1}},
		{"empty", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var q timeq.Queue
			var last int64
			for i, tm := range tt.times {
				q.Push(&pkt.Packet{TimeToSend: tm, Seq: uint64(i)})
				last = max(last, tm)
			}
			if l, ok := q.Last(); ok != (len(tt.times) > 0) || l != last {
				t.Fatalf("Last %d %v, want %d", l, ok, last)
			}
			type ts struct {
				t   int64
				seq uint64
			}
			want := make([]ts, len(tt.times))
			for i, tm := range tt.times {
				want[i] = ts{tm, uint64(i)}
			}
			sort.SliceStable(want, func(i, j int) bool { return want[i].t < want[j].t })
			for i := range want {
				p := q.Pop()
				if p.TimeToSend != want[i].t {
					t.Fatalf("pop %d: time %d, want %d", i, p.TimeToSend, want[i].t)
				}
			}
			if q.Len() != 0 || q.Pop() != nil {
				t.Fatalf("not empty")
			}
		})
	}
}

// Random pushes and pops against a sorted model.
func TestRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var q timeq.Queue
	var model []int64
	for i := 0; i < 30000; i++ {
		if r.Intn(3) != 0 {
			tm := int64(i) + r.Int63n(1000) - 500
			q.Push(&pkt.Packet{TimeToSend: tm})
			model = append(model, tm)
			sort.Slice(model, func(a, b int) bool { return model[a] < model[b] })
		} else if len(model) > 0 {
			if p := q.Pop(); p.TimeToSend != model[0] {
				t.Fatalf("step %d: popped %d, want %d", i, p.TimeToSend, model[0])
			}
			model = model[1:]
		}
		if q.Len() != len(model) {
			t.Fatalf("len %d, want %d", q.Len(), len(model))
		}
	}
}
