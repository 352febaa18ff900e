package sim

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/netsched/netsched/tc"
)

// Scenario is a scenario file as written (sim/README.md documents every
// field). Durations, rates and sizes are strings in tc's units ("10ms",
// "20mbit", "64kb") so that a scenario reads like the tc commands in it.
type Scenario struct {
	Name     string        `yaml:"name"`
	Seed     uint64        `yaml:"seed"`
	Duration string        `yaml:"duration"`
	Warmup   string        `yaml:"warmup"`
	Sample   string        `yaml:"sample"`
	Routing  string        `yaml:"routing"` // "auto" (default) or "manual"
	Hosts    []HostSpec    `yaml:"hosts"`
	Links    []LinkSpec    `yaml:"links"`
	Traffic  []TrafficSpec `yaml:"traffic"`

	// dir is the scenario file's folder: relative paths (pcap files, tc
	// batch files) are read from there.
	dir string
}

// HostSpec is one host, router or switchless box: a network namespace.
type HostSpec struct {
	Name string `yaml:"name"`
	// Forward makes the host route packets between its devices; nil
	// means true for a host with two devices or more.
	Forward *bool `yaml:"forward"`
	// Local are extra prefixes the host answers for (an "anyip" route:
	// a whole access network behind one host).
	Local  []string    `yaml:"local"`
	Routes []RouteSpec `yaml:"routes"`
	// TC are tc commands run in the host's namespace (full commands,
	// "qdisc add dev eth0 root ...").
	TC TCBlock `yaml:"tc"`
}

// RouteSpec is a static route: a prefix (or "default") out of a device.
type RouteSpec struct {
	To  string `yaml:"to"`
	Dev string `yaml:"dev"`
}

// LinkSpec is a point-to-point cable between two devices; its parameters
// apply to both directions unless Reverse overrides them for b to a.
type LinkSpec struct {
	A          EndSpec `yaml:"a"`
	B          EndSpec `yaml:"b"`
	LinkParams `yaml:",inline"`
	Reverse    *LinkParams `yaml:"reverse"`
}

// LinkParams are the parameters of one direction of a link.
type LinkParams struct {
	Rate     string `yaml:"rate"`     // bits per second, tc syntax; "" is 1gbit
	Delay    string `yaml:"delay"`    // propagation delay
	Jitter   string `yaml:"jitter"`   // uniform in ±jitter, order kept
	Loss     string `yaml:"loss"`     // "0.1%" or "0.001"
	Overhead *int   `yaml:"overhead"` // bytes added per frame on the wire
}

// EndSpec is one end of a link: a device of a host. In a file it is
// either "host:dev" (or just "host") or a mapping with the fields below.
type EndSpec struct {
	Host       string   `yaml:"host"`
	Dev        string   `yaml:"dev"`
	Addr       []string `yaml:"addr"`
	MTU        uint32   `yaml:"mtu"`
	Queues     int      `yaml:"queues"`
	TxQueueLen *uint32  `yaml:"txqueuelen"`
	// TC are tc commands for this device, without "dev NAME"
	// ("qdisc add root handle 1: htb default 10").
	TC TCBlock `yaml:"tc"`
}

// UnmarshalYAML takes "host:dev", "host" or a mapping.
func (e *EndSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		host, dev, _ := strings.Cut(n.Value, ":")
		*e = EndSpec{Host: host, Dev: dev}
		return nil
	}
	type plain EndSpec
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = EndSpec(p)
	return nil
}

// TCLine is tc commands: a block of lines (a YAML literal block, "|"),
// one line, or {batch: FILE} naming a file in tc -batch syntax. In a
// line, "#" starts a comment and " || " separates a fallback that runs
// when the command fails (a scenario that prefers a kind this build may
// lack). A block that holds "{{" is a Go text/template first, with seq,
// add, sub, mul, div, mod, hex and ip ("{{ip "10.1.0.1" $i}}"), to write
// thousands of classes and filters in a few lines.
type TCLine struct {
	Text  string
	Batch string `yaml:"batch"`
	line  int
}

