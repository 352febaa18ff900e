package pingcli

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/netsched/netsched/rtnl"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want func(o *pingOpts) bool
		code int // -1: parses
		msg  string
	}{
		{args: []string{"-c2", "-W0.01", "-I", "dummy1", "10.10.10.1"}, code: -1, want: func(o *pingOpts) bool {
			return o.req.Count == 2 && o.req.LingerMs == 10 && o.req.Device == "dummy1" && o.target == "10.10.10.1" && o.req.IntervalMs == 1000
		}},
		// GNU getopt: options after the destination, -I glued to its value.
		{args: []string{"-c", "1", "10.10.11.3", "-Idummy1"}, code: -1, want: func(o *pingOpts) bool {
			return o.req.Count == 1 && o.req.Device == "dummy1" && o.target == "10.10.11.3"
		}},
		{args: []string{"-c", "5", "-f", "-I", "d", "1.2.3.4"}, code: -1, want: func(o *pingOpts) bool {
			return o.flood && o.req.IntervalMs == 0 && o.req.Flags&rtnl.PING_F_FLOOD != 0
		}},
		{args: []string{"-i", "0.001", "-f", "-c3", "-s", "1", "-Q", "0x1c", "-q", "1.2.3.4"}, code: -1, want: func(o *pingOpts) bool {
			return o.req.IntervalMs == 1 && o.req.Size == 1 && o.req.TOS == 0x1c && o.quiet
		}},
		{args: []string{"-Q", "16", "-w", "3", "-I", "10.0.0.1", "1.2.3.4"}, code: -1, want: func(o *pingOpts) bool {
			return o.req.TOS == 16 && o.req.Deadline == 3 && o.req.Source == netip.MustParseAddr("10.0.0.1")
		}},
		{args: []string{"-qnc1", "1.2.3.4"}, code: -1, want: func(o *pingOpts) bool { return o.quiet && o.req.Count == 1 }},
		{args: []string{"-c", "0", "1.2.3.4"}, code: 1, msg: "invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"},
		{args: []string{"-c", "x", "1.2.3.4"}, code: 1, msg: "invalid argument: 'x'"},
		{args: []string{"-s", "-1", "1.2.3.4"}, code: 1, msg: "out of range: 0 <= value <= 2147483647"},
		{args: []string{"-Q", "300", "1.2.3.4"}, code: 2, msg: "the decimal value of TOS bits must be in range 0-255: 300"},
		{args: []string{"-Q", "zz", "1.2.3.4"}, code: 2, msg: "bad TOS value: zz"},
		{args: []string{"-Z", "1.2.3.4"}, code: 2, msg: "invalid option -- 'Z'"},
		{args: []string{"-c"}, code: 2, msg: "option requires an argument -- 'c'"},
		{args: []string{"-c", "1"}, code: 1, msg: "usage error: Destination address required"},
		{args: []string{"-R", "1.2.3.4"}, code: 2, msg: "not supported by netsched"},
	} {
		o, err := parsePingArgs(c.args, &bytes.Buffer{})
		if c.code < 0 {
			if err != nil || !c.want(o) {
				t.Errorf("%q: %v %+v", c.args, err, o)
			}
			continue
		}
		var pe *pingExit
		if !errors.As(err, &pe) || pe.code != c.code || !strings.Contains(pe.msg, c.msg) {
			t.Errorf("%q: error %v, want exit %d with %q", c.args, err, c.code, c.msg)
		}
	}
}

func TestStrtodGarbage(t *testing.T) {
	var e bytes.Buffer
	if v := pingStrtod("0.5s", &e); v != 0.5 || !strings.Contains(e.String(), "option argument contains garbage: s") {
		t.Errorf("pingStrtod(0.5s) = %v, %q", v, e.String())
	}
}

func TestTripTime(t *testing.T) {
	for _, c := range []struct {
		us   int64
		want string
	}{{26, "0.026"}, {999, "0.999"}, {1234, "1.23"}, {9996, "10.0"}, {12345, "12.3"}, {99950, "100"}, {123456, "123"}} {
		if got := pingTripTime(c.us); got != c.want {
			t.Errorf("pingTripTime(%d) = %q, want %q", c.us, got, c.want)
		}
	}
}

