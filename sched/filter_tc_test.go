package sched_test

// These tests run the host's unmodified iproute2 tc through tools/nlshim
// against an in-process daemon: the real client builds the requests and
// prints our answers, so its output and errors must be the kernel's.

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

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/rtnl"
)

var (
	shimOnce sync.Once
	shimPath string
	shimErr  error
	shimOut  []byte
)

// shim builds nlshim.so once, skipping when the tools are missing.
func shim(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/tc"); err != nil {
		t.Skipf("iproute2 not installed: %v", err)
	}
	for _, tool := range []string{"gcc", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	shimOnce.Do(func() {
		dir, err := filepath.Abs("../tools/nlshim")
		if err != nil {
			shimErr = err
			return
		}
		shimOut, shimErr = exec.Command("make", "-C", dir).CombinedOutput()
		shimPath = filepath.Join(dir, "nlshim.so")
	})
	if shimErr != nil {
		t.Fatalf("make: %v\n%s", shimErr, shimOut)
	}
	return shimPath
}

// daemon is an engine served on a socket in the test's directory, with a
// veth pair v0/v1 in namespace "t".
type daemon struct {
	e    *rtnl.Engine
	sock string
	so   string
}

func startTCDaemon(t *testing.T) *daemon {
	so := shim(t)
	sock := filepath.Join(t.TempDir(), "d.sock")
	e := rtnl.New(rtnl.Options{Clock: clock.NewVirtual()})
	e.Lock()
	_, err := e.Namespace("t").AddLink(&netdev.LinkSpec{Name: "v0", Kind: "veth", PeerName: "v1"})
	e.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rtnl.Listen(e, sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	return &daemon{e: e, sock: sock, so: so}
}

type tcResult struct {
	stdout, stderr string
	code           int
}

// tc runs /usr/sbin/tc with the words of line.
func (d *daemon) tc(t *testing.T, line string) tcResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/sbin/tc", strings.Fields(line)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETSCHED_") && !strings.HasPrefix(kv, "LD_PRELOAD=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C", "LD_PRELOAD="+d.so, "NETSCHED_SOCKET="+d.sock, "NETSCHED_NETNS=t")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tc %s: timed out; stderr: %s", line, stderr.String())
	}
	r := tcResult{stdout.String(), stderr.String(), 0}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("tc %s: %v", line, err)
	}
	return r
}

// step is one tc command and what it must print and return.
type step struct {
	cmd    string
	stdout string
	stderr string
	code   int
}

func runSteps(t *testing.T, d *daemon, steps []step) {
	t.Helper()
	for _, s := range steps {
		r := d.tc(t, s.cmd)
		if r.code != s.code || r.stdout != s.stdout || r.stderr != s.stderr {
			t.Errorf("tc %s:\ngot  exit %d stdout %q stderr %q\nwant exit %d stdout %q stderr %q",
				s.cmd, r.code, r.stdout, r.stderr, s.code, s.stdout, s.stderr)
		}
	}
}

// nerr is what tc prints for an error without an extack message.
func nerr(text string) string {
	return "RTNETLINK answers: " + text + "\nWe have an error talking to the kernel\n"
}

// kerr is what tc prints for an error with an extack message.
func kerr(msg string) string { return "Error: " + msg + ".\nWe have an error talking to the kernel\n" }

