// Package cgroup is the cgroup classifier (cls_cgroup.c): one filter per
// proto that gives a packet the net_cls class id of its sender's cgroup
// (pkt.Packet.CgroupClassID), when its ematch tree matches, and runs its
// actions. Packets without a class id do not match.
package cgroup

import (
	"syscall"

	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is cgroup.
var Kind = &sched.ClassifierKind{
	ID:     "cgroup",
	New:    func(tp *sched.Proto) sched.Classifier { return &cgroup{tp: tp} },
	Syntax: Syntax,
}

// TCA_CGROUP_* attributes inside TCA_OPTIONS.
const (
	TCA_CGROUP_UNSPEC = iota
	TCA_CGROUP_ACT
	TCA_CGROUP_POLICE
	TCA_CGROUP_EMATCHES
	TCA_CGROUP_MAX = TCA_CGROUP_EMATCHES
)

type head struct {
	handle uint32
	exts   sched.Exts
	tree   *ematch.Tree
}

type cgroup struct {
	tp   *sched.Proto
	head *head
}

var _ sched.Classifier = (*cgroup)(nil)

// Classify is cls_cgroup_classify.
func (c *cgroup) Classify(p *pkt.Packet, res *sched.Result) int {
	h := c.head
	if h == nil || p.CgroupClassID == 0 || !h.tree.Match(p) {
		return sched.ActUnspec
	}
	res.ClassID = tc.Handle(p.CgroupClassID)
	res.Class = nil
	return h.exts.Exec(p, res)
}

// Get finds nothing: a cgroup filter is changed by making it again
// (cls_cgroup_get).
func (c *cgroup) Get(uint32) sched.Filter { return nil }

var policy = map[uint16]nl.PolicyEntry{TCA_CGROUP_EMATCHES: {Type: nl.Nested}}

// Change is cls_cgroup_change: the new head replaces the old one.
func (c *cgroup) Change(req *sched.FilterChange, _ sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	if c.head == nil && req.Handle == 0 {
		return nil, syscall.EINVAL
	}
	if c.head != nil && req.Handle != c.head.handle {
		return nil, syscall.ENOENT
	}
	n := &head{handle: req.Handle, exts: sched.NewExts(TCA_CGROUP_ACT, TCA_CGROUP_POLICE)}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_CGROUP_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	if err := n.exts.Validate(c.tp, tb, req.Rate, req.Flags, req.Ext); err != nil {
		return nil, err
	}
	if n.tree, err = ematch.Validate(tb.Get(TCA_CGROUP_EMATCHES)); err != nil {
		n.exts.Destroy()
		return nil, err
	}
	if old := c.head; old != nil {
		old.exts.Destroy()
	}
	c.head = n
	return nil, nil
}

// Delete is refused: the filter goes with its proto (cls_cgroup_delete).
func (c *cgroup) Delete(sched.Filter, *sched.Ext) (bool, error) {
	return false, syscall.EOPNOTSUPP
}

// Walk visits the one filter.
func (c *cgroup) Walk(fn func(fh sched.Filter) bool) {
	if c.head != nil {
		fn(c.head)
	}
}

// Dump is cls_cgroup_dump.
func (c *cgroup) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	h, _ := fh.(*head)
	if h == nil {
		return nil
	}
	t.Handle = tc.Handle(h.handle)
	b.Nest(sched.TCA_OPTIONS)
	if err := h.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	h.tree.Dump(b, TCA_CGROUP_EMATCHES)
	b.EndNest()
	return h.exts.DumpStats(b)
}

// Destroy is cls_cgroup_destroy.
func (c *cgroup) Destroy(*sched.Ext) {
	if c.head != nil {
		c.head.exts.Destroy()
		c.head = nil
	}
}
