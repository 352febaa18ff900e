package conformance

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCountMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, text string
		want          int
	}{
		{"qdisc bfifo 1: root.*limit [0-9]+b", "qdisc bfifo 1: root refcnt 2 limit 1500000b\n", 1},
		// DOTALL: .* runs across lines, so one greedy match.
		{"qdisc .* limit", "qdisc a limit\nqdisc b limit\n", 1},
		// MULTILINE: ^ and $ at every line.
		{"^qdisc [a-z_]+ 0: parent 1:[1-4]$", "qdisc pfifo_fast 0: parent 1:1\nqdisc pfifo_fast 0: parent 1:2\n", 2},
		{"qdisc [a-zA-Z0-9_]+ 0: parent 1:[1-9,a-f][0-9,a-f]{0,2}", "qdisc pfifo_fast 0: parent 1:ff bands 3\n", 1},
		{"dropped 2", "Sent 0 bytes 0 pkt (dropped 2, overlimits 0 requeues 0)", 1},
		{"dropped [1-9][0-9]*", "dropped 0", 0},
		// Python's \Z, and an escaped space Go would refuse.
		{`limit 1000p\Z`, "limit 1000p", 1},
		{`bands\ 3`, "bands 3 priomap", 1},
		// Non-overlapping, as findall counts.
		{"aa", "aaaa", 2},
		// A { that is no repetition is a literal in both.
		{`"kind":{`, `{"kind":{"a":1}}`, 1},
	} {
		re, err := CompilePattern(c.pattern)
		if err != nil {
			t.Errorf("CompilePattern(%q): %v", c.pattern, err)
			continue
		}
		if got := CountMatches(re, c.text); got != c.want {
			t.Errorf("findall(%q, %q) = %d matches, want %d", c.pattern, c.text, got, c.want)
		}
	}
	if _, err := CompilePattern(`(a)\1`); err == nil {
		t.Error("a back reference compiled; Go cannot match it")
	}
}

func TestVerifyJSON(t *testing.T) {
	qdisc := `[{"kind":"drr","handle":"1:","root":true,"options":{},"bytes":196,"packets":2,
		"stats":{"bytes":196,"packets":2}},{"kind":"pfifo","handle":"2:","options":{"limit":1000}}]`
	for _, c := range []struct {
		name, output, match string
		want                bool
		msg                 string
	}{
		{"subset of the first object", qdisc, `[{"kind":"drr","handle":"1:","bytes":196,"packets":2}]`, true, ""},
		{"float equals int", qdisc, `[{"bytes":196.0}]`, true, ""},
		{"nested dict", qdisc, `[{"stats":{"bytes":196}}]`, true, ""},
		{"value differs", qdisc, `[{"kind":"drr","bytes":98}]`, false, "Value doesn't match: bytes"},
		{"missing key", qdisc, `[{"kind":"drr","ceil":1}]`, false, "Key not found in json output: ceil"},
		// Elements are matched by position.
		{"second element", qdisc, `[{}, {"kind":"pfifo","options":{"limit":1000}}]`, true, ""},
		{"more elements than output", `[{"a":1}]`, `[{"a":1},{"a":1}]`, false, "contains more elements"},
		// matchJSON [] matches any list: tdc checks nothing then.
		{"empty list matches a list", qdisc, `[]`, true, ""},
		{"empty list matches an empty list", `[]`, `[]`, true, ""},
		{"list against object", `{}`, `[]`, false, "not the same type"},
		// An empty container must equal the output's value.
		{"empty dict equal", qdisc, `[{"options":{}}]`, true, ""},
		{"empty dict differs", qdisc, `[{},{"options":{}}]`, false, "Value doesn't match: options"},
		{"not JSON", "qdisc pfifo 1: root", `[]`, false, "Is it JSON?"},
		{"trailing garbage", `[] x`, `[]`, false, "Is it JSON?"},
		// A dict whose value in the output is a scalar is compared
		// against the parent (tdc's recursion), which fails here.
		{"dict against scalar", qdisc, `[{"kind":{"x":1}}]`, false, "Key not found"},
		{"bool is 1", `[{"root":true}]`, `[{"root":1}]`, true, ""},
	} {
		var m any
		if err := json.Unmarshal([]byte(c.match), &m); err != nil {
			t.Fatal(err)
		}
		ok, msg := VerifyJSON(c.output, m)
		if ok != c.want || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: VerifyJSON = %v %q, want %v %q", c.name, ok, msg, c.want, c.msg)
		}
	}
}

func FuzzCompilePattern(f *testing.F) {
	for _, s := range []string{`a\Z`, `\ b`, `[0-9]+`, `(?P<x>a)`, `\`, "\\\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if re, err := CompilePattern(p); err == nil {
			CountMatches(re, "qdisc pfifo 1: root refcnt 2 limit 1000p\n")
		}
	})
}

func FuzzVerifyJSON(f *testing.F) {
	f.Add(`[{"a":1,"b":[1,2],"c":{"d":"e"}}]`, `[{"a":1,"b":[],"c":{"d":"e"}}]`)
	f.Add(`{"a":"xyz"}`, `{"a":{"y":1}}`)
	f.Add(`[1,2,3]`, `[1]`)
	f.Fuzz(func(t *testing.T, out, match string) {
		var m any
		if json.Unmarshal([]byte(match), &m) != nil {
			return
		}
		VerifyJSON(out, m)
	})
}
