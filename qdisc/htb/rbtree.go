package htb

// An intrusive red-black tree of classes ordered by class id: HTB's rows
// (one per level and priority) and feeds (one per inner class and
// priority). Each class carries one node per priority, so a class sits in
// at most one tree per priority, as in the kernel. Insert and erase are
// O(log n); next is amortised O(1); nothing allocates.

type rbNode struct {
	parent, left, right *rbNode
	cl                  *class
	red                 bool
	linked              bool // in a tree (the kernel's !RB_EMPTY_NODE)
}

type rbTree struct {
	root *rbNode
}

func (t *rbTree) empty() bool { return t.root == nil }

// first returns the leftmost node, or nil.
func (t *rbTree) first() *rbNode {
	n := t.root
	if n == nil {
		return nil
	}
	for n.left != nil {
		n = n.left
	}
	return n
}

// next returns the in-order successor of n, or nil (rb_next).
func next(n *rbNode) *rbNode {
	if n.right != nil {
		n = n.right
		for n.left != nil {
			n = n.left
		}
		return n
	}
	for n.parent != nil && n == n.parent.right {
		n = n.parent
	}
	return n.parent
}

// lowerBound returns the node whose class id is the smallest >= id, or nil
// (htb_id_find_next_upper).
func (t *rbTree) lowerBound(id uint32) *rbNode {
	var r *rbNode
	for n := t.root; n != nil; {
		switch c := uint32(n.cl.id); {
		case id > c:
			n = n.right
		case id < c:
			r = n
			n = n.left
		default:
			return n
		}
	}
	return r
}

// insert links n, keyed by its class's id; equal ids go left, as
// htb_add_to_id_tree does (ids are unique in practice).
func (t *rbTree) insert(n *rbNode) {
	id := n.cl.id
	var parent *rbNode
	link := &t.root
	for *link != nil {
		parent = *link
		if id > parent.cl.id {
			link = &parent.right
		} else {
			link = &parent.left
		}
	}
	n.parent, n.left, n.right, n.red, n.linked = parent, nil, nil, true, true
	*link = n
	t.insertFixup(n)
}

func (t *rbTree) rotateLeft(x *rbNode) {
	y := x.right
	x.right = y.left
	if y.left != nil {
		y.left.parent = x
	}
	y.parent = x.parent
	t.replaceChild(x, y)
	y.left = x
	x.parent = y
}

func (t *rbTree) rotateRight(x *rbNode) {
	y := x.left
	x.left = y.right
	if y.right != nil {
		y.right.parent = x
	}
	y.parent = x.parent
	t.replaceChild(x, y)
	y.right = x
	x.parent = y
}

// replaceChild points x's parent (or the root) at y instead of x.
func (t *rbTree) replaceChild(x, y *rbNode) {
	switch p := x.parent; {
	case p == nil:
		t.root = y
	case p.left == x:
		p.left = y
	default:
		p.right = y
	}
}

func (t *rbTree) insertFixup(z *rbNode) {
	for z.parent != nil && z.parent.red {
		p := z.parent
		g := p.parent
		if p == g.left {
			u := g.right
			if u != nil && u.red {
				p.red, u.red, g.red = false, false, true
				z = g
				continue
			}
			if z == p.right {
				z = p
				t.rotateLeft(z)
				p = z.parent
			}
			p.red, g.red = false, true
			t.rotateRight(g)
		} else {
			u := g.left
			if u != nil && u.red {
				p.red, u.red, g.red = false, false, true
				z = g
				continue
			}
			if z == p.left {
				z = p
				t.rotateRight(z)
				p = z.parent
			}
			p.red, g.red = false, true
			t.rotateLeft(g)
		}
	}
	t.root.red = false
}

// erase unlinks n; erasing a node that is not linked does nothing, as
// htb_safe_rb_erase (which also warns).
func (t *rbTree) erase(z *rbNode) {
	if !z.linked {
		return
	}
	var x, xParent *rbNode
	removedRed := z.red
	switch {
	case z.left == nil:
		x, xParent = z.right, z.parent
		t.transplant(z, z.right)
	case z.right == nil:
		x, xParent = z.left, z.parent
		t.transplant(z, z.left)
	default:
		y := z.right
		for y.left != nil {
			y = y.left
		}
		removedRed = y.red
		x = y.right
		if y.parent == z {
			xParent = y
		} else {
			xParent = y.parent
			t.transplant(y, y.right)
			y.right = z.right
			y.right.parent = y
		}
		t.transplant(z, y)
		y.left = z.left
		y.left.parent = y
		y.red = z.red
	}
	if !removedRed {
		t.eraseFixup(x, xParent)
	}
	z.parent, z.left, z.right, z.linked = nil, nil, nil, false
}

// transplant puts v (possibly nil) where u was.
func (t *rbTree) transplant(u, v *rbNode) {
	t.replaceChild(u, v)
	if v != nil {
		v.parent = u.parent
	}
}

func isRed(n *rbNode) bool { return n != nil && n.red }

func (t *rbTree) eraseFixup(x, parent *rbNode) {
	for x != t.root && !isRed(x) {
		if x == parent.left {
			w := parent.right
			if w.red {
				w.red, parent.red = false, true
				t.rotateLeft(parent)
				w = parent.right
			}
			if !isRed(w.left) && !isRed(w.right) {
				w.red = true
				x, parent = parent, parent.parent
				continue
			}
			if !isRed(w.right) {
				w.left.red, w.red = false, true
				t.rotateRight(w)
				w = parent.right
			}
			w.red, parent.red = parent.red, false
			w.right.red = false
			t.rotateLeft(parent)
			x = t.root
		} else {
			w := parent.left
			if w.red {
				w.red, parent.red = false, true
				t.rotateRight(parent)
				w = parent.left
			}
			if !isRed(w.left) && !isRed(w.right) {
				w.red = true
				x, parent = parent, parent.parent
				continue
			}
			if !isRed(w.left) {
				w.right.red, w.red = false, true
				t.rotateLeft(w)
				w = parent.left
			}
			w.red, parent.red = parent.red, false
			w.left.red = false
			t.rotateRight(parent)
			x = t.root
		}
	}
	if x != nil {
		x.red = false
	}
}
