package tccli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/netsched/netsched/tc"
)

// Flow of one `tc` run, as tc.c's main: options (-s, -d, -j, ...), then
// either a -batch file of commands or one command; each command parses its
// words into a request, talks to the back end through a handle, and prints
// the answers with the kinds' faces.

// tool is one tc (or ip) invocation: its options and the state iproute2
// keeps in globals, which lives across the commands of a batch file.
type tool struct {
	env   *Env
	faces *Faces

	// options
	stats, details, raw, pretty, graph, iec int
	json, oneline, brief, numeric, force    int
	timestamp, tshort                       int
	useNames                                bool
	confFile                                string
	netns                                   string
	netnsSet                                bool
	batchFile                               string
	batchMode                               bool
	cmdLine                                 int

	// netsched's own choice of back end
	kernel bool
	socket string

	h     *handle
	links *links
	names map[uint32]string // -nm class names

	// tabFlush is m_action.c's tab_flush: the action message being
	// printed answers a flush (RTM_DELACTION with NLM_F_ROOT).
	tabFlush bool

	qf qdiscFilter
	cf classFilter
	ff filterFilter
}

func newTool(env *Env) *tool {
	t := &tool{env: env, faces: env.Faces}
	if t.faces == nil {
		t.faces = StdFaces()
	}
	return t
}

// status is a command's result without a message of its own.
func status(code int) error { return &tc.UsageError{Code: code & 0xFF} }

// exitMsg ends the program with code after printing the message (exit()).
func exitMsg(code int, format string, args ...any) error {
	return tc.Exitf(code, format, args...)
}

// fail returns code after printing the message.
func fail(code int, format string, args ...any) error {
	return &tc.UsageError{Msg: fmt.Sprintf(format, args...), Code: code & 0xFF}
}

// report prints an error's message and gives its code and whether it ends
// the program.
func (t *tool) report(err error) (code int, exit bool) {
	if err == nil {
		return 0, false
	}
	var ue *tc.UsageError
	if errors.As(err, &ue) {
		if ue.Msg != "" {
			t.env.errorf("%s\n", ue.Msg)
		}
		return ue.Code, ue.Exit
	}
	if errors.Is(err, errReported) {
		return 1, false
	}
	t.env.errorf("%v\n", err)
	return 1, false
}

// backend picks the back end: the Env's, --kernel, --socket or
// NETSCHED_SOCKET.
func (t *tool) backend() (Backend, error) {
	switch {
	case t.env.Backend != nil:
		return t.env.Backend, nil
	case t.kernel:
		return Kernel(), nil
	case t.socket != "":
		return Daemon(t.socket), nil
	case t.env.getenv("NETSCHED_SOCKET") != "":
		return Daemon(t.env.getenv("NETSCHED_SOCKET")), nil
	}
	return nil, ErrNoBackend
}

func (t *tool) namespace() string {
	if t.netnsSet {
		return t.netns
	}
	if t.kernel {
		return ""
	}
	return t.env.getenv("NETSCHED_NETNS")
}

// open makes the tool's socket (rtnl_open).
func (t *tool) open(strict bool) error {
	be, err := t.backend()
	if err != nil {
		return err
	}
	o := DialOptions{Namespace: t.namespace(), ExtAck: true, StrictCheck: strict}
	c, err := be.Dial(o)
	if err != nil {
		return err
	}
	t.h = newHandle(c, t.env.Stderr)
	t.links = &links{h: t.h, open: func() (*handle, error) {
		c, err := be.Dial(o)
		if err != nil {
			return nil, err
		}
		return newHandle(c, io.Discard), nil
	}}
	return nil
}

func (t *tool) close() {
	if t.h != nil {
		t.h.c.Close()
		t.h = nil
	}
}

// printer returns a printer for one listing: JSON when -j was given and
// the listing prints JSON.
func (t *tool) printer(jsonOK bool) *tc.Printer {
	p := tc.NewPrinter(jsonOK && t.json > 0, t.pretty > 0)
	p.Oneline = t.oneline > 0
	p.IEC, p.Details, p.Stats, p.Raw = t.iec > 0, t.details > 0, t.stats > 0, t.raw > 0
	return p
}

