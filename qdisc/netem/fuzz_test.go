package netem_test

import (
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/internal/facetest"
	"github.com/netsched/netsched/qdisc/netem"
	"github.com/netsched/netsched/tc"
)

// optionsOf is what netem's face sends for words.
func optionsOf(f *testing.F, words ...string) []byte {
	b := nl.NewBuilder()
	if err := netem.Syntax.ParseQdisc(tc.NewArgs(words), b); err != nil {
		f.Fatal(err)
	}
	return nl.Parse(b.Bytes(), 2).Get(2).Data
}

func FuzzWire(f *testing.F) {
	facetest.Wire(f, "netem", netem.Syntax,
		optionsOf(f, "delay", "10ms", "2ms", "25%", "distribution", "normal", "loss", "1%", "duplicate", "2%", "reorder", "5%", "corrupt", "1%", "rate", "1mbit", "20", "100", "-5"),
		optionsOf(f, "loss", "state", "1%", "2%", "3%", "4%", "5%", "ecn", "slot", "1ms", "2ms", "packets", "3"),
		optionsOf(f, "loss", "gemodel", "1%", "10%", "70%", "0.1%", "slot", "distribution", "pareto", "1ms", "100us"),
		make([]byte, 24), nil)
}

func FuzzParse(f *testing.F) {
	facetest.Parse(f, "netem", netem.Syntax,
		"delay 10ms 2ms 25% distribution normal loss 1% 30% duplicate 2% 10%",
		"delay 1s reorder 5% 50% gap 3 corrupt 0.1% 5% rate 1mbit 20 100 -5",
		"loss state 1% 2% 3% 4% 5% ecn",
		"loss gemodel 1% 10% 70% 0.1% limit 10",
		"slot 10ms 20ms packets 10 bytes 20k",
		"slot distribution pareto 1ms 0.1ms packets 3",
		"rate 50% 10",
		"l 10 del 1ms")
}
