package tccli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/tccli"
)

// fuzzEnv runs against an in-process engine with one veth pair, so that
// words reach the back end and answers come back.
func fuzzEnv(t testing.TB) (*tccli.Env, *bytes.Buffer, *bytes.Buffer) {
	e := rtnl.New(rtnl.Options{})
	var out, errb bytes.Buffer
	env := &tccli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Backend: tccli.Engine(e)}
	if code := tccli.Ip(strings.Fields("link add v0 numtxqueues 4 type veth peer name v1"), env); code != 0 {
		t.Fatalf("setup: %s", errb.String())
	}
	return env, &out, &errb
}

func seedWords(f *testing.F) {
	for _, gc := range append(append(append(goldenCases, shaperCases...), filterCases...), kindCases...) {
		for _, line := range gc.script {
			if strings.HasPrefix(line, "tc ") && !strings.Contains(line, "$D") {
				f.Add(strings.TrimPrefix(line, "tc "))
			}
		}
	}
}

// FuzzTc feeds random words to tc: every command line gets an exit code
// (and maybe an error text), never a panic or a hang.
func FuzzTc(f *testing.F) {
	seedWords(f)
	f.Fuzz(func(t *testing.T, line string) {
		words := strings.Fields(line)
		for _, w := range words {
			// monitor waits for notifications forever, by design.
			if strings.HasPrefix("monitor", w) && len(w) > 0 && w[0] == 'm' {
				return
			}
		}
		env, _, _ := fuzzEnv(t)
		code := tccli.Tc(words, env)
		if code < 0 || code > 255 {
			t.Fatalf("%q: exit code %d", line, code)
		}
	})
}

// FuzzBatch feeds random batch files to tc -batch (with and without
// -force).
func FuzzBatch(f *testing.F) {
	f.Add("qdisc add dev v0 root pfifo\nqdisc show\n", false)
	f.Add("qdisc show dev \"v0\n# x\nqdisc \\\nshow\n", true)
	f.Add("class show dev 'v0' \\\n", false)
	f.Add(strings.Repeat("x ", 600), true)
	f.Fuzz(func(t *testing.T, body string, force bool) {
		if strings.Contains(body, "mo") {
			return
		}
		env, _, _ := fuzzEnv(t)
		path := filepath.Join(t.TempDir(), "batch")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-batch", path}
		if force {
			args = append([]string{"-force"}, args...)
		}
		code := tccli.Tc(args, env)
		if code < 0 || code > 255 {
			t.Fatalf("exit code %d", code)
		}
	})
}
