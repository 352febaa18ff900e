// Package flower is the flower classifier (cls_flower.c): filters that
// match on the flow dissector's keys (L2 to L4, VLAN tags, MPLS, ARP,
// fragments, TCP flags, tunnel metadata) under a mask each.
//
// Flow of a packet (Classify): the packet's key is read once; then for
// each distinct mask, in the order the masks were first used, the key is
// masked over the mask's significant bytes and looked up in that mask's
// hash table of filter keys (the kernel's per-mask rhashtable), so the
// cost grows with the number of masks, not of filters. Masks with port
// ranges try their filters in order instead. The first filter found runs
// its actions.
package flower

import (
	"encoding/binary"
	"math"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is flower.
var Kind = &sched.ClassifierKind{
	ID:          "flower",
	New:         func(tp *sched.Proto) sched.Classifier { return &flower{tp: tp, byHandle: map[uint32]*filter{}} },
	NewTemplate: newTemplate,
	Syntax:      Syntax,
}

// portRange is a filter's transport port ranges (host order; 0: none).
type portRange struct {
	sMin, sMax, dMin, dMax uint16
}

type filter struct {
	handle uint32
	flags  uint32
	key    key // as given, masked
	mask   *mask
	rng    portRange
	res    sched.Result
	exts   sched.Exts
}

// mask is one distinct mask (struct fl_flow_mask) and the filters using
// it, keyed by their masked key bytes in [start, end).
type mask struct {
	m          key
	start, end int
	ranged     bool
	hash       bool      // matches on the flow hash
	filters    []*filter // in insertion order
	ht         map[string]*filter
}

type flower struct {
	tp       *sched.Proto
	masks    []*mask
	byHandle map[uint32]*filter
	handles  []uint32 // sorted, for walks in handle order
}

var (
	_ sched.Classifier  = (*flower)(nil)
	_ sched.ClassBinder = (*flower)(nil)
)

// Classify is fl_classify.
func (c *flower) Classify(p *pkt.Packet, res *sched.Result) int {
	if len(c.masks) == 0 {
		return sched.ActUnspec
	}
	var sk, mk key
	var h clsutil.Headers
	needHash := false
	for _, m := range c.masks {
		needHash = needHash || m.hash
	}
	skbKey(p, &sk, &h, needHash)
	for _, m := range c.masks {
		// Mask a word at a time over the mask's span (the key's length
		// is a multiple of 8).
		for i := m.start &^ 7; i < m.end; i += 8 {
			binary.NativeEndian.PutUint64(mk[i:], binary.NativeEndian.Uint64(sk[i:])&binary.NativeEndian.Uint64(m.m[i:]))
		}
		var f *filter
		if m.ranged {
			f = m.lookupRange(&mk, &h)
		} else {
			f = m.ht[string(mk[m.start:m.end])]
		}
		if f != nil && f.flags&clsutil.FlagSkipSW == 0 {
			*res = f.res
			return f.exts.Exec(p, res)
		}
	}
	return sched.ActUnspec
}

// lookupRange is fl_lookup_range: the first filter of the mask whose key
// matches and whose ranges hold the packet's ports.
func (m *mask) lookupRange(mk *key, h *clsutil.Headers) *filter {
	for _, f := range m.filters {
		r := f.rng
		if r.dMin != 0 || r.dMax != 0 {
			if !h.HasPorts || h.DPort < r.dMin || h.DPort > r.dMax {
				continue
			}
		}
		if r.sMin != 0 || r.sMax != 0 {
			if !h.HasPorts || h.SPort < r.sMin || h.SPort > r.sMax {
				continue
			}
		}
		if string(f.key[m.start:m.end]) == string(mk[m.start:m.end]) {
			return f
		}
	}
	return nil
}

// Get is fl_get.
func (c *flower) Get(handle uint32) sched.Filter {
	if f := c.byHandle[handle]; f != nil {
		return f
	}
	return nil
}

// Change is fl_change.
func (c *flower) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_FLOWER_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	old, _ := fh.(*filter)
	handle := req.Handle
	if old != nil && handle != 0 && old.handle != handle {
		return nil, syscall.EINVAL
	}
	if old == nil {
		if handle == 0 {
			handle = 1
			for ; handle <= math.MaxInt32; handle++ {
				if c.byHandle[handle] == nil {
					break
				}
			}
			if handle > math.MaxInt32 {
				return nil, syscall.ENOSPC
			}
		} else if c.byHandle[handle] != nil {
			return nil, syscall.EAGAIN
		}
	} else {
		handle = old.handle
	}
	f := &filter{handle: handle, exts: sched.NewExts(TCA_FLOWER_ACT, 0)}
	if a := tb.Get(TCA_FLOWER_FLAGS); a != nil {
		f.flags = a.U32()
		if !clsutil.FlagsValid(f.flags) {
			return nil, syscall.EINVAL
		}
	}
	var mk key
	if err := f.exts.ValidateEx(c.tp, tb, req.Rate, req.Flags, f.flags, req.Ext); err != nil {
		return nil, err
	}
	bound := false
	fail := func(err error) (sched.Filter, error) {
		if bound {
			c.tp.UnbindFilter(&f.res)
		}
		f.exts.Destroy()
		return nil, err
	}
	if a := tb.Get(TCA_FLOWER_CLASSID); a != nil {
		f.res.ClassID = tc.Handle(a.U32())
		c.tp.BindFilter(&f.res, req.Base)
		bound = true
	}
	if err := setKey(c.tp.Net(), tb, &f.key, &mk, &f.rng); err != nil {
		return fail(err)
	}
	if t, ok := c.tp.Chain.Template().(*template); ok && !t.fits(&mk) {
		return fail(sched.Err(syscall.EINVAL, "cls_flower: Mask does not fit the template"))
	}
	for i := range f.key {
		f.key[i] &= mk[i]
	}
	m := c.findMask(&mk, f.rng != portRange{})
	skey := string(f.key[m.start:m.end])
	if !m.ranged {
		if x := m.ht[skey]; x != nil && x != old {
			c.dropMaskIfEmpty(m)
			return fail(syscall.EEXIST)
		}
	}
	if f.flags&clsutil.FlagSkipHW == 0 && f.flags&clsutil.FlagSkipSW != 0 {
		// Nothing offloads here: a filter that must live in hardware
		// has nowhere to go (fl_hw_replace_filter: skip_sw and not in
		// hardware).
		c.dropMaskIfEmpty(m)
		return fail(syscall.EINVAL)
	}
	f.flags |= clsutil.FlagNotInHW
	f.mask = m
	if old != nil {
		c.unlink(old)
		if !c.hasMask(m) {
			c.masks = append(c.masks, m)
		}
	}
	if !m.ranged {
		m.ht[skey] = f
	}
	m.filters = append(m.filters, f)
	if old == nil {
		c.addHandle(handle)
	}
	c.byHandle[handle] = f
	if old != nil {
		c.tp.UnbindFilter(&old.res)
		old.exts.Destroy()
	}
	return f, nil
}

