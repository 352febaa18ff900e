package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
	"sync"
)

// Result is what a classifier answers for a packet (struct tcf_result).
type Result struct {
	ClassID tc.Handle
	Class   Class // bound class, when the classifier holds one
	// GotoChain is set by an action that answers ActGotoChain: where
	// classification goes on (res->goto_tp's chain).
	GotoChain *Chain
}

// Filter is a classifier's handle on one of its filters (the kernel's
// void *fh); nil means none.
type Filter interface{}

// FilterFlags are what the core tells a classifier's Change about the
// request (the TCA_ACT_FLAGS_* that tc_new_tfilter passes to ops->change).
type FilterFlags uint32

// Filter change flags.
const (
	// FilterReplace: the request lacks NLM_F_CREATE, so actions it names
	// may replace existing ones (TCA_ACT_FLAGS_REPLACE).
	FilterReplace FilterFlags = 1 << iota
	// FilterAtIngress: the parent is an ingress hook (TCA_ACT_FLAGS_AT_INGRESS).
	FilterAtIngress
	// FilterAtIngressOrClsact: the block belongs to ingress or clsact, or
	// is shared (TCA_ACT_FLAGS_AT_INGRESS_OR_CLSACT).
	FilterAtIngressOrClsact
)

// FilterChange is a create or change request for one filter, as
// tc_new_tfilter hands it to ops->change.
type FilterChange struct {
	// Handle is tcm_handle: the filter's handle as the user gave it (0:
	// let the classifier choose).
	Handle uint32
	// Attrs is the request's TCA_* table; Options and Rate are its
	// TCA_OPTIONS and TCA_RATE.
	Attrs   nl.Attrs
	Options *nl.Attr
	Rate    *nl.Attr
	// NLFlags are the request's NLM_F_* flags.
	NLFlags uint16
	Flags   FilterFlags
	// Base is the class whose block holds the filter (0 for the qdisc's
	// own block): what binding a class is relative to (the kernel's base).
	Base tc.Handle
	Ext  *Ext
}

// Classifier is the classifier of one proto: the filters of one priority
// and protocol in a chain, the instance half of the kernel's tcf_proto_ops.
// The core calls Classify under the data-path lock of the block and the
// other methods under the control lock; Change and Delete run under the
// data-path lock too.
type Classifier interface {
	// Classify matches p and fills res; the verdict is an action code
	// (TC_ACT_*), or ActUnspec for no match.
	Classify(p *pkt.Packet, res *Result) int
	// Get returns the filter with that handle, or nil (ops->get).
	Get(handle uint32) Filter
	// Change creates a filter (fh nil) or changes fh (ops->change) and
	// returns the filter the notification describes, which may be nil (as
	// matchall returns).
	Change(req *FilterChange, fh Filter) (Filter, error)
	// Delete removes one filter; last reports that the classifier holds no
	// filter anymore and the proto may go (ops->delete).
	Delete(fh Filter, ext *Ext) (last bool, err error)
	// Walk calls fn for each filter until fn returns false (ops->walk).
	Walk(fn func(fh Filter) bool)
	// Dump writes one filter: it sets m.Handle and writes TCA_OPTIONS and
	// any statistics (ops->dump).
	Dump(fh Filter, m *TCMsg, b *nl.Builder) error
	// Destroy releases every filter: bound classes, actions (ops->destroy).
	Destroy(ext *Ext)
}

// TerseDumper is a classifier that supports TCA_DUMP_FLAGS_TERSE dumps
// (ops->terse_dump). A dump asking for terse output shows only the proto
// lines of a classifier without it.
type TerseDumper interface {
	TerseDump(fh Filter, m *TCMsg, b *nl.Builder) error
}

// ClassBinder is a classifier whose filters point at classes: after a class
// with id classid is created (c != nil) or deleted (c nil), fh's result is
// re-bound (ops->bind_class; Proto.RebindClass does the usual work).
type ClassBinder interface {
	BindClass(fh Filter, classid tc.Handle, c Class, base tc.Handle)
}

// EmptyChecker decides whether a proto whose last filter was deleted may go
// (ops->delete_empty); without it, it always goes.
type EmptyChecker interface {
	DeleteEmpty() bool
}

// ChainTemplate is a chain template of a classifier kind (tmplt_priv).
type ChainTemplate interface {
	// Dump writes the template's TCA_OPTIONS (ops->tmplt_dump).
	Dump(b *nl.Builder) error
	// Destroy releases it (ops->tmplt_destroy).
	Destroy()
}

