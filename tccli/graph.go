package tccli

import (
	"strings"

	"github.com/netsched/netsched/tc"
)

// The class tree of `tc -g class show`. iproute2 draws it from hlists whose
// order, and the sibling and "right" pointers it leaves behind, shape the
// drawing; the nodes here keep the same links so that the drawing is the
// same, quirks included.

type gnode struct {
	id, parent tc.Handle
	data       []byte
	next       *gnode // hlist successor in the list the node is in
	parentNode *gnode
	rightNode  *gnode
	count      int
}

type glist struct{ first *gnode }

func (l *glist) addHead(n *gnode) { n.next = l.first; l.first = n }

func (l *glist) del(n *gnode) {
	for pp := &l.first; *pp != nil; pp = &(*pp).next {
		if *pp == n {
			*pp = n.next
			n.next = nil
			return
		}
	}
}

type graph struct {
	root glist // classes whose parent is root
	cls  glist // the others
}

func (g *graph) add(parent, id tc.Handle, data []byte) {
	n := &gnode{id: id, parent: parent, data: append([]byte(nil), data...)}
	if parent == tc.Root {
		g.root.addHead(n)
	} else {
		g.cls.addHead(n)
	}
}

// indent is graph_indent.
func graphIndent(buf *strings.Builder, node *gnode, newline bool, spaces int) {
	for node != nil && node.parentNode != nil {
		node.parentNode.rightNode = node
		node = node.parentNode
	}
	for node != nil && node.rightNode != nil {
		if node.next != nil {
			buf.WriteString("|    ")
		} else {
			buf.WriteString("     ")
		}
		node = node.rightNode
	}
	if newline {
		switch {
		case node.next != nil && node.count != 0:
			buf.WriteString("|    |")
		case node.next != nil:
			buf.WriteString("|     ")
		case node.count != 0:
			buf.WriteString("     |")
		default:
			buf.WriteString("      ")
		}
	}
	if spaces > 0 {
		buf.WriteString(strings.Repeat(" ", spaces))
	}
}

// graphShow is graph_cls_show.
func (t *tool) graphShow(p *tc.Printer, buf *strings.Builder, list glist, g *graph) {
	for n := list.first; n != nil; {
		nextRoot := n.next
		var children glist
		for c := g.cls.first; c != nil; {
			nextC := c.next
			if n.id == c.parent {
				g.cls.del(c)
				children.addHead(c)
				n.count++
				c.parentNode = n
			}
			c = nextC
		}
		graphIndent(buf, n, false, 0)
		idStr := t.classID(n.id)
		buf.WriteString("+---(" + idStr + ")")
		tb := rtaParse(n.data, tcaMax)
		if tb[tcaKind] == nil {
			buf.WriteString(" [unknown qdisc kind] ")
		} else {
			kind := attrStr(tb[tcaKind])
			buf.WriteString(" " + kind + " ")
			p.Fprintf("%s", buf.String())
			buf.Reset()
			face := t.faces.qdisc(kind)
			if cs, ok := face.(tc.ClassSyntax); ok && tb[tcaOptions] != nil {
				_ = cs.PrintClass(p, tb[tcaOptions].Data)
			}
			if t.stats > 0 {
				indent := len(kind) - 2 + len(idStr)
				graphIndent(buf, n, true, indent)
				if tb[tcaStats] != nil || tb[tcaStats2] != nil {
					p.Fprintf("\n")
					printTCStats(p, tb, buf.String())
					buf.Reset()
				}
				if n.next != nil || n.count != 0 {
					buf.WriteString("\n")
					graphIndent(buf, n, true, 0)
				}
			}
		}
		p.Fprintf("%s\n", buf.String())
		buf.Reset()
		t.graphShow(p, buf, children, g)
		if n.next == nil {
			graphIndent(buf, n, false, 0)
			buf.WriteString("\n")
		}
		p.Fprintf("%s", buf.String())
		buf.Reset()
		n = nextRoot
	}
}
