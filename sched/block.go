package sched

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
)

// Result is what a classifier answers for a packet (struct tcf_result).
type Result struct {
	ClassID tc.Handle
	Class   Class // bound class, when the classifier holds one
	// GotoChain is set by actions that continue in another chain.
	GotoChain *Chain
}

// Classifier is one filter instance of a classifier kind (tcf_proto's ops
// with its private state): the filters of one priority and protocol.
type Classifier interface {
	// Classify matches p and fills res; the verdict is an action code
	// (TC_ACT_*), or -1 (TC_ACT_UNSPEC) for no match.
	Classify(p *pkt.Packet, res *Result) int
}

// ClassifierKind is a classifier kind (tcf_proto_ops). Classifiers come with
// the filter issue; the core keeps the registry and the chains.
type ClassifierKind struct {
	ID  string
	New func(tp *Proto) Classifier
}

// ActionKind is an action kind (tc_action_ops).
type ActionKind struct {
	ID string
}

// AddClassifier registers classifier kinds.
func (r *Registry) AddClassifier(kinds ...*ClassifierKind) {
	for _, k := range kinds {
		if k.ID == "" || k.New == nil {
			panic("sched: incomplete classifier kind " + k.ID)
		}
		if _, dup := r.classifier[k.ID]; dup {
			panic("sched: classifier kind " + k.ID + " registered twice")
		}
		r.classifier[k.ID] = k
	}
}

// Classifier returns the classifier kind of that name, or nil.
func (r *Registry) Classifier(id string) *ClassifierKind { return r.classifier[id] }

// Proto is one (priority, protocol) entry of a chain (struct tcf_proto).
type Proto struct {
	Kind     *ClassifierKind
	Prio     uint32 // upper 16 bits of tcm_info, as the kernel keeps it
	Protocol uint16 // network order as on the wire (tcm_info's lower 16 bits)
	Chain    *Chain
	Cls      Classifier
	next     *Proto
}

// Chain is a filter chain of a block (struct tcf_chain).
type Chain struct {
	Index uint32
	Block *Block
	head  *Proto // sorted by Prio
	// explicitly created (RTM_NEWCHAIN) chains stay after their last filter
	explicit bool
	refs     int
	tmpl     *chainTemplate
	next     *Chain
}

type chainTemplate struct {
	kind *ClassifierKind
	opts []byte
}

// Block is a filter block: the chains attached to a qdisc or class, or a
// shared block by index (struct tcf_block).
type Block struct {
	Index  uint32 // 0 for a block owned by one qdisc or class
	Owner  *Qdisc
	chains *Chain // sorted by index
	refs   int
}

// NewBlock returns an empty block owned by q (tcf_block_get).
func NewBlock(q *Qdisc) *Block { return &Block{Owner: q} }

// Chains calls fn for each chain in index order.
func (b *Block) Chains(fn func(c *Chain) bool) {
	for c := b.chains; c != nil; c = c.next {
		if !fn(c) {
			return
		}
	}
}

// Protos calls fn for each proto of the chain in priority order.
func (c *Chain) Protos(fn func(tp *Proto) bool) {
	for tp := c.head; tp != nil; tp = tp.next {
		if !fn(tp) {
			return
		}
	}
}

// TC_ACT_* verdicts of classifiers and actions.
const (
	ActUnspec     = -1
	ActOK         = 0
	ActReclassify = 1
	ActShot       = 2
	ActPipe       = 3
	ActStolen     = 4
	ActQueued     = 5
	ActRepeat     = 6
	ActRedirect   = 7
	ActTrap       = 8
)

// maxReclassifyLoop bounds TC_ACT_RECLASSIFY restarts (max_reclassify_loop).
const maxReclassifyLoop = 16

// Classify runs the filters of chain 0 of the block on p (tcf_classify):
// each proto in priority order whose protocol matches, until one gives a
// verdict other than no-match. A reclassify restarts from the first chain,
// at most maxReclassifyLoop times, then drops.
func (b *Block) Classify(p *pkt.Packet, res *Result) int {
	if b == nil {
		return ActUnspec
	}
	first := b.chains
	if first == nil || first.Index != 0 {
		return ActUnspec
	}
	chain := first
	for loop := 0; ; loop++ {
		v := chain.classify(p, res)
		if v == ActReclassify {
			if loop >= maxReclassifyLoop {
				return ActShot
			}
			chain = first
			continue
		}
		if res.GotoChain != nil && v != ActUnspec {
			chain = res.GotoChain
			res.GotoChain = nil
			continue
		}
		return v
	}
}

func (c *Chain) classify(p *pkt.Packet, res *Result) int {
	proto := protocolOf(p)
	for tp := c.head; tp != nil; tp = tp.next {
		if tp.Protocol != protoAll && tp.Protocol != proto {
			continue
		}
		if v := tp.Cls.Classify(p, res); v >= 0 {
			return v
		}
	}
	return ActUnspec
}

// protoAll is htons(ETH_P_ALL).
const protoAll = 0x0300

// protocolOf is tc_skb_protocol in network order, as filters store it.
func protocolOf(p *pkt.Packet) uint16 {
	v := p.Protocol
	if p.VLANTCI != 0 {
		v = p.VLANProto
	}
	return v<<8 | v>>8
}

// GetBlock returns the block a qdisc attaches to: a new private block for
// index 0, else the namespace's shared block of that index, made on first
// use (tcf_block_get_ext).
func (n *Net) GetBlock(index uint32, q *Qdisc) *Block {
	if index == 0 {
		b := NewBlock(q)
		b.refs = 1
		return b
	}
	b := n.blocks[index]
	if b == nil {
		b = &Block{Index: index, Owner: q}
		n.blocks[index] = b
	}
	b.refs++
	return b
}

// PutBlock releases a qdisc's hold on a block; a shared block with no
// holder left is removed with its filters (tcf_block_put_ext).
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
	b.chains = nil
}

// SharedBlock returns the shared block of that index, or nil.
func (n *Net) SharedBlock(index uint32) *Block { return n.blocks[index] }
