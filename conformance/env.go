package conformance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
)

// daemon is the run's engine behind its Unix socket, in this process.
type daemon struct {
	e    *rtnl.Engine
	srv  *rtnl.Server
	sock string
	done chan error
}

func startDaemon(dir string, reg *sched.Registry) (*daemon, error) {
	d := &daemon{sock: filepath.Join(dir, "daemon.sock"), done: make(chan error, 1)}
	d.e = rtnl.New(rtnl.Options{Kinds: reg})
	srv, err := rtnl.Listen(d.e, d.sock)
	if err != nil {
		return nil, err
	}
	d.srv = srv
	go func() { d.done <- srv.Serve() }()
	return d, nil
}

func (d *daemon) close() error {
	err := d.srv.Close()
	if e := <-d.done; err == nil {
		err = e
	}
	return err
}

// sysfsPrefix is the netdevsim bus directory tdc's cases write to.
const sysfsPrefix = "/sys/bus/netdevsim/"

// caseEnv is one case's world: its daemon namespace with nsPlugin's
// devices ($DEV0's end in a namespace of its own, standing for the root
// namespace tdc leaves it in), its working directory, and a stand-in for
// /sys/bus/netdevsim.
type caseEnv struct {
	r        *Runner
	names    Names
	ns, host string
	nsPlugin bool
	work     string
	sysfs    string
	// nsim maps a netdevsim id to the devices it made.
	nsim  map[uint64][]string
	env   []string
	notes []string // what the netdevsim mapping could not do
}

func (r *Runner) newCaseEnv(c *Case, names Names) (*caseEnv, error) {
	x := &caseEnv{r: r, names: names, ns: names["NS"], host: names["NS"] + "-host",
		nsPlugin: c.Requires("nsPlugin"), nsim: map[uint64][]string{}}
	var err error
	if x.work, err = os.MkdirTemp(r.dir, "case-"); err != nil {
		return nil, err
	}
	x.sysfs = filepath.Join(x.work, ".netdevsim")
	if err := os.Mkdir(x.sysfs, 0o755); err != nil {
		return nil, err
	}
	for _, f := range []string{"new_device", "del_device"} {
		if err := os.WriteFile(filepath.Join(x.sysfs, f), nil, 0o644); err != nil {
			return nil, err
		}
	}
	x.env = []string{
		"LD_PRELOAD=" + r.opts.Shim,
		"NETSCHED_SOCKET=" + r.daemon.sock,
		"NETSCHED_NETNS=" + x.ns,
		"PATH=" + r.bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	}
	e := r.daemon.e
	e.Lock()
	defer e.Unlock()
	ns := e.Namespace(x.ns)
	if !x.nsPlugin {
		return x, nil
	}
	// nsPlugin (_nl_ns_create): $DEV1 in the test namespace with its peer
	// $DEV0 in the root one, and $DUMMY; $DEV1 and $DUMMY come up, then
	// $DEV0.
	host := e.Namespace(x.host)
	v1, err := ns.AddLink(&netdev.LinkSpec{Name: names["DEV1"], Kind: "veth", PeerName: names["DEV0"], PeerNS: host})
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", names["DEV1"], err)
	}
	dummy, err := ns.AddLink(&netdev.LinkSpec{Name: names["DUMMY"], Kind: "dummy"})
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", names["DUMMY"], err)
	}
	v1.SetUp(true)
	dummy.SetUp(true)
	v1.Peer().SetUp(true)
	return x, nil
}

// close deletes the case's namespaces (and with them its devices) and
// its files.
func (x *caseEnv) close() {
	e := x.r.daemon.e
	e.Lock()
	e.World().Delete(x.ns)
	e.World().Delete(x.host)
	e.Unlock()
	os.RemoveAll(x.work)
}

// run is one command's outcome.
type run struct {
	cmd            string // as run
	code           int
	stdout, stderr string
	timedOut       bool
}

// output is what tdc keeps of a command: stderr when it failed and said
// something there, else stdout.
func (r run) output() string {
	if r.code != 0 && r.stderr != "" {
		return r.stderr
	}
	return r.stdout
}

