// Package ematch is the extended-match trees of basic, cgroup and flow
// (ematch.c): a list of small matches joined by AND and OR, each possibly
// inverted, with containers that evaluate a later run of the list as one
// term (parentheses). The kinds are cmp, nbyte, u32, meta and canid; the
// others (text, ipset, ipt) are not built in and are refused as a kernel
// without their modules refuses them.
package ematch

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// Tree attributes (TCA_EMATCH_TREE_*).
const (
	TCA_EMATCH_TREE_HDR  = 1
	TCA_EMATCH_TREE_LIST = 2
)

// Ematch kinds (TCF_EM_*).
const (
	KindContainer = 0
	KindCmp       = 1
	KindNbyte     = 2
	KindU32       = 3
	KindMeta      = 4
	KindText      = 5
	KindVLAN      = 6
	KindCanID     = 7
	KindIPSet     = 8
	KindIPT       = 9
)

// Match flags (TCF_EM_*).
const (
	RelEnd   = 0
	RelAnd   = 1
	RelOr    = 2
	Invert   = 4
	Simple   = 8
	relMask  = 3
	hdrLen   = 8 // struct tcf_ematch_hdr
	stackMax = 32
)

// Layers of cmp and nbyte (TCF_LAYER_*).
const (
	LayerLink      = 0
	LayerNetwork   = 1
	LayerTransport = 2
)

// matcher is one kind's match on a packet.
type matcher interface {
	match(p *pkt.Packet) bool
}

// ownDumper is a kind that dumps its data its own way (ops->dump); the
// others dump the data as given.
type ownDumper interface {
	dumpData(b *nl.Builder)
}

type em struct {
	kind    uint16
	matchid uint16
	flags   uint16
	data    []byte // as given, for kinds without their own dump
	ref     uint32 // container: the index it refers to
	m       matcher
}

// Tree is an ematch tree (struct tcf_ematch_tree).
type Tree struct {
	nmatches uint16
	progid   uint16
	matches  []em
}

// Empty reports whether the tree has no match (it then matches all).
func (t *Tree) Empty() bool { return t == nil || t.nmatches == 0 }

// Validate reads a tree attribute (tcf_em_tree_validate); nil gives the
// empty tree. The kernel parses ematches without an extack: errors carry
// only an errno.
func Validate(a *nl.Attr) (*Tree, error) {
	t := &Tree{}
	if a == nil {
		return t, nil
	}
	tb := nl.Parse(a.Data, 2)
	h, list := tb.Get(TCA_EMATCH_TREE_HDR), tb.Get(TCA_EMATCH_TREE_LIST)
	if h != nil && len(h.Data) < 4 || list != nil && len(list.Data) != 0 && len(list.Data) < nl.AttrHdrLen {
		return nil, syscall.ERANGE
	}
	if h == nil || list == nil {
		return nil, syscall.EINVAL
	}
	t.nmatches = binary.NativeEndian.Uint16(h.Data[0:])
	t.progid = binary.NativeEndian.Uint16(h.Data[2:])
	t.matches = make([]em, 0, t.nmatches)
	var err error
	idx := 0
	nl.Walk(list.Data, func(m nl.Attr) bool {
		if m.Type != uint16(idx+1) || idx >= int(t.nmatches) || len(m.Data) < hdrLen {
			err = syscall.EINVAL
			return false
		}
		var e em
		if e, err = validateOne(t, m.Data, idx); err != nil {
			return false
		}
		t.matches = append(t.matches, e)
		idx++
		return true
	})
	if err != nil {
		return nil, err
	}
	if idx != int(t.nmatches) {
		return nil, syscall.EINVAL
	}
	return t, nil
}

