package sched_test

// The kernel has the u32 classifier only; cls_api's rules and messages are
// the same whatever the kind. This test runs the same commands against the
// real kernel (in a throwaway network namespace, with u32) and against the
// daemon (with matchall), and compares exit codes, error output and the
// output of chain commands, which carries no kind.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var kernelScript = []string{
	"qdisc add dev v0 ingress",
	"filter add dev v0 ingress pref 10 protocol ip $F",
	"filter add dev v0 ingress pref 10 protocol ipv6 $F",
	"filter add dev v0 ingress pref 11 protocol ip nosuch",
	"filter get dev v0 ingress pref 12 protocol ip handle $H $K",
	"filter del dev v0 ingress pref 12 protocol ip $K",
	"filter del dev v0 ingress pref 10 protocol ip handle 1 nosuch",
	"filter del dev v0 ingress chain 5",
	"filter del dev v0 ingress pref 3 chain 5",
	"filter del dev v0 ingress protocol ip",
	"filter add dev v0 parent 5: $F",
	"filter add dev v0 parent ffff:3 $F",
	"chain show dev v0 ingress",
	"chain add dev v0 ingress chain 0",
	"chain add dev v0 ingress chain 7",
	"chain add dev v0 ingress chain 7",
	"chain show dev v0 ingress",
	"chain get dev v0 ingress chain 7",
	"chain get dev v0 ingress chain 8",
	"chain del dev v0 ingress chain 8",
	"chain add dev v0 ingress chain 9 $K",
	"chain add dev v0 ingress chain 9 nosuch",
	"chain del dev v0 ingress chain 7",
	"chain add dev v0 ingress chain 268435456",
	"filter add dev v0 ingress chain 268435456 $F",
	"filter add dev v0 ingress chain 4 pref 2 $F",
	"filter del dev v0 ingress",
	"chain show dev v0 ingress",
	"filter show dev v0 ingress chain 0",
	"qdisc del dev v0 ingress",
	"filter add dev v0 $F",
	"qdisc add dev v0 ingress_block 22 ingress",
	"filter add dev v0 ingress $F",
	"filter add block 23 $F",
	"filter add block 22 pref 3 $F",
	"chain show block 22",
	"chain show dev v0 ingress",
	"chain add block 22 chain 3",
	"chain show block 22",
	"filter del block 22 pref 3",
	"chain show block 22",
	"qdisc add dev v1 clsact",
	"filter add dev v1 parent ffff:5 $F",
	"filter add dev v1 parent ffff: $F",
	"chain show dev v1 egress",
	"filter add dev v1 egress $F",
	"chain show dev v1 egress",
	"filter show dev v1 parent ffff:",
	"qdisc del dev v0 ingress",
	"chain show block 22",
	"qdisc del dev v1 clsact",
	"chain show block 22",
}

func expand(cmd, kind, spec, handle string) string {
	r := strings.NewReplacer("$F", kind+" "+spec, "$K", kind, "$H", handle)
	return r.Replace(cmd)
}

// kernelRun runs the script in a fresh network namespace with a veth pair.
func kernelRun(t *testing.T) []tcResult {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	dir := t.TempDir()
	var sh strings.Builder
	sh.WriteString("ip link add v0 type veth peer name v1 || exit 3\n")
	for i, s := range kernelScript {
		c := expand(s, "u32", "match u32 0 0", "800::800")
		fmt.Fprintf(&sh, "tc %s >%s/o%d 2>%s/e%d; echo $? >%s/c%d\n", c, dir, i, dir, i, dir, i)
	}
	out, err := exec.Command("unshare", "-n", "sh", "-c", sh.String()).CombinedOutput()
	if err != nil {
		t.Skipf("no network namespace here: %v %s", err, out)
	}
	res := make([]tcResult, len(kernelScript))
	for i := range kernelScript {
		o, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("o%d", i)))
		e, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("e%d", i)))
		c, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("c%d", i)))
		code, _ := strconv.Atoi(strings.TrimSpace(string(c)))
		res[i] = tcResult{string(o), string(e), code}
	}
	if strings.Contains(res[1].stderr, "classifier not found") {
		t.Skip("this kernel has no u32")
	}
	return res
}

func TestTcLikeKernel(t *testing.T) {
	kernel := kernelRun(t)
	d := startTCDaemon(t)
	for i, s := range kernelScript {
		got := d.tc(t, expand(s, "matchall", "classid 1:1", "1"))
		want := kernel[i]
		if got.code != want.code || got.stderr != want.stderr || (strings.HasPrefix(s, "chain") && got.stdout != want.stdout) {
			t.Errorf("tc %s:\nours   exit %d stdout %q stderr %q\nkernel exit %d stdout %q stderr %q",
				s, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
	}
}
