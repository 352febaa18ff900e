package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// IfindexMagicBlock in tcm_ifindex addresses a shared block, whose index
// then sits in tcm_parent (TCM_IFINDEX_MAGIC_BLOCK).
const IfindexMagicBlock = int32(-1)

// site is where a filter or chain request points: the qdisc and parent it
// names (q nil for a shared block named by index), the class, the block.
type site struct {
	q      *Qdisc
	parent tc.Handle
	cl     Class
	block  *Block
}

// findQdisc is __tcf_qdisc_find: the qdisc of tcm_parent's major, or the
// device's root for parent 0 (which then names the root's handle).
func findQdisc(devs func(int32) *Dev, r *Request) (*site, error) {
	s := &site{parent: r.TCM.Parent}
	if r.TCM.Ifindex == IfindexMagicBlock {
		return s, nil
	}
	d := devs(r.TCM.Ifindex)
	if d == nil {
		return nil, syscall.ENODEV
	}
	if s.parent == 0 {
		s.q = d.qdisc
		s.parent = s.q.Handle
	} else if s.q = d.Lookup(s.parent.Maj()); s.q == nil {
		return nil, Err(syscall.EINVAL, "Parent Qdisc doesn't exists")
	}
	if _, ok := s.q.Discipline.(Classful); !ok {
		return nil, Err(syscall.EINVAL, "Qdisc not classful")
	}
	if _, ok := s.q.Discipline.(BlockOwner); !ok {
		return nil, Err(syscall.EOPNOTSUPP, "Class doesn't support blocks")
	}
	return s, nil
}

// findClass is __tcf_qdisc_cl_find: a parent with a minor names a class.
func (s *site) findClass() error {
	if s.q == nil || s.parent.Min() == 0 {
		return nil
	}
	s.cl = s.q.Discipline.(Classful).Find(s.parent)
	if s.cl == nil {
		return Err(syscall.ENOENT, "Specified class doesn't exist")
	}
	return nil
}

// findBlock is __tcf_block_find: the shared block of the index, or the
// block of the qdisc or class, which must not be a shared one.
func (s *site) findBlock(n *Net, r *Request) error {
	if s.q == nil {
		s.block = n.blocks[uint32(r.TCM.Parent)]
		if s.block == nil {
			return Err(syscall.EINVAL, "Block of given index was not found")
		}
		return nil
	}
	b, err := s.q.Discipline.(BlockOwner).Block(s.cl, &r.Ext)
	if err != nil {
		return err
	}
	if b == nil {
		return syscall.EINVAL
	}
	if b.Shared() {
		return Err(syscall.EOPNOTSUPP, "This filter block is shared. Please use the block index to manipulate the filters")
	}
	s.block = b
	return nil
}

// findSite is tcf_block_find: qdisc, class and block in one go.
func findSite(n *Net, devs func(int32) *Dev, r *Request) (*site, error) {
	s, err := findQdisc(devs, r)
	if err != nil {
		return nil, err
	}
	if err := s.findClass(); err != nil {
		return nil, err
	}
	if err := s.findBlock(n, r); err != nil {
		return nil, err
	}
	return s, nil
}

// dumpSite is the lookup of the dump handlers, which fail silently: the
// block of a device's qdisc or class, or a shared block by index. q is nil
// when the block is shared.
func dumpSite(n *Net, devs func(int32) *Dev, m TCMsg) *site {
	if m.Ifindex == IfindexMagicBlock {
		b := n.blocks[uint32(m.Parent)]
		if b == nil {
			return nil
		}
		return &site{block: b}
	}
	d := devs(m.Ifindex)
	if d == nil {
		return nil
	}
	s := &site{parent: m.Parent}
	if m.Parent == 0 {
		s.q = d.qdisc
	} else {
		s.q = d.Lookup(m.Parent.Maj())
	}
	if s.q == nil {
		return nil
	}
	cf, ok := s.q.Discipline.(Classful)
	if !ok {
		return nil
	}
	bo, ok := s.q.Discipline.(BlockOwner)
	if !ok {
		return nil
	}
	if m.Parent.Min() != 0 {
		if s.cl = cf.Find(m.Parent); s.cl == nil {
			return nil
		}
	}
	s.block, _ = bo.Block(s.cl, nil)
	if s.block == nil {
		return nil
	}
	if s.block.Shared() {
		s.q = nil
	}
	return s
}

// chainIndexOf reads TCA_CHAIN (0 when absent) and bounds it.
func chainIndexOf(r *Request) (uint32, error) {
	var idx uint32
	if a := r.Attrs.Get(TCA_CHAIN); a != nil {
		idx = a.U32()
	}
	if idx > ActExtValMask {
		return 0, Err(syscall.EINVAL, "Specified chain index exceeds upper limit")
	}
	return idx, nil
}

// kindTooLong is tcf_proto_check_kind's test.
func kindTooLong(r *Request) bool {
	a := r.Attrs.Get(TCA_KIND)
	return a != nil && nameTooLong(a)
}

// attrStrEq is nla_strcmp(a, s) == 0: the payload, less one trailing NUL,
// equals s.
func attrStrEq(a *nl.Attr, s string) bool {
	d := a.Data
	if n := len(d); n > 0 && d[n-1] == 0 {
		d = d[:n-1]
	}
	return string(d) == s
}

// kindMismatch is "tca[TCA_KIND] && nla_strcmp(tca[TCA_KIND], kind)".
func kindMismatch(r *Request, kind string) bool {
	a := r.Attrs.Get(TCA_KIND)
	return a != nil && !attrStrEq(a, kind)
}
