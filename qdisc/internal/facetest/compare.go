package facetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/tccli"
)

// Compare runs each tc command (words after `tc`, device d0) through
// iproute2's tc with tools/nlshim preloaded against one daemon, and
// through netsched's tc against another, both holding a dummy d0; every
// command must give the same output, errors and exit code. The kernel has
// none of these kinds, so iproute2 6.1 itself (its parser, its printer) is
// the reference for the face, against our engine's answers. It skips
// without iproute2 or a C compiler.
func Compare(t *testing.T, cmds []string) {
	so := buildShim(t)
	dir := t.TempDir()
	sockA, sockB := daemon(t, dir, "a.sock"), daemon(t, dir, "b.sock")
	for _, c := range [][]string{{"ip", "link", "add", "d0", "type", "dummy"}, {"ip", "link", "set", "d0", "up"}} {
		if r := runIproute2(t, so, sockA, c); r.code != 0 {
			t.Fatalf("%v: %s", c, r.stderr)
		}
		if r := runIproute2(t, so, sockB, c); r.code != 0 {
			t.Fatalf("%v: %s", c, r.stderr)
		}
	}
	for _, c := range cmds {
		argv := append([]string{"tc"}, strings.Fields(c)...)
		want := runIproute2(t, so, sockA, argv)
		got := runNetsched(sockB, argv)
		if got != want {
			t.Errorf("tc %s:\niproute2: code %d\n%s%s\nnetsched: code %d\n%s%s", c,
				want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
}

func buildShim(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"/usr/sbin/tc", "/usr/sbin/ip"} {
		if _, err := os.Stat(tool); err != nil {
			t.Skipf("iproute2 not installed: %v", err)
		}
	}
	for _, tool := range []string{"gcc", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "../../../tools/nlshim")
	// A copy: other packages' tests preload the in-tree library.
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(src, "Makefile"), filepath.Join(src, "csrc"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copy nlshim: %v\n%s", err, out)
	}
	if out, err := exec.Command("make", "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("make nlshim: %v\n%s", err, out)
	}
	return filepath.Join(dir, "nlshim.so")
}

func daemon(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	srv, err := rtnl.Listen(rtnl.New(rtnl.Options{}), path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return path
}

type result struct {
	stdout, stderr string
	code           int
}

func runIproute2(t *testing.T, so, sock string, argv []string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/sbin/"+argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETSCHED_") && !strings.HasPrefix(kv, "LD_PRELOAD=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C", "LD_PRELOAD="+so, "NETSCHED_SOCKET="+sock, "NETSCHED_NETNS=face")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: timed out; stderr: %s", argv, stderr.String())
	}
	r := result{stdout.String(), stderr.String(), 0}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return r
}

func runNetsched(sock string, argv []string) result {
	var stdout, stderr bytes.Buffer
	env := &tccli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string {
			switch k {
			case "NETSCHED_SOCKET":
				return sock
			case "NETSCHED_NETNS":
				return "face"
			}
			return ""
		},
	}
	code := tccli.Tc(argv[1:], env)
	return result{stdout.String(), stderr.String(), code}
}
