package fqcodel

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// FuzzSyntax feeds words to the tc face and whatever it sends, or random
// bytes, back to the printers and the wire decoders: nothing may panic.
func FuzzSyntax(f *testing.F) {
	for _, s := range []string{"limit 100 flows 16 quantum 300 ce_threshold 4ms ce_threshold_selector 0x1/0x3 memory_limit 1M drop_batch 8 noecn", "help", "limit", "bogus 1"} {
		f.Add(s, []byte(nil))
	}
	f.Add("", []byte{8, 0, 1, 0, 1, 2, 3, 4, 5, 0, 2, 0, 9})
	f.Fuzz(func(t *testing.T, words string, raw []byte) {
		b := nl.NewBuilder()
		a := tc.NewArgs(strings.Fields(words))
		a.Dev = "eth0"
		_ = Syntax.ParseQdisc(a, b)
		for _, opt := range [][]byte{b.Bytes(), raw} {
			for _, json := range []bool{false, true} {
				p := tc.NewPrinter(json, false)
				p.Details, p.Stats = true, true
				_ = Syntax.PrintQdisc(p, opt)
				if xp, ok := Syntax.(tc.XstatsPrinter); ok {
					_ = xp.PrintXstats(p, opt)
				}
			}
		}
	})
}

// FuzzDecode runs the kernel-side decoders on random options.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 1, 2, 3, 4})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseOptions(&nl.Attr{Data: b})
		DecodeXstats(b)
	})
}
