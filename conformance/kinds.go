package conformance

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/netsched/netsched/sched"
)

// The kinds Linux has (with those it had before v6.3, which the
// historical tdc files use), so that a case's words and categories can
// be told apart from kinds: a name here that the engine lacks is a
// reason to skip; any other word is just a word.
var (
	linuxQdiscs = set("atm", "bfifo", "blackhole", "cake", "cake_mq", "cbq", "cbs", "choke", "clsact",
		"codel", "drr", "dsmark", "dualpi2", "etf", "ets", "fq", "fq_codel", "fq_pie", "gred", "hfsc",
		"hhf", "htb", "ingress", "mq", "mqprio", "multiq", "netem", "noqueue", "pfifo", "pfifo_fast",
		"pfifo_head_drop", "pie", "plug", "prio", "qfq", "red", "sfb", "sfq", "skbprio", "taprio",
		"tbf", "teql")
	linuxClassifiers = set("basic", "bpf", "cgroup", "flow", "flower", "fw", "matchall", "route",
		"rsvp", "rsvp6", "tcindex", "u32")
	linuxActions = set("bpf", "connmark", "csum", "ct", "ctinfo", "gact", "gate", "ife", "ipt",
		"mirred", "mpls", "nat", "pedit", "police", "sample", "simple", "skbedit", "skbmod",
		"tunnel_key", "vlan", "xt")
	// gactControls are the words tc takes as a gact action on their own
	// (action_a2n).
	gactControls = set("continue", "drop", "shot", "pass", "ok", "reclassify", "pipe", "goto", "jump", "trap")
)

func set(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}

// KindType says which registry a kind name belongs to.
type KindType int

// Kind types.
const (
	QdiscKind KindType = iota
	ClassifierKind
	ActionKind
)

func (t KindType) String() string {
	return [...]string{"qdisc", "classifier", "action"}[t]
}

// KindUse is a kind a case uses.
type KindUse struct {
	Type KindType
	Name string
}

// Registry answers which kinds the engine has.
type Registry struct{ r *sched.Registry }

// NewRegistry wraps the engine's registry.
func NewRegistry(r *sched.Registry) Registry { return Registry{r} }

// Has reports whether the engine has the kind.
func (g Registry) Has(k KindUse) bool {
	switch k.Type {
	case QdiscKind:
		return g.r.Qdisc(k.Name) != nil
	case ClassifierKind:
		return g.r.Classifier(k.Name) != nil
	}
	// Actions arrive with act_api; until the registry can name them,
	// none is there.
	if a, ok := any(g.r).(interface {
		Action(string) *sched.ActionKind
	}); ok {
		return a.Action(k.Name) != nil
	}
	return false
}

