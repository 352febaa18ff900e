package sched

import (
	"fmt"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
)

// Verdict is what enqueue answers (NET_XMIT_*), with the kernel's private
// flags in the upper bits.
type Verdict uint32

// Enqueue verdicts.
const (
	Success Verdict = 0x00 // NET_XMIT_SUCCESS
	Dropped Verdict = 0x01 // NET_XMIT_DROP: this packet was dropped
	CN      Verdict = 0x02 // NET_XMIT_CN: congestion; another packet may have been dropped

	VerdictMask Verdict = 0x0f
	Stolen      Verdict = 0x00010000 // __NET_XMIT_STOLEN: consumed, not a drop
	Bypass      Verdict = 0x00020000 // __NET_XMIT_BYPASS
)

// Code returns the verdict without private flags.
func (v Verdict) Code() Verdict { return v & VerdictMask }

// IsDrop reports whether the packet handed to enqueue did not get queued
// and counts as a drop (net_xmit_drop_count).
func (v Verdict) IsDrop() bool { return v&Stolen == 0 }

// Discipline is the algorithm of one qdisc: the data-path half of the
// kernel's Qdisc_ops. The core calls it under the tree's root lock.
type Discipline interface {
	// Init configures a new qdisc from its TCA_OPTIONS (nil when absent).
	Init(opt *nl.Attr, ext *Ext) error
	// Enqueue takes p or drops it; it keeps Qdisc.QLen and the backlog
	// right.
	Enqueue(p *pkt.Packet) Verdict
	// Dequeue returns the next packet to send, or nil (which does not mean
	// empty: a shaper may be throttled).
	Dequeue() *pkt.Packet
	// Peek returns the packet Dequeue would return, without removing it.
	Peek() *pkt.Packet
	// Reset drops every queued packet and clears the algorithm's state,
	// keeping configuration and statistics.
	Reset()
}

// Changer is a discipline that takes new options in place (ops->change).
type Changer interface {
	Change(opt *nl.Attr, ext *Ext) error
}

// Destroyer is a discipline with resources to release when it goes: timers,
// children (ops->destroy).
type Destroyer interface {
	Destroy()
}

// Dumper writes the qdisc's options (TCA_OPTIONS) for a dump (ops->dump).
type Dumper interface {
	Dump(b *nl.Builder) error
}

// StatsDumper adds kind-specific statistics to a dump (ops->dump_stats):
// xstats with d.App, and any update of the generic counters it needs first.
type StatsDumper interface {
	DumpStats(d *StatsDump) error
}

// Attacher grafts its own children onto the device's TX queues when it
// becomes the root, instead of being grafted on every queue (ops->attach, as
// mq does).
type Attacher interface {
	Attach()
}

// TxQueueLenChanger follows a change of the device's txqueuelen.
type TxQueueLenChanger interface {
	ChangeTxQueueLen(n uint32) error
}

// BlockSharer is a qdisc that takes shared filter blocks (ingress, clsact).
type BlockSharer interface {
	SetIngressBlock(index uint32)
	IngressBlock() uint32
	SetEgressBlock(index uint32)
	EgressBlock() uint32
	// CanSetEgressBlock is false for ingress, which has no egress hook.
	CanSetEgressBlock() bool
}

// Class is a kind's handle on one of its classes (the kernel's unsigned long
// cookie). nil means no class.
type Class interface{}

// Classful is a discipline with classes (Qdisc_class_ops).
type Classful interface {
	// Find returns the class with that id, or nil.
	Find(classid tc.Handle) Class
	// Leaf returns the qdisc attached to the class, or nil.
	Leaf(c Class) *Qdisc
	// Graft attaches new to the class (nil: the kind's default child) and
	// returns the qdisc it replaced.
	Graft(c Class, new *Qdisc, ext *Ext) (old *Qdisc, err error)
	// Walk calls fn for each class in the kind's order until fn returns false.
	Walk(fn func(c Class) bool)
	// DumpClass fills the class's tcmsg fields and writes TCA_OPTIONS.
	DumpClass(c Class, m *TCMsg, b *nl.Builder) error
}

