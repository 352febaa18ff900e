// Package flow is the flow classifier (cls_flow.c): it makes a class id
// from packet keys, either mapping one key (and, or, xor, shift, add) or
// hashing several (with an optional periodic perturbation), modulo a
// divisor, above a base class.
package flow

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is flow.
var Kind = &sched.ClassifierKind{
	ID:     "flow",
	New:    func(tp *sched.Proto) sched.Classifier { return &flow{tp: tp} },
	Syntax: Syntax,
}

// TCA_FLOW_* attributes inside TCA_OPTIONS.
const (
	TCA_FLOW_UNSPEC = iota
	TCA_FLOW_KEYS
	TCA_FLOW_MODE
	TCA_FLOW_BASECLASS
	TCA_FLOW_RSHIFT
	TCA_FLOW_ADDEND
	TCA_FLOW_MASK
	TCA_FLOW_XOR
	TCA_FLOW_DIVISOR
	TCA_FLOW_ACT
	TCA_FLOW_POLICE
	TCA_FLOW_EMATCHES
	TCA_FLOW_PERTURB
	TCA_FLOW_MAX = TCA_FLOW_PERTURB
)

// Keys (FLOW_KEY_*) and modes (FLOW_MODE_*).
const (
	KeySrc = iota
	KeyDst
	KeyProto
	KeyProtoSrc
	KeyProtoDst
	KeyIif
	KeyPriority
	KeyMark
	KeyNfct
	KeyNfctSrc
	KeyNfctDst
	KeyNfctProtoSrc
	KeyNfctProtoDst
	KeyRTClassID
	KeySkUID
	KeySkGID
	KeyVLANTag
	KeyRxHash
	keyMax = KeyRxHash

	ModeMap  = 0
	ModeHash = 1

	hz = 1000 // jiffies per second of perturb periods
)

// keysNeeded are the keys that need the packet's headers dissected.
const keysNeeded = 1<<KeySrc | 1<<KeyDst | 1<<KeyProto | 1<<KeyProtoSrc | 1<<KeyProtoDst |
	1<<KeyNfctSrc | 1<<KeyNfctDst | 1<<KeyNfctProtoSrc | 1<<KeyNfctProtoDst

type filter struct {
	handle    uint32
	exts      sched.Exts
	tree      *ematch.Tree
	keymask   uint32
	nkeys     int
	mode      uint32
	mask, xor uint32
	rshift    uint32
	addend    uint32
	divisor   uint32
	baseclass uint32
	perturb   uint32 // jiffies
	hashrnd   atomic.Uint32
	timer     clock.Timer
}

type flow struct {
	tp      *sched.Proto
	filters []*filter
}

var _ sched.Classifier = (*flow)(nil)

func bswap(v uint32) uint32 { return bits.ReverseBytes32(v) }

// v6hash is ipv6_addr_hash on a 64-bit host.
func v6hash(a *[16]byte) uint32 {
	x := binary.LittleEndian.Uint64(a[0:]) ^ binary.LittleEndian.Uint64(a[8:])
	return uint32(x ^ x>>32)
}

// addr is flow_get_u32_src/dst then ntohl: IPv4's address, an IPv6
// address folded, 0 for others.
func addr(h *clsutil.Headers, a *[16]byte) uint32 {
	switch h.IPVer {
	case 4:
		return binary.BigEndian.Uint32(a[:4])
	case 6:
		return bswap(v6hash(a))
	}
	return 0
}

// protoFold is what the kernel adds when a packet has no address:
// addr_fold of no route, xor the protocol as its network-order bytes
// read on a little-endian host.
func protoFold(p *pkt.Packet) uint32 {
	pr := clsutil.Protocol(p)
	if p.VLANTCI != 0 {
		pr = p.VLANProto
	}
	return uint32(bits.ReverseBytes16(pr))
}

