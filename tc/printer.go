package tc

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Mode says where a value goes: text output, JSON output, or both, as
// iproute2's PRINT_FP, PRINT_JSON and PRINT_ANY.
type Mode uint8

// Output modes.
const (
	Text Mode = 1 << iota
	JSON
	Any = Text | JSON
)

// Printer writes tc's output in text or JSON, with the shapes of iproute2's
// json_print and json_writer: in JSON mode only JSON-mode values print, keyed;
// in text mode only text-mode values print, through their format. Formats are
// Go fmt formats taking the value as their one argument; a format without a
// verb prints as it is (print_bool(PRINT_ANY, "root", "root ", true) prints
// "root ").
type Printer struct {
	out    bytes.Buffer
	json   bool
	pretty bool
	// json_writer state
	depth int
	sep   byte
	// Oneline replaces the newline of NL with "\\" as tc -oneline does.
	Oneline bool
	// Actions prints the action lists of filters; nil when none are known.
	Actions ActionSyntax
	// Links names devices for kinds that print one (mirred); nil when the
	// front end knows none.
	Links LinkNames

	// The output options a kind's printer may look at (iproute2's
	// globals): -iec, -details, -statistics, -raw.
	IEC, Details, Stats, Raw bool
}

// NewPrinter returns a printer for text (json false) or JSON output.
func NewPrinter(json, pretty bool) *Printer { return &Printer{json: json, pretty: pretty} }

// IsJSON reports whether the printer writes JSON (is_json_context).
func (p *Printer) IsJSON() bool { return p.json }

// Bytes returns what was printed.
func (p *Printer) Bytes() []byte { return p.out.Bytes() }

// Flush writes what was printed so far to w and forgets it, keeping the
// JSON writer's state (fflush of stdout between objects).
func (p *Printer) Flush(w io.Writer) error {
	_, err := w.Write(p.out.Bytes())
	p.out.Reset()
	return err
}

// Reset forgets what was printed.
func (p *Printer) Reset() { p.out.Reset(); p.depth = 0; p.sep = 0 }

// hasVerb reports whether a format consumes an argument.
func hasVerb(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] == '%' {
			if i+1 < len(format) && format[i+1] == '%' {
				i++
				continue
			}
			return true
		}
	}
	return false
}

func (p *Printer) textf(format string, v any) {
	if hasVerb(format) {
		fmt.Fprintf(&p.out, format, v)
	} else {
		p.out.WriteString(strings.ReplaceAll(format, "%%", "%"))
	}
}

// Printf writes text output only (fprintf to stdout in iproute2).
func (p *Printer) Printf(format string, args ...any) {
	if !p.json {
		fmt.Fprintf(&p.out, format, args...)
	}
}

// Fprintf writes in every mode, as the fprintf(f, ...) of iproute2's
// older printers does even under -j (their text lands inside the JSON).
func (p *Printer) Fprintf(format string, args ...any) {
	fmt.Fprintf(&p.out, format, args...)
}

// Text writes text output only, as it is.
func (p *Printer) Text(s string) {
	if !p.json {
		p.out.WriteString(s)
	}
}

// NL ends a text line (print_nl).
func (p *Printer) NL() {
	if p.json {
		return
	}
	if p.Oneline {
		p.out.WriteString("\\")
	} else {
		p.out.WriteByte('\n')
	}
}

// SL is iproute2's _SL_: the line separator of -oneline mode.
func (p *Printer) SL() string {
	if p.Oneline {
		return "\\"
	}
	return "\n"
}

func (p *Printer) eol() {
	if !p.pretty {
		return
	}
	p.out.WriteByte('\n')
	for i := 0; i < p.depth; i++ {
		p.out.WriteString("    ")
	}
}

func (p *Printer) eor() {
	if p.sep != 0 {
		p.out.WriteByte(p.sep)
	}
	p.sep = ','
}

func (p *Printer) name(key string) {
	p.eor()
	p.eol()
	p.sep = 0
	p.quote(key)
	p.out.WriteByte(':')
	if p.pretty {
		p.out.WriteByte(' ')
	}
}

func (p *Printer) begin(c byte) {
	p.eor()
	p.out.WriteByte(c)
	p.depth++
	p.sep = 0
}

func (p *Printer) end(c byte) {
	p.depth--
	if p.sep != 0 {
		p.eol()
	}
	p.out.WriteByte(c)
	p.sep = ','
}