// findMask returns the mask equal to mk, making it (at the end of the
// list) when none is.
func (c *flower) findMask(mk *key, ranged bool) *mask {
	for _, m := range c.masks {
		if m.m == *mk && m.ranged == ranged {
			return m
		}
	}
	m := &mask{m: *mk, ranged: ranged, ht: map[string]*filter{}}
	m.start, m.end = 0, 0
	for i := range mk {
		if mk[i] != 0 {
			if m.end == 0 {
				m.start = i
			}
			m.end = i + 1
		}
	}
	for i := offHash; i < offHash+4; i++ {
		m.hash = m.hash || mk[i] != 0
	}
	c.masks = append(c.masks, m)
	return m
}

func (c *flower) hasMask(m *mask) bool {
	for _, x := range c.masks {
		if x == m {
			return true
		}
	}
	return false
}

func (c *flower) dropMaskIfEmpty(m *mask) {
	if len(m.filters) > 0 {
		return
	}
	for i, x := range c.masks {
		if x == m {
			c.masks = append(c.masks[:i:i], c.masks[i+1:]...)
			return
		}
	}
}

// unlink takes f out of its mask (and the mask out when it empties).
func (c *flower) unlink(f *filter) {
	m := f.mask
	if !m.ranged {
		k := string(f.key[m.start:m.end])
		if m.ht[k] == f {
			delete(m.ht, k)
		}
	}
	for i, x := range m.filters {
		if x == f {
			m.filters = append(m.filters[:i:i], m.filters[i+1:]...)
			break
		}
	}
	c.dropMaskIfEmpty(m)
}

