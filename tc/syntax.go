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

// FilterSyntax is a classifier kind's tc face, as iproute2's struct
// filter_util: how the words after `tc filter add ... KIND` become the
// filter's attributes, and how a dumped filter prints.
type FilterSyntax interface {
	// ParseFilter reads the kind's words and writes its attributes
	// (normally TCA_OPTIONS) into b. handle is the word given to `handle`
	// before the kind ("" for none); the result is the tcm_handle to send.
	ParseFilter(a *Args, handle string, b *nl.Builder) (fh uint32, err error)
	// PrintFilter prints the payload of TCA_OPTIONS of the filter with
	// tcm_handle fh.
	PrintFilter(p *Printer, fh uint32, opt []byte) error
}

// ActionSyntax reads and prints the action lists filters carry (iproute2's
// parse_action and tc_print_action). The front end hands its own to the
// classifiers through Args.Actions and Printer.Actions; without one,
// classifiers refuse actions.
type ActionSyntax interface {
	// ParseActions reads an action list whose leading word `action` was
	// taken (parse_action) and writes it as the nested attribute attr.
	ParseActions(a *Args, attr uint16, b *nl.Builder) error
	// PrintActions prints a nested action list.
	PrintActions(p *Printer, list []byte) error
}

// ActionKindSyntax is one action kind's tc face (iproute2's struct
// action_util): how the words of `action KIND ...` become the kind's
// options and how a dumped action prints. An ActionSyntax (the list
// parser and printer) calls it for each action of a list.
type ActionKindSyntax interface {
	// ParseAction reads the kind's words, starting at the kind's own name
	// as iproute2's parse_aopt does (gact's control words come without
	// it), and writes them as the nested attribute attr (TCA_ACT_OPTIONS,
	// or a filter's police attribute for the old police syntax). It stops
	// at the first word that is not its own.
	ParseAction(a *Args, attr uint16, b *nl.Builder) error
	// PrintAction prints the payload of TCA_ACT_OPTIONS (print_aopt).
	PrintAction(p *Printer, opt []byte) error
}
