package conformance

import (
	"fmt"
	"path/filepath"
	"strings"
)

// skipReason says why a case cannot run against netsched, or "" when it
// can. The reasons are what netsched lacks: a kind of qdisc, classifier
// or action, a scapy packet the runner cannot build, eBPF, or a helper script the case runs;
// and tdc's own ("skip": "yes").
func (r *Runner) skipReason(c *Case, names Names) string {
	if c.Skip {
		return `the case is marked "skip": "yes"`
	}
	if c.Requires("scapyPlugin") {
		if err := scapyPackets(c); err != nil {
			return "needs scapyPlugin: " + err.Error()
		}
	}
	for _, cmd := range caseCommands(c) {
		if strings.Contains(cmd, "$EBPFDIR") || strings.Contains(cmd, "${EBPFDIR}") {
			return "needs eBPF programs ($EBPFDIR), which netsched cannot load"
		}
	}
	var missing []string
	for _, k := range KindsUsed(c, r.opts.TC, names) {
		if !r.reg.Has(k) {
			missing = append(missing, k.Type.String()+" "+k.Name)
		}
	}
	if len(missing) > 0 {
		return "needs " + strings.Join(missing, ", ") + ", which netsched does not have"
	}
	if s := missingScript(c, names); s != "" {
		return fmt.Sprintf("needs the helper script %s, which is absent", s)
	}
	return ""
}

// interpreters run the script named after them.
var interpreters = set("sh", "bash", "python", "python3")

// missingScript returns the first script a case runs by relative path
// (./tdc_batch.py, ./scripts/x.sh): the commands run in a fresh working
// directory, where tdc's helper scripts are not.
func missingScript(c *Case, names Names) string {
	for _, cmd := range caseCommands(c) {
		for _, argv := range simpleCommands(names.Substitute(cmd), "") {
			if len(argv) == 0 {
				continue
			}
			w := argv[0]
			if interpreters[filepath.Base(w)] && len(argv) > 1 && !strings.HasPrefix(argv[1], "-") {
				w = argv[1]
			}
			if !filepath.IsAbs(w) && strings.Contains(w, "/") {
				return w
			}
		}
	}
	return ""
}
