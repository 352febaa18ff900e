package tccli

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/std"
	"github.com/netsched/netsched/tc"
)

// Faces are the tc faces of the kinds tc can name: how each kind's words
// become TCA_OPTIONS and how its options and statistics print. A kind
// without a face is handled as iproute2 handles a kind it has no module
// for: no options accepted, options printed as "[Unknown qdisc, optlen=N]".
type Faces struct {
	Qdiscs  map[string]tc.QdiscSyntax
	Filters map[string]tc.FilterSyntax
	// Actions finds an action kind's face (nil: none).
	Actions func(kind string) tc.ActionKindSyntax
}

// StdFaces returns the faces of the built-in kinds (package std).
func StdFaces() *Faces {
	f := &Faces{Qdiscs: map[string]tc.QdiscSyntax{}, Filters: map[string]tc.FilterSyntax{}}
	for _, k := range std.Qdiscs {
		if k.Syntax != nil {
			f.Qdiscs[k.ID] = k.Syntax
		}
	}
	for _, k := range std.Classifiers {
		if k.Syntax != nil {
			f.Filters[k.ID] = k.Syntax
		}
	}
	reg := std.Registry()
	f.Actions = func(kind string) tc.ActionKindSyntax {
		if k := reg.Action(kind); k != nil {
			return k.Syntax
		}
		return nil
	}
	return f
}

// qdisc returns the face of a qdisc kind (get_qdisc_kind), the generic one
// when there is none.
func (f *Faces) qdisc(kind string) tc.QdiscSyntax {
	if s := f.Qdiscs[kind]; s != nil {
		return s
	}
	return unknownQdisc{kind}
}

// unknownQdisc is tc's fallback for a kind it has no module for
// (parse_noqopt, print_noqopt).
type unknownQdisc struct{ id string }

func (u unknownQdisc) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	if a.More() {
		return tc.Usagef("Unknown qdisc \"%s\", hence option \"%s\" is unparsable", u.id, a.Peek())
	}
	return nil
}

func (u unknownQdisc) PrintQdisc(p *tc.Printer, opt []byte) error {
	if len(opt) > 0 {
		p.Fprintf("[Unknown qdisc, optlen=%d] ", len(opt))
	}
	return nil
}

// filter returns the face of a classifier kind (get_filter_kind), the
// generic one when there is none.
func (f *Faces) filter(kind string) tc.FilterSyntax {
	if s := f.Filters[kind]; s != nil {
		return s
	}
	return unknownFilter{kind}
}

// unknownFilter is tc's fallback for a classifier it has no module for
// (parse_nofopt, print_nofopt).
type unknownFilter struct{ id string }

func (u unknownFilter) ParseFilter(a *tc.Args, handle string, _ *nl.Builder) (uint32, error) {
	if a.More() {
		return 0, tc.Usagef("Unknown filter \"%s\", hence option \"%s\" is unparsable", u.id, a.Peek())
	}
	if handle == "" {
		return 0, nil
	}
	h, err := tc.GetU32(handle, 16)
	if err != nil {
		return 0, tc.Usagef("Unparsable filter ID \"%s\"", handle)
	}
	return h, nil
}

func (u unknownFilter) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	switch {
	case len(opt) > 0:
		p.Fprintf("fh %08x [Unknown filter, optlen=%d] ", fh, len(opt))
	case fh != 0:
		p.Fprintf("fh %08x ", fh)
	}
	return nil
}

// action returns the face of an action kind, or nil.
func (f *Faces) action(kind string) tc.ActionKindSyntax {
	if f.Actions == nil {
		return nil
	}
	return f.Actions(kind)
}