func (t *tool) flush(p *tc.Printer) { p.Flush(t.env.Stdout) }

const tcUsage = "Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n" +
	"\ttc [-force] -batch filename\n" +
	"where  OBJECT := { qdisc | class | filter | chain |\n" +
	"\t\t    action | monitor | exec }\n" +
	"       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n" +
	"\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n" +
	"\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n" +
	"\t\t     -nm | -nam[es] | { -cf | -conf } path\n" +
	"\t\t     -br[ief] }\n"

// Tc runs tc with its arguments (without the program's name) and returns
// the exit code. Besides iproute2's options it takes, first, netsched's
// own: --kernel (talk to the running kernel) and --socket PATH (the
// daemon's socket, default $NETSCHED_SOCKET).
func Tc(args []string, env *Env) int {
	t := newTool(env)
	defer t.close()
	code := t.tcMain(args)
	return code & 0xFF
}

// netschedFlags takes --kernel and --socket PATH from the front.
func (t *tool) netschedFlags(args []string) ([]string, error) {
	for len(args) > 0 {
		switch a := args[0]; {
		case a == "--kernel":
			t.kernel = true
			args = args[1:]
		case a == "--socket":
			if len(args) < 2 {
				return nil, errors.New("--socket needs a path")
			}
			t.socket = args[1]
			args = args[2:]
		case strings.HasPrefix(a, "--socket="):
			t.socket = strings.TrimPrefix(a, "--socket=")
			args = args[1:]
		default:
			return args, nil
		}
	}
	return args, nil
}

func (t *tool) tcMain(args []string) int {
	args, err := t.netschedFlags(args)
	if err != nil {
		t.env.errorf("netsched tc: %v\n", err)
		return 2
	}
	// argv[0] is the program, as in C: the option loop looks at argv[1].
	argv := append([]string{"tc"}, args...)
	for len(argv) > 1 {
		a := argv[1]
		if !strings.HasPrefix(a, "-") {
			break
		}
		switch {
		case tc.Matches(a, "-stats"), tc.Matches(a, "-statistics"):
			t.stats++
		case tc.Matches(a, "-details"):
			t.details++
		case tc.Matches(a, "-raw"):
			t.raw++
		case tc.Matches(a, "-pretty"):
			t.pretty++
		case tc.Matches(a, "-graph"):
			t.graph = 1
		case tc.Matches(a, "-Version"):
			fmt.Fprintf(t.env.Stdout, "tc utility, iproute2-6.1.0, netsched\n")
			return 0
		case tc.Matches(a, "-iec"):
			t.iec++
		case tc.Matches(a, "-help"):
			io.WriteString(t.env.Stderr, tcUsage)
			return 0
		case tc.Matches(a, "-force"):
			t.force++
		case tc.Matches(a, "-batch"):
			argv = argv[1:]
			if len(argv) <= 1 {
				// iproute2 6.1 prints the usage and goes on without
				// a file.
				io.WriteString(t.env.Stderr, tcUsage)
				t.batchFile = ""
			} else {
				t.batchFile = argv[1]
			}
		case tc.Matches(a, "-netns"):
			argv = argv[1:]
			if len(argv) <= 1 {
				t.env.errorf("Cannot open network namespace \"(null)\": No such file or directory\n")
				return 255
			}
			t.netns, t.netnsSet = argv[1], true
		case tc.Matches(a, "-Numeric"):
			t.numeric++
		case tc.Matches(a, "-names"), tc.Matches(a, "-nm"):
			t.useNames = true
		case tc.Matches(a, "-cf"), tc.Matches(a, "-conf"):
			argv = argv[1:]
			if len(argv) > 1 {
				t.confFile = argv[1]
			}
		case matchesColor(a):
			// Colours are for terminals; netsched's tc never colours.
		case tc.Matches(a, "-timestamp"):
			t.timestamp++
		case tc.Matches(a, "-tshort"):
			t.timestamp++
			t.tshort++
		case tc.Matches(a, "-json"):
			t.json++
		case tc.Matches(a, "-oneline"):
			t.oneline++
		case tc.Matches(a, "-brief"):
			t.brief++
		default:
			t.env.errorf("Option \"%s\" is unknown, try \"tc -help\".\n", a)
			return 255
		}
		if len(argv) > 1 {
			argv = argv[1:]
		}
	}
	if t.batchFile != "" {
		return t.batch(t.batchFile)
	}
	if len(argv) <= 1 {
		io.WriteString(t.env.Stderr, tcUsage)
		return 0
	}
	if err := t.open(false); err != nil {
		return t.openFailed(err)
	}
	if t.useNames {
		if err := t.loadNames(); err != nil {
			code, _ := t.report(err)
			return code
		}
	}
	code, _ := t.report(t.doCmd(argv[1:]))
	return code
}

