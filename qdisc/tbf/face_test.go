//go:build linux

package tbf_test

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
// (--kernel, with tbf's Go face) on the pair n0/n1. Each command must give
// the same output, errors and exit code: the kernel checks what our face
// sends, and iproute2 is the reference for what it prints.
var faceScript = []string{
	"qdisc add dev A0 root handle 1: tbf rate 1mbit burst 10k latency 10ms",
	"qdisc show dev A0",
	"-d -r qdisc show dev A0",
	"-j -s -d qdisc show dev A0",
	"qdisc replace dev A0 root handle 1: tbf rate 10gbit burst 100k/64 limit 1m peakrate 20gbit mtu 9000/8 overhead 20 linklayer atm mpu 64",
	"qdisc show dev A0",
	"-d -r qdisc show dev A0",
	"-j -s -d -r qdisc show dev A0",
	"-p -j qdisc show dev A0",
	"qdisc replace dev A0 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 2mbit minburst 1500",
	"-j qdisc show dev A0",
	"qdisc replace dev A0 root handle 1: tbf rate 100gbit burst 10m latency 1s peakrate 200gbit mtu 64k",
	"-d qdisc show dev A0",
	"-iec qdisc show dev A0",
	"qdisc replace dev A0 root handle 1: tbf rate 8bit burst 1 latency 1s",
	"-d qdisc show dev A0",
	"qdisc replace dev A0 root handle 1: tbf rate 1kbit burst 4g latency 1000s mtu 1",
	"qdisc replace dev A0 root handle 1: tbf rate 1mbit buffer 5k latency 1ms linklayer adsl overhead 10",
	"-s -d qdisc show dev A0",
	"qdisc change dev A0 root handle 1: tbf rate 2mbit maxburst 5k/16 limit 3000",
	"-s -d qdisc show dev A0 invisible",
	"qdisc replace dev A0 root handle 1: tbf r 2mbit b 5k la 10ms o 3 li atm m 1",
	"-d qdisc show dev A0",
	"class show dev A0",
	"qdisc add dev A1 root handle 1: tbf",
	"qdisc add dev A1 root handle 1: tbf rate 1mbit",
	"qdisc add dev A1 root handle 1: tbf rate 1mbit burst 10k limit 10k peakrate 2mbit",
	"qdisc add dev A1 root handle 1: tbf rate 1mbit burst 10k latency 10ms limit 5",
	"qdisc add dev A1 root handle 1: tbf limit 5 latency 3",
	"qdisc add dev A1 root handle 1: tbf burst 1 burst 2",
	"qdisc add dev A1 root handle 1: tbf rate x",
	"qdisc add dev A1 root handle 1: tbf peak 1x",
	"qdisc add dev A1 root handle 1: tbf overhead 70000",
	"qdisc add dev A1 root handle 1: tbf linklayer foo",
	"qdisc add dev A1 root handle 1: tbf foo",
	"qdisc add dev A1 root handle 1: tbf help",
	"qdisc add dev A1 root handle 1: tbf limit",
	"qdisc add dev A1 root handle 1: tbf mpu 1 mpu 2",
	"qdisc add dev A1 root handle 1: tbf mtu 1 minburst 2",
	"qdisc add dev A1 root handle 1: tbf rate 1mbit burst 1000 limit 100 peakrate 1mbit mtu 1500",
	"qdisc add dev A1 root handle 1: tbf rate 1mbit burst 10k latency 3.5ms peakrate 5mbit mtu 2k mpu 100",
	"-d qdisc show dev A1",
}

const faceNetnsEnv = "NETSCHED_TBF_FACE_IN_NETNS"

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
