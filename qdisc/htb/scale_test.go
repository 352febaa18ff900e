package htb_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/netsched/netsched/kerneldiff"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/fifo"
	"github.com/netsched/netsched/qdisc/htb"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// request encodes one tc request as iproute2 would send it, the kind's
// words parsed by its tc face.
func request(typ, flags uint16, seq uint32, m sched.TCMsg, kind string, face func(*tc.Args, *nl.Builder) error, words string) []byte {
	b := nl.NewBuilder()
	b.Begin(typ, flags|nl.NLM_F_REQUEST|nl.NLM_F_ACK, seq, 0)
	m.Encode(b)
	b.PutString(sched.TCA_KIND, kind)
	if err := face(tc.NewArgs(strings.Fields(words)), b); err != nil {
		panic(err)
	}
	b.End()
	return b.Bytes()
}

// The daemon's share of the scale test: 20,000 classes under one parent
// and 20,000 leaf qdiscs, as rtnetlink requests handled in process (no
// socket, no tc). Reports the time and the memory per class.
func TestScaleDaemonPath(t *testing.T) {
	if testing.Short() {
		t.Skip("scale")
	}
	const n = 20000
	bed := schedtest.New(t, schedtest.Options{})
	bed.TC("qdisc add root handle 1: htb default 1")
	bed.TC("class add parent 1: classid 1:1 htb rate 10gbit")
	ifindex := bed.Dev.Ifindex()
	var reqs [][]byte
	cs := htb.Syntax.(tc.ClassSyntax)
	for i := 0; i < n; i++ {
		id := uint32(i + 2)
		reqs = append(reqs, request(sched.RTM_NEWTCLASS, nl.NLM_F_CREATE|nl.NLM_F_EXCL, id,
			sched.TCMsg{Ifindex: ifindex, Parent: 0x10001, Handle: tc.Handle(1<<16 | id)},
			"htb", cs.ParseClass, "rate 1mbit ceil 10gbit"))
	}
	for i := 0; i < n; i++ {
		id := uint32(i + 2)
		reqs = append(reqs, request(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_EXCL, n+id,
			sched.TCMsg{Ifindex: ifindex, Parent: tc.Handle(1<<16 | id), Handle: tc.Handle(id << 16)},
			"pfifo", fifo.PFIFO.Syntax.ParseQdisc, "limit 100"))
	}
	conn := bed.E.Connect("bench", 0, true, func([]byte) {})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i, r := range reqs {
		out := conn.Handle(r)
		if len(out) != 1 || len(out[0]) < 20 || out[0][16] != 0 {
			t.Fatalf("request %d: not acknowledged", i)
		}
	}
	el := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(reqs)
	t.Logf("%d requests in %v (%v each); heap %.0f bytes per class with its qdisc",
		len(reqs), el, el/time.Duration(len(reqs)), (float64(after.HeapAlloc)-float64(before.HeapAlloc))/n)
	if q := bed.Qdisc(fmt.Sprintf("%x:", n+1)); q == nil {
		t.Fatal("last leaf qdisc missing")
	}
}

// scaleBatch is the scale test's tc -batch file: 20,000 classes under one
// parent and a pfifo on each.
func scaleBatch(dev string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "qdisc add dev %s root handle 1: htb default 1\n", dev)
	fmt.Fprintf(&b, "class add dev %s parent 1: classid 1:1 htb rate 10gbit\n", dev)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "class add dev %s parent 1:1 classid 1:%x htb rate 1mbit ceil 10gbit\n", dev, i+2)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "qdisc add dev %s parent 1:%x handle %x: pfifo limit 100\n", dev, i+2, i+2)
	}
	return b.String()
}

// The whole path: iproute2's tc -batch through the shim against a daemon
// (in this process). The time is reported; the test fails only if the
// tree is wrong or the run is far off (the transport, not the engine,
// dominates: see TestScaleDaemonPath).
func TestScaleBatchThroughShim(t *testing.T) {
	if testing.Short() {
		t.Skip("scale")
	}
	kerneldiff.Requirements(t)
	shim, err := kerneldiff.Shim()
	if err != nil {
		t.Skip(err)
	}
	d := kerneldiff.StartDaemon(t)
	file := filepath.Join(t.TempDir(), "batch.tc")
	if err := os.WriteFile(file, []byte(scaleBatch("v0", 20000)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "LD_PRELOAD="+shim, "NETSCHED_SOCKET="+d.Socket, "NETSCHED_NETNS=scale")
	run := func(args ...string) []byte {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
	run("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	run("ip", "link", "set", "v0", "up")
	start := time.Now()
	run("tc", "-batch", file)
	el := time.Since(start)
	classes := strings.Count(string(run("tc", "class", "show", "dev", "v0")), "\n")
	qdiscs := strings.Count(string(run("tc", "qdisc", "show", "dev", "v0")), "\n")
	t.Logf("tc -batch of 40002 commands through the shim: %v (%v per command); %d classes, %d qdiscs",
		el, el/40002, classes, qdiscs)
	if classes != 20001 || qdiscs != 20001 {
		t.Fatalf("%d classes and %d qdiscs, want 20001 each", classes, qdiscs)
	}
	if el > 60*time.Second {
		t.Fatalf("far too slow: %v", el)
	}
}