// exec runs one of the case's commands as tdc's exec_cmd does: names
// substituted, through sh -c, with $TIMEOUT; then what it wrote to the
// netdevsim bus takes effect.
func (x *caseEnv) exec(cmd string) run {
	text := x.names.Substitute(cmd)
	if x.nsPlugin {
		text = nsJoin(text)
	}
	text = strings.ReplaceAll(text, sysfsPrefix, x.sysfs+"/")
	res := x.shell(text)
	x.applyNetdevsim()
	return res
}

func (x *caseEnv) shell(text string) run {
	res := run{cmd: text}
	ctx, cancel := context.WithTimeout(context.Background(), x.r.timeout)
	defer cancel()
	c := exec.Command("/bin/sh", "-c", text)
	c.Env = x.env
	c.Dir = x.work
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A child left running in the background must not hold the output
	// open forever.
	c.WaitDelay = 2 * time.Second
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		res.code, res.stderr = 255, err.Error()
		return res
	}
	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-ctx.Done():
		// The whole process group goes, as a timeout kills tdc's shell.
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		err = <-waited
		res.timedOut = true
	}
	res.stdout, res.stderr = out.String(), errb.String()
	var ee *exec.ExitError
	switch {
	case res.timedOut:
		res.code = 255
		res.stdout = fmt.Sprintf("Command \"%s\" timed out\n", text)
		res.stderr = ""
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if res.code < 0 { // killed by a signal: the shell's 128+n
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				res.code = 128 + int(ws.Signal())
			}
		}
	default:
		res.code, res.stderr = 255, err.Error()
	}
	return res
}

// applyNetdevsim does what writes to the netdevsim bus ask:
// "ID [PORTS [QUEUES]]" to new_device makes PORTS devices eth%d with
// QUEUES queues each in the case's namespace; "ID" to del_device removes
// the devices of that id. The files are plain files read after each
// command, so what a command writes takes effect when it ends (tdc's
// cases write once per command and use the devices in the next), a
// write with > keeps only the command's last one, and a write the kernel
// would refuse (an id in use) cannot fail: it is noted instead.
func (x *caseEnv) applyNetdevsim() {
	newLines := x.take("new_device")
	delLines := x.take("del_device")
	if len(newLines) == 0 && len(delLines) == 0 {
		return
	}
	e := x.r.daemon.e
	e.Lock()
	defer e.Unlock()
	ns := e.World().Lookup(x.ns)
	if ns == nil {
		return
	}
	for _, l := range newLines {
		f := strings.Fields(l)
		v := []uint64{0, 1, 1}
		bad := len(f) == 0 || len(f) > 3
		for i := 0; i < len(f) && !bad; i++ {
			n, err := strconv.ParseUint(f[i], 10, 32)
			v[i], bad = n, err != nil
		}
		if bad || v[1] == 0 || v[2] == 0 {
			x.notes = append(x.notes, fmt.Sprintf("netdevsim: new_device %q: invalid", l))
			continue
		}
		if _, dup := x.nsim[v[0]]; dup {
			x.notes = append(x.notes, fmt.Sprintf("netdevsim: new_device %q: id %d exists", l, v[0]))
			continue
		}
		var made []string
		for p := uint64(0); p < v[1]; p++ {
			d, err := ns.AddLink(&netdev.LinkSpec{Name: "eth%d", Kind: "netdevsim", NumTx: int(v[2]), NumRx: int(v[2])})
			if err != nil {
				x.notes = append(x.notes, fmt.Sprintf("netdevsim: new_device %q: %v", l, err))
				break
			}
			made = append(made, d.Name())
		}
		x.nsim[v[0]] = made
	}
	for _, l := range delLines {
		id, err := strconv.ParseUint(strings.TrimSpace(l), 10, 32)
		devs, ok := x.nsim[id]
		if err != nil || !ok {
			x.notes = append(x.notes, fmt.Sprintf("netdevsim: del_device %q: no such device", l))
			continue
		}
		for _, name := range devs {
			if d := ns.ByName(name); d != nil && d.Kind().Name == "netdevsim" {
				_ = ns.DelLink(d)
			}
		}
		delete(x.nsim, id)
	}
}

// take returns the lines written to a bus file and empties it.
func (x *caseEnv) take(name string) []string {
	p := filepath.Join(x.sysfs, name)
	b, err := os.ReadFile(p)
	if err != nil || len(b) == 0 {
		return nil
	}
	_ = os.WriteFile(p, nil, 0o644)
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}
