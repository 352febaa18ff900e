package conformance

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Baseline is the number of passing cases per tdc file (named relative to
// the tdc directory, like "qdiscs/fifo.json"): the figure a change must
// not lower.
type Baseline map[string]int

// LoadBaseline reads a baseline file.
func LoadBaseline(path string) (Baseline, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bl Baseline
	if err := json.Unmarshal(b, &bl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return bl, nil
}

// FromReport makes a baseline of a run's pass counts.
func FromReport(rep *Report) Baseline {
	bl := Baseline{}
	for _, f := range rep.Files {
		bl[f.File] = f.Passed
	}
	return bl
}

// Write saves the baseline, one file per line, sorted.
func (bl Baseline) Write(path string) error {
	b, err := json.MarshalIndent(bl, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Files lists the baseline's files, sorted.
func (bl Baseline) Files() []string {
	out := make([]string, 0, len(bl))
	for f := range bl {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Regressions lists the files whose pass count fell below the baseline
// (a file of the baseline that did not run counts as no passes).
func (bl Baseline) Regressions(rep *Report) []string {
	got := map[string]int{}
	for _, f := range rep.Files {
		got[f.File] += f.Passed
	}
	var out []string
	for _, f := range bl.Files() {
		if got[f] < bl[f] {
			out = append(out, fmt.Sprintf("%s: %d passed, baseline %d", f, got[f], bl[f]))
		}
	}
	return out
}

// TDCFiles lists the tdc JSON files under dir, named relative to it, in
// a stable order.
func TDCFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
