package tc

import (
	"bytes"
	"fmt"
	"strconv"
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
// Go fmt formats.
type Printer struct {
	out    bytes.Buffer
	json   bool
	pretty bool
	// json_writer state
	depth int
	sep   byte
	// Oneline replaces the newline of NL with "\\" as tc -oneline does.
	Oneline bool
}

// NewPrinter returns a printer for text (json false) or JSON output.
func NewPrinter(json, pretty bool) *Printer { return &Printer{json: json, pretty: pretty} }

// IsJSON reports whether the printer writes JSON.
func (p *Printer) IsJSON() bool { return p.json }

// Bytes returns what was printed.
func (p *Printer) Bytes() []byte { return p.out.Bytes() }

// Reset forgets what was printed.
func (p *Printer) Reset() { p.out.Reset(); p.depth = 0; p.sep = 0 }

// Printf writes text output only (fprintf to stdout in iproute2).
func (p *Printer) Printf(format string, args ...any) {
	if !p.json {
		fmt.Fprintf(&p.out, format, args...)
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
	} else {
		p.eor()
	}
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
		fmt.Fprintf(&p.out, format, v)
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
		fmt.Fprintf(&p.out, format, v)
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
		fmt.Fprintf(&p.out, format, v)
	}
}

// Float prints a floating-point value (JSON as %g, like jsonw_float).
func (p *Printer) Float(m Mode, key, format string, v float64) {
	if p.json {
		if m&JSON != 0 {
			p.field(key)
			p.out.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		return
	}
	if m&Text != 0 {
		fmt.Fprintf(&p.out, format, v)
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
		fmt.Fprintf(&p.out, format, strconv.FormatBool(v))
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
		fmt.Fprintf(&p.out, format, text)
	}
}

// OpenObject starts a JSON object, keyed when key is not empty (JSON only).
func (p *Printer) OpenObject(key string) {
	if !p.json {
		return
	}
	if key != "" {
		p.name(key)
		p.sep = 0
		p.out.WriteByte('{')
		p.depth++
		return
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
// text through format when m includes Text, as open_json_array does.
func (p *Printer) OpenArray(m Mode, key, format string) {
	if !p.json {
		if m&Text != 0 && format != "" {
			p.out.WriteString(format)
		}
		return
	}
	if key != "" {
		p.name(key)
		p.sep = 0
		p.out.WriteByte('[')
		p.depth++
		return
	}
	p.begin('[')
}

// CloseArray ends a JSON array; in text mode prints format.
func (p *Printer) CloseArray(m Mode, format string) {
	if !p.json {
		if m&Text != 0 && format != "" {
			p.out.WriteString(format)
		}
		return
	}
	p.end(']')
}
