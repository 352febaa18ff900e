// Package route is the route classifier (cls_route.c, "route4"): filters
// keyed by the realms of the route a packet took (pkt.Packet.RouteClassID,
// the kernel's dst->tclassid: from realm << 16 | to realm) and the device
// it came in on. A packet that was not routed (at ingress, or sent without
// a route) matches nothing.
package route

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Kind is route.
var Kind = &sched.ClassifierKind{
	ID:     "route",
	New:    func(tp *sched.Proto) sched.Classifier { return &route{tp: tp} },
	Syntax: Syntax,
}

// TCA_ROUTE4_* attributes inside TCA_OPTIONS.
const (
	TCA_ROUTE4_UNSPEC = iota
	TCA_ROUTE4_CLASSID
	TCA_ROUTE4_TO
	TCA_ROUTE4_FROM
	TCA_ROUTE4_IIF
	TCA_ROUTE4_POLICE
	TCA_ROUTE4_ACT
	TCA_ROUTE4_MAX = TCA_ROUTE4_ACT
)

type filter struct {
	id     uint32 // to | from << 16
	iif    int32
	res    sched.Result
	exts   sched.Exts
	handle uint32
	bkt    *bucket
}

// bucket holds the filters of one "to" value: 16 from buckets, 16 iif
// buckets and the wildcard (struct route4_bucket).
type bucket struct {
	ht [33][]*filter // each sorted by handle
}

type route struct {
	tp    *sched.Proto
	table [257]*bucket
}

var (
	_ sched.Classifier  = (*route)(nil)
	_ sched.ClassBinder = (*route)(nil)
)

func hashTo(id uint32) uint32   { return id & 0xFF }
func hashFrom(id uint32) uint32 { return (id >> 16) & 0xF }
func hashIif(iif int32) uint32  { return 16 + uint32(iif>>16)&0xF }
func toHash(id uint32) uint32 {
	h := id & 0xFF
	if id&0x8000 != 0 {
		h += 256
	}
	return h
}

func fromHash(id uint32) uint32 {
	id &= 0xFFFF
	if id == 0xFFFF {
		return 32
	}
	if id&0x8000 == 0 {
		if id > 255 {
			return 256
		}
		return id & 0xF
	}
	return 16 + id&0xF
}

// Classify is route4_classify (without its cache, which changes nothing
// but speed).
func (r *route) Classify(p *pkt.Packet, res *sched.Result) int {
	id := p.RouteClassID
	if id == 0 {
		return sched.ActUnspec // no route
	}
	iif := p.InIfindex
	for h := hashTo(id); ; {
		if b := r.table[h]; b != nil {
			for _, lst := range []struct {
				fs   []*filter
				pick func(f *filter) bool
			}{
				{b.ht[hashFrom(id)], func(f *filter) bool { return f.id == id }},
				{b.ht[hashIif(iif)], func(f *filter) bool { return f.iif == iif }},
				{b.ht[32], func(*filter) bool { return true }},
			} {
				for _, f := range lst.fs {
					if !lst.pick(f) {
						continue
					}
					*res = f.res
					if f.exts.HasActions() {
						if v := f.exts.Exec(p, res); v >= 0 {
							return v
						}
						continue
					}
					return sched.ActOK
				}
			}
		}
		if h >= 256 {
			return sched.ActUnspec
		}
		h = 256
		id &^= 0xFFFF
	}
}

// Get is route4_get.
func (r *route) Get(handle uint32) sched.Filter {
	h1, h2 := toHash(handle), fromHash(handle>>16)
	if h1 > 256 || h2 > 32 {
		return nil
	}
	if b := r.table[h1]; b != nil {
		for _, f := range b.ht[h2] {
			if f.handle == handle {
				return f
			}
		}
	}
	return nil
}

var policy = map[uint16]nl.PolicyEntry{
	TCA_ROUTE4_CLASSID: {Type: nl.U32},
	TCA_ROUTE4_TO:      {Type: nl.U32},
	TCA_ROUTE4_FROM:    {Type: nl.U32},
	TCA_ROUTE4_IIF:     {Type: nl.U32},
}

// maxOf are the NLA_POLICY_MAX bounds.
var maxOf = map[uint16]uint32{TCA_ROUTE4_TO: 0xFF, TCA_ROUTE4_FROM: 0xFF, TCA_ROUTE4_IIF: 0x7FFF}

// Change is route4_change.
func (r *route) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	if req.Options == nil {
		if req.Handle != 0 {
			return nil, syscall.EINVAL
		}
		return nil, nil
	}
	tb, err := sched.ParseOptions(req.Options.Data, TCA_ROUTE4_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	for t, m := range maxOf {
		if a := tb.Get(t); a != nil && a.U32() > m {
			return nil, syscall.ERANGE
		}
	}
	old, _ := fh.(*filter)
	if old != nil && req.Handle != 0 && old.handle != req.Handle {
		return nil, syscall.EINVAL
	}
	f := &filter{exts: sched.NewExts(TCA_ROUTE4_ACT, TCA_ROUTE4_POLICE)}
	isNew := true
	if old != nil {
		f.id, f.iif, f.handle, f.bkt = old.id, old.iif, old.handle, old.bkt
		isNew = false
	}
	if err := r.setParms(f, req, tb, isNew); err != nil {
		f.exts.Destroy()
		return nil, err
	}
	h := fromHash(f.handle >> 16)
	lst := f.bkt.ht[h]
	i := 0
	for i < len(lst) && f.handle >= lst[i].handle {
		i++
	}
	lst = append(lst, nil)
	copy(lst[i+1:], lst[i:])
	lst[i] = f
	f.bkt.ht[h] = lst
	if old != nil {
		if b := r.table[toHash(old.handle)]; b != nil {
			oh := fromHash(old.handle >> 16)
			for j, x := range b.ht[oh] {
				if x == old {
					b.ht[oh] = append(b.ht[oh][:j:j], b.ht[oh][j+1:]...)
					break
				}
			}
		}
		r.tp.UnbindFilter(&old.res)
		old.exts.Destroy()
	}
	return f, nil
}

