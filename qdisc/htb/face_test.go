//go:build linux

package htb_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/netsched/netsched/tccli"
)

// faceScript is run twice on the real kernel, inside a throwaway network
// namespace: by iproute2's tc on the pair v0/v1 and by netsched's tc
// (--kernel, with htb's Go face) on the pair n0/n1. Each command must give
// the same output, errors and exit code: the kernel checks what our face
// sends, and iproute2 is the reference for what it prints.
var faceScript = []string{
	"qdisc add dev A0 root handle 1: htb default 20 r2q 5 direct_qlen 77",
	"class add dev A0 parent 1: classid 1:1 htb rate 100mbit ceil 100mbit",
	"class add dev A0 parent 1:1 classid 1:10 htb rate 30mbit ceil 100mbit prio 1",
	"class add dev A0 parent 1:1 classid 1:20 htb rate 20mbit ceil 50mbit burst 15k cburst 30k quantum 1500",
	"class add dev A0 parent 1:1 classid 1:30 htb rate 10kbit ceil 1mbit prio 7 mtu 9000",
	"class add dev A0 parent 1:10 classid 1:100 htb rate 1mbit ceil 30mbit mpu 64 overhead 24",
	"class add dev A0 parent 1:10 classid 1:101 htb rate 2mbit linklayer atm",
	"class add dev A0 parent 1:10 classid 1:102 htb rate 10gbit ceil 40gbit burst 1m/16 cburst 2m/64",
	"class add dev A0 parent 1:10 classid 1:103 htb rate 1.5mbit ceil 2.5Mbit linklayer adsl",
	"class add dev A0 parent 1:10 classid 1:104 htb rate 100kibit ceil 3gibit cbuffer 3k maxburst 2k",
	"class show dev A0",
	"-d class show dev A0",
	"-s -d class show dev A0",
	"-s -d qdisc show dev A0",
	"-j -d qdisc show dev A0",
	"-r -d class show dev A0",
	"-iec -d class show dev A0",
	"qdisc add dev A1 root handle 1: htb bogus",
	"qdisc add dev A1 root handle 1: htb r2q x",
	"qdisc add dev A1 root handle 1: htb default",
	"qdisc add dev A1 root handle 1: htb d 1 di 2 r 3 deb 0123x o",
	"qdisc add dev A1 root handle 2: htb direct_qlen 4294967295 default 0x1ff",
	"-d qdisc show dev A1",
	"class add dev A1 parent 2: classid 2:1 htb",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit rate 2mbit",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit ceil x",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit burst 10k/3",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit what",
	"class add dev A1 parent 2: classid 2:1 htb help",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit mpu 70000",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit quantum 1.5",
	"class add dev A1 parent 2: classid 2:1 htb rate 1mbit cburst",
	"class add dev A1 parent 2: classid 2:1 htb p 3 m 2000 q 3000 b 10k c 20k rate 1mbit",
	"-d class show dev A1",
}

const faceNetnsEnv = "NETSCHED_HTB_FACE_IN_NETNS"

func TestFaceMatchesIproute2(t *testing.T) {
	if os.Getenv(faceNetnsEnv) != "1" {
		if os.Geteuid() != 0 {
			t.Skip("needs root for unshare -n")
		}
		if _, err := os.Stat("/usr/sbin/tc"); err != nil {
			t.Skip("iproute2 not installed")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skip("unshare not installed")
		}
		cmd := exec.Command(unshare, "-n", os.Args[0], "-test.run", "^TestFaceMatchesIproute2$")
		cmd.Env = append(os.Environ(), faceNetnsEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in a new network namespace: %v\n%s", err, out)
		}
		return
	}
	runFaceScript(t, faceScript)
}

// runFaceScript runs each line with iproute2 (A0/A1 = v0/v1) and with ours
// (A0/A1 = n0/n1) and compares, device names put back.
func runFaceScript(t *testing.T, script []string) {
	for _, f := range []string{"/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"} {
		_ = os.WriteFile(f, []byte("1"), 0o644)
	}
	for _, c := range []string{"link add v0 type veth peer name v1", "link add n0 type veth peer name n1",
		"link set v0 up", "link set v1 up", "link set n0 up", "link set n1 up"} {
		if out, err := exec.Command("/usr/sbin/ip", strings.Fields(c)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", c, err, out)
		}
	}
	for _, line := range script {
		theirs := strings.NewReplacer("A0", "v0", "A1", "v1").Replace(line)
		cmd := exec.Command("/usr/sbin/tc", strings.Fields(theirs)...)
		cmd.Env = []string{"LC_ALL=C"}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		code := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			code = ee.ExitCode()
		}
		mine := strings.NewReplacer("A0", "n0", "A1", "n1").Replace(line)
		var mo, me bytes.Buffer
		env := &tccli.Env{Stdin: strings.NewReader(""), Stdout: &mo, Stderr: &me, Backend: tccli.Kernel()}
		mcode := tccli.Tc(append([]string{"--kernel"}, strings.Fields(mine)...), env)
		back := strings.NewReplacer("n0", "v0", "n1", "v1")
		if got, gotErr := back.Replace(mo.String()), back.Replace(me.String()); got != o.String() || gotErr != e.String() || mcode != code {
			t.Errorf("tc %s\n--- iproute2 [exit %d]\n%s%s--- netsched [exit %d]\n%s%s", theirs, code, o.String(), e.String(), mcode, got, gotErr)
		}
	}
}
