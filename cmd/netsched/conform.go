package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/netsched/netsched/conformance"
)

func init() {
	register(command{name: "conform", usage: "conform [--json FILE] [--tc iproute2|netsched] [--case ID] [-v] TDC_JSON...: run the kernel's tc tests", run: conform})
}

func conform(args []string) int {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	jsonOut := fs.String("json", "", "write per-file and per-case results to `FILE`")
	tcImpl := fs.String("tc", "iproute2", "the tc the cases run: iproute2 (/usr/sbin/tc through nlshim) or netsched")
	caseID := fs.String("case", "", "run only the case with this `ID`")
	verbose := fs.Bool("v", false, "print every case, and the detail of each failure")
	tdcDir := fs.String("tdc-dir", "", "the tdc directory (`DIR`): files are named relative to it")
	check := fs.String("check-baseline", "", "run every file of the baseline `FILE` and of --tdc-dir; fail if a pass count drops")
	write := fs.String("write-baseline", "", "write the pass counts of this run to `FILE`")
	shim := fs.String("shim", "", "the nlshim.so to preload (default: tools/nlshim/nlshim.so above the working directory)")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		files = append(files, args[0])
		args = args[1:]
	}

	o := conformance.Options{TDCDir: *tdcDir, CaseID: *caseID, Verbose: *verbose}
	switch *tcImpl {
	case "iproute2":
	case "netsched":
		if !hasCommand("tc") {
			fmt.Fprintln(os.Stderr, "netsched conform: --tc netsched: this netsched binary has no tc command yet")
			return 2
		}
		o.NetschedTC = true
	default:
		fmt.Fprintf(os.Stderr, "netsched conform: --tc %q: want iproute2 or netsched\n", *tcImpl)
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "netsched conform:", err)
		return 2
	}
	o.Netsched = exe
	if o.Shim = *shim; o.Shim == "" {
		if o.Shim, err = findShim(); err != nil {
			fmt.Fprintln(os.Stderr, "netsched conform:", err)
			return 2
		}
	}

	var baseline conformance.Baseline
	if *check != "" {
		if *tdcDir == "" {
			fmt.Fprintln(os.Stderr, "netsched conform: --check-baseline needs --tdc-dir")
			return 2
		}
		if baseline, err = conformance.LoadBaseline(*check); err != nil {
			fmt.Fprintln(os.Stderr, "netsched conform:", err)
			return 2
		}
		all, err := conformance.TDCFiles(*tdcDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "netsched conform:", err)
			return 2
		}
		seen := map[string]bool{}
		for _, f := range append(baseline.Files(), all...) {
			if !seen[f] {
				seen[f] = true
				files = append(files, filepath.Join(*tdcDir, filepath.FromSlash(f)))
			}
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "netsched conform: no tdc files given")
		fs.Usage()
		return 2
	}

	rep, err := conformance.Run(o, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netsched conform:", err)
		return 2
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "netsched conform:", err)
			return 2
		}
	}
	if *write != "" {
		if err := conformance.FromReport(rep).Write(*write); err != nil {
			fmt.Fprintln(os.Stderr, "netsched conform:", err)
			return 2
		}
	}
	if baseline != nil {
		if regs := baseline.Regressions(rep); len(regs) > 0 {
			fmt.Println("below the baseline:")
			for _, r := range regs {
				fmt.Println("  " + r)
			}
			return 1
		}
		return 0
	}
	if rep.Failed > 0 {
		return 1
	}
	return 0
}

func hasCommand(name string) bool {
	for _, c := range commands {
		if c.name == name {
			return true
		}
	}
	return false
}

// findShim looks for tools/nlshim/nlshim.so in the working directory and
// above it.
func findShim() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "tools", "nlshim", "nlshim.so")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(d, "tools", "nlshim", "Makefile")); err == nil {
			return "", fmt.Errorf("%s is not built: run make -C %s", p, filepath.Dir(p))
		}
		if filepath.Dir(d) == d {
			return "", errors.New("nlshim.so not found: build it with make -C tools/nlshim, or pass --shim PATH")
		}
	}
}
