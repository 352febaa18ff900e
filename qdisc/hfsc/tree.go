package hfsc

// tree is an ordered set of classes by a time key: the kernel's rbtrees
// (eligible tree, vt tree, cf tree). Ties keep insertion order, new after
// old, as the kernel's insertion (equal keys go right) does; a sequence
// number makes that order explicit. It is a treap with parent links, so
// walking in order needs no stack, and nodes live inside the classes, so
// nothing allocates.
//
// The kernel scans its eligible tree for the smallest deadline among the
// eligible classes, and a vt tree for the first class that fits, one class
// at a time. Here each node also keeps the smallest deadline (eligible
// tree) or fit time (vt tree) of its subtree, so both answers come in
// logarithmic time, the same classes as the scans would find.
type tree struct {
	root *node
	seq  uint64
	rnd  uint32 // xorshift state for node priorities
	aug  augment
}

// augment says which class time a tree's nodes summarize.
type augment uint8

const (
	augNone augment = iota
	augD            // deadline: the eligible tree
	augF            // fit time: vt trees
)

// node is a class's membership of one tree.
type node struct {
	left, right, parent *node
	key, seq            uint64
	min                 uint64 // smallest d or f in the subtree
	prio                uint32
	in                  bool
	cl                  *class
}

func (a *node) less(b *node) bool {
	return a.key < b.key || a.key == b.key && a.seq < b.seq
}

func (t *tree) value(n *node) uint64 {
	switch t.aug {
	case augD:
		return n.cl.d
	case augF:
		return n.cl.f
	}
	return 0
}

// pull recomputes n's summary from its value and its children's.
func (t *tree) pull(n *node) {
	m := t.value(n)
	if n.left != nil {
		m = min(m, n.left.min)
	}
	if n.right != nil {
		m = min(m, n.right.min)
	}
	n.min = m
}

// fix updates the summaries from n up, after n's value changed.
func (t *tree) fix(n *node) {
	if t.aug == augNone || n == nil || !n.in {
		return
	}
	for ; n != nil; n = n.parent {
		t.pull(n)
	}
}

func (t *tree) random() uint32 {
	if t.rnd == 0 {
		t.rnd = 0x9E3779B9
	}
	x := t.rnd
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	t.rnd = x
	return x
}

// insert adds n with key, after any node of the same key. A node already
// in the tree is moved rather than linked twice.
func (t *tree) insert(n *node, key uint64) {
	if n.in {
		t.remove(n)
	}
	t.seq++
	*n = node{key: key, seq: t.seq, prio: t.random(), in: true, cl: n.cl}
	n.min = t.value(n)
	if t.root == nil {
		t.root = n
		return
	}
	p := t.root
	for {
		if n.less(p) {
			if p.left == nil {
				p.left = n
				break
			}
			p = p.left
		} else {
			if p.right == nil {
				p.right = n
				break
			}
			p = p.right
		}
	}
	n.parent = p
	for n.parent != nil && n.parent.prio > n.prio {
		if n.parent.left == n {
			t.rotateRight(n.parent)
		} else {
			t.rotateLeft(n.parent)
		}
	}
	t.fix(n.parent)
}

// update gives n a new key as a removal and insertion would (rb_erase
// then insert: after any node of the same key), in place when n's
// neighbours allow it, which is the common case of a time moving forward a
// little. The node's summarized value may have changed too.
func (t *tree) update(n *node, key uint64) {
	if n.in {
		if p := n.prev(); p == nil || p.key <= key {
			if x := n.next(); x == nil || key < x.key {
				t.seq++
				n.key, n.seq = key, t.seq
				t.fix(n)
				return
			}
		}
	}
	t.insert(n, key)
}

// remove takes n out; n must be in the tree.
func (t *tree) remove(n *node) {
	for n.left != nil || n.right != nil {
		if n.right == nil || n.left != nil && n.left.prio < n.right.prio {
			t.rotateRight(n)
		} else {
			t.rotateLeft(n)
		}
	}
	p := n.parent
	t.replace(n, nil)
	if p != nil {
		t.fix(p)
	}
	cl := n.cl
	*n = node{cl: cl}
}

