package kerneldiff_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netsched/netsched/kerneldiff"
)

// batchFiles writes an `ip -batch` file making devs veth pairs with 9 TX
// queues and a `tc -batch` file adding 10 qdiscs to each first end (an mq
// root and a pfifo per queue): 10,000 qdisc adds across 1,000 devices.
func batchFiles(b *testing.B, dir string, devs int) (ipFile, tcFile string) {
	var ip, tcb strings.Builder
	for i := 0; i < devs; i++ {
		fmt.Fprintf(&ip, "link add name a%d numtxqueues 9 type veth peer name b%d\n", i, i)
		fmt.Fprintf(&tcb, "qdisc add dev a%d root handle 1: mq\n", i)
		for q := 1; q <= 9; q++ {
			fmt.Fprintf(&tcb, "qdisc add dev a%d parent 1:%x handle %x: pfifo limit 100\n", i, q, q+1)
		}
	}
	ipFile, tcFile = filepath.Join(dir, "links"), filepath.Join(dir, "qdiscs")
	os.WriteFile(ipFile, []byte(ip.String()), 0o644)
	os.WriteFile(tcFile, []byte(tcb.String()), 0o644)
	return
}

func run(b *testing.B, env []string, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
}

// BenchmarkBatchQdiscAdd times `tc -batch` adding 10,000 qdiscs across
// 1,000 devices through the shim against an in-process daemon.
func BenchmarkBatchQdiscAdd(b *testing.B) {
	kerneldiff.Requirements(b)
	shim, err := kerneldiff.Shim()
	if err != nil {
		b.Skip(err)
	}
	d := kerneldiff.StartDaemon(b)
	ipFile, tcFile := batchFiles(b, b.TempDir(), 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := []string{"LD_PRELOAD=" + shim, "NETSCHED_SOCKET=" + d.Socket, fmt.Sprintf("NETSCHED_NETNS=batch%d", i)}
		run(b, env, "ip", "-batch", ipFile)
		b.StartTimer()
		run(b, env, "tc", "-batch", tcFile)
	}
}

// BenchmarkBatchQdiscAddKernel times the same batch on the real kernel,
// in a fresh network namespace per iteration (the namespace's creation and
// the links are not timed).
func BenchmarkBatchQdiscAddKernel(b *testing.B) {
	kerneldiff.Requirements(b)
	dir := b.TempDir()
	ipFile, tcFile := batchFiles(b, dir, 1000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ns := fmt.Sprintf("nsbatch%d-%d", os.Getpid(), i)
		run(b, nil, "ip", "netns", "add", ns)
		run(b, nil, "ip", "-n", ns, "-batch", ipFile)
		b.StartTimer()
		run(b, nil, "ip", "netns", "exec", ns, "tc", "-batch", tcFile)
		b.StopTimer()
		run(b, nil, "ip", "netns", "del", ns)
	}
}
