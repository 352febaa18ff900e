package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// bindClass re-points the filters that name classid at c after the class
// was created, or lets them go after it was deleted (c nil)
// (tc_bind_tclass). As in the kernel, only the blocks of q's classes are
// walked, not the qdisc's own block.
func (d *Dev) bindClass(q *Qdisc, classid tc.Handle, c Class) {
	bo, ok := q.Discipline.(BlockOwner)
	if !ok {
		return
	}
	cf := q.Discipline.(Classful)
	walkClassBlocks(cf, func(cl Class) bool {
		blk, _ := bo.Block(cl, nil)
		if blk == nil {
			return true
		}
		base := classHandle(q, cf, cl)
		blk.Chains(func(ch *Chain) bool {
			ch.Protos(func(tp *Proto) bool {
				cb, ok := tp.Cls.(ClassBinder)
				if !ok {
					return true
				}
				tp.Cls.Walk(func(fh Filter) bool {
					// tcf_node_bind holds the tree lock of the
					// block's qdisc.
					blk.write(func() { cb.BindClass(fh, classid, c, base) })
					return true
				})
				return true
			})
			return true
		})
		return true
	})
}

// classHandle is the class id of cl, as its qdisc dumps it.
func classHandle(q *Qdisc, cf Classful, cl Class) tc.Handle {
	m := TCMsg{Handle: q.Handle}
	var scratch nl.Builder
	if cf.DumpClass(cl, &m, &scratch) != nil {
		return 0
	}
	return m.Handle
}
