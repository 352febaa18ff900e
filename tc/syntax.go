package tc

import "github.com/netsched/netsched/nl"

// QdiscSyntax is a qdisc kind's tc face, as iproute2's struct qdisc_util:
// how the words after `tc qdisc add ... KIND` become TCA_OPTIONS, and how the
// options and xstats of a dump print.
type QdiscSyntax interface {
	// ParseQdisc reads the kind's words and writes its attributes
	// (normally one TCA_OPTIONS) into b. Bad words give the error text and
	// exit code iproute2 gives (see UsageError).
	ParseQdisc(a *Args, b *nl.Builder) error
	// PrintQdisc prints the payload of TCA_OPTIONS.
	PrintQdisc(p *Printer, opt []byte) error
}

// XstatsPrinter prints a qdisc's TCA_XSTATS payload (print_xstats).
type XstatsPrinter interface {
	PrintXstats(p *Printer, xstats []byte) error
}

// ClassSyntax is the class half of a classful kind's tc face (parse_copt and
// print_copt).
type ClassSyntax interface {
	ParseClass(a *Args, b *nl.Builder) error
	PrintClass(p *Printer, opt []byte) error
}
