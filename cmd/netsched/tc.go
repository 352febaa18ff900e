package main

import (
	"os"
	"os/exec"

	"github.com/netsched/netsched/tccli"
)

func init() {
	register(command{name: "tc", usage: "tc [--kernel] [OPTIONS] OBJECT COMMAND: iproute2's tc", run: runTc})
}

// env is the process's environment for the tc and ip front ends.
func env() *tccli.Env {
	return &tccli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Run:    runProgram,
	}
}

func runTc(args []string) int { return tccli.Tc(args, env()) }

// runProgram runs argv with env added to this process's environment, with
// our streams, and returns its exit code (ip netns exec).
func runProgram(argv []string, extra []string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), extra...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		os.Stderr.WriteString("exec of \"" + argv[0] + "\" failed: " + err.Error() + "\n")
		return 255
	}
	return 0
}