// quote writes a JSON string as json_writer's jsonw_puts escapes it.
func (p *Printer) quote(s string) {
	p.out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			p.out.WriteString(`\t`)
		case '\n':
			p.out.WriteString(`\n`)
		case '\r':
			p.out.WriteString(`\r`)
		case '\f':
			p.out.WriteString(`\f`)
		case '\b':
			p.out.WriteString(`\b`)
		case '\\':
			p.out.WriteString(`\\`)
		case '"':
			p.out.WriteString(`\"`)
		default:
			p.out.WriteByte(c)
		}
	}
	p.out.WriteByte('"')
}

// field starts a JSON value: keyed inside an object, bare inside an array.
func (p *Printer) field(key string) {
	if key != "" {
		p.name(key)
	}
	p.eor()
}

// String prints a string value.
func (p *Printer) String(m Mode, key, format, v string) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.quote(v)
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, v)
	}
}

// Uint prints an unsigned value.
func (p *Printer) Uint(m Mode, key, format string, v uint64) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString(strconv.FormatUint(v, 10))
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, v)
	}
}

// Int prints a signed value.
func (p *Printer) Int(m Mode, key, format string, v int64) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString(strconv.FormatInt(v, 10))
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, v)
	}
}

// Float prints a floating-point value (JSON as %g, like jsonw_float).
func (p *Printer) Float(m Mode, key, format string, v float64) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString(FormatG(v, 6))
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, v)
	}
}

// Bool prints a boolean ("true"/"false" through format in text).
func (p *Printer) Bool(m Mode, key, format string, v bool) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString(strconv.FormatBool(v))
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, strconv.FormatBool(v))
	}
}

// Null prints a JSON null, or the text through format.
func (p *Printer) Null(m Mode, key, format, text string) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString("null")
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, text)
	}
}

// Hex prints a value as print_0xhex: in JSON the string "0x2a" (%#x), in
// text through format.
func (p *Printer) Hex(m Mode, key, format string, v uint64) {
	if p.json {
		if m&JSON != 0 {
			s := "0"
			if v != 0 {
				s = "0x" + strconv.FormatUint(v, 16)
			}
			p.field(key)
			p.quote(s)
		}
		return
	}
	if m&Text != 0 {
		p.textf(format, v)
	}
}

// Rate prints a rate in bytes per second: in JSON the number, in text the
// string of RateString through format (tc_print_rate).
func (p *Printer) Rate(m Mode, key, format string, rate uint64) {
	if p.json {
		p.Uint(m, key, "", rate)
		return
	}
	p.String(m, key, format, RateString(rate, p.IEC))
}

// Size prints a size in bytes: in JSON the number, in text SizeString
// through format (print_size).
func (p *Printer) Size(m Mode, key, format string, sz uint32) {
	if p.json {
		p.Uint(m, key, "", uint64(sz))
		return
	}
	p.String(m, key, format, SizeString(sz))
}

// OpenObject starts a JSON object, keyed when key is not empty (JSON only).
func (p *Printer) OpenObject(key string) {
	if !p.json {
		return
	}
	if key != "" {
		p.name(key)
	}
	p.begin('{')
}

// CloseObject ends a JSON object.
func (p *Printer) CloseObject() {
	if p.json {
		p.end('}')
	}
}

// OpenArray starts a JSON array (JSON only); in text mode it prints the
// text format when m includes Text, as open_json_array does.
func (p *Printer) OpenArray(m Mode, key, format string) {
	if !p.json {
		if m&Text != 0 {
			p.out.WriteString(format)
		}
		return
	}
	if m&JSON == 0 {
		return
	}
	if key != "" {
		p.name(key)
	}
	p.begin('[')
	if p.pretty {
		p.out.WriteByte(' ')
	}
}

// CloseArray ends a JSON array; in text mode prints format.
func (p *Printer) CloseArray(m Mode, format string) {
	if !p.json {
		if m&Text != 0 {
			p.out.WriteString(format)
		}
		return
	}
	if m&JSON == 0 {
		return
	}
	if p.pretty && p.sep != 0 {
		p.out.WriteByte(' ')
	}
	p.sep = 0
	p.end(']')
}

// StartDocument opens the outer JSON array of a listing (new_json_obj).
func (p *Printer) StartDocument() {
	if p.json {
		p.begin('[')
		if p.pretty {
			p.out.WriteByte(' ')
		}
	}
}

// EndDocument closes the outer array and ends the line (delete_json_obj).
func (p *Printer) EndDocument() {
	if p.json {
		p.CloseArray(JSON, "")
		p.out.WriteByte('\n')
	}
}