func (c *flower) addHandle(h uint32) {
	i := len(c.handles)
	for i > 0 && c.handles[i-1] > h {
		i--
	}
	c.handles = append(c.handles, 0)
	copy(c.handles[i+1:], c.handles[i:])
	c.handles[i] = h
}

func (c *flower) delHandle(h uint32) {
	for i, x := range c.handles {
		if x == h {
			c.handles = append(c.handles[:i:i], c.handles[i+1:]...)
			return
		}
	}
}

// Delete is fl_delete: the proto goes with its last mask.
func (c *flower) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	f, _ := fh.(*filter)
	if f == nil || c.byHandle[f.handle] != f {
		return len(c.masks) == 0, syscall.ENOENT
	}
	c.unlink(f)
	delete(c.byHandle, f.handle)
	c.delHandle(f.handle)
	c.tp.UnbindFilter(&f.res)
	f.exts.Destroy()
	return len(c.masks) == 0, nil
}

// Walk visits the filters in handle order (fl_walk over the idr).
func (c *flower) Walk(fn func(fh sched.Filter) bool) {
	for _, h := range c.handles {
		if f := c.byHandle[h]; f != nil && !fn(f) {
			return
		}
	}
}

// Destroy is fl_destroy.
func (c *flower) Destroy(*sched.Ext) {
	for _, f := range c.byHandle {
		c.tp.UnbindFilter(&f.res)
		f.exts.Destroy()
	}
	c.byHandle = map[uint32]*filter{}
	c.masks, c.handles = nil, nil
}

// BindClass is fl_bind_class.
func (c *flower) BindClass(fh sched.Filter, classid tc.Handle, cl sched.Class, base tc.Handle) {
	if f, _ := fh.(*filter); f != nil {
		c.tp.RebindClass(&f.res, classid, cl, base)
	}
}

// Dump is fl_dump.
func (c *flower) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	f, _ := fh.(*filter)
	if f == nil {
		return nil
	}
	t.Handle = tc.Handle(f.handle)
	b.Nest(sched.TCA_OPTIONS)
	if f.res.ClassID != 0 {
		b.PutU32(TCA_FLOWER_CLASSID, uint32(f.res.ClassID))
	}
	dumpKey(c.tp.Net(), b, &f.key, &f.mask.m, f.rng)
	if f.flags != 0 {
		b.PutU32(TCA_FLOWER_FLAGS, f.flags)
	}
	b.PutU32(TCA_FLOWER_IN_HW_COUNT, 0)
	if err := f.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	b.EndNest()
	return f.exts.DumpStats(b)
}

// TerseDump is fl_terse_dump: handle, flags and actions only.
func (c *flower) TerseDump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	f, _ := fh.(*filter)
	if f == nil {
		return nil
	}
	t.Handle = tc.Handle(f.handle)
	b.Nest(sched.TCA_OPTIONS)
	if f.flags != 0 {
		b.PutU32(TCA_FLOWER_FLAGS, f.flags)
	}
	if err := f.exts.TerseDump(b); err != nil {
		b.CancelNest()
		return err
	}
	b.EndNest()
	return nil
}
