// Package u32 is the u32 classifier (cls_u32.c): hash tables of key nodes,
// each node a selector of 32-bit keys at offsets from the network header,
// a class or a link to another table, and actions.
//
// Flow of a packet (Classify): start in the proto's root table, bucket 0;
// for each node of the bucket in order, check the mark and every key; a
// matching node with a link pushes itself, hashes the packet into a bucket
// of the linked table (hashkey), moves the base offset on (nexthdr, eat)
// and goes on there; a matching terminal node runs its actions; when a
// table's bucket is exhausted, the walk pops back to the node that linked
// it and goes on after it, as the kernel does. Reading past the end of the
// frame stops the walk without a match.
//
// The tables of every u32 proto of one qdisc (or of one shared block)
// live in one common pool (tc_u_common), so a node of one priority may
// link to a table made at another; root tables are numbered 800:, 801:,
// ... in the order their protos were made.
package u32

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is u32.
var Kind = &sched.ClassifierKind{
	ID:     "u32",
	New:    newU32,
	Syntax: Syntax,
}

// The kernel options this classifier models: mark matching
// (CONFIG_CLS_U32_MARK, TCA_U32_MARK) is on; the per-node counters of
// CONFIG_CLS_U32_PERF (TCA_U32_PCNT) are off, as in this machine's kernel
// (the reference of the differential tests): the kernel keeps them per
// CPU, and shared atomics on every node tried would cost more than the
// classification itself.
const (
	perfCounters = false
	markMatch    = true
)

// knode is a key node (struct tc_u_knode): a filter.
type knode struct {
	handle  uint32
	htUp    *hnode
	htDown  *hnode
	exts    sched.Exts
	ifindex int32
	fshift  uint8
	res     sched.Result
	flags   uint32
	val     uint32 // mark value and mask
	mask    uint32
	sel     Sel
	selRaw  []byte // the selector as given, for dumps

	rcnt, rhit atomic.Uint64 // nodes tried, terminal hits (tc_u32_pcnt)
	kcnts      []atomic.Uint64
	success    atomic.Uint32 // mark matches
}

// hnode is a hash table (struct tc_u_hnode).
type hnode struct {
	handle  uint32
	prio    uint32
	refcnt  int
	divisor uint32 // buckets - 1
	isRoot  bool
	flags   uint32
	ids     map[uint32]struct{} // node handles in use (handle_idr)
	ht      [][]*knode          // buckets, nodes in node-id order
	// fast mirrors ht for the data path: per bucket, the nodes' first
	// key and mark inline in one array, so that a scan reads memory in
	// order and touches a node only when its first key matches (a
	// bucket of linked nodes would cost a cache miss per node).
	fast [][]entry
	// index finds, in a bucket whose nodes are all one exact 32-bit key
	// at the same offset (host filters behind a hash), the first node
	// with a value, so a lookup does not scan; nil for other buckets.
	index []*bucketIndex
}

// bucketIndex maps a key value to its first entry in a bucket: the
// values sorted, for a binary search over a few cache lines.
type bucketIndex struct {
	off, offmask int32
	vals         []uint32
	first        []int32
}