// UnmarshalYAML takes a string or a {batch: FILE} mapping.
func (l *TCLine) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = TCLine{Text: n.Value, line: n.Line}
		return nil
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value != "batch" &&
		n.Content[1].Kind == yaml.ScalarNode {
		// "- qdisc add root handle 1: htb" in a list is a mapping to
		// YAML: the colon and space after a handle. Read it back as the
		// line it was.
		*l = TCLine{Text: n.Content[0].Value + ": " + n.Content[1].Value, line: n.Line}
		return nil
	}
	type plain TCLine
	var p plain
	if err := n.Decode(&p); err != nil {
		return fmt.Errorf("line %d: a tc entry is a command, a block of commands or {batch: FILE} "+
			"(quote a command with two \": \" in it, or use a block: \"tc: |\")", n.Line)
	}
	*l = TCLine(p)
	l.line = n.Line
	return nil
}

// TCBlock is a host's or device's tc commands: one block string or a
// list of TCLine.
type TCBlock []TCLine

// UnmarshalYAML takes a string or a sequence.
func (b *TCBlock) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*b = TCBlock{{Text: n.Value, line: n.Line}}
		return nil
	}
	var ls []TCLine
	if err := n.Decode(&ls); err != nil {
		return err
	}
	*b = ls
	return nil
}

// TrafficSpec is one traffic source (Count flows of it).
type TrafficSpec struct {
	Name  string `yaml:"name"`
	Type  string `yaml:"type"` // tcp, cbr, poisson, onoff, reqresp, pcap
	From  string `yaml:"from"` // host name
	To    string `yaml:"to"`   // host name or address
	Count int    `yaml:"count"`
	// Vary says what differs between the Count flows: "sport" (default),
	// "dport" or "dst" (the destination address counts up).
	Vary   string `yaml:"vary"`
	Family string `yaml:"family"` // "ipv4" (default) or "ipv6" when To is a host
	Start  string `yaml:"start"`
	Stop   string `yaml:"stop"`
	SPort  uint16 `yaml:"sport"`
	DPort  uint16 `yaml:"dport"`
	TOS    *uint8 `yaml:"tos"`
	// Priority is SO_PRIORITY: a number or a tc class id ("1:10").
	Priority string `yaml:"priority"`
	Mark     uint32 `yaml:"mark"` // SO_MARK

	// UDP sources.
	Rate string `yaml:"rate"` // frame bits per second
	Size string `yaml:"size"` // frame bytes (Ethernet header included)
	On   string `yaml:"on"`   // onoff: mean on time
	Off  string `yaml:"off"`  // onoff: mean off time
	Dist string `yaml:"dist"` // onoff: "exp" (default) or "const"

	// Request/response.
	Request  string `yaml:"request"`  // request bytes (UDP payload)
	Response string `yaml:"response"` // response bytes (UDP payload, split by MTU)
	Interval string `yaml:"interval"` // time between requests
	Poisson  bool   `yaml:"poisson"`  // exponential gaps of mean Interval
	Timeout  string `yaml:"timeout"`  // a transaction not answered by then failed

	// TCP.
	CC     string `yaml:"cc"`     // reno (default) or cubic
	ECN    bool   `yaml:"ecn"`    // ECT(0) on data, react to CE via ECE
	Bytes  string `yaml:"bytes"`  // bytes to send; "" is unlimited
	MSS    int    `yaml:"mss"`    // default: MTU minus headers
	RWnd   string `yaml:"rwnd"`   // receive window (default 16mb)
	DelAck *bool  `yaml:"delack"` // delayed ACKs (default on)
	SACK   *bool  `yaml:"sack"`   // selective acknowledgements (default on, as Linux)
	MinRTO string `yaml:"minrto"` // default 200ms, as Linux

	// Pcap replay.
	File    string  `yaml:"file"`
	Loop    bool    `yaml:"loop"`
	Speed   float64 `yaml:"speed"`   // time scale (2: twice as fast)
	Rewrite *bool   `yaml:"rewrite"` // set IP addresses to From/To (default true)
}

// Load reads a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.dir = filepath.Dir(path)
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return s, nil
}

// Parse reads a scenario from YAML. Unknown fields are errors: a typo
// must not silently fall back to a default.
func Parse(b []byte) (*Scenario, error) {
	var s Scenario
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&s); err != nil {
		return nil, err
	}
	s.dir = "."
	return &s, nil
}