// ClassStatsDumper writes a class's statistics (cops->dump_stats).
type ClassStatsDumper interface {
	DumpClassStats(c Class, d *StatsDump) error
}

// ClassChange is what a class create or change request carries.
type ClassChange struct {
	ClassID  tc.Handle // full class id
	ParentID tc.Handle // full parent id, or Root
	Options  *nl.Attr  // TCA_OPTIONS
	Rate     *nl.Attr  // TCA_RATE (estimator)
}

// ClassChanger creates classes (c nil) or changes them (cops->change).
type ClassChanger interface {
	ChangeClass(req *ClassChange, c Class, ext *Ext) (Class, error)
}

// ClassDeleter deletes a class (cops->delete).
type ClassDeleter interface {
	DeleteClass(c Class, ext *Ext) error
}

// QlenNotifier learns that a child of class c became empty (cops->qlen_notify).
// It may be called more than once for the same event.
type QlenNotifier interface {
	QlenNotify(c Class)
}

// QueueSelector picks the TX queue on which a child created under it lives
// (cops->select_queue, as mq does).
type QueueSelector interface {
	SelectQueue(m *TCMsg) *TxQueue
}

// BlockOwner gives the filter block attached to a class, or to the qdisc
// itself for c nil (cops->tcf_block).
type BlockOwner interface {
	Block(c Class, ext *Ext) (*Block, error)
}

// FilterBinder counts filters that point at a class (bind_tcf/unbind_tcf).
type FilterBinder interface {
	BindFilter(parent tc.Handle, classid tc.Handle) Class
	UnbindFilter(c Class)
}

// KindFlags are a kind's static flags.
type KindFlags uint8

// Kind flags.
const (
	// KindIngress marks ingress and clsact: they live on the ingress queue,
	// never in the device's qdisc hash (TCQ_F_INGRESS).
	KindIngress KindFlags = 1 << iota
	// KindNoQueue marks noqueue: its root hands packets straight to the
	// driver (qdisc->enqueue == NULL).
	KindNoQueue
)

// Kind is a qdisc kind: its name as tc writes it and how to make one. The
// optional abilities of its Discipline are found with type assertions.
type Kind struct {
	ID    string
	New   func(q *Qdisc) Discipline
	Flags KindFlags
	// Syntax is the kind's tc face: how `tc qdisc add ... KIND args` becomes
	// TCA_OPTIONS and how a dump prints. Nil for kinds tc cannot name.
	Syntax tc.QdiscSyntax
}

// Registry is the set of kinds the engine knows, by name.
type Registry struct {
	qdiscs     map[string]*Kind
	classifier map[string]*ClassifierKind
	actions    map[string]*ActionKind
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		qdiscs:     map[string]*Kind{},
		classifier: map[string]*ClassifierKind{},
		actions:    map[string]*ActionKind{},
	}
}

// AddQdisc registers qdisc kinds. A duplicate or incomplete kind is a
// programming error and panics at start-up, loudly.
func (r *Registry) AddQdisc(kinds ...*Kind) {
	for _, k := range kinds {
		if k.ID == "" || k.New == nil {
			panic(fmt.Sprintf("sched: incomplete qdisc kind %q", k.ID))
		}
		if _, dup := r.qdiscs[k.ID]; dup {
			panic(fmt.Sprintf("sched: qdisc kind %q registered twice", k.ID))
		}
		r.qdiscs[k.ID] = k
	}
}

// Qdisc returns the qdisc kind of that name, or nil.
func (r *Registry) Qdisc(id string) *Kind { return r.qdiscs[id] }

// QdiscKinds lists the registered qdisc kinds.
func (r *Registry) QdiscKinds() []*Kind {
	out := make([]*Kind, 0, len(r.qdiscs))
	for _, k := range r.qdiscs {
		out = append(out, k)
	}
	return out
}
