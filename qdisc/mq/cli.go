package mq

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// syntax is mq's tc face: no options, nothing printed (iproute2 has no
// q_mq.c, so tc falls back to its generic parser, which refuses any word).
type syntax struct{}

func (syntax) ParseQdisc(a *tc.Args, _ *nl.Builder) error {
	if a.More() {
		return tc.Usagef("Unknown qdisc \"mq\", hence option \"%s\" is unparsable", a.Peek())
	}
	return nil
}

func (syntax) PrintQdisc(*tc.Printer, []byte) error { return nil }