func key(p *pkt.Packet, k int, h *clsutil.Headers) uint32 {
	switch k {
	case KeySrc, KeyNfctSrc:
		return addr(h, &h.Src) // no socket to fold when there is none
	case KeyDst, KeyNfctDst:
		if v := addr(h, &h.Dst); v != 0 {
			return v
		}
		return protoFold(p)
	case KeyProto:
		return uint32(h.IPProto)
	case KeyProtoSrc, KeyNfctProtoSrc:
		if h.HasPorts && (h.SPort != 0 || h.DPort != 0) {
			return uint32(h.SPort)
		}
		return 0
	case KeyProtoDst, KeyNfctProtoDst:
		if h.HasPorts && (h.SPort != 0 || h.DPort != 0) {
			return uint32(h.DPort)
		}
		return protoFold(p)
	case KeyIif:
		return uint32(p.InIfindex)
	case KeyPriority:
		return p.Priority
	case KeyMark:
		return p.Mark
	case KeyNfct:
		return 0 // no connection tracking
	case KeyRTClassID:
		return p.RouteClassID
	case KeySkUID, KeySkGID:
		return 0 // no local socket
	case KeyVLANTag:
		if p.VLANTCI != 0 {
			return uint32(p.VLANTCI & 0x0fff)
		}
		var hh clsutil.Headers
		clsutil.Parse(p, &hh)
		if hh.NumVLANs > 0 {
			return uint32(hh.VLANs[0].ID())
		}
		return 0
	case KeyRxHash:
		return inet.SkbHash(p)
	}
	return 0
}

// Classify is flow_classify.
func (c *flow) Classify(p *pkt.Packet, res *sched.Result) int {
	var keys [keyMax + 1]uint32
	var h clsutil.Headers
	for _, f := range c.filters {
		if !f.tree.Match(p) {
			continue
		}
		km := f.keymask
		if km&keysNeeded != 0 {
			clsutil.Parse(p, &h)
		}
		for n := 0; n < f.nkeys; n++ {
			k := bits.TrailingZeros32(km)
			km &^= 1 << k
			keys[n] = key(p, k, &h)
		}
		var classid uint32
		if f.mode == ModeHash {
			classid = jhash2(keys[:f.nkeys], f.hashrnd.Load())
		} else {
			classid = (keys[0]&f.mask ^ f.xor) >> f.rshift
			classid += f.addend
		}
		if f.divisor != 0 {
			classid %= f.divisor
		}
		res.Class = nil
		res.ClassID = tc.Make(f.baseclass, f.baseclass+classid)
		if r := f.exts.Exec(p, res); r >= 0 {
			return r
		}
	}
	return sched.ActUnspec
}

// Get is flow_get.
func (c *flow) Get(handle uint32) sched.Filter {
	for _, f := range c.filters {
		if f.handle == handle {
			return f
		}
	}
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_FLOW_KEYS: {Type: nl.U32}, TCA_FLOW_MODE: {Type: nl.U32}, TCA_FLOW_BASECLASS: {Type: nl.U32},
	TCA_FLOW_RSHIFT: {Type: nl.U32}, TCA_FLOW_ADDEND: {Type: nl.U32}, TCA_FLOW_MASK: {Type: nl.U32},
	TCA_FLOW_XOR: {Type: nl.U32}, TCA_FLOW_DIVISOR: {Type: nl.U32}, TCA_FLOW_ACT: {Type: nl.Nested},
	TCA_FLOW_POLICE: {Type: nl.Nested}, TCA_FLOW_EMATCHES: {Type: nl.Nested}, TCA_FLOW_PERTURB: {Type: nl.U32},
}

