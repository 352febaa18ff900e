package conformance

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/pingcli"
	"github.com/netsched/netsched/std"
)

var (
	buildOnce sync.Once
	builtShim string
	buildErr  error
	buildOut  []byte
)

// tools builds nlshim.so once and returns it with the program that plays
// ping (this test binary, see TestMain), skipping the test when what they
// need is missing.
func tools(t *testing.T) (bin, shim string) {
	t.Helper()
	for _, p := range []string{"/usr/sbin/tc", "/usr/sbin/ip"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("iproute2 is not installed: %v", err)
		}
	}
	for _, p := range []string{"gcc", "make"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("the daemon lets only root change its namespaces")
	}
	buildOnce.Do(func() {
		dir, err := filepath.Abs(filepath.Join("..", "tools", "nlshim"))
		if err != nil {
			buildErr = err
			return
		}
		builtShim = filepath.Join(dir, "nlshim.so")
		buildOut, buildErr = exec.Command("make", "-C", dir).CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("make -C tools/nlshim: %v\n%s", buildErr, buildOut)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe, builtShim
}

// TestMain lets this test binary be the cases' ping: the runner links
// `ping` to it, as it links it to netsched.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "ping" {
		os.Exit(pingcli.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestFifoFile(t *testing.T) {
	bin, shim := tools(t)
	file := filepath.Join("..", "..", "shared", "tdc", "qdiscs", "fifo.json")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("tdc files not found: %v", err)
	}
	var out bytes.Buffer
	rep, err := Run(Options{Netsched: bin, Shim: shim, Out: &out, Verbose: true}, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	// Every case of fifo.json passes: the qdiscs, and the ping of d774
	// whose two echo requests pfifo_head_drop limit 0 must drop.
	if rep.Passed != 16 || rep.Failed != 0 || rep.Skipped != 0 {
		t.Errorf("fifo.json: %d passed, %d failed, %d skipped; want 16 passed\n%s", rep.Passed, rep.Failed, rep.Skipped, out.String())
	}
	if !strings.Contains(out.String(), "qdiscs/fifo.json: 16 passed, 0 failed, 0 skipped\n") {
		t.Errorf("report lacks the file line:\n%s", out.String())
	}
}

// testEnv starts a runner and a case environment with nsPlugin's devices.
func testEnv(t *testing.T, bin, shim string) (*Runner, *caseEnv) {
	t.Helper()
	r, err := NewRunner(Options{Netsched: bin, Shim: shim, Out: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	c := &Case{ID: "t001", Plugins: []string{"nsPlugin"}}
	x, err := r.newCaseEnv(c, r.names.ForCase(c.ID, 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.close)
	return r, x
}

func TestNetdevsimMapping(t *testing.T) {
	bin, shim := tools(t)
	r, x := testEnv(t, bin, shim)
	queues := func(name string) int {
		e := r.daemon.e
		e.Lock()
		defer e.Unlock()
		d := e.World().Lookup(x.ns).ByName(name)
		if d == nil {
			return -1
		}
		return d.NumTxQueues()
	}
	for _, c := range []struct {
		cmd  string
		devs map[string]int // device: TX queues (-1: absent)
	}{
		{`echo "1 1 4" > /sys/bus/netdevsim/new_device`, map[string]int{"eth0": 4, "eth1": -1}},
		{`echo "2 2" > /sys/bus/netdevsim/new_device`, map[string]int{"eth0": 4, "eth1": 1, "eth2": 1}},
		{`echo "1" > /sys/bus/netdevsim/del_device`, map[string]int{"eth0": -1, "eth1": 1}},
		{`echo "3 1 256" > /sys/bus/netdevsim/new_device`, map[string]int{"eth0": 256}},
		// Two writes in one command: appended, both count.
		{`echo 2 >> /sys/bus/netdevsim/del_device; echo 3 >> /sys/bus/netdevsim/del_device`, map[string]int{"eth0": -1, "eth1": -1, "eth2": -1}},
	} {
		if p := x.exec(c.cmd); p.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.cmd, p.code, p.output())
		}
		for name, want := range c.devs {
			if got := queues(name); got != want {
				t.Errorf("after %s: %s has %d TX queues, want %d", c.cmd, name, got, want)
			}
		}
	}
	// The devices are real to tc through the daemon.
	x.exec(`echo "9 1 8" > /sys/bus/netdevsim/new_device`)
	if p := x.exec("$TC qdisc add dev $ETH root handle 1: mq"); p.code != 0 {
		t.Fatalf("tc qdisc add mq: exit %d: %s", p.code, p.output())
	}
	p := x.exec("$TC qdisc show dev $ETH")
	if n := strings.Count(p.stdout, "parent 1:"); n != 8 {
		t.Errorf("mq on the 8-queue device has %d children, want 8:\n%s", n, p.stdout)
	}
}

// TestPingBytesMatchKernel checks the emulated ping's frames against what
// the kernel counts: numbers measured on Linux 6.18 with a veth pair whose
// far end is in another namespace, an htb or pfifo root on the near end
// (the root's byte count does not depend on its kind), and iputils ping:
// one ping resolves with ARP first (42 + 98 bytes), -s 1400 adds 1442, and
// three more default pings add 3 x 98.
func TestPingBytesMatchKernel(t *testing.T) {
	bin, shim := tools(t)
	r, x := testEnv(t, bin, shim)
	e := r.daemon.e
	e.Lock()
	host := e.World().Lookup(x.host)
	dev0 := host.ByName(x.names["DEV0"])
	err := dev0.AddAddr(&netdev.Addr{Prefix: netip.MustParsePrefix("10.10.10.1/24")}, false)
	e.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	root := "pfifo"
	if std.Registry().Qdisc("htb") != nil {
		root = "htb default 1"
	}
	for _, cmd := range []string{
		"$IP addr add 10.10.10.10/24 dev $DEV1",
		"$TC qdisc add dev $DEV1 root handle 1: " + root,
	} {
		if p := x.exec(cmd); p.code != 0 {
			t.Fatalf("%s: exit %d: %s", cmd, p.code, p.output())
		}
	}
	if strings.HasPrefix(root, "htb") {
		x.exec("$TC class add dev $DEV1 parent 1: classid 1:1 htb rate 100mbit")
	}
	sent := regexp.MustCompile(`Sent (\d+) bytes (\d+) pkt`)
	for _, c := range []struct {
		ping, want string
	}{
		{"ping -c1 -W1 -I $DEV1 10.10.10.1", "Sent 140 bytes 2 pkt"},
		{"ping -c1 -s 1400 -W1 -I $DEV1 10.10.10.1", "Sent 1582 bytes 3 pkt"},
		{"ping -c3 -i 0.2 -W1 -I $DEV1 10.10.10.1", "Sent 1876 bytes 6 pkt"},
	} {
		p := x.exec(c.ping)
		if p.code != 0 || !strings.Contains(p.stdout, " 0% packet loss") {
			t.Fatalf("%s: exit %d:\n%s%s", c.ping, p.code, p.stdout, p.stderr)
		}
		s := x.exec("$TC -s qdisc show dev $DEV1")
		if got := sent.FindString(s.stdout); got != c.want {
			t.Errorf("after %s: %q, want %q (Linux)\n%s", c.ping, got, c.want, s.stdout)
		}
	}
}

func TestCommandTimeout(t *testing.T) {
	bin, shim := tools(t)
	r, x := testEnv(t, bin, shim)
	r.timeout = 200 * time.Millisecond
	start := time.Now()
	p := x.exec("sleep 5; echo late")
	if p.code != 255 || p.output() != "Command \"sleep 5; echo late\" timed out\n" || time.Since(start) > 4*time.Second {
		t.Errorf("exit %d, output %q after %v; want tdc's timeout", p.code, p.output(), time.Since(start))
	}
	// The environment: the daemon, the namespace, the shim, ping first.
	p = x.exec("echo $NETSCHED_NETNS; command -v ping; echo $LD_PRELOAD")
	want := x.ns + "\n" + filepath.Join(r.bin, "ping") + "\n" + shim + "\n"
	if p.stdout != want {
		t.Errorf("environment:\n%s\nwant\n%s", p.stdout, want)
	}
}