// KindsUsed finds the kinds a case's commands name (tc qdisc/class/filter/
// chain/actions words, actions inside filters) and the kinds its
// categories name, given the path of $TC.
func KindsUsed(c *Case, tcPath string, names Names) []KindUse {
	seen := map[KindUse]bool{}
	add := func(t KindType, n string) { seen[KindUse{t, n}] = true }
	for _, cat := range c.Category {
		if linuxQdiscs[cat] {
			add(QdiscKind, cat)
		}
		if linuxClassifiers[cat] {
			add(ClassifierKind, cat)
		}
		if linuxActions[cat] {
			add(ActionKind, cat)
		}
	}
	for _, cmd := range caseCommands(c) {
		for _, argv := range simpleCommands(names.Substitute(cmd), tcPath) {
			for _, k := range tcKinds(argv) {
				add(k.Type, k.Name)
			}
		}
	}
	out := make([]KindUse, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// caseCommands lists every command of a case.
func caseCommands(c *Case) []string {
	var out []string
	for _, s := range c.Setup {
		out = append(out, s.Cmd)
	}
	out = append(out, c.CmdUnderTest, c.VerifyCmd)
	for _, s := range c.Teardown {
		out = append(out, s.Cmd)
	}
	return out
}

// simpleCommands splits a shell command line into the argument vectors
// of its simple commands (at |, ||, &&, ; and &), with quotes removed and
// redirections dropped. A quoted word that itself runs tc (bash -c "...")
// is split too.
func simpleCommands(line, tcPath string) [][]string {
	var out [][]string
	var cur []string
	var word strings.Builder
	inWord, quoted := false, false
	flush := func() {
		if inWord {
			w := word.String()
			cur = append(cur, w)
			if quoted && isTc(firstWord(w), tcPath) {
				out = append(out, simpleCommands(w, tcPath)...)
			}
		}
		word.Reset()
		inWord, quoted = false, false
	}
	end := func() {
		flush()
		if len(cur) > 0 {
			out = append(out, dropRedirections(cur))
		}
		cur = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			word.WriteByte(line[i+1])
			inWord = true
			i++
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord, quoted = true, true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\\\"$`\n", line[i+1]) >= 0 {
					i++
				}
				word.WriteByte(line[i])
			}
			inWord, quoted = true, true
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '&' && inWord && strings.HasSuffix(word.String(), ">"):
			word.WriteByte(c) // 2>&1
		case c == '|' || c == ';' || c == '&':
			end()
			if i+1 < len(line) && (line[i+1] == c) {
				i++
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	return out
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func isTc(w, tcPath string) bool {
	return w != "" && (w == tcPath || filepath.Base(w) == "tc")
}

// dropRedirections removes redirections (>, 2>&1, < file) from argv.
func dropRedirections(argv []string) []string {
	out := argv[:0:0]
	for i := 0; i < len(argv); i++ {
		w := strings.TrimLeft(argv[i], "0123456789")
		if strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") {
			if w == ">" || w == ">>" || w == "<" {
				i++ // the target is the next word
			}
			continue
		}
		out = append(out, argv[i])
	}
	return out
}

// prefixOf is iproute2's matches(): w is a non-empty prefix of full.
func prefixOf(w, full string) bool { return w != "" && strings.HasPrefix(full, w) }

// tcKinds finds the kinds a tc command line names.
func tcKinds(argv []string) []KindUse {
	if len(argv) == 0 || filepath.Base(argv[0]) != "tc" {
		return nil
	}
	args := argv[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch o := args[0]; {
		case prefixOf(o, "-batch"):
			return nil // the commands are in a file
		case prefixOf(o, "-netns"), prefixOf(o, "-conf"), o == "-cf", prefixOf(o, "-rcvbuf"):
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) < 2 {
		return nil
	}
	obj, verb, rest := args[0], args[1], args[2:]
	modify := prefixOf(verb, "add") || prefixOf(verb, "change") || prefixOf(verb, "replace") ||
		prefixOf(verb, "link") || prefixOf(verb, "delete") || prefixOf(verb, "get")
	var out []KindUse
	switch {
	case prefixOf(obj, "qdisc"):
		if modify {
			if k := objectKind(rest, qdiscWords, QdiscKind); k != nil {
				out = append(out, *k)
			}
		}
	case prefixOf(obj, "class"):
		if modify {
			if k := objectKind(rest, classWords, QdiscKind); k != nil {
				out = append(out, *k)
			}
		}
	case prefixOf(obj, "filter"), prefixOf(obj, "chain"):
		if modify {
			if k := objectKind(rest, filterWords, ClassifierKind); k != nil {
				out = append(out, *k)
			}
		}
		out = append(out, actionKinds(rest)...)
	case prefixOf(obj, "actions"):
		out = append(out, actionKinds(rest)...)
	}
	return out
}

// Words of tc's object commands that come before the kind, with how many
// values each takes.
var (
	qdiscWords = map[string]int{"dev": 1, "handle": 1, "root": 0, "parent": 1, "estimator": 2,
		"ingress_block": 1, "egress_block": 1}
	classWords  = map[string]int{"dev": 1, "classid": 1, "handle": 1, "root": 0, "parent": 1, "estimator": 2}
	filterWords = map[string]int{"dev": 1, "root": 0, "ingress": 0, "egress": 0, "parent": 1, "handle": 1,
		"protocol": 1, "proto": 1, "preference": 1, "pref": 1, "priority": 1, "prio": 1, "chain": 1,
		"estimator": 2, "block": 1}
	stabWords = map[string]bool{"mtu": true, "tsize": true, "mpu": true, "linklayer": true, "overhead": true}
)

// objectKind finds the kind word of a qdisc, class or filter command: the
// first word that is not one of the object's own.
func objectKind(args []string, words map[string]int, t KindType) *KindUse {
	for i := 0; i < len(args); i++ {
		w := args[i]
		if t == QdiscKind && (w == "ingress" || w == "clsact") {
			return &KindUse{QdiscKind, w}
		}
		if t == QdiscKind && prefixOf(w, "stab") {
			for i+2 < len(args) && stabWords[args[i+1]] {
				i += 2
			}
			continue
		}
		if n, ok := words[w]; ok {
			i += n
			continue
		}
		if known(t, w) {
			return &KindUse{t, w}
		}
		return nil
	}
	return nil
}

func known(t KindType, w string) bool {
	switch t {
	case QdiscKind:
		return linuxQdiscs[w]
	case ClassifierKind:
		return linuxClassifiers[w]
	}
	return linuxActions[w]
}

// actionKinds finds the actions a command names: the word after each
// "action", a control word standing for gact, and old-style "police".
func actionKinds(args []string) []KindUse {
	var out []KindUse
	for i, w := range args {
		switch {
		case (w == "action" || w == "actions") && i+1 < len(args):
			n := args[i+1]
			if gactControls[n] {
				out = append(out, KindUse{ActionKind, "gact"})
			} else if linuxActions[n] {
				out = append(out, KindUse{ActionKind, n})
			}
		case w == "police":
			out = append(out, KindUse{ActionKind, "police"})
		}
	}
	return out
}
