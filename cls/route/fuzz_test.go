package route_test

import (
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/cls/route"
)

func FuzzParseFilter(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, "")
	}
	f.Add("help", "1")
	f.Fuzz(func(t *testing.T, words, handle string) {
		clstest.FuzzSyntax(t, route.Syntax, words, handle)
	})
}

func FuzzOptions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{8, 0, 1, 0, 1, 0, 1, 0})
	b := clstest.New(f)
	f.Fuzz(func(t *testing.T, opts []byte) {
		b.T = t
		clstest.FuzzOptions(t, b, "route", route.Syntax, opts)
	})
}
