package conformance

import (
	"reflect"
	"testing"
)

func TestSubstitute(t *testing.T) {
	n := DefaultNames().ForCase("a519", 77)
	for _, c := range []struct{ in, want string }{
		{"$TC qdisc add dev $DUMMY root", "/usr/sbin/tc qdisc add dev dummy1ida519 root"},
		{"${DEV1}x $DEV0", "v0p1ida519x v0p0ida519"},
		{"$NS $TESTID $ETH", "tcut-77 a519 eth0"},
		// Unknown names stay, as safe_substitute leaves them.
		{"$DUMMYX $nope ${nope}", "$DUMMYX $nope ${nope}"},
		{"$$TC costs $5 and $", "$TC costs $5 and $"},
		{"${DEV1", "${DEV1"},
		{"no dollars", "no dollars"},
	} {
		if got := n.Substitute(c.in); got != c.want {
			t.Errorf("Substitute(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := nsJoin("printf  \"a  b\"\t|  grep x\n"); got != `printf "a b" | grep x` {
		t.Errorf("nsJoin = %q", got)
	}
}

func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{"$TC", "${DEV1}", "$$", "$", "${", "$1a"} {
		f.Add(s)
	}
	n := DefaultNames()
	f.Fuzz(func(t *testing.T, s string) { n.Substitute(s) })
}

func TestParseCases(t *testing.T) {
	cs, err := ParseCases([]byte(`[{
		"id": "34c0", "name": "n", "category": ["qdisc", "tbf"],
		"plugins": {"requires": ["nsPlugin", "scapyPlugin"]},
		"setup": ["$IP link set dev $DUMMY up || true", ["ping -I $DUMMY -c2 10.10.11.11", 1, "2"]],
		"cmdUnderTest": "$TC qdisc del dev $DUMMY handle 2: parent 1:1",
		"expExitCode": "0", "verifyCmd": "v", "matchPattern": "backlog 0b 0p", "matchCount": 1,
		"teardown": []
	}, {
		"id": "be28", "plugins": {"requires": "nsPlugin"}, "expExitCode": 2, "matchJSON": [], "skip": "yes"
	}]`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := cs[0], cs[1]
	if !a.Requires("scapyPlugin") || !a.HasPattern || a.MatchCount != 1 || !a.HasCount || a.HasJSON {
		t.Errorf("first case = %+v", a)
	}
	want := []Command{{"$IP link set dev $DUMMY up || true", []int{0}}, {"ping -I $DUMMY -c2 10.10.11.11", []int{1, 2}}}
	if !reflect.DeepEqual(a.Setup, want) {
		t.Errorf("setup = %+v, want %+v", a.Setup, want)
	}
	if !b.Requires("nsPlugin") || b.ExpExitCode != 2 || !b.HasJSON || b.HasCount || !b.Skip {
		t.Errorf("second case = %+v", b)
	}
	if _, err := ParseCases([]byte(`[{"id": "x", "expExitCode": "zero"}]`)); err == nil {
		t.Error("a non-numeric exit code parsed")
	}
}

func TestKindsUsed(t *testing.T) {
	n := DefaultNames().ForCase("0001", 1)
	for _, c := range []struct {
		c    Case
		want []KindUse
	}{
		{Case{CmdUnderTest: "$TC qdisc add dev $DUMMY handle 1: root stab overhead 4 mtu 2048 bfifo limit 1000"},
			[]KindUse{{QdiscKind, "bfifo"}}},
		{Case{CmdUnderTest: "$TC qdisc add dev $DUMMY ingress"}, []KindUse{{QdiscKind, "ingress"}}},
		{Case{CmdUnderTest: "$TC -s qdisc show dev $DUMMY | grep -A 5 'qdisc fq'"}, nil},
		{Case{Setup: []Command{{Cmd: "$TC class add dev $DUMMY parent 1: classid 1:1 htb rate 64bit"}},
			CmdUnderTest: "$TC filter add dev $DUMMY parent 1: protocol ip prio 1 u32 match ip protocol 1 0xff flowid 1:10 action drop"},
			[]KindUse{{QdiscKind, "htb"}, {ClassifierKind, "u32"}, {ActionKind, "gact"}}},
		{Case{CmdUnderTest: "$TC actions add action mirred egress redirect dev lo index 1 action skbedit mark 1"},
			[]KindUse{{ActionKind, "mirred"}, {ActionKind, "skbedit"}}},
		{Case{CmdUnderTest: `bash -c "$TC qdisc add dev $DUMMY root netem delay 1ms 2>&1 > /dev/null"`},
			[]KindUse{{QdiscKind, "netem"}}},
		{Case{CmdUnderTest: "$TC filter add dev $DUMMY parent ffff: matchall police rate 1mbit burst 10k"},
			[]KindUse{{ClassifierKind, "matchall"}, {ActionKind, "police"}}},
		// Categories that name kinds count; others do not.
		{Case{Category: []string{"qdisc", "fifo", "bpf", "pfifo_head_drop"}},
			[]KindUse{{QdiscKind, "pfifo_head_drop"}, {ClassifierKind, "bpf"}, {ActionKind, "bpf"}}},
		// An unknown kind word is no kind: the case tests tc's refusal.
		{Case{CmdUnderTest: "$TC qdisc add dev $DUMMY root handle 1: nosuchqdisc"}, nil},
	} {
		got := KindsUsed(&c.c, "/usr/sbin/tc", n)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("KindsUsed(%+v) = %v, want %v", c.c, got, c.want)
		}
	}
}

func TestMissingScript(t *testing.T) {
	n := DefaultNames()
	for _, c := range []struct{ cmd, want string }{
		{"./tdc_batch.py $DEV1 $BATCH_FILE --share_action -n 32", "./tdc_batch.py"},
		{"python3 ./scripts/sfq_rejects_limit_1.py $DUMMY", "./scripts/sfq_rejects_limit_1.py"},
		{"/bin/mkdir $BATCH_DIR", ""},
		{"echo 1 > /sys/bus/netdevsim/new_device", ""},
	} {
		if got := missingScript(&Case{CmdUnderTest: c.cmd}, n); got != c.want {
			t.Errorf("missingScript(%q) = %q, want %q", c.cmd, got, c.want)
		}
	}
}
