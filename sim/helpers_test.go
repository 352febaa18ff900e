package sim_test

import (
	"testing"

	"github.com/netsched/netsched/sim"
)

// build parses and builds a scenario, failing the test on error.
func build(tb testing.TB, yaml string) *sim.Sim {
	tb.Helper()
	sc, err := sim.Parse([]byte(yaml))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sim.New(sc, sim.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// skipUnderRace skips a long simulation under the race detector, which
// slows the simulator tenfold and finds nothing in its one goroutine;
// scripts/test runs these tests without it.
func skipUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("a long simulation: run without -race (scripts/test does)")
	}
}