// find returns the first entry with value v, or -1.
func (bi *bucketIndex) find(v uint32) int {
	lo, hi := 0, len(bi.vals)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bi.vals[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(bi.vals) && bi.vals[lo] == v {
		return int(bi.first[lo])
	}
	return -1
}

// minIndexed is the bucket size from which an index pays.
const minIndexed = 8

// entry is a node as a bucket scan first sees it.
type entry struct {
	k0        KeySel // the first key (a zero mask: none)
	val, mask uint32 // mark
	nkeys     uint8
	skip      bool // skip_sw
	n         *knode
}

// sync rebuilds the data-path mirror of bucket h after a change.
func (ht *hnode) sync(h uint32) {
	if ht.fast == nil {
		ht.fast = make([][]entry, len(ht.ht))
	}
	b := ht.ht[h]
	f := make([]entry, len(b))
	for i, n := range b {
		e := entry{val: n.val, mask: n.mask, nkeys: uint8(len(n.sel.Keys)), skip: n.flags&clsutil.FlagSkipSW != 0, n: n}
		if len(n.sel.Keys) > 0 {
			e.k0 = n.sel.Keys[0]
		}
		f[i] = e
	}
	ht.fast[h] = f
	if ht.index == nil {
		ht.index = make([]*bucketIndex, len(ht.ht))
	}
	ht.index[h] = nil
	if len(f) < minIndexed {
		return
	}
	bi := &bucketIndex{off: f[0].k0.Off, offmask: f[0].k0.OffMask}
	order := make([]int32, 0, len(f))
	for i := range f {
		e := &f[i]
		if e.nkeys != 1 || e.k0.Mask != 0xffffffff || e.mask|e.val != 0 || e.skip ||
			e.k0.Off != bi.off || e.k0.OffMask != bi.offmask {
			return
		}
		order = append(order, int32(i))
	}
	// Sort by value, keeping bucket order among equal values; keep the
	// first of each value.
	sort.SliceStable(order, func(x, y int) bool { return f[order[x]].k0.Val < f[order[y]].k0.Val })
	for _, i := range order {
		v := f[i].k0.Val
		if n := len(bi.vals); n > 0 && bi.vals[n-1] == v {
			continue
		}
		bi.vals = append(bi.vals, v)
		bi.first = append(bi.first, i)
	}
	ht.index[h] = bi
}

// common is the pool of tables shared by the u32 protos of one qdisc or
// shared block (struct tc_u_common).
type common struct {
	key    any
	hlist  []*hnode // newest first, as the kernel's list
	refcnt int
	ids    map[uint32]struct{} // table ids (handle_idr)
	nextID uint32              // cyclic allocation cursor
	knodes int
}

// commons maps a qdisc or shared block to its pool (tc_u_common_hash). It
// is touched only by the control plane, but engines in one process each
// have one, so it is locked.
var commons struct {
	sync.Mutex
	m map[any]*common
}

type u32 struct {
	tp   *sched.Proto
	c    *common
	root *hnode
}

var (
	_ sched.Classifier  = (*u32)(nil)
	_ sched.ClassBinder = (*u32)(nil)
)

func handle2id(h uint32) uint32 {
	if h&0x80000000 != 0 {
		return (h >> 20) & 0x7FF
	}
	return h
}

func id2handle(id uint32) uint32 { return (id | 0x800) << 20 }

// commonKey is tc_u_common_ptr: the shared block, or the owning qdisc.
func commonKey(tp *sched.Proto) any {
	b := tp.Block()
	if b.Shared() || b.Owner == nil {
		return b
	}
	return b.Owner
}

// newU32 is u32_init: the proto's root table joins the common pool.
func newU32(tp *sched.Proto) sched.Classifier {
	key := commonKey(tp)
	commons.Lock()
	if commons.m == nil {
		commons.m = map[any]*common{}
	}
	c := commons.m[key]
	root := &hnode{refcnt: 1, prio: tp.Prio, isRoot: true, ids: map[uint32]struct{}{}, ht: make([][]*knode, 1)}
	if c == nil {
		root.handle = id2handle(0)
		c = &common{key: key, ids: map[uint32]struct{}{}, nextID: 1}
		commons.m[key] = c
	} else {
		root.handle = c.newHTID()
	}
	c.refcnt++
	commons.Unlock()
	// A pool out of table ids (2047 protos) leaves the root without a
	// handle; the kernel fails the init with ENOMEM, which the core
	// here cannot return: such a root simply never matches a handle.
	c.hlist = append([]*hnode{root}, c.hlist...)
	return &u32{tp: tp, c: c, root: root}
}

// newHTID is gen_new_htid: idr_alloc_cyclic over [1, 0x7FF).
func (c *common) newHTID() uint32 {
	for pass := 0; pass < 2; pass++ {
		start := c.nextID
		if pass == 1 || start < 1 || start >= 0x7FF {
			start = 1
		}
		for id := start; id < 0x7FF; id++ {
			if _, used := c.ids[id]; !used {
				c.ids[id] = struct{}{}
				c.nextID = id + 1
				return id2handle(id)
			}
		}
	}
	return 0
}

func (c *common) lookupHT(handle uint32) *hnode {
	for _, ht := range c.hlist {
		if ht.handle == handle {
			return ht
		}
	}
	return nil
}

func (c *common) unlinkHT(ht *hnode) bool {
	for i, x := range c.hlist {
		if x == ht {
			c.hlist = append(c.hlist[:i:i], c.hlist[i+1:]...)
			return true
		}
	}
	return false
}

func lookupKey(ht *hnode, handle uint32) *knode {
	sel := Hash(handle)
	if sel > ht.divisor {
		return nil
	}
	for _, n := range ht.ht[sel] {
		if n.handle == handle {
			return n
		}
	}
	return nil
}

// Get is u32_get: a table by its htid, or a node by its full handle.
func (u *u32) Get(handle uint32) sched.Filter {
	var ht *hnode
	if HTID(handle) == HandleRoot {
		ht = u.root
	} else {
		ht = u.c.lookupHT(HTID(handle))
	}
	if ht == nil {
		return nil
	}
	if Key(handle) == 0 {
		return ht
	}
	if n := lookupKey(ht, handle); n != nil {
		return n
	}
	return nil
}

// Classify is u32_classify.
func (u *u32) Classify(p *pkt.Packet, res *sched.Result) int {
	type frame struct {
		n   *knode
		off int
	}
	var stack [maxDepth]frame
	sdepth := 0
	ht := u.root
	off := clsutil.NetworkOffset(p)
	off2 := 0
	sel := uint32(0)
	d := p.Data
	var bucket []entry
	i := 0
	var n *knode
nextHT:
	bucket, i = nil, 0
	if ht.fast != nil {
		bucket = ht.fast[sel]
		if bi := ht.index[sel]; bi != nil {
			// Nodes before the first with the packet's value cannot
			// match: start there, or nowhere.
			toff := off + int(bi.off) + (off2 & int(bi.offmask))
			if toff < 0 || toff+4 > len(d) {
				return sched.ActUnspec
			}
			if i = bi.find(binary.BigEndian.Uint32(d[toff:])); i < 0 {
				i = len(bucket)
			}
		}
	}
nextKnode:
	for i < len(bucket) {
		e := &bucket[i]
		i++
		if e.skip {
			continue
		}
		if markMatch && e.mask|e.val != 0 {
			// Only nodes with a mark show their count (dumps leave
			// TCA_U32_MARK out otherwise), so only they keep one.
			if p.Mark&e.mask != e.val {
				continue
			}
			e.n.success.Add(1)
		}
		if e.nkeys > 0 {
			toff := off + int(e.k0.Off) + (off2 & int(e.k0.OffMask))
			if toff < 0 || toff+4 > len(d) {
				return sched.ActUnspec
			}
			if (binary.BigEndian.Uint32(d[toff:])^e.k0.Val)&e.k0.Mask != 0 {
				continue
			}
		}
		n = e.n
		for j := 1; j < len(n.sel.Keys); j++ {
			k := &n.sel.Keys[j]
			toff := off + int(k.Off) + (off2 & int(k.OffMask))
			if toff < 0 || toff+4 > len(d) {
				return sched.ActUnspec
			}
			if (binary.BigEndian.Uint32(d[toff:])^k.Val)&k.Mask != 0 {
				continue nextKnode
			}
		}
		if n.htDown == nil {
			if v, done := u.terminal(n, p, res); done {
				return v
			}
			continue
		}
		// Push, and descend into the linked table.
		if sdepth >= maxDepth {
			return sched.ActUnspec // "cls_u32: dead loop"
		}
		stack[sdepth] = frame{n, off}
		sdepth++
		ht = n.htDown
		sel = 0
		if ht.divisor != 0 {
			o := off + int(n.sel.HOff)
			if o < 0 || o+4 > len(d) {
				return sched.ActUnspec
			}
			sel = ht.divisor & ((binary.BigEndian.Uint32(d[o:]) & n.sel.HMask) >> n.fshift)
		}
		if n.sel.Flags&(FlagVarOffset|FlagOffset|FlagEat) == 0 {
			goto nextHT
		}
		if n.sel.Flags&(FlagOffset|FlagVarOffset) != 0 {
			off2 = int(n.sel.Off) + 3
			if n.sel.Flags&FlagVarOffset != 0 {
				o := off + int(n.sel.OffOff)
				if o < 0 || o+2 > len(d) {
					return sched.ActUnspec
				}
				off2 += int(binary.BigEndian.Uint16(d[o:])&n.sel.OffMask) >> n.sel.OffShift
			}
			off2 &^= 3
		}
		if n.sel.Flags&FlagEat != 0 {
			off += off2
			off2 = 0
		}
		if off < len(d) {
			goto nextHT
		}
		break
	}
	// Pop back to the node that linked here and go on after it.
	for sdepth > 0 {
		sdepth--
		n = stack[sdepth].n
		ht = n.htUp
		off = stack[sdepth].off
		if v, done := u.terminal(n, p, res); done {
			return v
		}
		// Go on with the node after n in its bucket.
		bucket = ht.fast[Hash(n.handle)]
		for i = 0; i < len(bucket) && bucket[i].n != n; i++ {
		}
		i++
		goto nextKnode
	}
	return sched.ActUnspec
}

// terminal is check_terminal: a node that classifies gives its result and
// runs its actions; done is false when the walk goes on.
func (u *u32) terminal(n *knode, p *pkt.Packet, res *sched.Result) (int, bool) {
	if n.sel.Flags&FlagTerminal == 0 {
		return 0, false
	}
	*res = n.res
	if !sched.MatchIndev(p, n.ifindex) {
		return 0, false
	}
	if perfCounters {
		n.rhit.Add(1)
	}
	r := n.exts.Exec(p, res)
	if r < 0 {
		return 0, false
	}
	return r, true
}

// Walk is u32_walk: the tables of the proto's priority, each followed by
// its nodes bucket by bucket.
func (u *u32) Walk(fn func(fh sched.Filter) bool) {
	for _, ht := range u.c.hlist {
		if ht.prio != u.tp.Prio {
			continue
		}
		if !fn(ht) {
			return
		}
		for _, b := range ht.ht {
			for _, n := range b {
				if !fn(n) {
					return
				}
			}
		}
	}
}

// BindClass follows the creation and deletion of classes (u32_bind_class).
func (u *u32) BindClass(fh sched.Filter, classid tc.Handle, c sched.Class, base tc.Handle) {
	if n, ok := fh.(*knode); ok {
		u.tp.RebindClass(&n.res, classid, c, base)
	}
}

// Dump is u32_dump.
func (u *u32) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	switch f := fh.(type) {
	case *hnode:
		t.Handle = tc.Handle(f.handle)
		b.Nest(sched.TCA_OPTIONS)
		b.PutU32(TCA_U32_DIVISOR, f.divisor+1)
		b.EndNest()
		return nil
	case *knode:
		t.Handle = tc.Handle(f.handle)
		b.Nest(sched.TCA_OPTIONS)
		b.Put(TCA_U32_SEL, f.selRaw)
		if f.htUp != nil {
			b.PutU32(TCA_U32_HASH, f.handle&0xFFFFF000)
		}
		if f.res.ClassID != 0 {
			b.PutU32(TCA_U32_CLASSID, uint32(f.res.ClassID))
		}
		if f.htDown != nil {
			b.PutU32(TCA_U32_LINK, f.htDown.handle)
		}
		if f.flags != 0 {
			b.PutU32(TCA_U32_FLAGS, f.flags)
		}
		if markMatch && (f.val != 0 || f.mask != 0) {
			b.Put(TCA_U32_MARK, encodeMark(Mark{Val: f.val, Mask: f.mask, Success: f.success.Load()}))
		}
		if err := f.exts.Dump(b); err != nil {
			b.CancelNest()
			return err
		}
		if f.ifindex != 0 {
			if name := u.tp.Net().DeviceName(f.ifindex); name != "" {
				b.PutString(TCA_U32_INDEV, name)
			}
		}
		if perfCounters {
			pc := make([]byte, 16+8*len(f.kcnts))
			ne := binary.NativeEndian
			ne.PutUint64(pc[0:], f.rcnt.Load())
			ne.PutUint64(pc[8:], f.rhit.Load())
			for i := range f.kcnts {
				ne.PutUint64(pc[16+8*i:], f.kcnts[i].Load())
			}
			b.Put(TCA_U32_PCNT, pc)
		}
		b.EndNest()
		return f.exts.DumpStats(b)
	}
	return nil
}

