package tccli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/netsched/netsched/tc"
)

// The ip front end: the subset of iproute2's ip that makes devices,
// addresses and namespaces (ip link, ip address, ip netns), with ip's
// options, output and refusals.

const ipUsage = "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n" +
	"       ip [ -force ] -batch filename\n" +
	"where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |\n" +
	"                   link | macsec | maddress | monitor | mptcp | mroute | mrule |\n" +
	"                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n" +
	"                   ntbl | route | rule | sr | tap | tcpmetrics |\n" +
	"                   token | tunnel | tuntap | vrf | xfrm }\n" +
	"       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |\n" +
	"                    -h[uman-readable] | -iec | -j[son] | -p[retty] |\n" +
	"                    -f[amily] { inet | inet6 | mpls | bridge | link } |\n" +
	"                    -4 | -6 | -M | -B | -0 |\n" +
	"                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |\n" +
	"                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |\n" +
	"                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |\n" +
	"                    -c[olor]}\n"

// Address families of -f.
const (
	afUnspec = 0
	afInet   = 2
	afInet6  = 10
	afPacket = 17
)

// ipTool is the state of one ip run.
type ipTool struct {
	*tool
	family   int
	human    int
	all      bool
	listLink bool // ipaddress.c's do_link, sticky across a batch
}

// Ip runs ip with its arguments (without the program's name) and returns
// the exit code. Like Tc it takes --kernel and --socket PATH first.
func Ip(args []string, env *Env) int {
	t := &ipTool{tool: newTool(env)}
	defer t.close()
	return t.ipMain(args) & 0xFF
}

func (t *ipTool) ipMain(args []string) int {
	args, err := t.netschedFlags(args)
	if err != nil {
		t.env.errorf("netsched ip: %v\n", err)
		return 2
	}
	argv := append([]string{"ip"}, args...)
	for len(argv) > 1 {
		a := argv[1]
		if a == "--" {
			argv = argv[1:]
			break
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
		opt := a
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		switch {
		case opt == "-loops" || opt == "-l":
			argv = argv[1:]
			if len(argv) <= 1 {
				t.env.errorf("Command line is not complete. Try option \"help\"\n")
				return 255
			}
		case tc.Matches(opt, "-family"):
			argv = argv[1:]
			if len(argv) <= 1 {
				t.env.errorf("Command line is not complete. Try option \"help\"\n")
				return 255
			}
			switch f := argv[1]; f {
			case "inet":
				t.family = afInet
			case "inet6":
				t.family = afInet6
			case "link":
				t.family = afPacket
			case "help":
				io.WriteString(t.env.Stderr, ipUsage)
				return 255
			default:
				t.env.errorf("netsched ip: family \"%s\" is not supported\n", f)
				return 255
			}
		case opt == "-4":
			t.family = afInet
		case opt == "-6":
			t.family = afInet6
		case opt == "-0":
			t.family = afPacket
		case tc.Matches(opt, "-human"), tc.Matches(opt, "-human-readable"):
			t.human++
		case tc.Matches(opt, "-iec"):
			t.iec++
		case tc.Matches(opt, "-stats"), tc.Matches(opt, "-statistics"):
			t.stats++
		case tc.Matches(opt, "-details"):
			t.details++
		case tc.Matches(opt, "-resolve"):
		case tc.Matches(opt, "-Version"):
			fmt.Fprintf(t.env.Stdout, "ip utility, iproute2-6.1.0, netsched\n")
			return 0
		case tc.Matches(opt, "-force"):
			t.force++
		case tc.Matches(opt, "-batch"):
			argv = argv[1:]
			if len(argv) <= 1 {
				io.WriteString(t.env.Stderr, ipUsage)
				return 255
			}
			t.batchFile = argv[1]
		case tc.Matches(opt, "-brief"):
			t.brief++
		case tc.Matches(opt, "-json"):
			t.json++
		case tc.Matches(opt, "-pretty"):
			t.pretty++
		case tc.Matches(opt, "-rcvbuf"):
			argv = argv[1:]
			if len(argv) <= 1 {
				t.env.errorf("Command line is not complete. Try option \"help\"\n")
				return 255
			}
		case matchesColor(opt):
		case tc.Matches(opt, "-help"):
			io.WriteString(t.env.Stderr, ipUsage)
			return 255
		case tc.Matches(opt, "-netns"):
			argv = argv[1:]
			if len(argv) <= 1 {
				t.env.errorf("Cannot open network namespace \"(null)\": No such file or directory\n")
				return 255
			}
			t.netns, t.netnsSet = argv[1], true
		case tc.Matches(opt, "-Numeric"):
			t.numeric++
		case tc.Matches(opt, "-all"):
			t.all = true
		case tc.Matches(opt, "-oneline"):
			t.oneline++
		case tc.Matches(opt, "-timestamp"), tc.Matches(opt, "-tshort"):
			t.timestamp++
		default:
			t.env.errorf("Option \"%s\" is unknown, try \"ip -help\".\n", a)
			return 255
		}
		argv = argv[1:]
	}
	if t.batchFile != "" {
		t.batchMode = true
		if err := t.open(true); err != nil {
			return t.openFailed(err)
		}
		var in io.Reader = t.env.Stdin
		if t.batchFile != "-" {
			f, err := os.Open(t.batchFile)
			if err != nil {
				t.env.errorf("Cannot open file \"%s\" for reading: %s\n", t.batchFile, errnoOf(err))
				return 1
			}
			defer f.Close()
			in = f
		}
		if in == nil {
			in = strings.NewReader("")
		}
		return t.runBatch(t.batchFile, in, t.doIPCmd)
	}
	if len(argv) <= 1 {
		io.WriteString(t.env.Stderr, ipUsage)
		return 255
	}
	if err := t.open(true); err != nil {
		return t.openFailed(err)
	}
	code, _ := t.report(t.doIPCmd(argv[1:]))
	return code
}

// doIPCmd runs one ip command (do_cmd of ip.c).
func (t *ipTool) doIPCmd(argv []string) error {
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "address"):
		return t.doAddr(rest)
	case tc.Matches(w, "link"):
		return t.doLink(rest)
	case tc.Matches(w, "netns"):
		return t.doNetns(rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, ipUsage)
		return status(255)
	}
	for _, o := range []string{"addrlabel", "amt", "fou", "ila", "ioam", "l2tp", "macsec", "maddress",
		"monitor", "mptcp", "mroute", "mrule", "neighbor", "neighbour", "netconf", "nexthop", "ntable",
		"ntbl", "route", "rule", "sr", "tap", "tcpmetrics", "token", "tunnel", "tuntap", "vrf", "xfrm"} {
		if tc.Matches(w, o) {
			return fail(255, "netsched ip: \"ip %s\" is not supported (ip link, address and netns are)", o)
		}
	}
	return fail(1, "Object \"%s\" is unknown, try \"ip help\".", w)
}
