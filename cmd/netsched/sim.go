package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/netsched/netsched/sim"
)

func init() {
	register(command{name: "sim", usage: "sim [--seed N] [--json FILE] [--html FILE] SCENARIO: simulate a tc setup", run: runSim})
}

func runSim(args []string) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's)")
	jsonOut := fs.String("json", "", "write the result as JSON to `FILE` (/dev/stdout or - for standard output)")
	htmlOut := fs.String("html", "", "write an HTML report with plots to `FILE`")
	quiet := fs.Bool("quiet", false, "print no table")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: netsched sim [--seed N] [--json FILE] [--html FILE] [--quiet] SCENARIO\n\n"+
			"Runs a scenario (YAML: hosts, links, tc commands, traffic) in virtual time and\n"+
			"prints per-flow and per-class figures. The format is in sim/README.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorder(args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	sc, err := sim.Load(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "netsched sim: %v\n", err)
		return 1
	}
	o := sim.Options{}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			o.Seed = seed
		}
	})
	var bar *progressbar.ProgressBar
	if term.IsTerminal(int(os.Stderr.Fd())) && !*quiet {
		bar = progressbar.NewOptions64(1000, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish())
		o.Progress = func(now, end int64) { bar.Set64(now * 1000 / end) }
	}
	s, err := sim.New(sc, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "netsched sim: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	start := time.Now()
	r := s.Run()
	wall := time.Since(start)
	if bar != nil {
		bar.Finish()
	}
	toStdout := *jsonOut == "-" || *jsonOut == "/dev/stdout"
	if !*quiet {
		var w io.Writer = os.Stdout
		if toStdout {
			w = os.Stderr // standard output carries the JSON
		}
		sim.WriteText(w, r)
	}
	fmt.Fprintf(os.Stderr, "netsched sim: %gs simulated in %.2fs of wall time, %d packet-hops (%.2f M/s)\n",
		r.Duration, wall.Seconds(), r.PacketHops, float64(r.PacketHops)/wall.Seconds()/1e6)
	if *jsonOut != "" {
		if err := writeTo(*jsonOut, func(w io.Writer) error { return sim.WriteJSON(w, r) }); err != nil {
			fmt.Fprintf(os.Stderr, "netsched sim: %v\n", err)
			return 1
		}
	}
	if *htmlOut != "" {
		if err := writeTo(*htmlOut, func(w io.Writer) error { return sim.WriteHTML(w, r) }); err != nil {
			fmt.Fprintf(os.Stderr, "netsched sim: %v\n", err)
			return 1
		}
	}
	return 0
}

// writeTo writes to a file, or to standard output for "-".
func writeTo(path string, fn func(io.Writer) error) error {
	if path == "-" || path == "/dev/stdout" {
		return fn(os.Stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// reorder moves flags after the scenario in front of it, so that
// `netsched sim scenario.yaml --json out.json` works too.
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if (a == "--seed" || a == "-seed" || a == "--json" || a == "-json" || a == "--html" || a == "-html") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}
