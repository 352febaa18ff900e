// Package kerneldiff runs the same command script on the real kernel (in a
// throwaway network namespace made with `unshare -n`) and on netsched
// (iproute2 through the shim against an in-process daemon), and compares the
// transcripts: each command's stdout, stderr and exit code. The kernel is
// the specification; any difference is a netsched bug.
package kerneldiff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/netsched/netsched/rtnl"
)

// Step is one command's transcript.
type Step struct {
	Cmd    string
	Stdout string
	Stderr string
	Code   int
}

func (s Step) String() string {
	return fmt.Sprintf("$ %s\n[exit %d]\n%s%s", s.Cmd, s.Code, s.Stdout, prefixLines(s.Stderr, "stderr: "))
}

func prefixLines(s, p string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(p + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// script writes a shell script that runs each command with its output in
// numbered files under dir.
func script(dir string, cmds []string) string {
	var b strings.Builder
	b.WriteString("cd " + shellQuote(dir) + "\n")
	for i, c := range cmds {
		fmt.Fprintf(&b, "( %s ) >out.%d 2>err.%d; echo $? >rc.%d\n", c, i, i, i)
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func collect(dir string, cmds []string) ([]Step, error) {
	steps := make([]Step, len(cmds))
	for i, c := range cmds {
		out, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out.%d", i)))
		if err != nil {
			return nil, err
		}
		errb, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("err.%d", i)))
		rc, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("rc.%d", i)))
		code, _ := strconv.Atoi(strings.TrimSpace(string(rc)))
		steps[i] = Step{Cmd: c, Stdout: string(out), Stderr: string(errb), Code: code}
	}
	return steps, nil
}

// kernelPrelude runs before a kernel script: netsched has no IPv6 stack, so
// the kernel's namespace must not send IPv6 autoconfiguration packets (an
// MLD report on link up) that would show in qdisc statistics.
const kernelPrelude = "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null\n"

// Kernel runs cmds in a fresh network namespace of the host kernel.
func Kernel(t testing.TB, cmds []string) []Step {
	t.Helper()
	dir := t.TempDir()
	sh := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(sh, []byte(kernelPrelude+script(dir, cmds)), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", "-n", "sh", sh).CombinedOutput()
	if err != nil {
		t.Fatalf("unshare: %v: %s", err, out)
	}
	steps, err := collect(dir, cmds)
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

var (
	shimOnce sync.Once
	shimPath string
	shimErr  error
)

// Shim builds tools/nlshim once and returns the library's path.
func Shim() (string, error) {
	shimOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		dir := filepath.Join(filepath.Dir(file), "..", "tools", "nlshim")
		if out, err := exec.Command("make", "-s", "-C", dir).CombinedOutput(); err != nil {
			shimErr = fmt.Errorf("make nlshim: %v: %s", err, out)
			return
		}
		shimPath, shimErr = filepath.Abs(filepath.Join(dir, "nlshim.so"))
	})
	return shimPath, shimErr
}

// Daemon is an in-process netsched daemon on a temporary socket.
type Daemon struct {
	Engine *rtnl.Engine
	Socket string
	srv    *rtnl.Server
	n      int
}

// StartDaemon starts a daemon for the test's lifetime.
func StartDaemon(t testing.TB) *Daemon {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "netsched.sock")
	e := rtnl.New(rtnl.Options{})
	srv, err := rtnl.Listen(e, sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	return &Daemon{Engine: e, Socket: sock, srv: srv}
}

// Netsched runs cmds through iproute2 and the shim against the daemon, in
// a namespace of their own.
func (d *Daemon) Netsched(t testing.TB, cmds []string) []Step {
	t.Helper()
	shim, err := Shim()
	if err != nil {
		t.Skip(err)
	}
	d.n++
	dir := t.TempDir()
	sh := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(sh, []byte(script(dir, cmds)), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", sh)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+shim, "NETSCHED_SOCKET="+d.Socket,
		fmt.Sprintf("NETSCHED_NETNS=kerneldiff-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), d.n))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	steps, err := collect(dir, cmds)
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

// autoHandle matches the handles the kernel hands out from a global
// counter (8001: upward), the one thing a transcript may differ in.
var autoHandle = regexp.MustCompile(`\b[89a-f][0-9a-f]{3}:`)

// Normalise renames auto-handles in order of first appearance (AUTO1:,
// AUTO2:, ...) across a whole transcript.
func Normalise(steps []Step) []Step {
	names := map[string]string{}
	rename := func(s string) string {
		return autoHandle.ReplaceAllStringFunc(s, func(h string) string {
			n, ok := names[h]
			if !ok {
				n = fmt.Sprintf("AUTO%d:", len(names)+1)
				names[h] = n
			}
			return n
		})
	}
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = Step{Cmd: s.Cmd, Stdout: rename(s.Stdout), Stderr: rename(s.Stderr), Code: s.Code}
	}
	return out
}

// Requirements skips the test when the kernel comparison cannot run: not
// root, no unshare, no iproute2.
func Requirements(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("kerneldiff: needs root for unshare -n")
	}
	for _, p := range []string{"unshare", "tc", "ip", "make", "gcc"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("kerneldiff: %s not found", p)
		}
	}
}

// Compare runs cmds on both sides and fails the test on the first
// difference, showing both transcripts around it.
func Compare(t *testing.T, d *Daemon, cmds []string) {
	t.Helper()
	k := Normalise(Kernel(t, cmds))
	n := Normalise(d.Netsched(t, cmds))
	for i := range k {
		if k[i] != n[i] {
			t.Errorf("step %d differs\n--- kernel\n%s--- netsched\n%s", i, k[i], n[i])
			return
		}
	}
}
