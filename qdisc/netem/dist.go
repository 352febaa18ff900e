package netem

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/netsched/netsched/tc"
)

// Delay distributions as tc loads them: iproute2 6.1 reads
// $TC_LIB_DIR/NAME.dist, else LIBDIR/tc//NAME.dist (Debian's LIBDIR is
// /usr/lib/x86_64-linux-gnu; the doubled slash is tc's own), and sends the
// numbers as TCA_NETEM_DELAY_DIST. When the file is absent and the name is
// one that iproute2 builds from a generator (normal, pareto,
// paretonormal), the table is generated here exactly as netem/*.c of
// iproute2 does, so the bytes sent are the same.

// DistScale is NETEM_DIST_SCALE and DistMax NETEM_DIST_MAX.
const (
	DistScale = 8192
	DistMax   = 16384
	tableSize = 16384
)

// LibDir is where tc looks for distribution files when TC_LIB_DIR is not
// set (LIBDIR "/tc/" of the iproute2 build on this distribution).
var LibDir = "/usr/lib/x86_64-linux-gnu/tc/"

// distPath is the file name tc opens (get_distribution).
func distPath(name string) string {
	dir := os.Getenv("TC_LIB_DIR")
	if dir == "" {
		dir = LibDir
	}
	return fmt.Sprintf("%s/%s.dist", dir, name)
}

// LoadDist returns the table of a named distribution, as get_distribution
// reads it, or generated when the file is absent. Errors carry tc's text.
func LoadDist(name string) ([]int16, error) {
	path := distPath(name)
	f, err := os.Open(path)
	if err != nil {
		if gen := generators[name]; gen != nil && os.IsNotExist(err) {
			return gen(), nil
		}
		return nil, tc.Usagef("No distribution data for %s (%s: %s)", name, path, cStrerror(err))
	}
	defer f.Close()
	return parseDist(bufio.NewReader(f), path)
}

// cStrerror is strerror's text for fopen's usual failures.
func cStrerror(err error) string {
	switch {
	case os.IsNotExist(err):
		return "No such file or directory"
	case os.IsPermission(err):
		return "Permission denied"
	}
	if pe, ok := err.(*os.PathError); ok {
		s := pe.Err.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// parseDist reads the numbers of a .dist file: lines starting with '#' or
// empty are skipped, the others hold C longs (strtol base 0), kept as
// their low 16 bits as C stores a long into __s16.
func parseDist(r *bufio.Reader, path string) ([]int16, error) {
	var out []int16
	for {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		if line[0] == '\n' || line[0] == '#' {
			continue
		}
		for s := line; ; {
			v, n, _ := tc.Strtol(s, 0)
			if n == 0 {
				break
			}
			if len(out) >= DistMax {
				return nil, tc.Usagef("%s: too much data", path)
			}
			out = append(out, int16(v))
			s = s[n:]
		}
		if err != nil {
			break
		}
	}
	if len(out) == 0 {
		return nil, tc.Usagef("")
	}
	return out, nil
}

var generators = map[string]func() []int16{
	"normal":       normalTable,
	"pareto":       paretoTable,
	"paretonormal": paretoNormalTable,
}

// inverseNormal is the table of x by rint(TABLESIZE * Phi(x)) that
// normal.c and paretonormal.c fill, stepping x by 5e-5 from -10.
func inverseNormal() *[tableSize + 1]float64 {
	var table [tableSize + 1]float64
	for x := -10.0; x < 10.05; x += .00005 {
		i := int(math.RoundToEven(tableSize * (.5 + .5*math.Erf(x/math.Sqrt(2.0)))))
		table[i] = x
	}
	return &table
}

func clamp16(v int) int16 {
	return int16(min(max(v, math.MinInt16), math.MaxInt16))
}

// normalTable is netem/normal.c's output.
func normalTable() []int16 {
	t := inverseNormal()
	out := make([]int16, 0, tableSize/4)
	for i := 0; i < tableSize; i += 4 {
		out = append(out, clamp16(int(math.RoundToEven(t[i]*DistScale))))
	}
	return out
}

// paretoValue is the Pareto (a = 3) inverse CDF at p, scaled as pareto.c.
func paretoValue(i int) float64 {
	d := float64(i) / 65536
	d = 1.0 / math.Pow(d, 1.0/3.0)
	d -= 1.5
	d *= (4.0 / 3.0) * DistScale
	return min(d, 32767)
}

// paretoTable is netem/pareto.c's output.
func paretoTable() []int16 {
	out := make([]int16, 0, tableSize/4)
	for i := 65536; i > 0; i -= 16 {
		out = append(out, int16(int32(math.RoundToEven(paretoValue(i)))))
	}
	return out
}

// paretoNormalTable is netem/paretonormal.c's output: a quarter normal
// and three quarters Pareto.
func paretoNormalTable() []int16 {
	t := inverseNormal()
	out := make([]int16, 0, tableSize/4)
	for i := 0; i < tableSize; i += 4 {
		norm := int(math.RoundToEven(t[i] * DistScale))
		par := int(math.RoundToEven(paretoValue(65536 - 4*i)))
		out = append(out, clamp16((norm+3*par)/4))
	}
	return out
}