// Delete is u32_delete: a node, or a table nothing links to.
func (u *u32) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	switch f := fh.(type) {
	case *knode:
		u.deleteKey(f)
	case *hnode:
		if f.isRoot {
			return false, sched.Err(syscall.EINVAL, "cls_u32: Not allowed to delete root node")
		}
		if f.refcnt != 1 {
			return false, sched.Err(syscall.EBUSY, "cls_u32: Can not delete in-use filter")
		}
		f.refcnt = 0
		u.destroyHT(f)
	}
	return u.c.refcnt == 1 && u.c.knodes == 0, nil
}

// deleteKey unlinks a node (u32_delete_key).
func (u *u32) deleteKey(n *knode) {
	ht := n.htUp
	if ht == nil {
		return
	}
	b := ht.ht[Hash(n.handle)]
	for i, x := range b {
		if x == n {
			ht.ht[Hash(n.handle)] = append(b[:i:i], b[i+1:]...)
			ht.sync(Hash(n.handle))
			u.c.knodes--
			u.tp.UnbindFilter(&n.res)
			delete(ht.ids, n.handle)
			u.destroyKey(n)
			return
		}
	}
}

// destroyKey releases a node's actions and its link (__u32_destroy_key).
func (u *u32) destroyKey(n *knode) {
	n.exts.Destroy()
	if d := n.htDown; d != nil {
		d.refcnt--
	}
}