// ClassifierKind is a classifier kind (tcf_proto_ops): its name as tc
// writes it, how to make the classifier of a new proto, and its tc face.
type ClassifierKind struct {
	ID string
	// New makes the classifier of a new proto (ops->init).
	New func(tp *Proto) Classifier
	// NewTemplate makes a chain template from an RTM_NEWCHAIN request's
	// attributes (ops->tmplt_create); nil for kinds without templates.
	NewTemplate func(c *Chain, attrs nl.Attrs, ext *Ext) (ChainTemplate, error)
	// Syntax is the kind's tc face; nil for kinds tc cannot name.
	Syntax tc.FilterSyntax
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

// Proto is one (priority, protocol) entry of a chain (struct tcf_proto):
// a classifier instance and where it sits.
type Proto struct {
	Kind *ClassifierKind
	// Prio is the priority as the kernel keeps it: the upper 16 bits of
	// tcm_info (pref << 16).
	Prio uint32
	// Protocol is the ethertype in network order, as tcm_info carries it.
	Protocol uint16
	Chain    *Chain
	Cls      Classifier
	next     *Proto
	deleting bool
}

// Pref is the priority as tc writes it.
func (tp *Proto) Pref() uint16 { return uint16(tp.Prio >> 16) }

// Block is the block the proto's chain belongs to.
func (tp *Proto) Block() *Block { return tp.Chain.Block }

// Qdisc is the qdisc that owns the proto's block, or nil for a shared block
// (tcf_block_q).
func (tp *Proto) Qdisc() *Qdisc { return tp.Chain.Block.Owner }

// BindFilter points res at the class res.ClassID of the qdisc that owns the
// block, counted by the qdisc's FilterBinder, and lets go of the class it
// held before (tcf_bind_filter). Filters of shared blocks bind nothing.
func (tp *Proto) BindFilter(res *Result, base tc.Handle) {
	q := tp.Qdisc()
	if q == nil {
		return
	}
	fb, ok := q.Discipline.(FilterBinder)
	if !ok {
		return
	}
	c := fb.BindFilter(base, res.ClassID)
	old := res.Class
	res.Class = c
	if old != nil {
		fb.UnbindFilter(old)
	}
}

// UnbindFilter lets go of res's class (tcf_unbind_filter).
func (tp *Proto) UnbindFilter(res *Result) {
	q := tp.Qdisc()
	if q == nil || res.Class == nil {
		return
	}
	old := res.Class
	res.Class = nil
	if fb, ok := q.Discipline.(FilterBinder); ok {
		fb.UnbindFilter(old)
	}
}

// RebindClass is the usual ClassBinder work (tc_cls_bind_class): a result
// naming classid binds to the new class, or lets go when it was deleted.
func (tp *Proto) RebindClass(res *Result, classid tc.Handle, c Class, base tc.Handle) {
	if res.ClassID != classid {
		return
	}
	if c != nil {
		tp.BindFilter(res, base)
	} else {
		tp.UnbindFilter(res)
	}
}

// destroy releases the classifier and the proto's chain reference
// (tcf_proto_destroy).
func (tp *Proto) destroy(ext *Ext, r *Request) {
	tp.Cls.Destroy(ext)
	tp.Chain.release(false, false, r)
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

	// Extended verdicts: an opcode in the upper bits, a value below.
	ActJump      = 1 << 28 // TC_ACT_JUMP
	ActGotoChain = 2 << 28 // TC_ACT_GOTO_CHAIN, with the chain index
	ActExtMask   = 0xf << 28
	// ActExtValMask bounds chain indexes (TC_ACT_EXT_VAL_MASK).
	ActExtValMask = 0x0fffffff
)

// maxReclassifyLoop bounds reclassify and goto-chain restarts
// (max_reclassify_loop).
const maxReclassifyLoop = 16

// Classify runs the block's filters on p (tcf_classify): chain 0, each
// proto in priority order whose protocol matches (or is ETH_P_ALL), until
// one answers anything but no-match. A reclassify restarts at chain 0, a
// goto-chain verdict continues in res.GotoChain; more than
// maxReclassifyLoop restarts drop the packet.
func (b *Block) Classify(p *pkt.Packet, res *Result) int {
	if b == nil {
		return ActUnspec
	}
	// Classifiers and actions are interfaces, so the compiler cannot see
	// that they keep no pointer to the result: handing them the caller's
	// would move every caller's Result to the heap, an allocation per
	// packet. They work on a pooled one instead, copied in and out.
	r := resultPool.Get().(*Result)
	*r = *res
	v := b.classify(p, r)
	*res = *r
	*r = Result{}
	resultPool.Put(r)
	return v
}

// resultPool holds the results classification works on (see Classify).
var resultPool = sync.Pool{New: func() any { return new(Result) }}

func (b *Block) classify(p *pkt.Packet, res *Result) int {
	if b.Owner == nil {
		// Shared: the owners' root locks do not exclude each other.
		b.mu.RLock()
		defer b.mu.RUnlock()
	}
	first := b.chain0
	if first == nil {
		return ActUnspec
	}
	proto := protocolOf(p)
	tp := first.head
	for limit := 0; ; {
		v := classifyFrom(tp, proto, p, res)
		switch {
		case v == ActReclassify:
			tp = b.chain0.head
		case v&ActExtMask == ActGotoChain:
			tp = nil
			if res.GotoChain != nil {
				tp = res.GotoChain.head
				res.GotoChain = nil
			}
		default:
			return v
		}
		if limit++; limit > maxReclassifyLoop {
			return ActShot
		}
	}
}

func classifyFrom(tp *Proto, proto uint16, p *pkt.Packet, res *Result) int {
	for ; tp != nil; tp = tp.next {
		if tp.Protocol != protoAll && tp.Protocol != proto {
			continue
		}
		v := tp.Cls.Classify(p, res)
		if v == ActReclassify || v&ActExtMask == ActGotoChain {
			return v
		}
		if v >= 0 {
			return v
		}
	}
	return ActUnspec
}

// protoAll is htons(ETH_P_ALL).
const protoAll = 0x0300

// protocolOf is skb_protocol(skb, false) in network order, as filters keep
// it: the outer VLAN's protocol for tagged packets.
func protocolOf(p *pkt.Packet) uint16 {
	v := p.Protocol
	if p.VLANProto != 0 {
		v = p.VLANProto
	}
	return v<<8 | v>>8
}
