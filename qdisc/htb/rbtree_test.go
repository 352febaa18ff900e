package htb

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/netsched/netsched/tc"
)

// checkTree verifies the red-black invariants and parent links, and returns
// the ids in order.
func checkTree(t *testing.T, tr *rbTree) []uint32 {
	t.Helper()
	var ids []uint32
	var walk func(n, parent *rbNode) int
	walk = func(n, parent *rbNode) int {
		if n == nil {
			return 1
		}
		if n.parent != parent {
			t.Fatalf("node %x: bad parent link", n.cl.id)
		}
		if !n.linked {
			t.Fatalf("node %x in tree but not linked", n.cl.id)
		}
		if n.red && (isRed(n.left) || isRed(n.right)) {
			t.Fatalf("node %x: red with a red child", n.cl.id)
		}
		l := walk(n.left, n)
		ids = append(ids, uint32(n.cl.id))
		r := walk(n.right, n)
		if l != r {
			t.Fatalf("node %x: black heights %d and %d", n.cl.id, l, r)
		}
		if !n.red {
			l++
		}
		return l
	}
	if isRed(tr.root) {
		t.Fatal("red root")
	}
	walk(tr.root, nil)
	return ids
}

// The tree keeps its invariants and its order through random inserts and
// erases, and first/next/lowerBound agree with a sorted slice.
func TestRBTreeRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	classes := make([]*class, 2000)
	for i := range classes {
		classes[i] = newClass(tc.Handle(0x10000 | uint32(i*3+1)))
	}
	var tr rbTree
	in := map[*class]bool{}
	for step := 0; step < 20000; step++ {
		cl := classes[rng.Intn(len(classes))]
		if in[cl] {
			tr.erase(&cl.node[2])
			delete(in, cl)
		} else {
			tr.insert(&cl.node[2])
			in[cl] = true
		}
		if step%997 != 0 {
			continue
		}
		ids := checkTree(t, &tr)
		var want []uint32
		for c := range in {
			want = append(want, uint32(c.id))
		}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if len(ids) != len(want) {
			t.Fatalf("step %d: %d ids, want %d", step, len(ids), len(want))
		}
		i := 0
		for n := tr.first(); n != nil; n = next(n) {
			if uint32(n.cl.id) != want[i] {
				t.Fatalf("step %d: in-order %x, want %x", step, n.cl.id, want[i])
			}
			i++
		}
		for k := 0; k < 50; k++ {
			q := uint32(0x10000 | rng.Intn(6100))
			j := sort.Search(len(want), func(i int) bool { return want[i] >= q })
			n := tr.lowerBound(q)
			switch {
			case j == len(want) && n != nil:
				t.Fatalf("lowerBound(%x) = %x, want none", q, n.cl.id)
			case j < len(want) && (n == nil || uint32(n.cl.id) != want[j]):
				t.Fatalf("lowerBound(%x) wrong, want %x", q, want[j])
			}
		}
	}
	// Erasing an unlinked node is a no-op.
	for _, cl := range classes {
		if !in[cl] {
			tr.erase(&cl.node[2])
			break
		}
	}
	checkTree(t, &tr)
}

func TestWaitQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var w waitQueue
	cls := make([]*class, 500)
	for i := range cls {
		cls[i] = newClass(tc.Handle(i))
		cls[i].pqKey = int64(rng.Intn(50))
		w.push(cls[i])
	}
	// Remove some from the middle.
	for i := 0; i < 100; i++ {
		w.remove(cls[rng.Intn(len(cls))])
	}
	var lastKey int64 = -1
	var lastSeq uint64
	for cl := w.first(); cl != nil; cl = w.first() {
		if cl.pqKey < lastKey || cl.pqKey == lastKey && cl.pqSeq < lastSeq {
			t.Fatalf("out of order: %d/%d after %d/%d", cl.pqKey, cl.pqSeq, lastKey, lastSeq)
		}
		lastKey, lastSeq = cl.pqKey, cl.pqSeq
		w.remove(cl)
		if cl.pqIndex != -1 {
			t.Fatal("removed class keeps its index")
		}
	}
}
