// Package std lists the kinds netsched has built in. Adding a kind is a line
// here; nothing registers itself.
package std

import (
	"github.com/netsched/netsched/act/connmark"
	"github.com/netsched/netsched/act/csum"
	"github.com/netsched/netsched/act/gact"
	"github.com/netsched/netsched/act/gate"
	"github.com/netsched/netsched/act/mirred"
	"github.com/netsched/netsched/act/mpls"
	"github.com/netsched/netsched/act/nat"
	"github.com/netsched/netsched/act/pedit"
	"github.com/netsched/netsched/act/police"
	"github.com/netsched/netsched/act/sample"
	"github.com/netsched/netsched/act/simple"
	"github.com/netsched/netsched/act/skbedit"
	"github.com/netsched/netsched/act/skbmod"
	"github.com/netsched/netsched/act/tunnelkey"
	"github.com/netsched/netsched/act/vlan"
	"github.com/netsched/netsched/cls/basic"
	"github.com/netsched/netsched/cls/cgroup"
	"github.com/netsched/netsched/cls/flow"
	"github.com/netsched/netsched/cls/flower"
	"github.com/netsched/netsched/cls/fw"
	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/cls/route"
	"github.com/netsched/netsched/cls/u32"
	"github.com/netsched/netsched/qdisc/cake"
	"github.com/netsched/netsched/qdisc/choke"
	"github.com/netsched/netsched/qdisc/codel"
	"github.com/netsched/netsched/qdisc/drr"
	"github.com/netsched/netsched/qdisc/ets"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/qdisc/fq"
	"github.com/netsched/netsched/qdisc/fqcodel"
	"github.com/netsched/netsched/qdisc/fqpie"
	"github.com/netsched/netsched/qdisc/gred"
	"github.com/netsched/netsched/qdisc/hfsc"
	"github.com/netsched/netsched/qdisc/hhf"
	"github.com/netsched/netsched/qdisc/htb"
	"github.com/netsched/netsched/qdisc/ingress"
	"github.com/netsched/netsched/qdisc/mq"
	"github.com/netsched/netsched/qdisc/multiq"
	"github.com/netsched/netsched/qdisc/netem"
	"github.com/netsched/netsched/qdisc/pfifofast"
	"github.com/netsched/netsched/qdisc/pie"
	"github.com/netsched/netsched/qdisc/plug"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/qdisc/qfq"
	"github.com/netsched/netsched/qdisc/red"
	"github.com/netsched/netsched/qdisc/sfb"
	"github.com/netsched/netsched/qdisc/sfq"
	"github.com/netsched/netsched/qdisc/skbprio"
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
	drr.Kind,
	ets.Kind,
	qfq.Kind,
	hfsc.Kind,
	codel.Kind,
	fqcodel.Kind,
	sfq.Kind,
	hhf.Kind,
	netem.Kind,
	fq.Kind,
	cake.Kind,
	pie.Kind,
	fqpie.Kind,
	red.Kind,
	gred.Kind,
	choke.Kind,
	sfb.Kind,
	skbprio.Kind,
	plug.Kind,
}

// Classifiers are the classifier kinds.
var Classifiers = []*sched.ClassifierKind{
	matchall.Kind,
	u32.Kind,
	fw.Kind,
	basic.Kind,
	cgroup.Kind,
	flow.Kind,
	route.Kind,
	flower.Kind,
}

// Actions are the action kinds.
var Actions = []*sched.ActionKind{
	gact.Kind,
	pedit.Kind,
	gate.Kind,
	mpls.Kind,
	tunnelkey.Kind,
	sample.Kind,
	simple.Kind,
	connmark.Kind,
	nat.Kind,
	csum.Kind,
	vlan.Kind,
	skbmod.Kind,
	skbedit.Kind,
	mirred.Kind,
	police.Kind,
}

// Registry returns a registry holding every built-in kind.
func Registry() *sched.Registry {
	r := sched.NewRegistry()
	r.AddQdisc(Qdiscs...)
	r.AddClassifier(Classifiers...)
	r.AddAction(Actions...)
	return r
}

// DefaultQdisc is net.core.default_qdisc.
var DefaultQdisc = pfifofast.Kind