// openFailed reports a socket that could not be made: a missing network
// namespace as iproute2's netns_switch (exit 255), anything else as
// "Cannot open rtnetlink" (exit 1).
func (t *tool) openFailed(err error) int {
	var ne *NetnsError
	if errors.As(err, &ne) {
		t.env.errorf("%v\n", ne)
		return 255
	}
	t.env.errorf("Cannot open rtnetlink: %v\n", err)
	return 1
}

// matchesColor is matches_color: -c[olor][=always|auto|never].
func matchesColor(a string) bool {
	name, val, _ := strings.Cut(a, "=")
	if !tc.Matches(name, "-color") {
		return false
	}
	return val == "" || val == "always" || val == "auto" || val == "never"
}

// doCmd runs one command (do_cmd).
func (t *tool) doCmd(argv []string) error {
	w := argv[0]
	rest := argv[1:]
	switch {
	case tc.Matches(w, "qdisc"):
		return t.doQdisc(rest)
	case tc.Matches(w, "class"):
		return t.doClass(rest)
	case tc.Matches(w, "filter"):
		return t.doFilter(rest)
	case tc.Matches(w, "chain"):
		return t.doChain(rest)
	case tc.Matches(w, "actions"):
		return t.doAction(rest)
	case tc.Matches(w, "monitor"):
		return t.doMonitor(rest)
	case tc.Matches(w, "exec"):
		return t.doExec(rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, tcUsage)
		return nil
	}
	return fail(255, "Object \"%s\" is unknown, try \"tc help\".", w)
}

// batch runs the commands of a file ("-" for standard input), as
// do_batch: one command per line, '#' comments, '\' continuations, quotes;
// a failure prints "Command failed FILE:LINE" and stops unless -force.
func (t *tool) batch(name string) int {
	t.batchMode = true
	if err := t.open(false); err != nil {
		return t.openFailed(err)
	}
	var in io.Reader = t.env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			t.env.errorf("Cannot open file \"%s\" for reading: %s\n", name, errnoOf(err))
			return 1
		}
		defer f.Close()
		in = f
	}
	if in == nil {
		in = strings.NewReader("")
	}
	return t.runBatch(name, in, t.doCmd)
}

// runBatch is the loop of do_batch, shared by tc and ip.
func (t *tool) runBatch(name string, in io.Reader, cmd func([]string) error) int {
	r := bufio.NewReader(in)
	ret := 0
	t.cmdLine = 0
	for {
		line, ok, err := getCmdLine(r, &t.cmdLine)
		if err != nil {
			t.env.errorf("%v\n", err)
			break
		}
		if !ok {
			break
		}
		words, err := makeArgs(line)
		if err != nil {
			code, _ := t.report(err)
			return code
		}
		if len(words) == 0 {
			continue
		}
		if err := cmd(words); err != nil {
			code, exit := t.report(err)
			if exit {
				return code
			}
			if code != 0 {
				t.env.errorf("Command failed %s:%d\n", name, t.cmdLine)
				ret = 1
				if t.force == 0 {
					break
				}
			}
		}
	}
	return ret
}

// errnoOf returns the C text of an OS error.
func errnoOf(err error) string {
	if e, ok := asErrno(err); ok {
		return errnoText(e)
	}
	return err.Error()
}