// validateOne is tcf_em_validate.
func validateOne(t *Tree, b []byte, idx int) (em, error) {
	ne := binary.NativeEndian
	e := em{matchid: ne.Uint16(b[0:]), kind: ne.Uint16(b[2:]), flags: ne.Uint16(b[4:])}
	data := b[hdrLen:]
	if e.flags&relMask == relMask {
		return e, syscall.EINVAL
	}
	if e.kind == KindContainer {
		if len(data) < 4 {
			return e, syscall.EINVAL
		}
		ref := ne.Uint32(data)
		if ref >= uint32(t.nmatches) || ref <= uint32(idx) {
			return e, syscall.EINVAL
		}
		e.ref = ref
		return e, nil
	}
	k := kinds[e.kind]
	if k == nil {
		return e, syscall.ENOENT
	}
	if k.datalen > 0 && len(data) < k.datalen {
		return e, syscall.EINVAL
	}
	if e.flags&Simple != 0 {
		// Every built-in kind has its own change or a data size, so
		// none takes a simple (inline u32) value.
		return e, syscall.EINVAL
	}
	m, n, err := k.change(data)
	if err != nil {
		return e, err
	}
	e.m = m
	e.data = append([]byte(nil), data[:n]...)
	return e, nil
}

// kind is one ematch kind (struct tcf_ematch_ops): its data size and how
// it reads its data, returning the matcher and how much data it keeps.
type kind struct {
	datalen int
	change  func(data []byte) (matcher, int, error)
}

var kinds = map[uint16]*kind{
	KindCmp:   {datalen: cmpLen, change: newCmp},
	KindNbyte: {datalen: nbyteHdrLen, change: newNbyte},
	KindU32:   {datalen: u32KeyLen, change: newU32},
	KindMeta:  {change: newMeta},
	KindCanID: {change: newCanID},
}

func earlyEnd(flags uint16, r bool) bool {
	return flags&RelAnd != 0 && !r || flags&RelOr != 0 && r
}

// Match runs the tree on p (tcf_em_tree_match): an empty tree matches.
func (t *Tree) Match(p *pkt.Packet) bool {
	if t.Empty() {
		return true
	}
	var stack [stackMax]int
	sp, i := 0, 0
	res := false
	n := len(t.matches)
proceed:
	for i < n {
		m := &t.matches[i]
		if m.kind == KindContainer && m.m == nil {
			if sp >= stackMax {
				return false // "Local stack overflow"
			}
			stack[sp] = i
			sp++
			i = int(m.ref)
			continue
		}
		res = m.m.match(p)
		if m.flags&Invert != 0 {
			res = !res
		}
		if earlyEnd(m.flags, res) {
			break
		}
		i++
	}
	for sp > 0 {
		sp--
		i = stack[sp]
		m := &t.matches[i]
		// A container's own flags join its sub-list's result; its
		// invert flag is not applied (as the kernel).
		if earlyEnd(m.flags, res) {
			continue
		}
		i++
		goto proceed
	}
	return res
}

// Dump writes the tree as attribute typ (tcf_em_tree_dump).
func (t *Tree) Dump(b *nl.Builder, typ uint16) {
	b.Nest(typ)
	var h [4]byte
	if t != nil {
		binary.NativeEndian.PutUint16(h[0:], t.nmatches)
		binary.NativeEndian.PutUint16(h[2:], t.progid)
	}
	b.Put(TCA_EMATCH_TREE_HDR, h[:])
	b.Nest(TCA_EMATCH_TREE_LIST)
	if t != nil {
		for i := range t.matches {
			m := &t.matches[i]
			var eh [hdrLen]byte
			ne := binary.NativeEndian
			ne.PutUint16(eh[0:], m.matchid)
			ne.PutUint16(eh[2:], m.kind)
			ne.PutUint16(eh[4:], m.flags)
			b.Nest(uint16(i + 1))
			b.Raw(eh[:])
			switch {
			case m.kind == KindContainer:
				var u [4]byte
				ne.PutUint32(u[:], m.ref)
				b.Raw(u[:])
			default:
				if d, ok := m.m.(ownDumper); ok {
					d.dumpData(b)
				} else {
					b.Raw(m.data)
				}
			}
			b.EndNest()
		}
	}
	b.EndNest()
	b.EndNest()
}

// base is tcf_get_base_ptr: where a layer starts in p's frame.
func base(p *pkt.Packet, layer uint8) int {
	switch layer {
	case LayerNetwork:
		return clsutil.NetworkOffset(p)
	case LayerTransport:
		return clsutil.TransportOffset(p)
	}
	return 0
}
