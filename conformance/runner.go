package conformance

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/std"
)

// Options configure a run.
type Options struct {
	// TC and IP are $TC and $IP (default /usr/sbin/tc and /usr/sbin/ip).
	TC, IP string
	// NetschedTC makes $TC `netsched tc` (a link named tc to Netsched)
	// instead of TC.
	NetschedTC bool
	// Netsched is the netsched binary; `ping` in the commands' PATH is a
	// link to it.
	Netsched string
	// Shim is the path of tools/nlshim/nlshim.so, preloaded into every
	// command.
	Shim string
	// TDCDir is the directory of the tdc files; files are named relative
	// to it (qdiscs/fifo.json). Empty: found from each file's path.
	TDCDir string
	// CaseID, when set, runs only that case.
	CaseID string
	// Verbose prints every case, and the detail of failures.
	Verbose bool
	// Out receives the report (default os.Stdout).
	Out io.Writer
	// Registry is the engine's kinds (default std.Registry()).
	Registry *sched.Registry
}

// Result states.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip"
)

// Result is one case's outcome.
type Result struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Result string `json:"result"`
	// Reason says why a case was skipped or how it failed; Detail holds
	// the failing command, its output and what was expected.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// FileResult is one tdc file's outcome.
type FileResult struct {
	File    string   `json:"file"`
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	Skipped int      `json:"skipped"`
	Error   string   `json:"error,omitempty"`
	Cases   []Result `json:"cases"`
}

func (f *FileResult) add(r Result) {
	f.Cases = append(f.Cases, r)
	switch r.Result {
	case Pass:
		f.Passed++
	case Fail:
		f.Failed++
	default:
		f.Skipped++
	}
}

