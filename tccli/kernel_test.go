//go:build linux

package tccli_test

// The kernel test: inside a throwaway network namespace (unshare -n, by
// running this test binary again), iproute2's tc configures one veth pair
// and netsched's `tc --kernel` configures another the same way; iproute2's
// tc must then show the same configuration on both, and netsched's tc must
// print what iproute2 prints for both, in every output mode.

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/netsched/netsched/qdisc/htb"
	"github.com/netsched/netsched/tccli"
)

const inNetnsEnv = "NETSCHED_TCCLI_IN_NETNS"

func TestKernel(t *testing.T) {
	if os.Getenv(inNetnsEnv) != "1" {
		if os.Geteuid() != 0 {
			t.Skip("needs root for unshare -n")
		}
		for _, tool := range []string{"/usr/sbin/tc", "/usr/sbin/ip"} {
			if _, err := os.Stat(tool); err != nil {
				t.Skipf("iproute2 not installed: %v", err)
			}
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skip("unshare not installed")
		}
		cmd := exec.Command(unshare, "-n", os.Args[0], "-test.run", "^TestKernel$", "-test.v")
		cmd.Env = append(os.Environ(), inNetnsEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("in a new network namespace: %v\n%s", err, out)
		}
		t.Logf("%s", out)
		return
	}
	sh := func(argv ...string) result {
		t.Helper()
		cmd := exec.Command("/usr/sbin/"+argv[0], argv[1:]...)
		cmd.Env = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		r := result{o.String(), e.String(), 0}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		return r
	}
	// No IPv6: its router solicitations would move the counters of one
	// pair and not the other.
	for _, f := range []string{"/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"} {
		_ = os.WriteFile(f, []byte("1"), 0o644)
	}
	faces := tccli.StdFaces()
	faces.Qdiscs["htb"] = htb.Syntax
	ours := func(argv ...string) result {
		var o, e bytes.Buffer
		env := &tccli.Env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &e, Backend: tccli.Kernel(), Faces: faces}
		code := tccli.Tc(append([]string{"--kernel"}, argv...), env)
		return result{o.String(), e.String(), code}
	}
	for _, c := range [][]string{
		{"ip", "link", "add", "v0", "numtxqueues", "4", "type", "veth", "peer", "name", "v1"},
		{"ip", "link", "add", "n0", "numtxqueues", "4", "type", "veth", "peer", "name", "n1"},
		{"ip", "link", "set", "v0", "up"}, {"ip", "link", "set", "v1", "up"},
		{"ip", "link", "set", "n0", "up"}, {"ip", "link", "set", "n1", "up"},
	} {
		if r := sh(c...); r.code != 0 {
			t.Fatalf("%v: %s", c, r.stderr)
		}
	}
	// Each step configures v0 with iproute2 and n0 with netsched, then
	// compares.
	steps := [][]string{
		{"qdisc add dev DEV root handle 1: pfifo limit 10"},
		{"qdisc replace dev DEV root handle 1: bfifo limit 10kb"},
		{"qdisc replace dev DEV root handle 2: pfifo_head_drop limit 5"},
		{"qdisc replace dev DEV root handle 3: estimator 1s 8s stab overhead 24 linklayer atm pfifo"},
		{"qdisc replace dev DEV root handle 4: pfifo_fast"},
		{"qdisc del dev DEV root", "qdisc add dev DEV root handle 1: mq",
			"qdisc replace dev DEV parent 1:2 handle 12: bfifo limit 64k",
			"qdisc replace dev DEV parent 1:3 handle 13: pfifo_fast"},
		{"qdisc add dev DEV ingress"},
		{"qdisc del dev DEV ingress", "qdisc add dev DEV clsact"},
		{"qdisc del dev DEV root", "qdisc del dev DEV clsact",
			"qdisc add dev DEV root handle 1: htb default 10 r2q 5",
			"class add dev DEV parent 1: classid 1:1 htb rate 10mbit ceil 20mbit burst 15k",
			"class add dev DEV parent 1:1 classid 1:10 htb rate 1mbit ceil 5mbit prio 1 quantum 1500",
			"class add dev DEV parent 1:1 classid 1:20 htb rate 512kbit cburst 3000 mtu 9000",
			"qdisc add dev DEV parent 1:10 handle 10: pfifo limit 20"},
		{"class change dev DEV classid 1:20 htb rate 2mbit ceil 4mbit",
			"qdisc change dev DEV root handle 1: htb default 20"},
		// Refusals come from the kernel and must read the same.
		{"qdisc add dev DEV root handle 1: htb", "class add dev DEV parent 1: classid 1:30 htb ceil 1mbit",
			"class del dev DEV classid 1:99", "qdisc del dev DEV parent 5:1",
			"qdisc add dev DEV root prio", "qdisc add dev DEV parent 1:10 handle 10: pfifo"},
	}
	views := [][]string{
		{"qdisc", "show", "dev", "DEV"},
		{"-s", "qdisc", "show", "dev", "DEV"},
		{"-d", "-s", "qdisc", "show", "dev", "DEV"},
		{"-j", "qdisc", "show", "dev", "DEV"},
		{"-j", "-p", "-s", "-d", "qdisc", "show", "dev", "DEV"},
		{"class", "show", "dev", "DEV"},
		{"-s", "-d", "class", "show", "dev", "DEV"},
		{"-g", "class", "show", "dev", "DEV"},
		{"qdisc", "show", "dev", "DEV", "ingress"},
	}
	dev := func(words []string, d string) []string {
		out := make([]string, len(words))
		for i, w := range words {
			if w == "DEV" {
				w = d
			}
			out[i] = w
		}
		return out
	}
	for i, step := range steps {
		for _, line := range step {
			words := strings.Fields(line)
			want := sh(append([]string{"tc"}, dev(words, "v0")...)...)
			got := ours(dev(words, "n0")...)
			if got != want {
				t.Errorf("step %d: %s\niproute2: exit %d %q %q\nnetsched: exit %d %q %q",
					i, line, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
			}
		}
		for _, v := range views {
			ref := sh(append([]string{"tc"}, dev(v, "v0")...)...)
			same := sh(append([]string{"tc"}, dev(v, "n0")...)...)
			if same != ref {
				t.Errorf("step %d: iproute2 tc %v shows different configurations:\nconfigured by iproute2:\n%s%s\nconfigured by netsched:\n%s%s",
					i, v, ref.stdout, ref.stderr, same.stdout, same.stderr)
			}
			got := ours(dev(v, "n0")...)
			if got != same {
				t.Errorf("step %d: tc %v:\niproute2: exit %d\n%s%s\nnetsched: exit %d\n%s%s",
					i, v, same.code, same.stdout, same.stderr, got.code, got.stdout, got.stderr)
			}
		}
	}
}
