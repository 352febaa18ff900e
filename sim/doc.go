// Package sim is netsched's network simulator: it tries a tc configuration
// against traffic in virtual time, without root and without a Linux box.
//
// A scenario (YAML; see README.md in this folder for the format) names
// hosts, point-to-point cables between their devices (rate, delay, jitter,
// random loss, MTU, TX queues), tc commands per host or device in plain tc
// syntax, and traffic: constant-rate, Poisson and on/off UDP,
// request/response, TCP with Reno or CUBIC, and pcap replay.
//
// The simulation is the real engine: one rtnl.Engine on a clock.Virtual,
// a network namespace per host, netdevsim devices whose driver is the
// cable model (link.go), and the tc commands run through tccli and the
// engine's rtnetlink path, so every qdisc, class, filter and action
// behaves as it does under the daemon. Packets are real Ethernet frames
// from the engine's pool; a small host stack (stack.go) routes them,
// forwards them on routers and hands them to the flows' endpoints. The
// virtual clock's timers are the event queue; randomness comes from
// streams seeded by the scenario's seed, so a run repeats exactly.
//
// A run produces a Result: per flow and per traffic entry throughput,
// goodput, losses, delay percentiles and jitter; per qdisc and class the
// tc statistics and rate; per cable utilisation and qdisc sojourn time;
// time series of all of these; and `tc -s` of the configured devices.
// WriteText prints it as tables, WriteJSON for scripts, WriteHTML as a
// self-contained page with plots.
package sim
