// Command netsched is one binary for every face of netsched: `serve` runs
// the daemon, `tc` and `ip` configure it, `sim` runs a simulation,
// `conform` runs the kernel's tc tests. Invoked through a link named tc (or
// ip), it behaves as `netsched tc` (or `netsched ip`).
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

type command struct {
	name  string
	usage string
	run   func(args []string) int
}

var commands []command

func register(c command) { commands = append(commands, c) }

func usage() {
	fmt.Fprintln(os.Stderr, "Usage: netsched COMMAND [ARGS]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.usage)
	}
}

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if name != "netsched" {
		for _, c := range commands {
			if c.name == name {
				os.Exit(c.run(args))
			}
		}
	}
	if len(args) == 0 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands {
		if c.name == args[0] {
			os.Exit(c.run(args[1:]))
		}
	}
	fmt.Fprintf(os.Stderr, "netsched: unknown command %q\n", args[0])
	usage()
	os.Exit(2)
}
