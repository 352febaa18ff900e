package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Chains exist implicitly while filters (or actions that jump to them) use
// them, and explicitly once RTM_NEWCHAIN made them; an explicit chain may
// carry a template: a classifier kind (and its options) every filter of the
// chain must be of.

// ChainCtl answers RTM_NEWCHAIN, RTM_DELCHAIN and RTM_GETCHAIN
// (tc_ctl_chain). A get sends the chain through reply.
func ChainCtl(n *Net, devs func(int32) *Dev, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	s, err := findSite(n, devs, r)
	if err != nil {
		return err
	}
	blk := s.block
	idx, err := chainIndexOf(r)
	if err != nil {
		return err
	}
	c := blk.Chain(idx)
	if r.Type == RTM_NEWCHAIN {
		if c != nil {
			if !c.heldByActsOnly() {
				return Err(syscall.EEXIST, "Filter chain already exists")
			}
			// It exists only for the actions that jump to it.
			c.refs++
		} else {
			if !r.Has(nl.NLM_F_CREATE) {
				return Err(syscall.ENOENT, "Need both RTM_NEWCHAIN and NLM_F_CREATE to create a new chain")
			}
			c = blk.chainCreate(idx)
		}
		// The explicit reference keeps the chain when its last filter goes.
		c.refs++
		c.explicit = true
	} else {
		if c == nil || c.heldByActsOnly() {
			return Err(syscall.EINVAL, "Cannot find specified filter chain")
		}
		c.refs++
	}
	defer c.put(r)
	switch r.Type {
	case RTM_NEWCHAIN:
		if err := c.addTemplate(n, r); err != nil {
			c.putExplicit(r)
			return err
		}
		// Listeners only: the kernel sends this one without the
		// request's echo flag.
		notifyChain(r, c, RTM_NEWCHAIN, nl.NLM_F_CREATE|nl.NLM_F_EXCL)
	case RTM_DELCHAIN:
		notifyChainFilters(r, s, c, RTM_DELTFILTER)
		c.flush(&r.Ext, r)
		c.putExplicit(r)
	case RTM_GETCHAIN:
		reply(func(b *nl.Builder) bool {
			return fillChain(b, c.tmpl, c.Index, blk, r.Pid, r.Seq, r.Flags, r.Type, nil) == nil
		})
	default:
		return Err(syscall.EOPNOTSUPP, "Unsupported message type")
	}
	return nil
}

// addTemplate applies TCA_KIND and its options as the chain's template
// (tc_chain_tmplt_add); no TCA_KIND means no template.
func (c *Chain) addTemplate(n *Net, r *Request) error {
	a := r.Attrs.Get(TCA_KIND)
	if a == nil {
		return nil
	}
	if nameTooLong(a) {
		return Err(syscall.EINVAL, "Specified TC chain template name too long")
	}
	k := n.Kinds.Classifier(a.Str())
	if k == nil {
		return Err(syscall.ENOENT, "TC classifier not found")
	}
	if k.NewTemplate == nil {
		return Err(syscall.EOPNOTSUPP, "Chain templates are not supported with specified classifier")
	}
	t, err := k.NewTemplate(c, r.Attrs, &r.Ext)
	if err != nil {
		return err
	}
	c.tmpl = &chainTemplate{kind: k, t: t}
	return nil
}

// notifyChain tells the listeners about a chain (tc_chain_notify and
// tc_chain_notify_delete for the chains the core makes and drops on its
// own): port 0, sequence 0, the given flags, never an echo. With no request
// at hand (a block released with its qdisc) nobody hears of it.
func notifyChain(r *Request, c *Chain, event, flags uint16) {
	if r == nil || r.Notify == nil {
		return
	}
	q := *r
	q.Flags = flags
	q.Pid, q.Seq = 0, 0
	tmpl, idx, blk := c.tmpl, c.Index, c.Block
	q.Notify.Notify(&q, func(b *nl.Builder) bool {
		return fillChain(b, tmpl, idx, blk, 0, 0, flags, event, nil) == nil
	})
}

// fillChain writes one chain message (tc_chain_fill_node): the block's
// device and qdisc handle, or the shared block's index; the index; the
// template's kind and options.
func fillChain(b *nl.Builder, tmpl *chainTemplate, index uint32, blk *Block, pid, seq uint32, flags, event uint16, ext *Ext) error {
	b.Begin(event, flags, seq, pid)
	var m TCMsg
	if q := blk.Owner; q != nil {
		m.Ifindex = q.dev.link.Ifindex()
		m.Parent = q.Handle
	} else {
		m.Ifindex = IfindexMagicBlock
		m.Parent = tc.Handle(blk.Index)
	}
	m.Encode(b)
	b.PutU32(TCA_CHAIN, index)
	if tmpl != nil {
		b.PutString(TCA_KIND, tmpl.kind.ID)
		if err := tmpl.t.Dump(b); err != nil {
			b.Cancel()
			return err
		}
	}
	if ext != nil && ext.Msg != "" {
		b.PutString(TCA_EXT_WARN_MSG, ext.Msg)
	}
	b.End()
	return nil
}

// DumpChains answers a chain dump (tc_dump_chain): the chains users see of
// the block a device's qdisc or class has, or of a shared block by index,
// narrowed to one with TCA_CHAIN.
func DumpChains(n *Net, devs func(int32) *Dev, r *Request, add func(fill func(b *nl.Builder) bool)) error {
	if err, msg := r.Attrs.Validate(TCAPolicy); err != nil {
		return &Error{Errno: ErrnoOf(err), Msg: msg}
	}
	s := dumpSite(n, devs, r.TCM)
	if s == nil {
		return nil
	}
	want := r.Attrs.Get(TCA_CHAIN)
	s.block.Chains(func(c *Chain) bool {
		if want != nil && want.U32() != c.Index {
			return true
		}
		add(func(b *nl.Builder) bool {
			return fillChain(b, c.tmpl, c.Index, s.block, r.Pid, r.Seq, nl.NLM_F_MULTI, RTM_NEWCHAIN, nil) == nil
		})
		return true
	})
	return nil
}