func TestTcFilterIngress(t *testing.T) {
	d := startTCDaemon(t)
	runSteps(t, d, []step{
		{cmd: "filter add dev v0 ingress matchall classid 1:1", stderr: kerr("Parent Qdisc doesn't exists"), code: 2},
		{cmd: "filter add dev v0 matchall classid 1:1", stderr: kerr("Qdisc not classful"), code: 2},
		{cmd: "filter show dev v0 ingress"},
		{cmd: "qdisc add dev v0 ingress"},
		{cmd: "filter add dev v0 ingress matchall classid 1:1"},
		{cmd: "filter add dev v0 ingress matchall classid 1:2"},
		{cmd: "filter add dev v0 ingress pref 3 protocol ip handle 0x7 matchall skip_hw classid 1:3"},
		{cmd: "filter show dev v0 ingress", stdout: "" +
			"filter protocol ip pref 3 matchall chain 0 \n" +
			"filter protocol ip pref 3 matchall chain 0 handle 0x7 flowid 1:3 \n  skip_hw\n  not_in_hw\n" +
			"filter protocol all pref 49151 matchall chain 0 \n" +
			"filter protocol all pref 49151 matchall chain 0 handle 0x1 flowid 1:2 \n  not_in_hw\n" +
			"filter protocol all pref 49152 matchall chain 0 \n" +
			"filter protocol all pref 49152 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		// The block shows the parent of the last filter added.
		{cmd: "filter show dev v0 parent ffff:", stdout: "" +
			"filter ingress protocol ip pref 3 matchall chain 0 \n" +
			"filter ingress protocol ip pref 3 matchall chain 0 handle 0x7 flowid 1:3 \n  skip_hw\n  not_in_hw\n" +
			"filter ingress protocol all pref 49151 matchall chain 0 \n" +
			"filter ingress protocol all pref 49151 matchall chain 0 handle 0x1 flowid 1:2 \n  not_in_hw\n" +
			"filter ingress protocol all pref 49152 matchall chain 0 \n" +
			"filter ingress protocol all pref 49152 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter show dev v0 ingress pref 3", stdout: "" +
			"filter protocol ip matchall chain 0 \n" +
			"filter protocol ip matchall chain 0 handle 0x7 flowid 1:3 \n  skip_hw\n  not_in_hw\n"},
		{cmd: "-s filter show dev v0 ingress protocol ip", stdout: "" +
			"filter pref 3 matchall chain 0 \n" +
			"filter pref 3 matchall chain 0 handle 0x7 flowid 1:3 \n  skip_hw\n  not_in_hw (rule hit 0)\n"},
		{cmd: "filter get dev v0 ingress pref 3 protocol ip handle 7 matchall", stdout: "" +
			"filter ingress protocol ip pref 3 matchall chain 0 handle 0x7 flowid 1:3 \n  skip_hw\n  not_in_hw\n"},
		{cmd: "filter get dev v0 ingress pref 3 protocol ip handle 8 matchall", stderr: kerr("Specified filter handle not found"), code: 2},
		{cmd: "filter get dev v0 ingress pref 4 protocol ip handle 7 matchall", stderr: kerr("Filter with specified priority/protocol not found"), code: 2},
		{cmd: "filter get dev v0 ingress pref 3 protocol ipv6 handle 7 matchall", stderr: kerr("Protocol mismatch for filter with specified priority"), code: 2},
		{cmd: "filter get dev v0 ingress pref 3 protocol ip handle 7 basic", stderr: kerr("Specified filter kind does not match existing one"), code: 2},
		{cmd: "filter get dev v0 ingress pref 3 protocol ip handle 7 chain 2 matchall", stderr: kerr("Cannot find specified filter chain"), code: 2},
		// One proto per priority, one filter per matchall proto.
		{cmd: "filter add dev v0 ingress pref 3 protocol ipv6 matchall classid 1:1", stderr: kerr("Protocol mismatch for filter with specified priority"), code: 2},
		{cmd: "filter add dev v0 ingress pref 3 protocol ip handle 7 matchall classid 1:1", stderr: kerr("Filter already exists"), code: 2},
		{cmd: "filter add dev v0 ingress pref 3 protocol ip matchall classid 1:1", stderr: nerr("File exists"), code: 2},
		{cmd: "filter replace dev v0 ingress pref 3 protocol ip handle 7 matchall classid 1:1", stderr: nerr("File exists"), code: 2},
		{cmd: "filter change dev v0 ingress pref 3 protocol ip handle 8 matchall classid 1:1", stderr: kerr("Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter"), code: 2},
		{cmd: "filter change dev v0 ingress pref 9 protocol ip handle 8 matchall classid 1:1", stderr: kerr("Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter"), code: 2},
		{cmd: "filter change dev v0 ingress protocol ip handle 8 matchall classid 1:1", stderr: kerr("Invalid filter command with priority of zero"), code: 2},
		{cmd: "filter add dev v0 ingress pref 5 protocol ip tcindex", stderr: kerr("TC classifier not found"), code: 2},
		{cmd: "filter add dev v0 ingress pref 5 protocol ip matchall basic", stderr: "What is \"basic\"?\n" + mallUsage, code: 1},
		// matchall needs options and cannot live in hardware only here,
		// with or without actions.
		{cmd: "filter add dev v0 ingress pref 5 matchall", stderr: nerr("Invalid argument"), code: 2},
		{cmd: "filter add dev v0 ingress pref 5 matchall skip_sw classid 1:1", stderr: nerr("Operation not supported"), code: 2},
		{cmd: "filter add dev v0 ingress pref 5 matchall skip_sw action drop", stderr: nerr("Operation not supported"), code: 2},
		// A failed create leaves no proto behind.
		{cmd: "filter show dev v0 ingress pref 5"},
		// Automatic priorities go down from 49152, below the lowest
		// priority at or above 32768; 32768 itself blocks them.
		{cmd: "filter add dev v0 ingress pref 32768 matchall classid 1:1"},
		{cmd: "filter add dev v0 ingress matchall classid 1:1", stderr: kerr("Lowest ID from auto-alloc range already in use"), code: 2},
		{cmd: "filter del dev v0 ingress pref 32768"},
		{cmd: "filter add dev v0 ingress pref 40000 matchall classid 1:1"},
		{cmd: "filter add dev v0 ingress protocol ip matchall classid 1:4"},
		{cmd: "filter show dev v0 ingress pref 39999", stdout: "" +
			"filter protocol ip matchall chain 0 \n" +
			"filter protocol ip matchall chain 0 handle 0x1 flowid 1:4 \n  not_in_hw\n"},
		// Deleting: one filter, a priority, the chain.
		{cmd: "filter del dev v0 ingress pref 3 protocol ip handle 8 matchall", stderr: kerr("Specified filter handle not found"), code: 2},
		{cmd: "filter del dev v0 ingress pref 4 protocol ip handle 8 matchall", stderr: kerr("Filter with specified priority/protocol not found"), code: 2},
		{cmd: "filter del dev v0 ingress pref 3 protocol ip handle 7 basic", stderr: kerr("Specified filter kind does not match existing one"), code: 2},
		{cmd: "filter del dev v0 ingress protocol ip", stderr: kerr("Cannot flush filters with protocol, handle or kind set"), code: 2},
		{cmd: "filter del dev v0 ingress pref 3 chain 5", stderr: kerr("Cannot find specified filter chain"), code: 2},
		{cmd: "filter del dev v0 ingress chain 5"},
		{cmd: "filter del dev v0 ingress pref 3 protocol ip handle 7 matchall"},
		{cmd: "filter del dev v0 ingress pref 40000"},
		{cmd: "filter show dev v0 ingress", stdout: "" +
			"filter protocol ip pref 39999 matchall chain 0 \n" +
			"filter protocol ip pref 39999 matchall chain 0 handle 0x1 flowid 1:4 \n  not_in_hw\n" +
			"filter protocol all pref 49151 matchall chain 0 \n" +
			"filter protocol all pref 49151 matchall chain 0 handle 0x1 flowid 1:2 \n  not_in_hw\n" +
			"filter protocol all pref 49152 matchall chain 0 \n" +
			"filter protocol all pref 49152 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter del dev v0 ingress"},
		{cmd: "filter show dev v0 ingress"},
		{cmd: "chain show dev v0 ingress"},
		// root names ffff: here, as qdisc_lookup finds ingress by major.
		{cmd: "filter add dev v0 root pref 2 matchall classid 1:1"},
		{cmd: "filter show dev v0 ingress", stdout: "" +
			"filter root protocol all pref 2 matchall chain 0 \n" +
			"filter root protocol all pref 2 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter add dev v0 parent 5: matchall classid 1:1", stderr: kerr("Parent Qdisc doesn't exists"), code: 2},
		{cmd: "qdisc del dev v0 ingress"},
		{cmd: "filter show dev v0 ingress"},
	})
}

const mallUsage = `Usage: ... matchall [skip_sw | skip_hw]
                 [ action ACTION_SPEC ] [ classid CLASSID ]

Where: SELECTOR := SAMPLE SAMPLE ...
       FILTERID := X:Y:Z
       ACTION_SPEC := ... look at individual actions

NOTE: CLASSID is parsed as hexadecimal input.
`

func TestTcFilterClsactPrio(t *testing.T) {
	d := startTCDaemon(t)
	runSteps(t, d, []step{
		{cmd: "qdisc add dev v0 clsact"},
		{cmd: "filter add dev v0 egress matchall classid 1:1"},
		{cmd: "filter add dev v0 ingress pref 4 matchall classid 1:2"},
		{cmd: "filter add dev v0 parent ffff: matchall classid 1:2", stderr: nerr("Invalid argument"), code: 2},
		{cmd: "filter add dev v0 parent ffff:5 matchall classid 1:2", stderr: kerr("Specified class doesn't exist"), code: 2},
		{cmd: "filter show dev v0 egress", stdout: "" +
			"filter protocol all pref 49152 matchall chain 0 \n" +
			"filter protocol all pref 49152 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter show dev v0 ingress", stdout: "" +
			"filter protocol all pref 4 matchall chain 0 \n" +
			"filter protocol all pref 4 matchall chain 0 handle 0x1 flowid 1:2 \n  not_in_hw\n"},
		{cmd: "filter show dev v0 parent ffff:"},
		// Chains of either hook name the qdisc.
		{cmd: "chain show dev v0 egress", stdout: "chain parent ffff: chain 0 \n"},
		{cmd: "-j filter show dev v0 egress", stdout: `[{"protocol":"all","pref":49152,"kind":"matchall","chain":0},` +
			`{"protocol":"all","pref":49152,"kind":"matchall","chain":0,"options":{"handle":1,"flowid":"1:1","not_in_hw":true}}]` + "\n"},
		{cmd: "qdisc del dev v0 clsact"},

		{cmd: "qdisc add dev v0 root handle 1: prio"},
		{cmd: "filter add dev v0 parent 1: pref 1 protocol ip matchall classid 1:3"},
		{cmd: "filter add dev v0 parent 1:2 matchall classid 1:3", stderr: nerr("Invalid argument"), code: 2},
		{cmd: "filter add dev v0 parent 1:9 matchall classid 1:3", stderr: kerr("Specified class doesn't exist"), code: 2},
		{cmd: "filter show dev v0", stdout: "" +
			"filter parent 1: protocol ip pref 1 matchall chain 0 \n" +
			"filter parent 1: protocol ip pref 1 matchall chain 0 handle 0x1 flowid 1:3 \n  not_in_hw\n"},
		{cmd: "filter get dev v0 parent 1: pref 1 protocol ip handle 1 matchall", stdout: "" +
			"filter parent 1: protocol ip pref 1 matchall chain 0 handle 0x1 flowid 1:3 \n  not_in_hw\n"},
		{cmd: "filter del dev v0 parent 1: pref 1 protocol ip handle 1 matchall"},
		{cmd: "filter show dev v0"},
		// Filters on the root: parent 0 is the root qdisc's own block.
		{cmd: "filter add dev v0 pref 2 matchall classid 1:1"},
		{cmd: "filter show dev v0 parent 1:", stdout: "" +
			"filter protocol all pref 2 matchall chain 0 \n" +
			"filter protocol all pref 2 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
	})
}

func TestTcChains(t *testing.T) {
	d := startTCDaemon(t)
	runSteps(t, d, []step{
		{cmd: "qdisc add dev v0 ingress"},
		{cmd: "chain show dev v0 ingress"},
		{cmd: "chain add dev v0 ingress chain 7"},
		{cmd: "chain add dev v0 ingress chain 7", stderr: kerr("Filter chain already exists"), code: 2},
		{cmd: "chain add dev v0 ingress chain 268435456", stderr: kerr("Specified chain index exceeds upper limit"), code: 2},
		{cmd: "chain add dev v0 ingress chain 9 matchall", stderr: kerr("Chain templates are not supported with specified classifier"), code: 2},
		{cmd: "chain add dev v0 ingress chain 9 u32", stderr: kerr("Chain templates are not supported with specified classifier"), code: 2},
		{cmd: "chain add dev v0 ingress chain 9 tcindex", stderr: kerr("TC classifier not found"), code: 2},
		{cmd: "filter add dev v0 ingress chain 3 pref 2 matchall classid 1:1"},
		{cmd: "filter add dev v0 ingress pref 2 matchall classid 1:2"},
		{cmd: "filter add dev v0 ingress chain 7 pref 2 matchall classid 1:3"},
		{cmd: "filter add dev v0 ingress chain 268435456 matchall classid 1:3", stderr: kerr("Specified chain index exceeds upper limit"), code: 2},
		// Chains show in creation order, not by index.
		{cmd: "chain show dev v0 ingress", stdout: "chain parent ffff: chain 7 \nchain parent ffff: chain 3 \nchain parent ffff: chain 0 \n"},
		{cmd: "chain get dev v0 ingress chain 3", stdout: "chain parent ffff: chain 3 \n"},
		{cmd: "chain get dev v0 ingress chain 8", stderr: kerr("Cannot find specified filter chain"), code: 2},
		{cmd: "chain del dev v0 ingress chain 8", stderr: kerr("Cannot find specified filter chain"), code: 2},
		{cmd: "filter show dev v0 ingress", stdout: "" +
			"filter protocol all pref 2 matchall chain 7 \n" +
			"filter protocol all pref 2 matchall chain 7 handle 0x1 flowid 1:3 \n  not_in_hw\n" +
			"filter protocol all pref 2 matchall chain 3 \n" +
			"filter protocol all pref 2 matchall chain 3 handle 0x1 flowid 1:1 \n  not_in_hw\n" +
			"filter protocol all pref 2 matchall chain 0 \n" +
			"filter protocol all pref 2 matchall chain 0 handle 0x1 flowid 1:2 \n  not_in_hw\n"},
		{cmd: "filter show dev v0 ingress chain 3", stdout: "" +
			"filter protocol all pref 2 matchall \n" +
			"filter protocol all pref 2 matchall handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter get dev v0 ingress chain 3 pref 2 protocol all handle 1 matchall", stdout: "" +
			"filter ingress protocol all pref 2 matchall chain 3 handle 0x1 flowid 1:1 \n  not_in_hw\n"},
		{cmd: "filter get dev v0 ingress chain 4 pref 2 protocol all handle 1 matchall", stderr: kerr("Cannot find specified filter chain"), code: 2},
		// An explicit chain outlives its filters; an implicit one does not.
		{cmd: "filter del dev v0 ingress chain 7"},
		{cmd: "filter del dev v0 ingress chain 3 pref 2"},
		{cmd: "chain show dev v0 ingress", stdout: "chain parent ffff: chain 7 \nchain parent ffff: chain 0 \n"},
		{cmd: "filter add dev v0 ingress chain 7 pref 2 matchall classid 1:3"},
		{cmd: "chain del dev v0 ingress chain 7"},
		{cmd: "chain del dev v0 ingress chain 0"},
		{cmd: "chain show dev v0 ingress"},
		{cmd: "filter show dev v0 ingress"},
	})
}

func TestTcSharedBlocks(t *testing.T) {
	d := startTCDaemon(t)
	runSteps(t, d, []step{
		{cmd: "filter add block 22 matchall classid 1:1", stderr: kerr("Block of given index was not found"), code: 2},
		{cmd: "qdisc add dev v0 ingress_block 22 ingress"},
		{cmd: "qdisc add dev v1 ingress_block 22 clsact"},
		{cmd: "filter add dev v0 ingress matchall classid 1:1", stderr: kerr("This filter block is shared. Please use the block index to manipulate the filters"), code: 2},
		{cmd: "filter add block 22 pref 3 matchall classid 1:1"},
		{cmd: "filter add block 22 chain 4 pref 3 matchall classid 1:2"},
		{cmd: "filter show block 22", stdout: "" +
			"filter protocol all pref 3 matchall chain 0 \n" +
			"filter protocol all pref 3 matchall chain 0 handle 0x1 flowid 1:1 \n  not_in_hw\n" +
			"filter protocol all pref 3 matchall chain 4 \n" +
			"filter protocol all pref 3 matchall chain 4 handle 0x1 flowid 1:2 \n  not_in_hw\n"},
		{cmd: "filter show dev v1 ingress chain 4", stdout: "" +
			"filter block 22 protocol all pref 3 matchall \n" +
			"filter block 22 protocol all pref 3 matchall handle 0x1 flowid 1:2 \n  not_in_hw\n"},
		{cmd: "filter show dev v1 egress"},
		{cmd: "chain show block 22", stdout: "chain chain 0 \nchain chain 4 \n"},
		{cmd: "chain show dev v0 ingress", stdout: "chain block 22 chain 0 \nchain block 22 chain 4 \n"},
		{cmd: "chain add block 22 chain 5"},
		{cmd: "filter del block 22 pref 3 protocol all handle 1 matchall"},
		{cmd: "filter del block 22 chain 4"},
		{cmd: "chain show block 22", stdout: "chain chain 5 \n"},
		// The block lives while a qdisc holds it.
		{cmd: "qdisc del dev v0 ingress"},
		{cmd: "chain show block 22", stdout: "chain chain 5 \n"},
		{cmd: "qdisc del dev v1 clsact"},
		// tc itself looks for a qdisc holding the block first.
		{cmd: "chain show block 22", stderr: "Cannot find block \"22\"\n", code: 1},
		{cmd: "chain add block 22 chain 5", stderr: kerr("Block of given index was not found"), code: 2},
	})
}
