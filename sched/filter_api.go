package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// The filter half of the core, as cls_api.c: requests name a block (through
// a device's qdisc or class, or a shared block's index), a chain in it
// (TCA_CHAIN), a proto by priority and protocol (tcm_info) and a filter by
// handle (tcm_handle); the proto's classifier does the rest.

// FilterCtl answers RTM_NEWTFILTER, RTM_DELTFILTER and RTM_GETTFILTER. A get
// sends the filter through reply.
func FilterCtl(n *Net, devs func(int32) *Dev, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	switch r.Type {
	case RTM_NEWTFILTER:
		return newFilter(n, devs, r)
	case RTM_DELTFILTER:
		return delFilter(n, devs, r)
	default:
		return getFilter(n, devs, r, reply)
	}
}

// tcm_info's halves: the priority (upper 16 bits, kept shifted) and the
// protocol in network order.
func prioOf(r *Request) uint32        { return r.TCM.Info & 0xFFFF0000 }
func protocolOfReq(r *Request) uint16 { return uint16(r.TCM.Info) }

// autoPrioStart is where automatic priorities are looked for (pref 32768)
// and autoPrioFirst the first one handed out (pref 49152).
const (
	autoPrioStart = 0x80000000
	autoPrioFirst = 0xC0000000
)

// newFilter is tc_new_tfilter.
func newFilter(n *Net, devs func(int32) *Dev, r *Request) error {
	protocol, prio := protocolOfReq(r), prioOf(r)
	allocate := false
	if prio == 0 {
		if !r.Has(nl.NLM_F_CREATE) {
			return Err(syscall.ENOENT, "Invalid filter command with priority of zero")
		}
		prio, allocate = autoPrioStart, true
	}
	s, err := findQdisc(devs, r)
	if err != nil {
		return err
	}
	if kindTooLong(r) {
		return Err(syscall.EINVAL, "Specified TC filter name too long")
	}
	if err := s.findClass(); err != nil {
		return err
	}
	if err := s.findBlock(n, r); err != nil {
		return err
	}
	blk := s.block
	blk.ClassID = s.parent
	idx, err := chainIndexOf(r)
	if err != nil {
		return err
	}
	chain := blk.chainGet(idx, true, false, r)
	tp, link, err := chain.tpFind(protocol, prio, allocate)
	if err != nil {
		chain.put(r)
		return err
	}
	created := false
	if tp == nil {
		if tp, err = chain.createProto(n, r, protocol, prio, allocate, *link); err != nil {
			chain.put(r)
			return err
		}
		created = true
	}
	err = changeFilter(s, chain, tp, r)
	if err != nil && created {
		chain.deleteEmpty(tp, r, nil)
	}
	if !created {
		chain.put(r)
	}
	return err
}