// Change is flow_change.
func (c *flow) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		return nil, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_FLOW_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	var baseclass, keymask uint32
	nkeys := 0
	if a := tb.Get(TCA_FLOW_BASECLASS); a != nil {
		baseclass = a.U32()
		if tc.Handle(baseclass).Minor() == 0 {
			return nil, syscall.EINVAL
		}
	}
	if a := tb.Get(TCA_FLOW_KEYS); a != nil {
		keymask = a.U32()
		nkeys = bits.OnesCount32(keymask)
		if nkeys == 0 {
			return nil, syscall.EINVAL
		}
		if 31-bits.LeadingZeros32(keymask) > keyMax {
			return nil, syscall.EOPNOTSUPP
		}
	}
	n := &filter{exts: sched.NewExts(TCA_FLOW_ACT, TCA_FLOW_POLICE)}
	if n.tree, err = ematch.Validate(tb.Get(TCA_FLOW_EMATCHES)); err != nil {
		return nil, err
	}
	if err := n.exts.Validate(c.tp, tb, req.Rate, req.Flags, req.Ext); err != nil {
		return nil, err
	}
	fail := func() (sched.Filter, error) {
		n.exts.Destroy()
		return nil, syscall.EINVAL
	}
	var mode, perturb uint32
	old, _ := fh.(*filter)
	if old != nil {
		if old.handle != req.Handle && req.Handle != 0 {
			return fail()
		}
		n.handle, n.nkeys, n.keymask, n.mode = old.handle, old.nkeys, old.keymask, old.mode
		n.mask, n.xor, n.rshift, n.addend = old.mask, old.xor, old.rshift, old.addend
		n.divisor, n.baseclass = old.divisor, old.baseclass
		n.hashrnd.Store(old.hashrnd.Load())
		mode = old.mode
		if a := tb.Get(TCA_FLOW_MODE); a != nil {
			mode = a.U32()
		}
		if mode != ModeHash && nkeys > 1 {
			return fail()
		}
		if mode == ModeHash {
			perturb = old.perturb
		}
		if a := tb.Get(TCA_FLOW_PERTURB); a != nil {
			if mode != ModeHash {
				return fail()
			}
			perturb = a.U32() * hz
		}
	} else {
		if req.Handle == 0 || !tb.Has(TCA_FLOW_KEYS) {
			return fail()
		}
		mode = ModeMap
		if a := tb.Get(TCA_FLOW_MODE); a != nil {
			mode = a.U32()
		}
		if mode != ModeHash && nkeys > 1 {
			return fail()
		}
		if a := tb.Get(TCA_FLOW_PERTURB); a != nil {
			if mode != ModeHash {
				return fail()
			}
			perturb = a.U32() * hz
		}
		if tc.Handle(baseclass).Major() == 0 {
			var qh uint32
			if q := c.tp.Qdisc(); q != nil {
				qh = uint32(q.Handle)
			}
			baseclass = uint32(tc.Make(qh, baseclass))
		}
		if tc.Handle(baseclass).Minor() == 0 {
			baseclass = uint32(tc.Make(baseclass, 1))
		}
		n.handle = req.Handle
		n.mask = ^uint32(0)
		n.hashrnd.Store(rand.Uint32())
	}
	if tb.Has(TCA_FLOW_KEYS) {
		n.keymask, n.nkeys = keymask, nkeys
	}
	n.mode = mode
	if a := tb.Get(TCA_FLOW_MASK); a != nil {
		n.mask = a.U32()
	}
	if a := tb.Get(TCA_FLOW_XOR); a != nil {
		n.xor = a.U32()
	}
	if a := tb.Get(TCA_FLOW_RSHIFT); a != nil {
		n.rshift = a.U32()
	}
	if a := tb.Get(TCA_FLOW_ADDEND); a != nil {
		n.addend = a.U32()
	}
	if a := tb.Get(TCA_FLOW_DIVISOR); a != nil {
		n.divisor = a.U32()
	}
	if baseclass != 0 {
		n.baseclass = baseclass
	}
	n.perturb = perturb
	if perturb != 0 {
		n.startPerturb(c.tp.Net())
	}
	if old != nil {
		for i, x := range c.filters {
			if x == old {
				c.filters[i] = n
			}
		}
		old.destroy()
	} else {
		c.filters = append(c.filters, n)
	}
	return n, nil
}

