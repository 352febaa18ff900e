package flower

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is flower's tc face (f_flower.c).
var Syntax tc.FilterSyntax = syntax{}

type syntax struct{}

func (syntax) ParseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	return parseFilter(a, handle, b)
}

func (syntax) PrintFilter(p *tc.Printer, fh uint32, opt []byte) error {
	return printFilter(p, fh, opt)
}
