package tccli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildNetsched builds cmd/netsched and links it as "tc" and "ip" in a
// temporary directory: the programs a shell script would run.
func buildNetsched(t *testing.T) (tcPath, ipPath string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "netsched")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/netsched").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tcPath, ipPath = filepath.Join(dir, "tc"), filepath.Join(dir, "ip")
	if err := os.Symlink(bin, tcPath); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, ipPath); err != nil {
		t.Fatal(err)
	}
	return tcPath, ipPath
}

// TestMonitor runs iproute2's `tc monitor` and netsched's (through a link
// named tc) while the same commands change each daemon, and compares what
// they printed.
func TestMonitor(t *testing.T) {
	so := shim(t)
	tcBin, _ := buildNetsched(t)
	dir := t.TempDir()
	sockR := daemon(t, dir, "r.sock")
	sockN := daemon(t, dir, "n.sock")
	const ns = "mon"
	for _, line := range defaultSetup {
		for _, sock := range []string{sockR, sockN} {
			if r := runIproute2(t, so, sock, ns, strings.Fields(line)); r.code != 0 {
				t.Fatalf("setup %q: %s", line, r.stderr)
			}
		}
	}
	// The monitors write to files, read while they run.
	start := func(path, out string, env []string) *exec.Cmd {
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(path, "monitor")
		cmd.Env = append(env, "LC_ALL=C")
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	outR, outN := filepath.Join(dir, "r.out"), filepath.Join(dir, "n.out")
	mr := start("/usr/sbin/tc", outR, []string{"LD_PRELOAD=" + so, "NETSCHED_SOCKET=" + sockR, "NETSCHED_NETNS=" + ns})
	mn := start(tcBin, outN, []string{"NETSCHED_SOCKET=" + sockN, "NETSCHED_NETNS=" + ns})
	defer func() {
		for _, c := range []*exec.Cmd{mr, mn} {
			c.Process.Signal(syscall.SIGTERM)
			c.Wait()
		}
	}()
	// Subscribed once a first change shows on both sides.
	waitFor := func(cond func() bool) {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if cond() {
				return
			}
		}
	}
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return string(b)
	}
	for i := 0; ; i++ {
		for _, sock := range []string{sockR, sockN} {
			runIproute2(t, so, sock, ns, strings.Fields("tc qdisc replace dev v1 root handle 7: pfifo"))
		}
		waitFor(func() bool { return read(outR) != "" && read(outN) != "" })
		if read(outR) != "" && read(outN) != "" || i == 5 {
			break
		}
	}
	// Both listen now; what they print from here on is compared.
	time.Sleep(200 * time.Millisecond)
	skipR, skipN := len(read(outR)), len(read(outN))
	for _, line := range []string{
		"tc qdisc add dev v0 root handle 1: prio",
		"tc qdisc replace dev v0 parent 1:1 handle 10: pfifo limit 3",
		"tc qdisc change dev v0 parent 1:1 handle 10: pfifo limit 4",
		"tc qdisc add dev v0 clsact",
		"tc filter add dev v0 ingress pref 3 matchall classid 1:1",
		"tc chain add dev v0 ingress chain 4",
		"tc chain del dev v0 ingress chain 4",
		"tc filter del dev v0 ingress pref 3",
		"tc qdisc del dev v0 clsact",
		"tc actions add action gact pass index 3 cookie 0011",
		"tc actions replace action gact drop index 3",
		"tc actions del action gact index 3",
		"tc actions add action pass index 4 action drop index 5",
		"tc actions flush action gact",
		"tc qdisc del dev v0 root",
	} {
		for _, sock := range []string{sockR, sockN} {
			if r := runIproute2(t, so, sock, ns, strings.Fields(line)); r.code != 0 {
				t.Fatalf("%q: %s", line, r.stderr)
			}
		}
	}
	// Both have printed the last change when their outputs agree and
	// end with its deletion.
	after := func(path string, skip int) string { return read(path)[skip:] }
	waitFor(func() bool {
		r := after(outR, skipR)
		return strings.Contains(r, "deleted qdisc prio 1:") && r == after(outN, skipN)
	})
	if r, n := after(outR, skipR), after(outN, skipN); !strings.Contains(r, "deleted qdisc prio 1:") || r != n {
		t.Errorf("tc monitor:\niproute2:\n%s\nnetsched:\n%s", r, n)
	}
}

// TestDropIn runs netsched through links named tc and ip, as scripts and
// the conformance runner do, and checks the argv handling, the streams and
// the exit codes against the in-process results and iproute2's.
func TestDropIn(t *testing.T) {
	so := shim(t)
	tcBin, ipBin := buildNetsched(t)
	dir := t.TempDir()
	sockR := daemon(t, dir, "r.sock")
	sockN := daemon(t, dir, "n.sock")
	const ns = "dropin"
	run := func(bin string, argv []string) result {
		cmd := exec.Command(bin, argv...)
		cmd.Env = []string{"LC_ALL=C", "NETSCHED_SOCKET=" + sockN, "NETSCHED_NETNS=" + ns}
		cmd.Stdin = strings.NewReader("qdisc show dev v0\nqdisc add dev nope root pfifo\n")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		r := result{o.String(), e.String(), 0}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, line := range []string{
		"ip link add v0 numtxqueues 4 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02",
		"ip link set v0 up",
		"tc qdisc add dev v0 root handle 1: prio",
		"tc -s -d qdisc show dev v0",
		"tc qdisc add dev v0 root handle 1: prio",
		"tc qdisc add dev v0 root handle zz prio",
		"tc -batch -",
		"tc -force -batch -",
		"ip -br link",
		"ip link show dev nope",
		"tc",
	} {
		argv := strings.Fields(line)
		want := runIproute2WithStdin(t, so, sockR, ns, argv, "qdisc show dev v0\nqdisc add dev nope root pfifo\n")
		bin := tcBin
		if argv[0] == "ip" {
			bin = ipBin
		}
		got := run(bin, argv[1:])
		if got != want {
			t.Errorf("%s\n--- iproute2: exit %d\n%s%s\n--- netsched: exit %d\n%s%s", line,
				want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
}

func runIproute2WithStdin(t *testing.T, so, sock, ns string, argv []string, stdin string) result {
	t.Helper()
	cmd := exec.Command("/usr/sbin/"+argv[0], argv[1:]...)
	cmd.Env = []string{"LC_ALL=C", "LD_PRELOAD=" + so, "NETSCHED_SOCKET=" + sock, "NETSCHED_NETNS=" + ns}
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{o.String(), e.String(), 0}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}
