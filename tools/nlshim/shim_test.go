package nlshim_test

// These tests build nlshim.so and run the host's unmodified iproute2 tc and
// ip through it against the fake daemon of daemon_test.go.

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
)

// ---- running the tools ----------------------------------------------------

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

// shim builds nlshim.so once and returns its path, skipping the test when
// the tools it needs are not installed.
func shim(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"/usr/sbin/tc", "/usr/sbin/ip"} {
		if _, err := os.Stat(tool); err != nil {
			t.Skipf("iproute2 not installed: %v", err)
		}
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	buildOnce.Do(func() {
		buildOut, buildErr = exec.Command("make", "-C", dir).CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("make: %v\n%s", buildErr, buildOut)
	}
	return filepath.Join(dir, "nlshim.so")
}

type result struct {
	stdout, stderr string
	code           int
}

// run starts a program with the shim preloaded; d == nil leaves
// NETSCHED_SOCKET unset and ns == "-" leaves NETSCHED_NETNS unset.
func run(t *testing.T, so string, d *fakeDaemon, ns string, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETSCHED_") && !strings.HasPrefix(kv, "LD_PRELOAD=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C")
	if so != "" {
		cmd.Env = append(cmd.Env, "LD_PRELOAD="+so)
	}
	if d != nil {
		cmd.Env = append(cmd.Env, "NETSCHED_SOCKET="+d.path)
	}
	if ns != "-" {
		cmd.Env = append(cmd.Env, "NETSCHED_NETNS="+ns)
	}
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

func expect(t *testing.T, r result, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || r.stdout != stdout || r.stderr != stderr {
		t.Errorf("got exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q",
			r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

// ---- tests ----------------------------------------------------------------

func TestTcQdiscShow(t *testing.T) {
	so := shim(t)
	d := startDaemon(t)
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "show"),
		0, "qdisc pfifo 1: dev fake0 root refcnt 2 limit 1000p\n", "")
	// Filtered by device, tc leaves the device out (as with the kernel).
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "show", "dev", "fake0"),
		0, "qdisc pfifo 1: root refcnt 2 limit 1000p\n", "")

	hellos, sockopts, binds, _ := d.snapshot()
	for _, ns := range hellos {
		if ns != "blue" {
			t.Errorf("HELLO carried namespace %q, want %q", ns, "blue")
		}
	}
	if len(hellos) == 0 || len(binds) == 0 {
		t.Errorf("hellos %q binds %v: want some of each", hellos, binds)
	}
	if !contains(sockopts, [2]uint32{netlinkExtAck, 1}) {
		t.Errorf("sockopts %v: want NETLINK_EXT_ACK=1", sockopts)
	}
}

func TestIpLinkShow(t *testing.T) {
	so := shim(t)
	d := startDaemon(t)
	want := "7: fake0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qlen 1000\n" +
		"    link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff\n"
	expect(t, run(t, so, d, "-", "/usr/sbin/ip", "link", "show"), 0, want, "")

	hellos, sockopts, _, _ := d.snapshot()
	if len(hellos) == 0 || hellos[0] != "" {
		t.Errorf("hellos %q: want the empty (default) namespace", hellos)
	}
	if !contains(sockopts, [2]uint32{netlinkGetStrictChk, 1}) {
		t.Errorf("sockopts %v: want NETLINK_GET_STRICT_CHK=1 from ip", sockopts)
	}
}

func TestTcChangeRefusedWithExtack(t *testing.T) {
	so := shim(t)
	d := startDaemon(t)
	d.refuse.Store(true)
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "add", "dev", "fake0", "root", "pfifo"),
		2, "", "Error: "+refuseText+".\n")

	d.refuse.Store(false)
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "add", "dev", "fake0", "root", "pfifo"),
		0, "", "")
}

func TestUnknownDeviceDoesNotReachHost(t *testing.T) {
	so := shim(t)
	d := startDaemon(t)
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "show", "dev", "nosuchdev"),
		1, "", "Cannot find device \"nosuchdev\"\n")
	// lo exists on the host, not in the daemon: the host must not answer.
	expect(t, run(t, so, d, "blue", "/usr/sbin/tc", "qdisc", "show", "dev", "lo"),
		1, "", "Cannot find device \"lo\"\n")

	expect(t, run(t, so, d, "blue", "/usr/sbin/ip", "link", "show", "dev", "lo"),
		1, "", "Device \"lo\" does not exist.\n")

	// iproute2 asks with its own RTM_GETLINK, then through if_nametoindex,
	// which the shim must also send to the daemon.
	_, _, _, names := d.snapshot()
	if n := count(names, "lo"); n < 2 {
		t.Errorf("daemon was asked for lo %d times (%q), want 2 or more", n, names)
	}
}

func TestNoSocketMeansNoShim(t *testing.T) {
	so := shim(t)
	plain := run(t, "", nil, "-", "/usr/sbin/ip", "link", "show", "lo")
	preloaded := run(t, so, nil, "blue", "/usr/sbin/ip", "link", "show", "lo")
	expect(t, preloaded, plain.code, plain.stdout, plain.stderr)
}

func TestDaemonMissing(t *testing.T) {
	so := shim(t)
	d := &fakeDaemon{path: filepath.Join(t.TempDir(), "absent.sock")}
	r := run(t, so, d, "-", "/usr/sbin/tc", "qdisc", "show")
	if r.code == 0 || !strings.Contains(r.stderr, "Cannot open netlink socket: No such file or directory") {
		t.Errorf("got exit %d stderr %q, want tc's netlink open failure", r.code, r.stderr)
	}
}

func TestProbe(t *testing.T) {
	so := shim(t)
	d := startDaemon(t)
	bin := filepath.Join(t.TempDir(), "probe")
	if out, err := exec.Command("gcc", "-O2", "-Wall", "-D_FORTIFY_SOURCE=2", "-o", bin, "testdata/probe.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc probe.c: %v\n%s", err, out)
	}
	want := `if_nametoindex fake0: 7
if_nametoindex lo: 0 ENODEV
if_indextoname 7: fake0
if_indextoname 1: NULL ENXIO
if_nameindex: 7 fake0
getsockname: family 16 pid>0 1 groups 17 len 12
getsockopt: ext_ack 1 strict 0 domain 16 protocol 0
memberships: 0x11
recv empty: -1 EAGAIN
peek: len>16 1 namelen 12 family 16 pid 0
short read: 16 trunc 1
read: same length 1 type 16 seq 42
dup2 shim: family 16
dup2 inet: family 2
hung up: -1 ECONNRESET
`
	expect(t, run(t, so, d, "probe", bin), 0, want, "")

	hellos, sockopts, binds, _ := d.snapshot()
	if hellos[len(hellos)-1] != "eof" || hellos[0] != "probe" {
		t.Errorf("hellos %q: want probe ... eof", hellos)
	}
	if !contains(sockopts, [2]uint32{1, 5}) || !contains(binds, 1) {
		t.Errorf("sockopts %v binds %v: want ADD_MEMBERSHIP 5 and bind groups 1", sockopts, binds)
	}
}

func contains[T comparable](s []T, v T) bool { return count(s, v) > 0 }

func count[T comparable](s []T, v T) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
