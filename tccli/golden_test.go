package tccli_test

// The golden test: every script runs through iproute2's tc and ip (with
// tools/nlshim preloaded) against one daemon and through netsched's tc and
// ip against another, both started here with the same history, and every
// command must give the same standard output, standard error and exit
// code. Two daemons rather than one because automatic qdisc handles come
// from one counter per engine, as in the kernel: sharing an engine would
// give the two sides different handles for the same commands.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/tccli"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shimPath != "" {
		os.RemoveAll(filepath.Dir(shimPath))
	}
	os.Exit(code)
}

var (
	shimOnce sync.Once
	shimPath string
	shimErr  error
	shimOut  []byte
)

// shim builds tools/nlshim (make, in a copy of its sources) once and
// returns the library, skipping when iproute2 or a C compiler is missing.
func shim(t *testing.T) string {
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
	shimOnce.Do(func() {
		// Build a copy: other packages' tests preload the in-tree
		// nlshim.so, and rebuilding it under them would break them.
		src, err := filepath.Abs("../tools/nlshim")
		if err != nil {
			shimErr = err
			return
		}
		dir, err := os.MkdirTemp("", "tccli-nlshim")
		if err != nil {
			shimErr = err
			return
		}
		if shimOut, shimErr = exec.Command("cp", "-r", filepath.Join(src, "Makefile"), filepath.Join(src, "csrc"), dir).CombinedOutput(); shimErr != nil {
			return
		}
		shimOut, shimErr = exec.Command("make", "-C", dir).CombinedOutput()
		shimPath = filepath.Join(dir, "nlshim.so")
	})
	if shimErr != nil {
		t.Fatalf("make -C tools/nlshim: %v\n%s", shimErr, shimOut)
	}
	return shimPath
}

// daemon starts an engine on a socket in dir and returns the socket's path.
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

// runIproute2 runs /usr/sbin/tc or /usr/sbin/ip through the shim.
func runIproute2(t *testing.T, so, sock, ns string, argv []string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/sbin/"+argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETSCHED_") && !strings.HasPrefix(kv, "LD_PRELOAD=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C", "LD_PRELOAD="+so, "NETSCHED_SOCKET="+sock, "NETSCHED_NETNS="+ns)
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

// runNetsched runs netsched's tc or ip in this process.
func runNetsched(sock, ns string, argv []string) result {
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
				return ns
			}
			return ""
		},
	}
	var code int
	if argv[0] == "tc" {
		code = tccli.Tc(argv[1:], env)
	} else {
		code = tccli.Ip(argv[1:], env)
	}
	return result{stdout.String(), stderr.String(), code}
}

// goldenCase is a script run on both sides.
type goldenCase struct {
	name string
	// setup runs on both sides through iproute2 and must succeed.
	setup []string
	// files are written to a directory whose path replaces $D in the
	// script (batch files).
	files map[string]string
	// script lines, compared one by one.
	script []string
}

// defaultSetup is a veth pair with four TX queues, both ends up.
var defaultSetup = []string{
	"ip link add v0 numtxqueues 4 type veth peer name v1",
	"ip link set v0 up",
	"ip link set v1 up",
}

func TestGolden(t *testing.T) {
	so := shim(t)
	dir := t.TempDir()
	sockR := daemon(t, dir, "iproute2.sock")
	sockN := daemon(t, dir, "netsched.sock")
	all := append(append(append(append(goldenCases, shaperCases...), filterCases...), kindCases...), ipCases...)
	for _, gc := range all {
		t.Run(gc.name, func(t *testing.T) {
			ns := gc.name
			fdir := t.TempDir()
			for name, body := range gc.files {
				if err := os.WriteFile(filepath.Join(fdir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			setup := gc.setup
			if setup == nil {
				setup = defaultSetup
			}
			for _, line := range setup {
				argv := strings.Fields(line)
				for _, sock := range []string{sockR, sockN} {
					if r := runIproute2(t, so, sock, ns, argv); r.code != 0 {
						t.Fatalf("setup %q: exit %d: %s", line, r.code, r.stderr)
					}
				}
			}
			printed := false
			defer func() {
				// A broken shim or daemon would make both sides fail
				// alike; a script must show something somewhere.
				if !printed {
					t.Errorf("no command printed anything on standard output")
				}
			}()
			for _, line := range gc.script {
				argv := strings.Fields(strings.ReplaceAll(line, "$D", fdir))
				want := runIproute2(t, so, sockR, ns, argv)
				printed = printed || want.code == 0 && want.stdout != ""
				got := runNetsched(sockN, ns, argv)
				if got != want {
					t.Errorf("%s\n--- iproute2: exit %d\nstdout:\n%s\nstderr:\n%s\n--- netsched: exit %d\nstdout:\n%s\nstderr:\n%s",
						line, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
				}
			}
		})
	}
}
