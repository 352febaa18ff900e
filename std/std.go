// Package std lists the kinds netsched has built in. Adding a kind is a line
// here; nothing registers itself.
package std

import (
	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/qdisc/htb"
	"github.com/netsched/netsched/qdisc/ingress"
	"github.com/netsched/netsched/qdisc/mq"
	"github.com/netsched/netsched/qdisc/multiq"
	"github.com/netsched/netsched/qdisc/pfifofast"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/qdisc/tbf"
	"github.com/netsched/netsched/sched"
)

// Qdiscs are the qdisc kinds.
var Qdiscs = []*sched.Kind{
	sched.NoQueue,
	fifo.PFIFO,
	fifo.BFIFO,
	fifo.PFIFOHeadDrop,
	pfifofast.Kind,
	prio.Kind,
	mq.Kind,
	multiq.Kind,
	ingress.Ingress,
	ingress.Clsact,
	htb.Kind,
	tbf.Kind,
}

// Classifiers are the classifier kinds.
var Classifiers = []*sched.ClassifierKind{
	matchall.Kind,
}

// Registry returns a registry holding every built-in kind.
func Registry() *sched.Registry {
	r := sched.NewRegistry()
	r.AddQdisc(Qdiscs...)
	r.AddClassifier(Classifiers...)
	return r
}

// DefaultQdisc is net.core.default_qdisc.
var DefaultQdisc = pfifofast.Kind