// setParms is route4_set_parms.
func (r *route) setParms(f *filter, req *sched.FilterChange, tb nl.Attrs, isNew bool) error {
	if err := f.exts.Validate(r.tp, tb, req.Rate, req.Flags, req.Ext); err != nil {
		return err
	}
	handle := req.Handle
	var id, to uint32
	nhandle := uint32(0x8000)
	if a := tb.Get(TCA_ROUTE4_TO); a != nil {
		if isNew && handle&0x8000 != 0 {
			return sched.Err(syscall.EINVAL, "Invalid handle")
		}
		to = a.U32()
		nhandle = to
	}
	if tb.Has(TCA_ROUTE4_FROM) && tb.Has(TCA_ROUTE4_IIF) {
		return sched.Err(syscall.EINVAL, "'from' and 'fromif' are mutually exclusive")
	}
	switch {
	case tb.Has(TCA_ROUTE4_FROM):
		id = tb.Get(TCA_ROUTE4_FROM).U32()
		nhandle |= id << 16
	case tb.Has(TCA_ROUTE4_IIF):
		id = tb.Get(TCA_ROUTE4_IIF).U32()
		nhandle |= (id | 0x8000) << 16
	default:
		nhandle |= 0xFFFF << 16
	}
	if handle != 0 && isNew {
		nhandle |= handle & 0x7F00
		if nhandle != handle {
			return syscall.EINVAL
		}
	}
	if nhandle == 0 {
		return sched.Err(syscall.EINVAL, "Replacing with handle of 0 is invalid")
	}
	h1 := toHash(nhandle)
	b := r.table[h1]
	if b == nil {
		b = &bucket{}
		r.table[h1] = b
	} else {
		for _, x := range b.ht[fromHash(nhandle>>16)] {
			if x.handle == f.handle {
				return sched.Err(syscall.EEXIST, "Filter handle already exists")
			}
		}
	}
	if tb.Has(TCA_ROUTE4_TO) {
		f.id = to
	}
	if tb.Has(TCA_ROUTE4_FROM) {
		f.id = to | id<<16
	} else if tb.Has(TCA_ROUTE4_IIF) {
		f.iif = int32(id)
	}
	f.handle = nhandle
	f.bkt = b
	if a := tb.Get(TCA_ROUTE4_CLASSID); a != nil {
		f.res.ClassID = tc.Handle(a.U32())
		r.tp.BindFilter(&f.res, req.Base)
	}
	return nil
}

// Delete is route4_delete: an emptied bucket goes.
func (r *route) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	f, _ := fh.(*filter)
	if f == nil {
		return false, syscall.EINVAL
	}
	b := f.bkt
	h := fromHash(f.handle >> 16)
	for i, x := range b.ht[h] {
		if x != f {
			continue
		}
		b.ht[h] = append(b.ht[h][:i:i], b.ht[h][i+1:]...)
		r.tp.UnbindFilter(&f.res)
		f.exts.Destroy()
		empty := true
		for _, l := range b.ht {
			if len(l) > 0 {
				empty = false
			}
		}
		if empty && r.table[toHash(f.handle)] == b {
			r.table[toHash(f.handle)] = nil
		}
		break
	}
	for _, t := range r.table {
		if t != nil {
			return false, nil
		}
	}
	return true, nil
}

// Walk is route4_walk.
func (r *route) Walk(fn func(fh sched.Filter) bool) {
	for _, b := range r.table {
		if b == nil {
			continue
		}
		for _, l := range b.ht {
			for _, f := range l {
				if !fn(f) {
					return
				}
			}
		}
	}
}

// Dump is route4_dump.
func (r *route) Dump(fh sched.Filter, t *sched.TCMsg, b *nl.Builder) error {
	f, _ := fh.(*filter)
	if f == nil {
		return nil
	}
	t.Handle = tc.Handle(f.handle)
	b.Nest(sched.TCA_OPTIONS)
	if f.handle&0x8000 == 0 {
		b.PutU32(TCA_ROUTE4_TO, f.id&0xFF)
	}
	if f.handle&0x80000000 != 0 {
		if f.handle>>16 != 0xFFFF {
			b.PutU32(TCA_ROUTE4_IIF, uint32(f.iif))
		}
	} else {
		b.PutU32(TCA_ROUTE4_FROM, f.id>>16)
	}
	if f.res.ClassID != 0 {
		b.PutU32(TCA_ROUTE4_CLASSID, uint32(f.res.ClassID))
	}
	if err := f.exts.Dump(b); err != nil {
		b.CancelNest()
		return err
	}
	b.EndNest()
	return f.exts.DumpStats(b)
}

// Destroy is route4_destroy.
func (r *route) Destroy(*sched.Ext) {
	r.Walk(func(fh sched.Filter) bool {
		f := fh.(*filter)
		r.tp.UnbindFilter(&f.res)
		f.exts.Destroy()
		return true
	})
	r.table = [257]*bucket{}
}

// BindClass is route4_bind_class.
func (r *route) BindClass(fh sched.Filter, classid tc.Handle, c sched.Class, base tc.Handle) {
	if f, _ := fh.(*filter); f != nil {
		r.tp.RebindClass(&f.res, classid, c, base)
	}
}
