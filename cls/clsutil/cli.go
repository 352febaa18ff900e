package clsutil

import (
	"strconv"

	"github.com/netsched/netsched/act/police"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// PoliceSyntax is what a front end's action syntax offers for the old
// `police` words of u32, fw, route and basic (parse_police and
// tc_print_police): the policer's options written straight into the
// classifier's police attribute. Classifiers find it on Args.Actions and
// Printer.Actions; without it they refuse `police` as tc does when it
// cannot load the police module.
type PoliceSyntax interface {
	ParsePolice(a *tc.Args, attr uint16, b *nl.Builder) error
	PrintPolice(p *tc.Printer, opt []byte) error
}

// policeFace is the police action's own face, which reads and prints the
// old words too (m_police.c's parse_police and print_police).
var policeFace PoliceSyntax = police.Syntax

// ParsePolice reads `police ...` (the word police taken) into attr: with
// the front end's syntax if it has one, else police's.
func ParsePolice(a *tc.Args, attr uint16, b *nl.Builder) error {
	if ps, ok := a.Actions.(PoliceSyntax); ok {
		return ps.ParsePolice(a, attr, b)
	}
	return policeFace.ParsePolice(a, attr, b)
}

// PrintPolice prints an old-style policer attribute's payload.
func PrintPolice(p *tc.Printer, opt []byte) {
	ps, ok := p.Actions.(PoliceSyntax)
	if !ok {
		ps = policeFace
	}
	_ = ps.PrintPolice(p, opt)
}

// ParseActions reads `action ...` (the word action taken) into attr, as
// parse_action does for a classifier; errors as tc prints them.
func ParseActions(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !a.More() {
		return tc.Incomplete()
	}
	if a.Actions == nil {
		return tc.Usagef("Illegal \"action\"")
	}
	return a.Actions.ParseActions(a, attr, b)
}

// PrintActions prints a classifier's action list attribute.
func PrintActions(p *tc.Printer, list []byte) error {
	if p.Actions == nil {
		return nil
	}
	return p.Actions.PrintActions(p, list)
}

// ClassIDString is sprint_tc_classid.
func ClassIDString(h uint32) string { return tc.Handle(h).String() }

// ParseClassID is get_tc_classid.
func ParseClassID(s string) (uint32, bool) {
	h, err := tc.ParseClassID(s)
	return uint32(h), err == nil
}

// ParseSized parses attributes for printing: as nl.Parse, but an
// attribute shorter than its size in sizes counts as absent, so that
// printers never read past a (malformed) attribute.
func ParseSized(opt []byte, max uint16, sizes map[uint16]int) nl.Attrs {
	tb := nl.Parse(opt, max)
	for t, n := range sizes {
		if a := tb.Get(t); a != nil && len(a.Data) < n {
			tb[t] = nil
		}
	}
	return tb
}

// PrintHex is iproute2's print_hex: the value through format in text, as
// a hex string without 0x in JSON.
func PrintHex(p *tc.Printer, key, format string, v uint64) {
	if p.IsJSON() {
		p.String(tc.JSON, key, "%s", strconv.FormatUint(v, 16))
		return
	}
	p.Printf(format, v)
}
