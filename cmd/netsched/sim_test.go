package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary be netsched itself, so that the tests
// can run it as a user does, with real standard output.
func TestMain(m *testing.M) {
	if os.Getenv("NETSCHED_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// netsched runs the test binary as netsched with args and returns its
// standard output and error.
func netsched(t *testing.T, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NETSCHED_TEST_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("netsched %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

const simScenario = `
name: cli
seed: 4
duration: 2s
links:
  - a: {host: a, tc: "qdisc add root handle 1: pfifo limit 20"}
    b: b
    rate: 10mbit
    delay: 5ms
    loss: 1%
traffic:
  - {name: bulk, type: tcp, from: a, to: b}
  - {name: cbr, type: poisson, from: a, to: b, rate: 2mbit}
`

// `netsched sim --json /dev/stdout` writes only the JSON to standard
// output, the same bytes for the same seed, and the table to standard
// error; --html writes the page.
func TestSimJSONToStdout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(simScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out1, err1 := netsched(t, "sim", "--json", "/dev/stdout", "--html", filepath.Join(dir, "r.html"), path)
	var r struct {
		Scenario string
		Seed     uint64
		Flows    []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out1), &r); err != nil {
		t.Fatalf("standard output is not JSON: %v\n%.200s", err, out1)
	}
	if r.Scenario != "cli" || r.Seed != 4 || len(r.Flows) != 2 {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(err1, "Flows") || !strings.Contains(err1, "$ tc -n a -s qdisc show dev eth0") {
		t.Fatalf("the table is not on standard error:\n%s", err1)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "r.html")); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Fatalf("html: %v", err)
	}
	out2, _ := netsched(t, "sim", path, "--json", "-")
	if out1 != out2 {
		t.Fatal("two runs with the same seed wrote different JSON")
	}
	out3, _ := netsched(t, "sim", "--seed", "5", "--json", "/dev/stdout", path)
	if out3 == out1 {
		t.Fatal("--seed changed nothing")
	}
	table, _ := netsched(t, "sim", path)
	if !strings.HasPrefix(table, "netsched sim: cli (seed 4)") {
		t.Fatalf("table:\n%s", table)
	}
}