// parseDur reads a tc time ("10ms", "1.5s", "200us"); a unit is required
// and "" gives def.
func parseDur(field, s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	if _, n := tc.Strtod(s); n == len(s) && s != "0" {
		return 0, fmt.Errorf("%s %q: give a unit (s, ms, us, ns)", field, s)
	}
	v, err := tc.ParseTime64(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s: bad time %q", field, s)
	}
	return v, nil
}

// parseRate reads a tc rate ("20mbit") into bits per second.
func parseRate(field, s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	v, err := tc.ParseRate64(s)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%s: bad rate %q", field, s)
	}
	return v * 8, nil
}

// parseSize reads a tc size ("1500", "64kb", "10mb").
func parseSize(field, s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	v, err := tc.ParseSize64(s)
	if err != nil {
		return 0, fmt.Errorf("%s: bad size %q", field, s)
	}
	return v, nil
}

// parseLoss reads "0.1%" or a probability "0.001".
func parseLoss(field, s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("%s: bad loss %q", field, s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%s: loss %q out of range", field, s)
	}
	return v, nil
}

// parsePriority reads SO_PRIORITY: a number or a class id "1:10".
func parsePriority(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	if strings.Contains(s, ":") {
		h, err := tc.ParseClassID(s)
		return uint32(h), err
	}
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err
}

// tcFuncs are the functions of tc templates.
var tcFuncs = template.FuncMap{
	"seq": func(from, to int) []int {
		var out []int
		for i := from; i <= to && len(out) < 1_000_000; i++ {
			out = append(out, i)
		}
		return out
	},
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	"mul": func(a, b int) int { return a * b },
	"div": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a / b
	},
	"mod": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a % b
	},
	"hex": func(a int) string { return strconv.FormatInt(int64(a), 16) },
	"ip": func(base string, off int) (string, error) {
		a, err := netip.ParseAddr(base)
		if err != nil {
			return "", err
		}
		if off < 0 {
			return "", fmt.Errorf("ip: negative offset %d", off)
		}
		return addrAdd(a, off).String(), nil
	},
}

// tcCommand is one tc command line, with its fallback.
type tcCommand struct {
	cmd      string
	fallback string
	hasElse  bool
}

// expand turns tc entries into command lines; dev, when set, is put
// after the verb of each command that names no device.
func (s *Scenario) expand(lines TCBlock, dev string) ([]tcCommand, error) {
	var out []tcCommand
	for _, l := range lines {
		text := l.Text
		if l.Batch != "" {
			b, err := os.ReadFile(filepath.Join(s.dir, l.Batch))
			if err != nil {
				return nil, err
			}
			text = string(b)
		}
		if strings.Contains(text, "{{") {
			t, err := template.New("tc").Funcs(tcFuncs).Option("missingkey=error").Parse(text)
			if err != nil {
				return nil, fmt.Errorf("tc template (line %d): %w", l.line, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, nil); err != nil {
				return nil, fmt.Errorf("tc template (line %d): %w", l.line, err)
			}
			text = buf.String()
		}
		for _, ln := range strings.Split(text, "\n") {
			if i := strings.IndexByte(ln, '#'); i >= 0 {
				ln = ln[:i]
			}
			if strings.TrimSpace(ln) == "" {
				continue
			}
			cmd, alt, ok := strings.Cut(ln, " || ")
			c := tcCommand{cmd: withDev(cmd, dev)}
			if ok {
				c.fallback, c.hasElse = withDev(alt, dev), true
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// withDev strips a leading "tc" and inserts "dev NAME" after the verb
// when dev is set and the command names none.
func withDev(cmd, dev string) string {
	w := strings.Fields(cmd)
	if len(w) > 0 && w[0] == "tc" {
		w = w[1:]
	}
	if dev == "" || len(w) < 2 {
		return strings.Join(w, " ")
	}
	for _, x := range w {
		if x == "dev" {
			return strings.Join(w, " ")
		}
	}
	out := append([]string{w[0], w[1], "dev", dev}, w[2:]...)
	return strings.Join(out, " ")
}

// addrAdd returns a plus off (off >= 0; within its family, wrapping).
func addrAdd(a netip.Addr, off int) netip.Addr {
	b := a.AsSlice()
	carry := uint64(off)
	for i := len(b) - 1; i >= 0 && carry != 0; i-- {
		v := uint64(b[i]) + carry
		b[i] = byte(v)
		carry = v >> 8
	}
	r, _ := netip.AddrFromSlice(b)
	return r
}
