package hfsc

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The tree keeps classes by key, equal keys in insertion order, through
// any mix of inserts, moves and removals.
func TestTreeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	classes := make([]*class, 200)
	for i := range classes {
		classes[i] = &class{}
		classes[i].init(nil, 0)
	}
	var tr tree
	type entry struct {
		key, seq uint64
		cl       *class
	}
	var ref []entry
	var seq uint64
	for step := 0; step < 20000; step++ {
		cl := classes[rng.IntN(len(classes))]
		i := slices.IndexFunc(ref, func(e entry) bool { return e.cl == cl })
		if i >= 0 {
			ref = slices.Delete(ref, i, i+1)
		}
		if rng.IntN(3) == 0 {
			if cl.elNode.in {
				tr.remove(&cl.elNode)
			}
		} else {
			key := rng.Uint64N(50)
			tr.insert(&cl.elNode, key)
			seq++
			ref = append(ref, entry{key, seq, cl})
		}
		slices.SortStableFunc(ref, func(a, b entry) int {
			if a.key != b.key {
				if a.key < b.key {
					return -1
				}
				return 1
			}
			if a.seq < b.seq {
				return -1
			}
			return 1
		})
		j := 0
		for n := tr.first(); n != nil; n = n.next() {
			if j >= len(ref) || ref[j].cl != n.cl {
				t.Fatalf("step %d: order differs at %d", step, j)
			}
			j++
		}
		if j != len(ref) {
			t.Fatalf("step %d: %d nodes, want %d", step, j, len(ref))
		}
		if len(ref) > 0 && tr.last().cl != ref[len(ref)-1].cl {
			t.Fatalf("step %d: wrong last", step)
		}
	}
}

// The summarized searches find what the kernel's scans find, through
// inserts, removals and values changing in place.
func TestTreeSearches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, aug := range []augment{augD, augF} {
		classes := make([]*class, 100)
		for i := range classes {
			classes[i] = &class{}
			classes[i].init(nil, 0)
		}
		tr := tree{aug: aug}
		set := func(cl *class, v uint64) {
			if aug == augD {
				cl.d = v
			} else {
				cl.f = v
			}
			tr.fix(&cl.elNode)
		}
		val := func(cl *class) uint64 {
			if aug == augD {
				return cl.d
			}
			return cl.f
		}
		for step := 0; step < 20000; step++ {
			cl := classes[rng.IntN(len(classes))]
			switch rng.IntN(4) {
			case 0:
				if cl.elNode.in {
					tr.remove(&cl.elNode)
				}
			case 1:
				set(cl, rng.Uint64N(40))
			default:
				if aug == augD {
					cl.d = rng.Uint64N(40)
				} else {
					cl.f = rng.Uint64N(40)
				}
				tr.insert(&cl.elNode, rng.Uint64N(40))
			}
			limit := rng.Uint64N(45)
			// eltree_get_mindl
			var want *class
			for n := tr.first(); n != nil; n = n.next() {
				if n.key > limit {
					break
				}
				if want == nil || val(n.cl) < val(want) {
					want = n.cl
				}
			}
			var got *class
			if n := tr.minValueUpTo(limit); n != nil {
				got = n.cl
			}
			if got != want {
				t.Fatalf("aug %d step %d: min up to %d: got %p want %p", aug, step, limit, got, want)
			}
			// vttree_firstfit
			want = nil
			for n := tr.first(); n != nil; n = n.next() {
				if val(n.cl) <= limit {
					want = n.cl
					break
				}
			}
			got = nil
			if n := tr.firstValueAtMost(limit); n != nil {
				got = n.cl
			}
			if got != want {
				t.Fatalf("aug %d step %d: first at most %d: got %p want %p", aug, step, limit, got, want)
			}
		}
	}
}

// update orders nodes exactly as removal and insertion would.
func TestTreeUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := make([]*class, 60), make([]*class, 60)
	for i := range a {
		a[i], b[i] = &class{}, &class{}
		a[i].init(nil, 0)
		b[i].init(nil, 0)
	}
	var ta, tb tree
	for step := 0; step < 50000; step++ {
		i := rng.IntN(len(a))
		key := rng.Uint64N(100)
		if rng.IntN(2) == 0 && a[i].elNode.in {
			key = a[i].elNode.key + rng.Uint64N(3) // forward a little
		}
		if rng.IntN(10) == 0 {
			if a[i].elNode.in {
				ta.remove(&a[i].elNode)
				tb.remove(&b[i].elNode)
			}
			continue
		}
		ta.update(&a[i].elNode, key)
		if b[i].elNode.in {
			tb.remove(&b[i].elNode)
		}
		tb.insert(&b[i].elNode, key)
		na, nb := ta.first(), tb.first()
		for ; na != nil && nb != nil; na, nb = na.next(), nb.next() {
			if na.key != nb.key {
				t.Fatalf("step %d: keys differ", step)
			}
			// The same class in both orders.
			ia, ib := -1, -1
			for j := range a {
				if a[j] == na.cl {
					ia = j
				}
				if b[j] == nb.cl {
					ib = j
				}
			}
			if ia != ib {
				t.Fatalf("step %d: order differs", step)
			}
		}
		if na != nil || nb != nil {
			t.Fatalf("step %d: sizes differ", step)
		}
	}
}