// clearHT empties a table (u32_clear_hnode).
func (u *u32) clearHT(ht *hnode) {
	for h := range ht.ht {
		for _, n := range ht.ht[h] {
			u.c.knodes--
			u.tp.UnbindFilter(&n.res)
			delete(ht.ids, n.handle)
			u.destroyKey(n)
		}
		ht.ht[h] = nil
		ht.sync(uint32(h))
	}
}

// destroyHT empties a table and takes it out of the pool
// (u32_destroy_hnode).
func (u *u32) destroyHT(ht *hnode) {
	u.clearHT(ht)
	if u.c.unlinkHT(ht) {
		delete(u.c.ids, handle2id(ht.handle))
	}
}

// Destroy is u32_destroy: the root goes with the proto; the last proto of
// the pool takes every table with it.
func (u *u32) Destroy(*sched.Ext) {
	u.root.refcnt--
	if u.root.refcnt == 0 {
		u.destroyHT(u.root)
	}
	commons.Lock()
	u.c.refcnt--
	last := u.c.refcnt == 0
	if last {
		delete(commons.m, u.c.key)
	}
	commons.Unlock()
	if last {
		for len(u.c.hlist) > 0 {
			ht := u.c.hlist[0]
			u.clearHT(ht)
			u.c.hlist = u.c.hlist[1:]
		}
	}
}

// isPowerOf2 is is_power_of_2.
func isPowerOf2(v uint32) bool { return v != 0 && v&(v-1) == 0 }

// fshiftOf is the shift that brings a hash mask down to bit 0.
func fshiftOf(hmask uint32) uint8 {
	if hmask == 0 {
		return 0
	}
	return uint8(bits.TrailingZeros32(hmask))
}

type atomicUint64 = atomic.Uint64
