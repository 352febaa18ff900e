// Package ingress holds the two qdiscs of the ingress queue: ingress, whose
// filter block sees every arriving packet, and clsact, which has that
// block and one more that sees every packet leaving, before its TX queue is
// chosen (sch_ingress.c). Neither queues anything.
package ingress

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

type ingress struct {
	q       *sched.Qdisc
	clsact  bool
	in, eg  *sched.Block
	inIndex uint32
	egIndex uint32
}

type class uint16

var (
	_ sched.Classful          = (*ingress)(nil)
	_ sched.BlockOwner        = (*ingress)(nil)
	_ sched.BlockSharer       = (*ingress)(nil)
	_ sched.IngressClassifier = (*ingress)(nil)
	_ sched.EgressClassifier  = (*ingress)(nil)
	_ sched.FilterBinder      = (*ingress)(nil)
)

// The kinds.
var (
	Ingress = &sched.Kind{
		ID:     "ingress",
		Flags:  sched.KindIngress,
		New:    func(q *sched.Qdisc) sched.Discipline { return &ingress{q: q} },
		Syntax: syntax{id: "ingress"},
	}
	Clsact = &sched.Kind{
		ID:     "clsact",
		Flags:  sched.KindIngress,
		New:    func(q *sched.Qdisc) sched.Discipline { return &ingress{q: q, clsact: true} },
		Syntax: syntax{id: "clsact"},
	}
)

// Init attaches the blocks; each kind lives only on its own parent.
func (g *ingress) Init(*nl.Attr, *sched.Ext) error {
	if g.q.Parent != tc.Ingress {
		if g.clsact {
			return sched.Err(syscall.EOPNOTSUPP, "Can only be attached as clsact qdisc")
		}
		return sched.Err(syscall.EOPNOTSUPP, "Can only be attached as ingress qdisc")
	}
	net := g.q.Dev().Net()
	g.in = net.GetBlock(g.inIndex, g.q)
	net.AddBlockPort(g.in, g.q.Dev())
	if g.clsact {
		g.eg = net.GetBlock(g.egIndex, g.q)
		net.AddBlockPort(g.eg, g.q.Dev())
	}
	return nil
}

func (g *ingress) Destroy() {
	net := g.q.Dev().Net()
	net.DelBlockPort(g.in, g.q.Dev())
	net.PutBlock(g.in)
	if g.eg != nil {
		net.DelBlockPort(g.eg, g.q.Dev())
		net.PutBlock(g.eg)
	}
}

func (g *ingress) Enqueue(p *pkt.Packet) sched.Verdict { p.Free(); return sched.CN }
func (g *ingress) Dequeue() *pkt.Packet                { return nil }
func (g *ingress) Peek() *pkt.Packet                   { return nil }
func (g *ingress) Reset()                              {}

// Dump writes an empty TCA_OPTIONS nest.
func (g *ingress) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	b.EndNest()
	return nil
}

func (g *ingress) IngressBlockOf() *sched.Block { return g.in }
func (g *ingress) EgressBlockOf() *sched.Block  { return g.eg }

func (g *ingress) SetIngressBlock(i uint32) { g.inIndex = i }
func (g *ingress) IngressBlock() uint32     { return g.inIndex }
func (g *ingress) SetEgressBlock(i uint32)  { g.egIndex = i }
func (g *ingress) EgressBlock() uint32      { return g.egIndex }
func (g *ingress) CanSetEgressBlock() bool  { return g.clsact }

// Find: ingress names any minor (as minor+1); clsact only its two hooks.
func (g *ingress) Find(classid tc.Handle) sched.Class {
	m := classid.Minor()
	if !g.clsact {
		return class(m + 1)
	}
	if tc.Handle(m) == tc.MinIngress || tc.Handle(m) == tc.MinEgress {
		return class(m)
	}
	return nil
}

func (g *ingress) Leaf(sched.Class) *sched.Qdisc { return nil }

func (g *ingress) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

func (g *ingress) Walk(func(sched.Class) bool) {}

func (g *ingress) DumpClass(sched.Class, *sched.TCMsg, *nl.Builder) error { return nil }

// Block: ingress has one block for every class; clsact one per hook.
func (g *ingress) Block(c sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if !g.clsact {
		return g.in, nil
	}
	cl, _ := c.(class) // no class (parent ffff:) names no hook
	switch tc.Handle(cl) {
	case tc.MinIngress:
		return g.in, nil
	case tc.MinEgress:
		return g.eg, nil
	}
	return nil, nil
}

func (g *ingress) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class { return g.Find(classid) }
func (g *ingress) UnbindFilter(sched.Class)                              {}
