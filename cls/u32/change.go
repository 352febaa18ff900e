package u32

import (
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Change is u32_change: a new table (divisor), a new node in a table, or a
// new version of an existing node.
func (u *u32) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	handle := req.Handle
	if req.Options == nil {
		if handle != 0 {
			return nil, sched.Err(syscall.EINVAL, "cls_u32: Filter handle requires options")
		}
		return nil, nil
	}
	tb, err := Decode(req.Options.Data)
	if err != nil {
		return nil, err
	}
	var userflags uint32
	if a := tb.Get(TCA_U32_FLAGS); a != nil {
		userflags = a.U32()
		if !clsutil.FlagsValid(userflags) {
			return nil, sched.Err(syscall.EINVAL, "cls_u32: Invalid filter flags")
		}
	}
	switch old := fh.(type) {
	case *hnode:
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Key node id cannot be zero")
	case *knode:
		return u.replace(req, tb, old, userflags)
	}

	if a := tb.Get(TCA_U32_DIVISOR); a != nil {
		return u.newTable(a.U32(), handle, userflags)
	}

	var ht *hnode
	var htid uint32
	if a := tb.Get(TCA_U32_HASH); a != nil {
		htid = a.U32()
		if HTID(htid) == HandleRoot {
			ht = u.root
			htid = ht.handle
		} else if ht = u.c.lookupHT(HTID(htid)); ht == nil {
			return nil, sched.Err(syscall.EINVAL, "cls_u32: Specified hash table not found")
		}
	} else {
		ht = u.root
		htid = ht.handle
	}
	if ht.divisor < Hash(htid) {
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Specified hash table buckets exceed configured value")
	}
	if handle != 0 {
		if HTID(handle) != 0 && HTID(handle^htid) != 0 {
			return nil, sched.Err(syscall.EINVAL, "cls_u32: Handle specified hash table address mismatch")
		}
		if Node(handle) == 0 {
			if handle, err = newKid(ht, htid); err != nil {
				return nil, err
			}
		} else {
			handle = htid | Node(handle)
			if _, used := ht.ids[handle]; used {
				return nil, syscall.ENOSPC
			}
			ht.ids[handle] = struct{}{}
		}
	} else if handle, err = newKid(ht, htid); err != nil {
		return nil, err
	}

	a := tb.Get(TCA_U32_SEL)
	if a == nil {
		delete(ht.ids, handle)
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Selector not specified")
	}
	s, err := validSel(a)
	if err != nil {
		delete(ht.ids, handle)
		return nil, err
	}
	n := &knode{
		handle: handle,
		htUp:   ht,
		sel:    s,
		selRaw: append([]byte(nil), a.Data[:selHdrLen+len(s.Keys)*keyLen]...),
		fshift: fshiftOf(s.HMask),
		flags:  userflags,
		exts:   sched.NewExts(TCA_U32_ACT, TCA_U32_POLICE),
		kcnts:  make([]atomicU64, len(s.Keys)),
	}
	if markMatch {
		if m := tb.Get(TCA_U32_MARK); m != nil {
			mk := decodeMark(m.Data)
			n.val, n.mask = mk.Val, mk.Mask
		}
	}
	err = u.setParms(n, tb, req)
	if tb.Has(TCA_U32_CLASSID) {
		n.res.ClassID = tc.Handle(tb.Get(TCA_U32_CLASSID).U32())
		u.tp.BindFilter(&n.res, req.Base)
	}
	if err != nil {
		if tb.Has(TCA_U32_CLASSID) {
			u.tp.UnbindFilter(&n.res)
		}
		n.exts.Destroy()
		delete(ht.ids, handle)
		return nil, err
	}
	// No device offloads here: the node is in software only (and a
	// skip_sw node, which u32 does not refuse, never matches).
	n.flags |= clsutil.FlagNotInHW
	b := ht.ht[Hash(handle)]
	i := 0
	for i < len(b) && Node(handle) >= Node(b[i].handle) {
		i++
	}
	b = append(b, nil)
	copy(b[i+1:], b[i:])
	b[i] = n
	ht.ht[Hash(handle)] = b
	ht.sync(Hash(handle))
	u.c.knodes++
	return n, nil
}

type atomicU64 = atomicUint64

