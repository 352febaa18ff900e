package sched

import (
	"sync"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Block is a filter block (struct tcf_block): the chains of filters attached
// to a qdisc or one of its classes, or a shared block that several ingress
// and clsact qdiscs use by index.
//
// Locking: the control plane changes chains and protos under the control
// lock and, because packets classify concurrently, also under the lock the
// data path holds while it classifies: the owner's root lock for a private
// block (the qdisc classifies under it), the block's own mu for a shared
// block (whose owners each have their own root lock). A shared block's
// mutex is only ever taken after a root lock, never before, so the two
// cannot deadlock.
type Block struct {
	// Index is the shared block index; 0 for a block private to its owner.
	Index uint32
	// Owner is the qdisc of a private block; nil for a shared block
	// (tcf_block_create keeps no qdisc for those).
	Owner *Qdisc
	// ClassID is the parent named by the last filter added (block->classid);
	// a dump through a device shows it as every filter's tcm_parent.
	ClassID tc.Handle

	chains *Chain // in creation order (block->chain_list)
	chain0 *Chain // chain 0 if it exists: where classification starts
	refs   int
	net    *Net
	// dead is set when the last holder let go: the owner is out of the
	// data path (and may be going away under its own root lock), so the
	// final flush takes no lock.
	dead bool
	// writing is set while the control plane holds the data-path lock
	// (control-plane state, read and written under the control lock).
	writing bool

	// mu guards chains and protos of a shared block against the data paths
	// of its owners (see above).
	mu sync.RWMutex
}

// NewBlock returns an empty block owned by q (tcf_block_get for a qdisc
// that does not share).
func NewBlock(q *Qdisc) *Block {
	b := &Block{Owner: q, refs: 1}
	if q != nil && q.dev != nil {
		b.net = q.dev.net
	}
	return b
}

// Shared reports whether the block is a shared one (tcf_block_shared).
func (b *Block) Shared() bool { return b.Index != 0 }

// write runs fn with the lock the data path classifies under.
func (b *Block) write(fn func()) {
	if b.dead || b.writing {
		// A classifier's Change runs under the lock and may come back
		// (an action taking a chain): the lock is already held.
		fn()
		return
	}
	b.writing = true
	defer func() { b.writing = false }()
	if b.Owner != nil {
		l := b.Owner.RootLock()
		l.Lock()
		defer l.Unlock()
	} else {
		b.mu.Lock()
		defer b.mu.Unlock()
	}
	fn()
}

// Chains calls fn for each chain a user sees, in creation order: chains
// that exist only because actions jump to them are skipped
// (tcf_get_next_chain).
func (b *Block) Chains(fn func(c *Chain) bool) {
	for c := b.chains; c != nil; {
		next := c.next
		if !c.heldByActsOnly() && !fn(c) {
			return
		}
		c = next
	}
}

// Chain returns the chain of that index, or nil (tcf_chain_lookup).
func (b *Block) Chain(index uint32) *Chain {
	for c := b.chains; c != nil; c = c.next {
		if c.Index == index {
			return c
		}
	}
	return nil
}

// GetBlock returns the block a qdisc attaches to: a new private block for
// index 0, else the namespace's shared block of that index, made on first
// use (tcf_block_get_ext).
func (n *Net) GetBlock(index uint32, q *Qdisc) *Block {
	if index == 0 {
		b := NewBlock(q)
		b.net = n
		return b
	}
	b := n.blocks[index]
	if b == nil {
		b = &Block{Index: index, net: n}
		n.blocks[index] = b
	}
	b.refs++
	return b
}

// PutBlock releases a qdisc's hold on a block; a block with no holder left
// loses its filters and, if shared, its index (__tcf_block_put).
func (n *Net) PutBlock(b *Block) {
	if b == nil {
		return
	}
	b.refs--
	if b.refs > 0 {
		return
	}
	if b.Index != 0 {
		delete(n.blocks, b.Index)
	}
	b.dead = b.Owner != nil
	b.flushAll()
}

// SharedBlock returns the shared block of that index, or nil.
func (n *Net) SharedBlock(index uint32) *Block { return n.blocks[index] }

// flushAll empties every chain of a block that lost its last holder
// (tcf_block_flush_all_chains). The owner is gone from the data path, so
// only a shared block needs its lock.
func (b *Block) flushAll() {
	for c := b.chains; c != nil; {
		c.refs++ // hold across the flush, as tcf_get_next_chain does
		c.putExplicit(nil)
		c.flush(nil, nil)
		next := c.next
		c.put(nil)
		c = next
	}
}

// Chain is a filter chain of a block (struct tcf_chain): protos in
// priority order.
type Chain struct {
	Index uint32
	Block *Block

	head *Proto // sorted by Prio
	next *Chain

	// refs counts filters (one per proto), the explicit creation, actions
	// that jump here (actRefs of them) and holds of requests in progress.
	refs     int
	actRefs  int
	explicit bool // made by RTM_NEWCHAIN: stays after its last filter
	flushing bool
	tmpl     *chainTemplate
}

type chainTemplate struct {
	kind *ClassifierKind
	t    ChainTemplate
}

// Protos calls fn for each proto of the chain in priority order.
func (c *Chain) Protos(fn func(tp *Proto) bool) {
	for tp := c.head; tp != nil; {
		next := tp.next
		if !fn(tp) {
			return
		}
		tp = next
	}
}

// Template returns the chain's template, or nil.
func (c *Chain) Template() ChainTemplate {
	if c.tmpl == nil {
		return nil
	}
	return c.tmpl.t
}

func (c *Chain) heldByActsOnly() bool { return c.refs == c.actRefs }

// chainCreate appends a new chain with one reference (tcf_chain_create).
func (b *Block) chainCreate(index uint32) *Chain {
	c := &Chain{Index: index, Block: b, refs: 1}
	b.write(func() {
		link := &b.chains
		for *link != nil {
			link = &(*link).next
		}
		*link = c
		if index == 0 {
			b.chain0 = c
		}
	})
	return c
}

// detach unlinks a chain whose last reference went (tcf_chain_detach).
func (b *Block) detach(c *Chain) {
	b.write(func() {
		for link := &b.chains; *link != nil; link = &(*link).next {
			if *link == c {
				*link = c.next
				break
			}
		}
		if b.chain0 == c {
			b.chain0 = nil
		}
	})
}

// chainGet finds (or makes, with create) a chain and takes a reference
// (__tcf_chain_get). The first reference that is not an action's tells the
// listeners the chain exists.
func (b *Block) chainGet(index uint32, create, byAct bool, r *Request) *Chain {
	c := b.Chain(index)
	if c != nil {
		c.refs++
	} else {
		if !create {
			return nil
		}
		c = b.chainCreate(index)
	}
	if byAct {
		c.actRefs++
	}
	if c.refs-c.actRefs == 1 && !byAct {
		notifyChain(r, c, RTM_NEWCHAIN, nl.NLM_F_CREATE|nl.NLM_F_EXCL)
	}
	return c
}

// ChainGetByAct takes a reference for an action that jumps to chain index,
// making the chain if needed (tcf_chain_get_by_act). A chain held only by
// actions is invisible to users.
func (b *Block) ChainGetByAct(index uint32) *Chain { return b.chainGet(index, true, true, nil) }

// PutByAct drops an action's reference (tcf_chain_put_by_act).
func (c *Chain) PutByAct() { c.release(true, false, nil) }

func (c *Chain) put(r *Request)         { c.release(false, false, r) }
func (c *Chain) putExplicit(r *Request) { c.release(false, true, r) }

// release is __tcf_chain_put: when the last user reference goes the
// listeners hear the chain is gone; with the last reference of any kind the
// chain leaves its block.
func (c *Chain) release(byAct, explicit bool, r *Request) {
	if explicit {
		if !c.explicit {
			return
		}
		c.explicit = false
	}
	if byAct {
		c.actRefs--
	}
	c.refs--
	nonAct := c.refs - c.actRefs
	exp := 0
	if c.explicit {
		exp = 1
	}
	if nonAct == exp && !byAct {
		if nonAct == 0 {
			notifyChain(r, c, RTM_DELCHAIN, 0)
		}
		c.flushing = false
	}
	if c.refs == 0 {
		c.Block.detach(c)
		if c.tmpl != nil {
			c.tmpl.t.Destroy()
			c.tmpl = nil
		}
	}
}

// flush removes every proto of the chain (tcf_chain_flush); filters are
// destroyed after they left the data path's view.
func (c *Chain) flush(ext *Ext, r *Request) {
	var tp *Proto
	c.Block.write(func() {
		tp = c.head
		c.head = nil
		c.flushing = true
	})
	for tp != nil {
		next := tp.next
		tp.deleting = true
		tp.destroy(ext, r)
		tp = next
	}
}

// tpFind looks for the proto of priority prio (tcf_chain_tp_find). It
// returns it, or nil with link pointing where one of that priority would go.
// A proto of that priority with another protocol is an error unless
// protocol is 0 (any); with allocate, any proto at prio is.
func (c *Chain) tpFind(protocol uint16, prio uint32, allocate bool) (*Proto, **Proto, error) {
	link := &c.head
	for tp := *link; tp != nil; link, tp = &tp.next, tp.next {
		if tp.Prio < prio {
			continue
		}
		if tp.Prio > prio {
			break
		}
		if allocate {
			return nil, nil, Err(syscall.ENOSPC, "Lowest ID from auto-alloc range already in use")
		}
		if tp.Protocol != protocol && protocol != 0 {
			return nil, nil, Err(syscall.EINVAL, "Protocol mismatch for filter with specified priority")
		}
		return tp, link, nil
	}
	return nil, link, nil
}

// unlink takes tp out of the chain (tcf_chain_tp_remove) and reports
// whether it was there.
func (c *Chain) unlink(tp *Proto) bool {
	found := false
	c.Block.write(func() {
		for link := &c.head; *link != nil; link = &(*link).next {
			if *link == tp {
				*link = tp.next
				found = true
				return
			}
		}
	})
	tp.deleting = true
	return found
}

// deleteEmpty removes and destroys a proto whose classifier holds no
// filter anymore, unless the classifier objects
// (tcf_chain_tp_delete_empty).
func (c *Chain) deleteEmpty(tp *Proto, r *Request, ext *Ext) {
	in := false
	for x := c.head; x != nil; x = x.next {
		in = in || x == tp
	}
	if !in {
		return
	}
	if ec, ok := tp.Cls.(EmptyChecker); ok && !ec.DeleteEmpty() {
		return
	}
	c.unlink(tp)
	tp.destroy(ext, r)
}
