package sim

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/netsched/netsched/tccli"
)

// TCRun is a tc command of the scenario that printed something (show,
// list) or whose fallback ran; the others are in the scenario.
type TCRun struct {
	Host    string `json:"host"`
	Command string `json:"command"`
	Output  string `json:"output,omitempty"`
	// Fallback is set when the command failed and its "else" ran.
	Fallback string `json:"fallback,omitempty"`
	Error    string `json:"error,omitempty"`
}

// tc runs tc with args in the engine, as `tc -n HOST ...` would against
// the daemon: the same parser, kinds' faces and control path.
func (s *Sim) tc(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := &tccli.Env{
		Stdin:   strings.NewReader(stdin),
		Stdout:  &out,
		Stderr:  &errb,
		Backend: tccli.Engine(s.e),
	}
	code = tccli.Tc(args, env)
	return code, out.String(), errb.String()
}

var batchFailed = regexp.MustCompile(`Command failed -:(\d+)`)

// configureTC runs each host's tc commands: the host's own, then each
// device's with "dev NAME" put in. Plain commands go through one tc -batch
// per host; a try/else entry runs on its own so that its failure can pick
// the fallback.
func (s *Sim) configureTC() error {
	for _, h := range s.hosts {
		cmds, err := s.sc.expand(h.spec.TC, "")
		if err != nil {
			return fmt.Errorf("host %s: %w", h.name, err)
		}
		for _, pt := range h.ports {
			c, err := s.sc.expand(pt.end.TC, pt.name)
			if err != nil {
				return fmt.Errorf("host %s dev %s: %w", h.name, pt.name, err)
			}
			cmds = append(cmds, c...)
		}
		for len(cmds) > 0 {
			n := 0
			for n < len(cmds) && !cmds[n].hasElse && !prints(cmds[n].cmd) {
				n++
			}
			if n > 0 {
				if err := s.tcBatch(h.name, cmds[:n]); err != nil {
					return err
				}
				cmds = cmds[n:]
				continue
			}
			c := cmds[0]
			cmds = cmds[1:]
			code, out, errs := s.tc(c.cmd+"\n", "-n", h.name, "-batch", "-")
			run := TCRun{Host: h.name, Command: c.cmd, Output: out}
			if code != 0 {
				run.Error = firstLine(errs)
				run.Fallback = c.fallback
				code, out, errs = s.tc(c.fallback+"\n", "-n", h.name, "-batch", "-")
				if code != 0 {
					return fmt.Errorf("host %s: tc %s: %s", h.name, c.fallback, strings.TrimSpace(errs))
				}
				run.Output = out
				s.notes = append(s.notes, fmt.Sprintf("%s: \"tc %s\" failed (%s); ran \"tc %s\" instead",
					h.name, c.cmd, run.Error, c.fallback))
			}
			s.tcLog = append(s.tcLog, run)
		}
	}
	return nil
}

// tcBatch runs plain commands in one batch; a failure names its command.
func (s *Sim) tcBatch(host string, cmds []tcCommand) error {
	var in strings.Builder
	for _, c := range cmds {
		in.WriteString(c.cmd)
		in.WriteByte('\n')
	}
	code, out, errs := s.tc(in.String(), "-n", host, "-batch", "-")
	if code != 0 {
		cmd := ""
		if m := batchFailed.FindStringSubmatch(errs); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i >= 1 && i <= len(cmds) {
				cmd = cmds[i-1].cmd
			}
		}
		msg := strings.TrimSpace(batchFailed.ReplaceAllString(errs, ""))
		if cmd != "" {
			return fmt.Errorf("host %s: tc %s: %s", host, cmd, msg)
		}
		return fmt.Errorf("host %s: tc: %s", host, msg)
	}
	if strings.TrimSpace(out) != "" {
		s.tcLog = append(s.tcLog, TCRun{Host: host, Command: cmds[len(cmds)-1].cmd, Output: out})
	}
	return nil
}

// prints reports whether a tc command shows something (its output goes
// into the result on its own, with the command).
func prints(cmd string) bool {
	w := strings.Fields(cmd)
	if len(w) < 2 {
		return false
	}
	switch w[1] {
	case "show", "list", "ls", "lst", "get":
		return true
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
