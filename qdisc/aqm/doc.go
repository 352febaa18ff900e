// Package aqm holds the active queue management machinery that several
// qdisc kinds share, each piece in one place as the kernel keeps it in one
// header: CoDel's control law and state (include/net/codel*.h: codel and
// fq_codel), RED's averaging and probability curve (include/net/red.h:
// red, gred and choke) with tc's side of it (tc_red.c), and PIE's
// controller (include/net/pie.h and sch_pie.c's exported functions: pie
// and fq_pie). It also has the seeded random source these algorithms draw
// from, so that simulations repeat.
package aqm