// replace puts c where n hangs.
func (t *tree) replace(n, c *node) {
	switch p := n.parent; {
	case p == nil:
		t.root = c
	case p.left == n:
		p.left = c
	default:
		p.right = c
	}
	if c != nil {
		c.parent = n.parent
	}
}

// rotateLeft lifts x's right child above x.
func (t *tree) rotateLeft(x *node) {
	y := x.right
	x.right = y.left
	if y.left != nil {
		y.left.parent = x
	}
	t.replace(x, y)
	y.left = x
	x.parent = y
	if t.aug != augNone {
		t.pull(x)
		t.pull(y)
	}
}

// rotateRight lifts x's left child above x.
func (t *tree) rotateRight(x *node) {
	y := x.left
	x.left = y.right
	if y.right != nil {
		y.right.parent = x
	}
	t.replace(x, y)
	y.right = x
	x.parent = y
	if t.aug != augNone {
		t.pull(x)
		t.pull(y)
	}
}

// first is the node of the smallest key (rb_first), or nil.
func (t *tree) first() *node {
	n := t.root
	if n == nil {
		return nil
	}
	for n.left != nil {
		n = n.left
	}
	return n
}

// last is the node of the largest key (rb_last), or nil.
func (t *tree) last() *node {
	n := t.root
	if n == nil {
		return nil
	}
	for n.right != nil {
		n = n.right
	}
	return n
}

// next is the node after n in order (rb_next), or nil.
func (n *node) next() *node {
	if n.right != nil {
		n = n.right
		for n.left != nil {
			n = n.left
		}
		return n
	}
	for n.parent != nil && n.parent.right == n {
		n = n.parent
	}
	return n.parent
}

// prev is the node before n in order (rb_prev), or nil.
func (n *node) prev() *node {
	if n.left != nil {
		n = n.left
		for n.right != nil {
			n = n.right
		}
		return n
	}
	for n.parent != nil && n.parent.left == n {
		n = n.parent
	}
	return n.parent
}

// clear forgets every node at once (t = RB_ROOT); the caller resets the
// nodes.
func (t *tree) clear() { t.root = nil }

// minValueUpTo is, among the nodes of key at most limit, the first in
// order of the smallest value: the eligible class with the earliest
// deadline (eltree_get_mindl). The nodes of keys up to limit are the left
// subtrees and the nodes passed on the way down to limit; the first of
// them holding the smallest value is then searched for its first node of
// that value.
func (t *tree) minValueUpTo(limit uint64) *node {
	var best *node // a node, or a subtree root when bestSub
	bestSub := false
	var bestVal uint64
	consider := func(n *node, v uint64, sub bool) {
		if best == nil || v < bestVal {
			best, bestVal, bestSub = n, v, sub
		}
	}
	for n := t.root; n != nil; {
		if n.key > limit {
			n = n.left
			continue
		}
		if n.left != nil {
			consider(n.left, n.left.min, true)
		}
		consider(n, t.value(n), false)
		n = n.right
	}
	if best == nil || !bestSub {
		return best
	}
	return t.firstAtMost(best, bestVal)
}

// firstAtMost is the first node in order under n whose value is at most
// v; n's subtree must hold one.
func (t *tree) firstAtMost(n *node, v uint64) *node {
	for {
		if n.left != nil && n.left.min <= v {
			n = n.left
		} else if t.value(n) <= v {
			return n
		} else {
			n = n.right
		}
	}
}

// firstValueAtMost is the first node in order whose value is at most v,
// or nil: the first class of a vt tree that fits (vttree_firstfit).
func (t *tree) firstValueAtMost(v uint64) *node {
	if t.root == nil || t.root.min > v {
		return nil
	}
	return t.firstAtMost(t.root, v)
}