// newTable makes a hash table of divisor buckets (the TCA_U32_DIVISOR
// branch of u32_change).
func (u *u32) newTable(divisor, handle, userflags uint32) (sched.Filter, error) {
	if !isPowerOf2(divisor) {
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Divisor is not a power of 2")
	}
	if divisor > maxBuckets {
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Exceeded maximum 256 hash buckets")
	}
	if Key(handle) != 0 {
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Divisor can only be used on a hash table")
	}
	if handle == 0 {
		if handle = u.c.newHTID(); handle == 0 {
			return nil, syscall.ENOMEM
		}
	}
	// A table that must live in hardware has nowhere to go: nothing
	// offloads it (u32_replace_hw_hnode: skip_sw and not offloaded).
	if userflags&clsutil.FlagSkipSW != 0 {
		delete(u.c.ids, handle2id(handle))
		return nil, syscall.EINVAL
	}
	ht := &hnode{
		handle:  handle,
		prio:    u.tp.Prio,
		refcnt:  1,
		divisor: divisor - 1,
		flags:   userflags,
		ids:     map[uint32]struct{}{},
		ht:      make([][]*knode, divisor),
	}
	u.c.hlist = append([]*hnode{ht}, u.c.hlist...)
	return ht, nil
}

// newKid is gen_new_kid: the lowest free node id from 0x800 up in the
// table's bucket htid, else from 1.
func newKid(ht *hnode, htid uint32) (uint32, error) {
	for _, r := range [2][2]uint32{{htid | 0x800, htid | 0xFFF}, {htid + 1, htid | 0xFFF}} {
		for h := r[0]; h <= r[1]; h++ {
			if _, used := ht.ids[h]; !used {
				ht.ids[h] = struct{}{}
				return h, nil
			}
		}
	}
	return 0, sched.Err(syscall.ENOSPC, "cls_u32: Hash table node ID pool exhausted")
}

// setParms is u32_set_parms: actions, input device, link.
func (u *u32) setParms(n *knode, tb nl.Attrs, req *sched.FilterChange) error {
	if err := n.exts.ValidateEx(u.tp, tb, req.Rate, req.Flags, n.flags, req.Ext); err != nil {
		return err
	}
	ifindex := int32(-1)
	if a := tb.Get(TCA_U32_INDEV); a != nil {
		i, err := sched.ChangeIndev(u.tp.Net(), a)
		if err != nil {
			return sched.Err(syscall.EINVAL, sched.MsgOf(err))
		}
		ifindex = i
	}
	if a := tb.Get(TCA_U32_LINK); a != nil {
		handle := a.U32()
		var down *hnode
		if Key(handle) != 0 {
			return sched.Err(syscall.EINVAL, "cls_u32: u32 Link handle must be a hash table")
		}
		if handle != 0 {
			if down = u.c.lookupHT(handle); down == nil {
				return sched.Err(syscall.EINVAL, "cls_u32: Link hash table not found")
			}
			if down.isRoot {
				return sched.Err(syscall.EINVAL, "cls_u32: Not linking to root node")
			}
			down.refcnt++
		}
		if old := n.htDown; old != nil {
			old.refcnt--
		}
		n.htDown = down
	}
	if ifindex >= 0 {
		n.ifindex = ifindex
	}
	return nil
}

// replace makes a new version of node old with the request's options
// (the existing-node branch of u32_change, u32_init_knode): the selector
// stays, the rest may change.
func (u *u32) replace(req *sched.FilterChange, tb nl.Attrs, old *knode, userflags uint32) (sched.Filter, error) {
	if (old.flags^userflags)&^(clsutil.FlagInHW|clsutil.FlagNotInHW) != 0 {
		return nil, sched.Err(syscall.EINVAL, "cls_u32: Key node flags do not match passed flags")
	}
	n := &knode{
		handle:  old.handle,
		htUp:    old.htUp,
		htDown:  old.htDown,
		ifindex: old.ifindex,
		fshift:  old.fshift,
		flags:   old.flags,
		val:     old.val,
		mask:    old.mask,
		sel:     old.sel,
		selRaw:  old.selRaw,
		exts:    sched.NewExts(TCA_U32_ACT, TCA_U32_POLICE),
		kcnts:   old.kcnts,
	}
	n.rcnt.Store(old.rcnt.Load())
	n.rhit.Store(old.rhit.Load())
	n.success.Store(old.success.Load())
	if n.htDown != nil {
		n.htDown.refcnt++
	}
	if err := u.setParms(n, tb, req); err != nil {
		n.exts.Destroy()
		if n.htDown != nil {
			n.htDown.refcnt--
		}
		return nil, err
	}
	if a := tb.Get(TCA_U32_CLASSID); a != nil {
		n.res.ClassID = tc.Handle(a.U32())
		u.tp.BindFilter(&n.res, req.Base)
	}
	n.flags |= clsutil.FlagNotInHW
	// Swap it in (u32_replace_knode); the old node goes with its
	// actions and its hold on the link.
	b := n.htUp.ht[Hash(n.handle)]
	for i, x := range b {
		if x == old {
			b[i] = n
		}
	}
	n.htUp.sync(Hash(n.handle))
	u.tp.UnbindFilter(&old.res)
	u.destroyKey(old)
	return n, nil
}