// The expected texts are iputils 20221126's, from runs on Linux.
func TestPrint(t *testing.T) {
	from := netip.MustParseAddr("10.10.10.10")
	for _, c := range []struct {
		name string
		args []string
		ans  rtnl.PingAnswer
		out  string
		err  string
		code int
	}{
		{"replies", []string{"-c2", "-I", "v0", "10.10.10.10"}, rtnl.PingAnswer{
			Events: []rtnl.PingEvent{
				{Kind: rtnl.PingSent, Seq: 1}, {Kind: rtnl.PingReply, Seq: 1, TTL: 64, Bytes: 64, RTTUs: 71, Timed: true, From: from},
				{Kind: rtnl.PingSent, Seq: 2}, {Kind: rtnl.PingReply, Seq: 2, TTL: 64, Bytes: 64, RTTUs: 252, Timed: true, From: from}},
			Stats: rtnl.PingStats{Transmitted: 2, Received: 2, TimeUs: 201000, TMin: 71, TMax: 252, TSum: 323, TSum2: 71*71 + 252*252}},
			"64 bytes from 10.10.10.10: icmp_seq=1 ttl=64 time=0.071 ms\n64 bytes from 10.10.10.10: icmp_seq=2 ttl=64 time=0.252 ms\n\n" +
				"--- 10.10.10.10 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 201ms\n" +
				"rtt min/avg/max/mdev = 0.071/0.161/0.252/0.090 ms\n", "", 0},
		{"no reply", []string{"-c2", "-W0.01", "-I", "v0", "10.10.10.1"}, rtnl.PingAnswer{
			Events: []rtnl.PingEvent{{Kind: rtnl.PingError, Seq: 1, Errno: 105}, {Kind: rtnl.PingError, Seq: 2, Errno: 105}},
			Stats:  rtnl.PingStats{Transmitted: 2, TimeUs: 1008000}},
			"\n--- 10.10.10.1 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 1008ms\n\n",
			"ping: sendmsg: No buffer space available\nping: sendmsg: No buffer space available\n", 1},
		{"small data has no time", []string{"-c1", "-s", "8", "127.0.0.1"}, rtnl.PingAnswer{
			Events: []rtnl.PingEvent{{Kind: rtnl.PingSent, Seq: 1}, {Kind: rtnl.PingReply, Seq: 1, TTL: 64, Bytes: 16, From: netip.MustParseAddr("127.0.0.1")}},
			Stats:  rtnl.PingStats{Transmitted: 1, Received: 1}},
			"16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n\n--- 127.0.0.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n", "", 0},
		{"flood", []string{"-c3", "-f", "-W0.1", "10.10.10.1"}, rtnl.PingAnswer{
			Events: []rtnl.PingEvent{{Kind: rtnl.PingError, Errno: 105}, {Kind: rtnl.PingError, Errno: 105}, {Kind: rtnl.PingError, Errno: 105}},
			Stats:  rtnl.PingStats{Transmitted: 3, TimeUs: 178000}},
			"EEE\n--- 10.10.10.1 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 178ms\n\n", "", 1},
		{"a third lost", []string{"-c3", "-w", "5", "1.2.3.4"}, rtnl.PingAnswer{
			Events: []rtnl.PingEvent{{Kind: rtnl.PingReply, Seq: 1, TTL: 64, Bytes: 64, RTTUs: 100, Timed: true, From: from},
				{Kind: rtnl.PingReply, Seq: 1, TTL: 64, Bytes: 64, RTTUs: 100, Timed: true, Dup: true, From: from}},
			Stats: rtnl.PingStats{Transmitted: 3, Received: 1, Repeats: 1, TimeUs: 2000000, TMin: 100, TMax: 100, TSum: 200, TSum2: 20000}},
			"64 bytes from 10.10.10.10: icmp_seq=1 ttl=64 time=0.100 ms\n64 bytes from 10.10.10.10: icmp_seq=1 ttl=64 time=0.100 ms (DUP!)\n\n" +
				"--- 1.2.3.4 ping statistics ---\n3 packets transmitted, 1 received, +1 duplicates, 66.6667% packet loss, time 2000ms\n" +
				"rtt min/avg/max/mdev = 0.100/0.100/0.100/0.000 ms\n", "", 1},
	} {
		o, err := parsePingArgs(c.args, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := pingPrint(o, &c.ans, &out, &errb)
		if out.String() != c.out || errb.String() != c.err || code != c.code {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q", c.name, code, out.String(), errb.String(), c.code, c.out, c.err)
		}
	}
}

func TestMainWithoutDaemon(t *testing.T) {
	t.Setenv("NETSCHED_SOCKET", "")
	var out, errb bytes.Buffer
	if code := Main([]string{"-c1", "10.0.0.1"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "NETSCHED_SOCKET is not set") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"-c1", "no.such.name"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "no.such.name: Name or service not known") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("-c2 -W0.01 -I dummy1 10.10.10.1")
	f.Add("-Q 0x1c -s 1400 -i 0.001 -f -q -- 1.2.3.4")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parsePingArgs(strings.Fields(s), &bytes.Buffer{})
	})
}
