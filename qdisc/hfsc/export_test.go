package hfsc

import (
	"fmt"

	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// ClassState describes a class's scheduling state, for tests.
func ClassState(q *sched.Qdisc, id tc.Handle) string {
	h := q.Discipline.(*hfsc)
	cl := h.find(id)
	if cl == nil {
		return "none"
	}
	return fmt.Sprintf("vt=%d total=%d cumul=%d nactive=%d f=%d e=%d d=%d qlen=%d vtin=%v elin=%v cvtmin=%d cfmin=%d",
		cl.vt, cl.total, cl.cumul, cl.nactive, cl.f, cl.e, cl.d, cl.leaf.QLen, cl.vtNode.in, cl.elNode.in, cl.cvtmin, cl.cfmin)
}