// Report is a run's outcome.
type Report struct {
	Files   []FileResult `json:"files"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Skipped int          `json:"skipped"`
}

// Runner runs tdc files against one in-process daemon.
type Runner struct {
	opts    Options
	reg     Registry
	names   Names
	dir     string // the run's files: daemon socket, bin, cases
	bin     string // first in the commands' PATH
	daemon  *daemon
	timeout time.Duration
	rnd     *rand.Rand
}

// NewRunner starts the daemon and prepares the commands' environment.
func NewRunner(o Options) (*Runner, error) {
	if o.TC == "" {
		o.TC = "/usr/sbin/tc"
	}
	if o.IP == "" {
		o.IP = "/usr/sbin/ip"
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Registry == nil {
		o.Registry = std.Registry()
	}
	for _, p := range []struct{ what, path string }{{"$TC", o.TC}, {"$IP", o.IP}, {"nlshim.so", o.Shim}, {"netsched", o.Netsched}} {
		if p.path == "" {
			return nil, fmt.Errorf("conformance: no path for %s", p.what)
		}
		if _, err := os.Stat(p.path); err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", p.what, err)
		}
	}
	var err error
	if o.Shim, err = filepath.Abs(o.Shim); err != nil {
		return nil, err
	}
	r := &Runner{opts: o, reg: NewRegistry(o.Registry), names: DefaultNames(),
		rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x7dc))}
	r.names["TC"], r.names["IP"] = o.TC, o.IP
	secs, _ := strconv.Atoi(r.names["TIMEOUT"])
	r.timeout = time.Duration(secs) * time.Second
	if r.dir, err = os.MkdirTemp("", "netsched-conform-"); err != nil {
		return nil, err
	}
	r.bin = filepath.Join(r.dir, "bin")
	if err := os.Mkdir(r.bin, 0o755); err != nil {
		r.Close()
		return nil, err
	}
	if err := os.Symlink(o.Netsched, filepath.Join(r.bin, "ping")); err != nil {
		r.Close()
		return nil, err
	}
	if o.NetschedTC {
		// Invoked as tc, netsched is `netsched tc`.
		r.names["TC"] = filepath.Join(r.bin, "tc")
		r.opts.TC = r.names["TC"]
		if err := os.Symlink(o.Netsched, r.names["TC"]); err != nil {
			r.Close()
			return nil, err
		}
	}
	if r.daemon, err = startDaemon(r.dir, o.Registry); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close stops the daemon and removes the run's files.
func (r *Runner) Close() {
	if r.daemon != nil {
		_ = r.daemon.close()
		r.daemon = nil
	}
	if r.dir != "" {
		os.RemoveAll(r.dir)
		r.dir = ""
	}
}

// Run runs files and prints the report: a line per file and the totals.
func Run(o Options, files []string) (*Report, error) {
	r, err := NewRunner(o)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rep := &Report{}
	for _, f := range files {
		rep.Add(r.RunFile(f))
	}
	fmt.Fprintf(r.opts.Out, "%d passed, %d failed, %d skipped\n", rep.Passed, rep.Failed, rep.Skipped)
	return rep, nil
}

// Add counts a file's results in the report.
func (rep *Report) Add(f FileResult) {
	rep.Files = append(rep.Files, f)
	rep.Passed += f.Passed
	rep.Failed += f.Failed
	rep.Skipped += f.Skipped
}

// RunFile runs the cases of one tdc file and prints its line.
func (r *Runner) RunFile(path string) FileResult {
	fr := FileResult{File: r.fileName(path), Cases: []Result{}}
	cases, err := LoadFile(path)
	if err != nil {
		fr.Error = err.Error()
		fmt.Fprintf(r.opts.Out, "%s: cannot load: %v\n", fr.File, err)
		return fr
	}
	for _, c := range cases {
		if r.opts.CaseID != "" && c.ID != r.opts.CaseID {
			continue
		}
		res := r.RunCase(c)
		fr.add(res)
		if r.opts.Verbose {
			r.printCase(res)
		}
	}
	fmt.Fprintf(r.opts.Out, "%s: %d passed, %d failed, %d skipped\n", fr.File, fr.Passed, fr.Failed, fr.Skipped)
	return fr
}

func (r *Runner) printCase(res Result) {
	w := r.opts.Out
	switch res.Result {
	case Pass:
		fmt.Fprintf(w, "  ok   %s %s\n", res.ID, res.Name)
	case Skip:
		fmt.Fprintf(w, "  skip %s %s: %s\n", res.ID, res.Name, res.Reason)
	default:
		fmt.Fprintf(w, "  FAIL %s %s: %s\n", res.ID, res.Name, res.Reason)
		for _, l := range strings.Split(strings.TrimRight(res.Detail, "\n"), "\n") {
			fmt.Fprintf(w, "       %s\n", l)
		}
	}
}

// fileName names a tdc file relative to the tdc directory.
func (r *Runner) fileName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	root := r.opts.TDCDir
	if root == "" {
		root = findTDCDir(filepath.Dir(abs))
	}
	if root != "" {
		if ra, err := filepath.Abs(root); err == nil {
			if rel, err := filepath.Rel(ra, abs); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
	}
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(abs)), filepath.Base(abs)))
}

// findTDCDir walks up from dir to the directory that holds tdc's qdiscs/
// and infra/ folders.
func findTDCDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		q, e1 := os.Stat(filepath.Join(d, "qdiscs"))
		i, e2 := os.Stat(filepath.Join(d, "infra"))
		if e1 == nil && e2 == nil && q.IsDir() && i.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// RunCase runs one case as tdc.py's run_one_test does.
func (r *Runner) RunCase(c *Case) Result {
	res := Result{ID: c.ID, Name: c.Name}
	names := r.names.ForCase(c.ID, r.rnd.Uint32())
	for r.nsInUse(names["NS"]) {
		names = r.names.ForCase(c.ID, r.rnd.Uint32())
	}
	if why := r.skipReason(c, names); why != "" {
		res.Result, res.Reason = Skip, why
		return res
	}
	x, err := r.newCaseEnv(c, names)
	if err != nil {
		res.Result, res.Reason = Fail, "cannot make the case's namespace: "+err.Error()
		return res
	}
	defer x.close()
	if c.DependsOn != "" {
		if p := x.exec(c.DependsOn); p.code != 0 {
			res.Result, res.Reason = Skip, fmt.Sprintf("its dependsOn probe failed (exit %d): %s", p.code, c.DependsOn)
			return res
		}
	}
	res.Result = Pass
	failed := func(reason, detail string) {
		if res.Result != Fail {
			res.Result, res.Reason, res.Detail = Fail, reason, detail
		}
	}
	if ok, reason, detail := x.prepare("setup", c.Setup); !ok {
		failed(reason, detail)
	} else {
		r.execute(c, x, failed)
	}
	// Teardown always runs; when it fails, tdc stops the whole run, so
	// the case fails here.
	if ok, reason, detail := x.prepare("teardown", c.Teardown); !ok {
		failed(reason, detail)
	}
	if len(x.notes) > 0 && res.Result == Fail {
		res.Detail += "\n" + strings.Join(x.notes, "\n")
	}
	return res
}

// nsInUse reports whether the daemon has a namespace of that name (or its
// host namespace) already.
func (r *Runner) nsInUse(name string) bool {
	e := r.daemon.e
	e.Lock()
	defer e.Unlock()
	return e.World().Lookup(name) != nil || e.World().Lookup(name+"-host") != nil
}

// prepare runs setup or teardown commands (prepare_env).
func (x *caseEnv) prepare(stage string, cmds []Command) (bool, string, string) {
	for _, c := range cmds {
		if strings.TrimSpace(c.Cmd) == "" {
			continue
		}
		p := x.exec(c.Cmd)
		if !slices.Contains(c.ExitCodes, p.code) {
			return false, fmt.Sprintf("%s command failed", stage),
				fmt.Sprintf("command: %s\nexit code %d, expected one of %v\noutput:\n%s", p.cmd, p.code, c.ExitCodes, p.output())
		}
	}
	return true, "", ""
}

// execute runs the command under test and the verification.
func (r *Runner) execute(c *Case, x *caseEnv, failed func(reason, detail string)) {
	if strings.TrimSpace(c.CmdUnderTest) == "" {
		failed("no command under test", "")
		return
	}
	p := x.exec(c.CmdUnderTest)
	if c.Requires("scapyPlugin") {
		if err := x.sendScapy(c); err != nil {
			failed("scapyPlugin could not send", err.Error())
			return
		}
	}
	if p.code != c.ExpExitCode {
		failed(fmt.Sprintf("command exited with %d, expected %d", p.code, c.ExpExitCode),
			fmt.Sprintf("command: %s\noutput:\n%s", p.cmd, p.output()))
		return
	}
	var out, vcmd string
	if strings.TrimSpace(c.VerifyCmd) != "" {
		v := x.exec(c.VerifyCmd)
		out, vcmd = v.output(), v.cmd
	}
	switch {
	case out != "" && c.HasJSON:
		if ok, msg := VerifyJSON(out, c.MatchJSON); !ok {
			failed("verify output does not match matchJSON", fmt.Sprintf("verify: %s\n%s\noutput:\n%s", vcmd, msg, out))
		}
	case out != "" && c.HasPattern:
		re, err := CompilePattern(c.MatchPattern)
		if err != nil {
			failed("bad matchPattern", err.Error())
			return
		}
		if n := CountMatches(re, out); !c.HasCount || n != c.MatchCount {
			failed(fmt.Sprintf("pattern matched %d times, expected %d", n, c.MatchCount),
				fmt.Sprintf("verify: %s\npattern: %s\noutput:\n%s", vcmd, c.MatchPattern, out))
		}
	case out != "":
		failed("the case has neither matchJSON nor matchPattern", "")
	case !c.HasCount:
		failed("no output generated by verify command, and no matchCount", "verify: "+vcmd)
	case c.MatchCount != 0:
		failed("no output generated by verify command", "verify: "+vcmd)
	}
}