// startPerturb arms the timer that draws a new hash seed every period
// (flow_perturbation), on the namespace's clock.
func (f *filter) startPerturb(n *sched.Net) {
	if n == nil || n.Clock == nil {
		return
	}
	clk := n.Clock
	period := int64(f.perturb) * 1e9 / hz
	f.timer = clk.NewTimer(func() {
		f.hashrnd.Store(rand.Uint32())
		f.timer.Reset(clk.Now() + period)
	})
	f.timer.Reset(clk.Now() + period)
}

func (f *filter) destroy() {
	if f.timer != nil {
		f.timer.Stop()
	}
	f.exts.Destroy()
}

// Delete is flow_delete.
func (c *flow) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	f, _ := fh.(*filter)
	for i, x := range c.filters {
		if x == f {
			c.filters = append(c.filters[:i:i], c.filters[i+1:]...)
			f.destroy()
			break
		}
	}
	return len(c.filters) == 0, nil
}

// Walk lists the filters in the order they were made.
func (c *flow) Walk(fn func(fh sched.Filter) bool) {
	for _, f := range c.filters {
		if !fn(f) {
			return
		}
	}
}

// Dump is flow_dump.
func (c *flow) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	f, _ := fh.(*filter)
	if f == nil {
		return nil
	}
	t.Handle = tc.Handle(f.handle)
	b.Nest(sched.TCA_OPTIONS)
	b.PutU32(TCA_FLOW_KEYS, f.keymask)
	b.PutU32(TCA_FLOW_MODE, f.mode)
	if f.mask != ^uint32(0) || f.xor != 0 {
		b.PutU32(TCA_FLOW_MASK, f.mask)
		b.PutU32(TCA_FLOW_XOR, f.xor)
	}
	for _, x := range []struct {
		typ uint16
		v   uint32
	}{{TCA_FLOW_RSHIFT, f.rshift}, {TCA_FLOW_ADDEND, f.addend}, {TCA_FLOW_DIVISOR, f.divisor},
		{TCA_FLOW_BASECLASS, f.baseclass}, {TCA_FLOW_PERTURB, f.perturb / hz}} {
		if x.v != 0 {
			b.PutU32(x.typ, x.v)
		}
	}
	if err := f.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	if !f.tree.Empty() {
		f.tree.Dump(b, TCA_FLOW_EMATCHES)
	}
	b.EndNest()
	return f.exts.DumpStats(b)
}

// Destroy is flow_destroy.
func (c *flow) Destroy(*sched.Ext) {
	for _, f := range c.filters {
		f.destroy()
	}
	c.filters = nil
}

func rol32(x uint32, k uint) uint32 { return x<<k | x>>(32-k) }

// jhash2 is the kernel's jhash2 (lookup3 hashword).
func jhash2(k []uint32, initval uint32) uint32 {
	a := 0xdeadbeef + uint32(len(k))<<2 + initval
	b, c := a, a
	for len(k) > 3 {
		a += k[0]
		b += k[1]
		c += k[2]
		a -= c
		a ^= rol32(c, 4)
		c += b
		b -= a
		b ^= rol32(a, 6)
		a += c
		c -= b
		c ^= rol32(b, 8)
		b += a
		a -= c
		a ^= rol32(c, 16)
		c += b
		b -= a
		b ^= rol32(a, 19)
		a += c
		c -= b
		c ^= rol32(b, 4)
		b += a
		k = k[3:]
	}
	switch len(k) {
	case 3:
		c += k[2]
		fallthrough
	case 2:
		b += k[1]
		fallthrough
	case 1:
		a += k[0]
		c ^= b
		c -= rol32(b, 14)
		a ^= c
		a -= rol32(c, 11)
		b ^= a
		b -= rol32(a, 25)
		c ^= b
		c -= rol32(b, 16)
		a ^= c
		a -= rol32(c, 4)
		b ^= a
		b -= rol32(a, 14)
		c ^= b
		c -= rol32(b, 24)
	}
	return c
}
