// Package conformance runs the kernel's tc tests (tdc, the JSON cases of
// tools/testing/selftests/tc-testing) against netsched: each case's
// commands run through a shell with iproute2 (or `netsched tc`) talking to
// an in-process netsched daemon, in a fresh daemon namespace that holds
// the devices tdc's nsPlugin makes, and the results are judged as tdc.py
// judges them.
//
// Flow of one case (runner.go):
//
//	load (case.go) -> skip? (skip.go: kinds the engine lacks, scapy packets it cannot build,
//	  eBPF, absent helper scripts) -> namespace with $DEV1, $DUMMY and
//	  $DEV0 in its own (env.go) -> setup -> cmdUnderTest (exit code) ->
//	  verifyCmd (match.go: regex count or JSON subset) -> teardown ->
//	  namespace deleted
package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Case is one tdc test case.
type Case struct {
	ID       string
	Name     string
	Category []string
	// Plugins are the plugins the case requires (nsPlugin, scapyPlugin).
	Plugins      []string
	Skip         bool   // "skip": "yes"
	DependsOn    string // a probe command: the case is skipped when it fails
	Setup        []Command
	CmdUnderTest string
	ExpExitCode  int
	VerifyCmd    string
	// MatchPattern is a Python regular expression (HasPattern tells
	// whether there was one); MatchCount how many times it must match.
	MatchPattern string
	HasPattern   bool
	MatchCount   int
	HasCount     bool
	// MatchJSON is the JSON the verify output must contain (HasJSON
	// tells whether there was one: [] is a real value).
	MatchJSON any
	HasJSON   bool
	Teardown  []Command
	// Scapy are the packets scapyPlugin sends after the command under
	// test.
	Scapy []ScapySend
}

// Command is a setup or teardown command with the exit codes it may end
// with (tdc's [cmd, code, ...] form; a plain string allows 0 only).
type Command struct {
	Cmd       string
	ExitCodes []int
}

// Requires reports whether the case requires plugin name.
func (c *Case) Requires(name string) bool {
	for _, p := range c.Plugins {
		if p == name {
			return true
		}
	}
	return false
}

// LoadFile reads a tdc JSON file.
func LoadFile(path string) ([]*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCases(b)
}

// ParseCases decodes the cases of a tdc JSON file. Values are read as
// tdc.py reads them: numbers may be strings ("expExitCode": "0"), plugins
// one name or a list.
func ParseCases(b []byte) ([]*Case, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]*Case, 0, len(raw))
	for i, m := range raw {
		c, err := parseCase(m)
		if err != nil {
			return nil, fmt.Errorf("case %d (%s): %w", i, c.ID, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseCase(m map[string]json.RawMessage) (*Case, error) {
	c := &Case{}
	str := func(k string) (string, error) {
		v, ok := m[k]
		if !ok {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("%s: %w", k, err)
		}
		return s, nil
	}
	var err error
	if c.ID, err = str("id"); err != nil {
		return c, err
	}
	if c.Name, err = str("name"); err != nil {
		return c, err
	}
	if v, ok := m["category"]; ok {
		if err := json.Unmarshal(v, &c.Category); err != nil {
			return c, fmt.Errorf("category: %w", err)
		}
	}
	if v, ok := m["plugins"]; ok {
		var p struct {
			Requires json.RawMessage `json:"requires"`
		}
		if err := json.Unmarshal(v, &p); err != nil {
			return c, fmt.Errorf("plugins: %w", err)
		}
		if len(p.Requires) > 0 {
			var one string
			if json.Unmarshal(p.Requires, &one) == nil {
				c.Plugins = []string{one}
			} else if err := json.Unmarshal(p.Requires, &c.Plugins); err != nil {
				return c, fmt.Errorf("plugins.requires: %w", err)
			}
		}
	}
	if s, _ := str("skip"); s == "yes" {
		c.Skip = true
	}
	if v, ok := m["scapy"]; ok {
		if c.Scapy, err = parseScapy(v); err != nil {
			return c, fmt.Errorf("scapy: %w", err)
		}
	}
	if c.DependsOn, err = str("dependsOn"); err != nil {
		return c, err
	}
	if c.Setup, err = commands(m["setup"]); err != nil {
		return c, fmt.Errorf("setup: %w", err)
	}
	if c.Teardown, err = commands(m["teardown"]); err != nil {
		return c, fmt.Errorf("teardown: %w", err)
	}
	if c.CmdUnderTest, err = str("cmdUnderTest"); err != nil {
		return c, err
	}
	if c.VerifyCmd, err = str("verifyCmd"); err != nil {
		return c, err
	}
	if v, ok := m["expExitCode"]; ok {
		if c.ExpExitCode, err = pyInt(v); err != nil {
			return c, fmt.Errorf("expExitCode: %w", err)
		}
	}
	if v, ok := m["matchCount"]; ok {
		if c.MatchCount, err = pyInt(v); err != nil {
			return c, fmt.Errorf("matchCount: %w", err)
		}
		c.HasCount = true
	}
	if v, ok := m["matchPattern"]; ok {
		// tdc applies str() to the pattern.
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		c.MatchPattern, c.HasPattern = s, true
	}
	if v, ok := m["matchJSON"]; ok {
		if err := json.Unmarshal(v, &c.MatchJSON); err != nil {
			return c, fmt.Errorf("matchJSON: %w", err)
		}
		c.HasJSON = true
	}
	return c, nil
}

// pyInt is Python's int() of a JSON string or number.
func pyInt(v json.RawMessage) (int, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("not an integer: %s", v)
	}
	return n, nil
}

// commands reads a setup or teardown list: strings, or [cmd, codes...].
func commands(v json.RawMessage) ([]Command, error) {
	if len(v) == 0 {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, err
	}
	var out []Command
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, Command{Cmd: s, ExitCodes: []int{0}})
			continue
		}
		var l []json.RawMessage
		if err := json.Unmarshal(it, &l); err != nil || len(l) == 0 {
			return nil, fmt.Errorf("bad command %s", it)
		}
		var cmd Command
		if err := json.Unmarshal(l[0], &cmd.Cmd); err != nil {
			return nil, fmt.Errorf("bad command %s", it)
		}
		for _, x := range l[1:] {
			n, err := pyInt(x)
			if err != nil {
				return nil, err
			}
			cmd.ExitCodes = append(cmd.ExitCodes, n)
		}
		out = append(out, cmd)
	}
	return out, nil
}
