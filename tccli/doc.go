// Package tccli is netsched's tc and ip: iproute2 6.1's grammar, output and
// refusals in Go, speaking raw rtnetlink to one of three back ends.
//
// # Flow
//
//	argv ─ options (-s -d -j -p -iec -raw -oneline -batch -force -n …)
//	     └ command words (qdisc|class|filter|chain|actions|monitor, ip link|address|netns)
//	        └ request bytes (tcmsg + TCA_* built with nl.Builder; the kind's face adds TCA_OPTIONS)
//	           └ Conn: daemon socket | in-process rtnl.Engine | kernel NETLINK_ROUTE
//	        ┌ answers: ACK / NLMSG_ERROR (extack) / dump parts / NLMSG_DONE
//	     └ printing (tc.Printer: text or iproute2's JSON writer; the kind's face prints options)
//
// Everything above the Conn is shared by the back ends: they exchange the
// bytes a netlink socket carries, so a refusal reads "Error: <extack>." or
// "RTNETLINK answers: <strerror>" whatever answered, and exit codes follow
// tc's (1 for a bad word a kind refuses, 2 for a refused request, 255 for
// exit(-1) refusals, which also end a -batch file at once).
//
// # Back ends
//
//   - Daemon(path): `netsched serve` on its SOCK_SEQPACKET socket, with the
//     HELLO handshake of tools/nlshim/PROTOCOL.md; the namespace is -n NAME
//     or $NETSCHED_NETNS. This is the default when $NETSCHED_SOCKET is set.
//   - Engine(e): an *rtnl.Engine in this process (the simulator).
//   - Kernel(): the running kernel (`--kernel`), through
//     github.com/mdlayher/netlink. That dependency earns its place: it opens
//     and binds the NETLINK_ROUTE socket, enters a network namespace (-n)
//     on a locked thread, joins multicast groups for `tc monitor`, sets
//     NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK, and integrates the socket
//     with the runtime's poller — the parts that are easy to get subtly
//     wrong. Messages go through its raw connection (SyscallConn), because
//     our parser must see the kernel's bytes exactly, errors included, as
//     iproute2 does; its message decoding would turn errors into Go errors.
//
// # A kind's tc face
//
// tccli holds the common grammar only. What follows the kind's name, and
// how its options print, belongs to the kind's package: a value
// implementing tc.QdiscSyntax (and tc.ClassSyntax for classes,
// tc.XstatsPrinter for xstats, tc.FilterSyntax for classifiers), set as the
// Syntax of its sched.Kind and listed in package std. A kind without a face
// is treated as iproute2 treats a kind it has no module for. A face reads
// words with tc.Args, refuses with iproute2's text and code, and prints
// with tc.Printer so that text and JSON come from the same calls:
//
//	// syntax is sfq's tc face (q_sfq.c): `limit PACKETS`.
//	type syntax struct{}
//
//	func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
//		var limit uint32
//		for a.More() {
//			switch w := a.Next(); w {
//			case "limit":
//				v, err := a.Value() // "Command line is not complete...", exit 255
//				if err != nil {
//					return err
//				}
//				if limit, err = tc.GetU32(v, 0); err != nil {
//					return tc.Usagef("Illegal \"limit\"") // exit 1
//				}
//			case "help":
//				return tc.Usagef("Usage: ... sfq [ limit NUMBER ]")
//			default:
//				return tc.Usagef("What is \"%s\"?\nUsage: ... sfq [ limit NUMBER ]", w)
//			}
//		}
//		b.Put(sched.TCA_OPTIONS, encode(Config{Limit: limit}))
//		return nil
//	}
//
//	func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
//		c, err := decode(opt)
//		if err != nil {
//			return err // prints nothing, as iproute2 on a short payload
//		}
//		p.Uint(tc.Any, "limit", "limit %dp ", uint64(c.Limit)) // text and JSON key
//		if p.Details {
//			p.Rate(tc.Any, "rate", "rate %s ", c.Rate) // "8Mbit", or -iec "7812Kibit"
//		}
//		return nil
//	}
//
// Units come from package tc with iproute2's exact semantics: ParseRate and
// RateString (get_rate, sprint_rate, -iec), ParseSize and SizeString,
// ParseTime and TimeString, TimeToTicks and CalcRtable (tc_core.c with the
// kernel's fixed psched values, so output never depends on the host), and
// Strtod/Strtoul/GetU32 for C's number reading. A face that prints with
// fprintf in iproute2 even under -j uses Printer.Fprintf; a face that warns
// and reads on (explain() mid-parse) uses Args.Warn.
//
// Then add golden cases for the kind to golden_cases_test.go: the same
// scripts run through iproute2 (with tools/nlshim) and through this package
// against the daemon, and must print the same bytes.
package tccli
