// Package sched is the core of traffic control, as net/sched's sch_api,
// sch_generic and cls_api are in the kernel: the qdisc tree of each device
// (one root per TX queue plus ingress, with the active qdisc and the sleeping
// one swapped on up and down), creation, grafting, change and deletion with the
// kernel's rules and messages, handles and auto-handles, classes, backlog
// propagation up the tree, size tables, rate estimators, watchdogs, statistics,
// and filter chains and blocks.
//
// The core never imports a kind. A kind is a Kind value (see kind.go) whose New
// returns a Discipline; optional abilities (classes, change, attach, ...) are
// optional interfaces found once when the qdisc is created.
//
// Control operations run under the caller's control lock (RTNL): the rtnl
// package holds it. Data-path state of a qdisc tree is guarded by the lock of
// the tree's root qdisc (see Qdisc.RootLock); control operations that touch it
// take that lock.
//
// Flow of a packet (egress), as in __dev_xmit_skb:
//
//	Dev.Transmit -> pick TX queue -> lock root -> size table -> root.Enqueue
//	             -> Run: Dequeue until empty, throttled or the driver stops
//	             -> Driver.Xmit
package sched
