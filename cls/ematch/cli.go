package ematch

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// The tc face of ematch trees (m_ematch.c and em_*.c): `match EXPR` where
// EXPR := TERM [ { and | or } EXPR ], TERM := [ not ] KIND( ARGS ) |
// ( EXPR ). Words may carry their parentheses ('cmp(u8 at 0 ...)').

// token splits the remaining words into tokens: words, "(" and ")".
type lexer struct {
	a    *tc.Args
	toks []string
}

func (l *lexer) fill() {
	for len(l.toks) == 0 && l.a.More() {
		w := l.a.Next()
		cur := ""
		for _, c := range w {
			if c == ' ' || c == '\t' {
				if cur != "" {
					l.toks = append(l.toks, cur)
					cur = ""
				}
				continue
			}
			if c == '(' || c == ')' {
				if cur != "" {
					l.toks = append(l.toks, cur)
					cur = ""
				}
				l.toks = append(l.toks, string(c))
				continue
			}
			cur += string(c)
		}
		if cur != "" {
			l.toks = append(l.toks, cur)
		}
	}
}

func (l *lexer) peek() string {
	l.fill()
	if len(l.toks) == 0 {
		return ""
	}
	return l.toks[0]
}

func (l *lexer) next() string {
	t := l.peek()
	if len(l.toks) > 0 {
		l.toks = l.toks[1:]
	}
	return t
}

// node of the parsed expression: a list of terms joined by relations.
type term struct {
	invert bool
	kind   uint16
	data   []byte
	sub    []term // a parenthesised expression
	rel    uint16
}

// ParseTree reads an ematch expression (the word `match` taken) and writes
// the tree as attribute typ.
func ParseTree(a *tc.Args, typ uint16, b *nl.Builder) error {
	l := &lexer{a: a}
	seq, err := parseExpr(l, 0)
	if err != nil {
		return err
	}
	if len(l.toks) > 0 {
		return tc.Usagef("Illegal \"ematch\"")
	}
	// Flatten: the top sequence first, then each container's sequence,
	// as the kernel's list wants (a container refers forward).
	var list []term
	var place func(seq []term) int
	place = func(seq []term) int {
		start := len(list)
		list = append(list, seq...)
		for i := range seq {
			if seq[i].sub != nil {
				ref := place(seq[i].sub)
				var d [4]byte
				binary.NativeEndian.PutUint32(d[:], uint32(ref))
				list[start+i].data = d[:]
			}
		}
		return start
	}
	place(seq)
	b.Nest(typ)
	var h [4]byte
	binary.NativeEndian.PutUint16(h[:], uint16(len(list)))
	b.Put(TCA_EMATCH_TREE_HDR, h[:])
	b.Nest(TCA_EMATCH_TREE_LIST)
	for i, t := range list {
		var eh [hdrLen]byte
		flags := t.rel
		if t.invert {
			flags |= Invert
		}
		binary.NativeEndian.PutUint16(eh[2:], t.kind)
		binary.NativeEndian.PutUint16(eh[4:], flags)
		b.Put(uint16(i+1), append(eh[:], t.data...))
	}
	b.EndNest()
	b.EndNest()
	return nil
}

func parseExpr(l *lexer, depth int) ([]term, error) {
	var seq []term
	for {
		t, err := parseTerm(l, depth)
		if err != nil {
			return nil, err
		}
		// Look at the next word without taking it: the expression
		// ends at the first word that is not a connector.
		nx := l.a.Peek()
		if len(l.toks) > 0 {
			nx = l.toks[0]
		}
		switch strings.ToLower(nx) {
		case "and", "&&":
			l.next()
			t.rel = RelAnd
			seq = append(seq, t)
		case "or", "||":
			l.next()
			t.rel = RelOr
			seq = append(seq, t)
		default:
			return append(seq, t), nil
		}
	}
}