// createProto makes and inserts the proto a create request needs; the
// chain reference the request took passes to it.
func (c *Chain) createProto(n *Net, r *Request, protocol uint16, prio uint32, allocate bool, next *Proto) (*Proto, error) {
	name, hasKind := r.Kind()
	if !hasKind || protocol == 0 {
		return nil, Err(syscall.EINVAL, "Filter kind and protocol must be specified")
	}
	if !r.Has(nl.NLM_F_CREATE) {
		return nil, Err(syscall.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
	}
	if allocate {
		// tcf_auto_prio: one below the first proto at or above the start
		// of the automatic range, or the range's first value.
		first := uint32(autoPrioFirst)
		if next != nil {
			first = next.Prio - 1
		}
		prio = first & 0xFFFF0000
	}
	k := n.Kinds.Classifier(name)
	if k == nil {
		return nil, Err(syscall.ENOENT, "TC classifier not found")
	}
	tp := &Proto{Kind: k, Prio: prio, Protocol: protocol, Chain: c}
	tp.Cls = k.New(tp)
	_, link, _ := c.tpFind(protocol, prio, false)
	c.Block.write(func() {
		tp.next = *link
		*link = tp
	})
	return tp, nil
}

// changeFilter is the part of tc_new_tfilter after the proto is found:
// the filter by handle, the flags' verdicts, the classifier's change and
// the notification.
func changeFilter(s *site, chain *Chain, tp *Proto, r *Request) error {
	if kindMismatch(r, tp.Kind.ID) {
		return Err(syscall.EINVAL, "Specified filter kind does not match existing one")
	}
	fh := tp.Cls.Get(uint32(r.TCM.Handle))
	if fh == nil {
		if !r.Has(nl.NLM_F_CREATE) {
			return Err(syscall.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
		}
	} else if r.Has(nl.NLM_F_EXCL) {
		return Err(syscall.EEXIST, "Filter already exists")
	}
	if chain.tmpl != nil && chain.tmpl.kind != tp.Kind {
		return Err(syscall.EINVAL, "Chain template is set to a different filter kind")
	}
	req := &FilterChange{
		Handle:  uint32(r.TCM.Handle),
		Attrs:   r.Attrs,
		Options: r.Attrs.Get(TCA_OPTIONS),
		Rate:    r.Attrs.Get(TCA_RATE),
		NLFlags: r.Flags,
		Ext:     &r.Ext,
	}
	if s.cl != nil {
		req.Base = s.parent
	}
	if !r.Has(nl.NLM_F_CREATE) {
		req.Flags |= FilterReplace
	}
	if s.parent.Min() == tc.MinIngress {
		req.Flags |= FilterAtIngress
	}
	if s.block.Shared() || (s.q != nil && s.q.Flags&Ingress != 0) {
		req.Flags |= FilterAtIngressOrClsact
	}
	var nfh Filter
	var err error
	s.block.write(func() { nfh, err = tp.Cls.Change(req, fh) })
	if err != nil {
		return err
	}
	r.notify(func(b *nl.Builder) bool {
		return fillFilter(b, tp, s.block, s.q, s.parent, nfh, r.Pid, r.Seq, r.Flags, RTM_NEWTFILTER, false, &r.Ext) == nil
	})
	return nil
}

// delFilter is tc_del_tfilter: one filter by handle, a whole proto (handle
// 0), or every proto of a chain (priority 0).
func delFilter(n *Net, devs func(int32) *Dev, r *Request) error {
	protocol, prio := protocolOfReq(r), prioOf(r)
	if prio == 0 && (protocol != 0 || r.TCM.Handle != 0 || r.Attrs.Has(TCA_KIND)) {
		return Err(syscall.ENOENT, "Cannot flush filters with protocol, handle or kind set")
	}
	s, err := findQdisc(devs, r)
	if err != nil {
		return err
	}
	if kindTooLong(r) {
		return Err(syscall.EINVAL, "Specified TC filter name too long")
	}
	if err := s.findClass(); err != nil {
		return err
	}
	if err := s.findBlock(n, r); err != nil {
		return err
	}
	idx, err := chainIndexOf(r)
	if err != nil {
		return err
	}
	chain := s.block.chainGet(idx, false, false, r)
	if chain == nil {
		if prio == 0 {
			// Flushing a chain that does not exist is a success.
			return nil
		}
		return Err(syscall.ENOENT, "Cannot find specified filter chain")
	}
	defer chain.put(r)
	if prio == 0 {
		notifyChainFilters(r, s, chain, RTM_DELTFILTER)
		chain.flush(&r.Ext, r)
		return nil
	}
	tp, _, err := chain.tpFind(protocol, prio, false)
	switch {
	case err != nil:
		return err
	case tp == nil:
		return Err(syscall.ENOENT, "Filter with specified priority/protocol not found")
	case kindMismatch(r, tp.Kind.ID):
		return Err(syscall.EINVAL, "Specified filter kind does not match existing one")
	case r.TCM.Handle == 0:
		// The whole proto goes; the notification names no filter.
		chain.unlink(tp)
		tp.destroy(&r.Ext, r)
		r.notify(func(b *nl.Builder) bool {
			return fillFilter(b, tp, s.block, s.q, s.parent, nil, r.Pid, r.Seq, r.Flags, RTM_DELTFILTER, false, &r.Ext) == nil
		})
		return nil
	}
	fh := tp.Cls.Get(uint32(r.TCM.Handle))
	if fh == nil {
		return Err(syscall.ENOENT, "Specified filter handle not found")
	}
	last, err := deleteAndNotify(r, s, tp, fh)
	if err != nil {
		return err
	}
	if last {
		chain.deleteEmpty(tp, r, &r.Ext)
	}
	return nil
}

// deleteAndNotify is tfilter_del_notify: the notification is filled while
// the filter still exists and sent once the delete succeeded.
func deleteAndNotify(r *Request, s *site, tp *Proto, fh Filter) (last bool, err error) {
	var msg *nl.Builder
	if r.wanted() {
		msg = nl.NewBuilder()
		if fillFilter(msg, tp, s.block, s.q, s.parent, fh, r.Pid, r.Seq, r.Flags, RTM_DELTFILTER, false, &r.Ext) != nil {
			return false, Err(syscall.EINVAL, "Failed to build del event notification")
		}
	}
	s.block.write(func() { last, err = tp.Cls.Delete(fh, &r.Ext) })
	if err != nil {
		return false, err
	}
	if msg != nil {
		r.notify(func(b *nl.Builder) bool { b.Raw(msg.Bytes()); return true })
	}
	return last, nil
}

// getFilter is tc_get_tfilter.
func getFilter(n *Net, devs func(int32) *Dev, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	protocol, prio := protocolOfReq(r), prioOf(r)
	if prio == 0 {
		return Err(syscall.ENOENT, "Invalid filter command with priority of zero")
	}
	s, err := findQdisc(devs, r)
	if err != nil {
		return err
	}
	if kindTooLong(r) {
		return Err(syscall.EINVAL, "Specified TC filter name too long")
	}
	if err := s.findClass(); err != nil {
		return err
	}
	if err := s.findBlock(n, r); err != nil {
		return err
	}
	idx, err := chainIndexOf(r)
	if err != nil {
		return err
	}
	chain := s.block.chainGet(idx, false, false, r)
	if chain == nil {
		return Err(syscall.EINVAL, "Cannot find specified filter chain")
	}
	defer chain.put(r)
	tp, _, err := chain.tpFind(protocol, prio, false)
	switch {
	case err != nil:
		return err
	case tp == nil:
		return Err(syscall.ENOENT, "Filter with specified priority/protocol not found")
	case kindMismatch(r, tp.Kind.ID):
		return Err(syscall.EINVAL, "Specified filter kind does not match existing one")
	}
	fh := tp.Cls.Get(uint32(r.TCM.Handle))
	if fh == nil {
		return Err(syscall.ENOENT, "Specified filter handle not found")
	}
	var ferr error
	reply(func(b *nl.Builder) bool {
		ferr = fillFilter(b, tp, s.block, s.q, s.parent, fh, r.Pid, r.Seq, r.Flags, RTM_NEWTFILTER, false, nil)
		return ferr == nil
	})
	if ferr != nil {
		return Err(syscall.EINVAL, "Failed to send filter notify message")
	}
	return nil
}

// notifyChainFilters sends one message per proto of the chain, naming no
// filter (tfilter_notify_chain).
func notifyChainFilters(r *Request, s *site, c *Chain, event uint16) {
	c.Protos(func(tp *Proto) bool {
		r.notify(func(b *nl.Builder) bool {
			return fillFilter(b, tp, s.block, s.q, s.parent, nil, r.Pid, r.Seq, r.Flags, event, false, &r.Ext) == nil
		})
		return true
	})
}

// fillFilter writes one filter message (tcf_fill_node): the proto's own
// line for fh nil, else the filter as its classifier dumps it. q nil
// addresses the block by index. On failure nothing is written.
func fillFilter(b *nl.Builder, tp *Proto, blk *Block, q *Qdisc, parent tc.Handle, fh Filter, pid, seq uint32, flags, event uint16, terse bool, ext *Ext) error {
	b.Begin(event, flags, seq, pid)
	start := b.Len()
	m := TCMsg{Info: tp.Prio | uint32(tp.Protocol)}
	if q != nil {
		m.Ifindex = q.dev.link.Ifindex()
		m.Parent = parent
	} else {
		m.Ifindex = IfindexMagicBlock
		m.Parent = tc.Handle(blk.Index)
	}
	m.Encode(b)
	b.PutString(TCA_KIND, tp.Kind.ID)
	b.PutU32(TCA_CHAIN, tp.Chain.Index)
	if fh != nil {
		var err error
		if terse {
			if td, ok := tp.Cls.(TerseDumper); ok {
				err = td.TerseDump(fh, &m, b)
			} else {
				err = syscall.EOPNOTSUPP
			}
		} else {
			err = tp.Cls.Dump(fh, &m, b)
		}
		if err != nil {
			b.Cancel()
			return err
		}
	}
	if ext != nil && ext.Msg != "" {
		b.PutString(TCA_EXT_WARN_MSG, ext.Msg)
	}
	// The dump set the handle: write it into the tcmsg already out.
	var hdr nl.Builder
	m.Encode(&hdr)
	copy(b.B[start:], hdr.B)
	b.End()
	return nil
}

// dumpPolicy is tcf_tfilter_dump_policy.
func validateDump(r *Request) (terse bool, err error) {
	if a := r.Attrs.Get(TCA_CHAIN); a != nil && len(a.Data) < 4 {
		return false, Err(syscall.ERANGE, "Attribute failed policy validation")
	}
	if a := r.Attrs.Get(TCA_DUMP_FLAGS); a != nil {
		// NLA_POLICY_BITFIELD32(TCA_DUMP_FLAGS_TERSE)
		if len(a.Data) != 8 {
			return false, Err(syscall.ERANGE, "Attribute failed policy validation")
		}
		value := nl.Attr{Data: a.Data[0:4]}
		selector := nl.Attr{Data: a.Data[4:8]}
		v, sel := value.U32(), selector.U32()
		if sel&^TCA_DUMP_FLAGS_TERSE != 0 || v&^TCA_DUMP_FLAGS_TERSE != 0 || v&^sel != 0 {
			return false, Err(syscall.EINVAL, "Attribute failed policy validation")
		}
		terse = v&TCA_DUMP_FLAGS_TERSE != 0
	}
	return terse, nil
}

// DumpFilters answers a filter dump (tc_dump_tfilter): every filter of the
// block a device's qdisc or class has (or of a shared block by index), by
// chain in creation order and proto in priority order; TCA_CHAIN and
// tcm_info narrow it down.
func DumpFilters(n *Net, devs func(int32) *Dev, r *Request, add func(fill func(b *nl.Builder) bool)) error {
	terse, err := validateDump(r)
	if err != nil {
		return err
	}
	s := dumpSite(n, devs, r.TCM)
	if s == nil {
		return nil
	}
	blk := s.block
	parent := blk.ClassID
	wantChain := r.Attrs.Get(TCA_CHAIN)
	wantPrio, wantProto := prioOf(r), protocolOfReq(r)
	blk.Chains(func(c *Chain) bool {
		if wantChain != nil && wantChain.U32() != c.Index {
			return true
		}
		c.Protos(func(tp *Proto) bool {
			if wantPrio != 0 && wantPrio != tp.Prio {
				return true
			}
			if wantProto != 0 && wantProto != tp.Protocol {
				return true
			}
			add(func(b *nl.Builder) bool {
				return fillFilter(b, tp, blk, s.q, parent, nil, r.Pid, r.Seq, nl.NLM_F_MULTI, RTM_NEWTFILTER, false, nil) == nil
			})
			tp.Cls.Walk(func(fh Filter) bool {
				ok := true
				add(func(b *nl.Builder) bool {
					ok = fillFilter(b, tp, blk, s.q, parent, fh, r.Pid, r.Seq, nl.NLM_F_MULTI, RTM_NEWTFILTER, terse, nil) == nil
					return ok
				})
				// A kind without a terse dump shows its proto lines only.
				return ok
			})
			return true
		})
		return true
	})
	return nil
}
