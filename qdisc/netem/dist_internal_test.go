package netem

import (
	"bufio"
	"os"
	"testing"
)

// The generated tables must be the bytes iproute2's generators wrote into
// the .dist files that Debian installs (netem/normal.c, pareto.c,
// paretonormal.c): tc sends the same TCA_NETEM_DELAY_DIST either way.
func TestGeneratedTablesMatchInstalledFiles(t *testing.T) {
	for name, gen := range generators {
		path := LibDir + name + ".dist"
		f, err := os.Open(path)
		if err != nil {
			t.Skipf("%s: %v", path, err)
		}
		want, err := parseDist(bufio.NewReader(f), path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := gen()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, file has %d", name, len(got), len(want))
		}
		diff := 0
		for i := range got {
			if got[i] != want[i] {
				if diff < 5 {
					t.Errorf("%s[%d] = %d, file has %d", name, i, got[i], want[i])
				}
				diff++
			}
		}
		if diff > 0 {
			t.Errorf("%s: %d values differ", name, diff)
		}
	}
}

// Without the files (TC_LIB_DIR pointing elsewhere), tc's words still
// send the same table: generated; a name with no generator fails with
// tc's message.
func TestGeneratedWhenAbsent(t *testing.T) {
	t.Setenv("TC_LIB_DIR", t.TempDir())
	for name, gen := range generators {
		got, err := LoadDist(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := gen(); len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("%s: not the generated table", name)
		}
	}
	if _, err := LoadDist("uniform"); err == nil || err.Error() != "No distribution data for uniform ("+os.Getenv("TC_LIB_DIR")+"/uniform.dist: No such file or directory)" {
		t.Fatalf("uniform: %v", err)
	}
}