func parseTerm(l *lexer, depth int) (term, error) {
	var t term
	w := l.next()
	if strings.EqualFold(w, "not") || w == "!" {
		t, err := parseTerm(l, depth)
		t.invert = !t.invert
		return t, err
	}
	if w == "(" {
		sub, err := parseExpr(l, depth+1)
		if err != nil {
			return t, err
		}
		if l.next() != ")" {
			return t, tc.Usagef("Illegal \"ematch\"")
		}
		t.sub = sub
		return t, nil
	}
	k := kindByName[w]
	if k == nil {
		if w == "" {
			return t, tc.Usagef("Illegal \"ematch\"")
		}
		return t, tc.Usagef("Unknown ematch \"%s\"\nIllegal \"ematch\"", w)
	}
	if l.next() != "(" {
		return t, tc.Usagef("Illegal \"ematch\"")
	}
	var args []string
	for {
		x := l.next()
		if x == ")" {
			break
		}
		if x == "" || x == "(" {
			return t, tc.Usagef("Illegal \"ematch\"")
		}
		args = append(args, x)
	}
	data, err := k.parse(args)
	if err != nil {
		return t, tc.Usagef("%s\nIllegal \"ematch\"", err.Error())
	}
	t.kind, t.data = k.id, data
	return t, nil
}

// kindFace is one ematch kind's words (struct ematch_util).
type kindFace struct {
	id    uint16
	name  string
	parse func(args []string) ([]byte, error)
	print func(d []byte) string
}

var kindByName = map[string]*kindFace{}
var kindByID = map[uint16]*kindFace{}

func init() {
	for _, k := range []*kindFace{
		{id: KindCmp, name: "cmp", parse: parseCmp, print: printCmp},
		{id: KindNbyte, name: "nbyte", parse: parseNbyte, print: printNbyte},
		{id: KindU32, name: "u32", parse: parseU32, print: printU32},
		{id: KindMeta, name: "meta", parse: parseMeta, print: printMeta},
		{id: KindCanID, name: "canid", parse: parseCanID, print: printCanID},
		{id: KindIPSet, name: "ipset", parse: func([]string) ([]byte, error) {
			return nil, fmt.Errorf("ipset: no set support here")
		}},
	} {
		kindByName[k.name] = k
		kindByID[k.id] = k
	}
}

// PrintTree prints a dumped tree as print_ematch does.
func PrintTree(p *tc.Printer, opt []byte) {
	tb := nl.Parse(opt, 2)
	h := tb.Get(TCA_EMATCH_TREE_HDR)
	if h == nil || len(h.Data) < 4 {
		return
	}
	n := int(binary.NativeEndian.Uint16(h.Data))
	if n == 0 {
		// An empty tree (a filter made without ematches) prints nothing.
		return
	}
	items := make([][]byte, n+1)
	if l := tb.Get(TCA_EMATCH_TREE_LIST); l != nil {
		nl.Walk(l.Data, func(a nl.Attr) bool {
			if int(a.Type) <= n && a.Type > 0 {
				items[a.Type] = a.Data
			}
			return true
		})
	}
	var sb strings.Builder
	sb.WriteString("\n  ")
	printSeq(&sb, items, 1, 1)
	p.Fprintf("%s", sb.String())
}

func printSeq(sb *strings.Builder, items [][]byte, i, prefix int) bool {
	for ; ; i++ {
		if i >= len(items) || len(items[i]) < hdrLen {
			return false
		}
		it := items[i]
		kind := binary.NativeEndian.Uint16(it[2:])
		flags := binary.NativeEndian.Uint16(it[4:])
		data := it[hdrLen:]
		if flags&Invert != 0 {
			sb.WriteString("NOT ")
		}
		if kind == KindContainer {
			if len(data) < 4 {
				return false
			}
			sb.WriteString("(\n")
			sb.WriteString(strings.Repeat("  ", prefix+1))
			if !printSeq(sb, items, int(binary.NativeEndian.Uint32(data))+1, prefix+1) {
				return false
			}
			sb.WriteString(strings.Repeat("  ", prefix))
			sb.WriteString(") ")
		} else {
			k := kindByID[kind]
			if k == nil || k.print == nil {
				fmt.Fprintf(sb, "[unknown ematch %d]\n", kind)
			} else {
				sb.WriteString(k.name + "(" + k.print(data) + ")\n")
			}
			if flags&relMask != 0 {
				sb.WriteString(strings.Repeat("  ", prefix))
			}
		}
		switch flags & relMask {
		case RelAnd:
			sb.WriteString("AND ")
		case RelOr:
			sb.WriteString("OR ")
		default:
			return true
		}
	}
}
