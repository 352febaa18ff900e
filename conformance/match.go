package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// CompilePattern compiles a tdc matchPattern, a Python regular
// expression that tdc compiles with re.DOTALL | re.MULTILINE, as a Go
// regexp with (?sm). The syntaxes differ in a few places, handled here:
// Python's \Z is Go's \z; Python takes a backslash before any character
// that is not a letter or digit as that character, where Go refuses it
// before a space or non-ASCII. What Go's RE2 cannot do at all (look-around,
// back references) is an error.
func CompilePattern(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' || i+1 >= len(p) {
			b.WriteByte(c)
			continue
		}
		n := p[i+1]
		switch {
		case n == 'Z':
			b.WriteString(`\z`)
			i++
		case n >= '1' && n <= '9':
			return nil, fmt.Errorf("pattern %q: back references are Python-only", p)
		case n == ' ' || n >= 0x80:
			// A literal character Python allows to be escaped.
			r, size := utf8.DecodeRuneInString(p[i+1:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += size
		default:
			b.WriteByte(c)
			b.WriteByte(n)
			i++
		}
	}
	re, err := regexp.Compile("(?sm)" + b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	return re, nil
}

// CountMatches is len(re.findall(pattern, s)): the number of
// non-overlapping matches.
func CountMatches(re *regexp.Regexp, s string) int {
	return len(re.FindAllStringIndex(s, -1))
}

// pyJSON decodes JSON keeping numbers as written, so that ints and
// floats stay apart as in Python.
func pyJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("extra data after the JSON value")
	}
	return v, nil
}

// normJSON turns a value decoded without UseNumber into one with
// json.Number, by a round trip.
func normJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	_ = d.Decode(&out)
	return out
}

// pyType is Python's type name of a decoded JSON value.
func pyType(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "dict"
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "int"
	}
	return fmt.Sprintf("%T", v)
}

// pyLen is Python's len(); ok is false where Python raises TypeError.
func pyLen(v any) (int, bool) {
	switch x := v.(type) {
	case map[string]any:
		return len(x), true
	case []any:
		return len(x), true
	case string:
		return utf8.RuneCountInString(x), true
	}
	return 0, false
}

// pyNum is the numeric value of a number or a bool, as Python compares
// them (True == 1).
func pyNum(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// pyEqual is Python's == on decoded JSON values.
func pyEqual(a, b any) bool {
	if x, ok := pyNum(a); ok {
		y, ok := pyNum(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case nil:
		return b == nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// jsonKey is the key tdc's matcher carries down: a dict key, or the
// integer 0 it starts with.
type jsonKey struct {
	s     string
	isInt bool
	i     int
}

// jsonMatch runs tdc.py's verify_by_json and find_in_json: a subset
// match with tdc's own rules, quirks included (a key the output lacks is
// not checked where the value is not a container; an empty list or dict
// in matchJSON must equal the output's value).
type jsonMatch struct {
	failed bool
	msg    string
}

func (m *jsonMatch) fail(format string, a ...any) {
	if !m.failed {
		m.failed, m.msg = true, fmt.Sprintf(format, a...)
	}
}

// VerifyJSON reports whether output matches want as tdc's verify_by_json
// decides, with tdc's message when it does not.
func VerifyJSON(output string, want any) (bool, string) {
	out, err := pyJSON(output)
	if err != nil {
		return false, "Cannot decode verify command's output. Is it JSON?"
	}
	want = normJSON(want)
	if pyType(out) != pyType(want) {
		return false, fmt.Sprintf("Original output and matchJSON value are not the same type: output: %s != matchJSON: %s",
			pyType(out), pyType(want))
	}
	lw, okw := pyLen(want)
	lo, oko := pyLen(out)
	if okw && oko && lw > lo {
		return false, fmt.Sprintf("Your matchJSON value is an array, and it contains more elements than the command under test's output:\ncommand output (length: %d):\n%s\nmatchJSON value (length: %d):\n%s",
			lo, output, lw, jsonText(want))
	}
	var m jsonMatch
	m.find(out, want, jsonKey{isInt: true})
	return !m.failed, m.msg
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (m *jsonMatch) find(out, want any, key jsonKey) {
	if m.failed {
		return
	}
	switch w := want.(type) {
	case []any:
		m.findList(out, w, key)
	case map[string]any:
		m.findDict(out, w)
	default:
		m.findOther(out, want, key)
	}
}

func (m *jsonMatch) findList(out any, want []any, key jsonKey) {
	o, ok := out.([]any)
	if !ok {
		m.fail("Original output and matchJSON value are not the same type: output: %s != matchJSON: %s", jsonText(out), jsonText(want))
		return
	}
	if len(want) > len(o) {
		m.fail("Your matchJSON value is an array, and it contains more elements than the command under test's output:\ncommand output (length: %d):\n%s\nmatchJSON value (length: %d):\n%s",
			len(o), jsonText(o), len(want), jsonText(want))
		return
	}
	for i, w := range want {
		m.find(o[i], w, key)
	}
}

func (m *jsonMatch) findDict(out any, want map[string]any) {
	for k, w := range want {
		o, ok := out.(map[string]any)
		if !ok {
			// tdc raises here (a NameError in its error path).
			m.fail("Original output and matchJSON value are not the same type: output: %s != matchJSON: dict", pyType(out))
			return
		}
		v, ok := o[k]
		if !ok {
			m.fail("Key not found in json output: %s: %s\nMatching against output: %s", k, jsonText(w), jsonText(out))
			return
		}
		switch v.(type) {
		case map[string]any, []any:
			n, ok := pyLen(w)
			if !ok {
				m.fail("TypeError: object of type '%s' has no len() (matchJSON key %s)", pyType(w), k)
				return
			}
			if n > 0 {
				m.find(v, w, jsonKey{s: k})
			} else {
				m.findOther(out, w, jsonKey{s: k})
			}
		default:
			m.find(out, w, jsonKey{s: k})
		}
	}
}

// findOther compares a scalar (or empty container) when the key is in the
// output, Python's `key in output` deciding what "in" means.
func (m *jsonMatch) findOther(out, want any, key jsonKey) {
	var got any
	switch o := out.(type) {
	case map[string]any:
		if key.isInt {
			return // an int is never a key of a JSON object
		}
		v, ok := o[key.s]
		if !ok {
			return
		}
		got = v
	case []any:
		in := false
		for _, x := range o {
			if (key.isInt && pyEqual(x, json.Number(fmt.Sprint(key.i)))) || (!key.isInt && pyEqual(x, key.s)) {
				in = true
			}
		}
		if !in {
			return
		}
		if !key.isInt || key.i >= len(o) {
			m.fail("TypeError: list indices must be integers (matchJSON key %q)", key.s)
			return
		}
		got = o[key.i]
	case string:
		if key.isInt {
			m.fail("TypeError: 'in <string>' requires string as left operand, not int")
			return
		}
		if !strings.Contains(o, key.s) {
			return
		}
		m.fail("TypeError: string indices must be integers (matchJSON key %q)", key.s)
		return
	default:
		m.fail("TypeError: argument of type '%s' is not iterable", pyType(out))
		return
	}
	if !pyEqual(want, got) {
		name := key.s
		if key.isInt {
			name = fmt.Sprint(key.i)
		}
		m.fail("Value doesn't match: %s: %s != %s\nMatching against output: %s", name, jsonText(want), jsonText(got), jsonText(out))
	}
}
