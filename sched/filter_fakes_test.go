package sched_test

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// fake is a test classifier with the abilities matchall lacks: many
// filters per proto, changes in place, chain templates, goto chain, a
// mark to match on. Its options: 1 classid, 2 verdict, 3 goto chain, 4 mark.
var fakeKind = &sched.ClassifierKind{
	ID:  "fake",
	New: func(tp *sched.Proto) sched.Classifier { return &fakeCls{tp: tp} },
	NewTemplate: func(c *sched.Chain, attrs nl.Attrs, ext *sched.Ext) (sched.ChainTemplate, error) {
		var opt []byte
		if a := attrs.Get(sched.TCA_OPTIONS); a != nil {
			opt = append(opt, a.Data...)
		}
		return &fakeTmpl{opt: opt}, nil
	},
}

const (
	fakeClassID = 1
	fakeVerdict = 2
	fakeGoto    = 3
	fakeMark    = 4
)

type fakeTmpl struct{ opt []byte }

func (t *fakeTmpl) Dump(b *nl.Builder) error { b.Put(sched.TCA_OPTIONS, t.opt); return nil }
func (t *fakeTmpl) Destroy()                 {}

type fakeFilter struct {
	handle  uint32
	res     sched.Result
	verdict int
	mark    uint32
	jump    *sched.Chain
}

type fakeCls struct {
	tp      *sched.Proto
	filters []*fakeFilter
	next    uint32
}

var (
	_ sched.ClassBinder = (*fakeCls)(nil)
)

func (f *fakeCls) Classify(p *pkt.Packet, res *sched.Result) int {
	for _, x := range f.filters {
		if x.mark != 0 && p.Mark != x.mark {
			continue
		}
		*res = x.res
		if x.jump != nil {
			res.GotoChain = x.jump
			return sched.ActGotoChain | int(x.jump.Index)
		}
		return x.verdict
	}
	return sched.ActUnspec
}

func (f *fakeCls) Get(h uint32) sched.Filter {
	for _, x := range f.filters {
		if x.handle == h {
			return x
		}
	}
	return nil
}

func (f *fakeCls) Change(req *sched.FilterChange, fh sched.Filter) (sched.Filter, error) {
	var tb nl.Attrs
	if req.Options != nil {
		tb = nl.Parse(req.Options.Data, 5)
		if tb.Get(5) != nil {
			return nil, sched.Err(syscall.EINVAL, "fake refuses option 5")
		}
	}
	x, _ := fh.(*fakeFilter)
	if x == nil {
		h := req.Handle
		if h == 0 {
			f.next++
			h = 0x100 + f.next
		}
		x = &fakeFilter{handle: h}
		f.filters = append(f.filters, x)
	}
	if req.Options != nil {
		if a := tb.Get(fakeClassID); a != nil {
			x.res.ClassID = tc.Handle(a.U32())
			f.tp.BindFilter(&x.res, req.Base)
		}
		if a := tb.Get(fakeVerdict); a != nil {
			x.verdict = int(int32(a.U32()))
		}
		if a := tb.Get(fakeGoto); a != nil {
			if x.jump != nil {
				x.jump.PutByAct()
			}
			x.jump = f.tp.Block().ChainGetByAct(a.U32())
		}
		if a := tb.Get(fakeMark); a != nil {
			x.mark = a.U32()
		}
	}
	return x, nil
}

func (f *fakeCls) Delete(fh sched.Filter, _ *sched.Ext) (bool, error) {
	for i, x := range f.filters {
		if x == fh {
			f.release(x)
			f.filters = append(f.filters[:i], f.filters[i+1:]...)
			break
		}
	}
	return len(f.filters) == 0, nil
}

func (f *fakeCls) release(x *fakeFilter) {
	f.tp.UnbindFilter(&x.res)
	if x.jump != nil {
		x.jump.PutByAct()
		x.jump = nil
	}
}

func (f *fakeCls) Walk(fn func(fh sched.Filter) bool) {
	for _, x := range f.filters {
		if !fn(x) {
			return
		}
	}
}

func (f *fakeCls) Dump(fh sched.Filter, m *sched.TCMsg, b *nl.Builder) error {
	x := fh.(*fakeFilter)
	m.Handle = tc.Handle(x.handle)
	b.Nest(sched.TCA_OPTIONS)
	if x.res.ClassID != 0 {
		b.PutU32(fakeClassID, uint32(x.res.ClassID))
	}
	b.PutU32(fakeVerdict, uint32(int32(x.verdict)))
	if x.jump != nil {
		b.PutU32(fakeGoto, x.jump.Index)
	}
	b.EndNest()
	return nil
}

func (f *fakeCls) Destroy(*sched.Ext) {
	for _, x := range f.filters {
		f.release(x)
	}
	f.filters = nil
}

func (f *fakeCls) BindClass(fh sched.Filter, classid tc.Handle, c sched.Class, base tc.Handle) {
	x := fh.(*fakeFilter)
	f.tp.RebindClass(&x.res, classid, c, base)
}

// fakeOpts builds the options of a fake filter.
func fakeOpts(classid tc.Handle, verdict int) attr {
	return opts(u32attr(fakeClassID, uint32(classid)), u32attr(fakeVerdict, uint32(int32(verdict))))
}

// classfulKind ("cfq") is a test qdisc whose classes are made by request,
// each with its own filter block, and which counts the filters bound to
// each class: what tc_bind_tclass has to keep right.
var classfulKind = &sched.Kind{
	ID:  "cfq",
	New: func(q *sched.Qdisc) sched.Discipline { return &cfq{q: q, classes: map[tc.Handle]*cfqClass{}} },
}

type cfqClass struct {
	id      tc.Handle
	block   *sched.Block
	filters int // bound filters (filter_cnt)
}

type cfq struct {
	q       *sched.Qdisc
	block   *sched.Block
	classes map[tc.Handle]*cfqClass
	order   []tc.Handle
}

var (
	_ sched.Classful     = (*cfq)(nil)
	_ sched.ClassChanger = (*cfq)(nil)
	_ sched.ClassDeleter = (*cfq)(nil)
	_ sched.BlockOwner   = (*cfq)(nil)
	_ sched.FilterBinder = (*cfq)(nil)
)

func (c *cfq) Init(*nl.Attr, *sched.Ext) error     { c.block = sched.NewBlock(c.q); return nil }
func (c *cfq) Enqueue(p *pkt.Packet) sched.Verdict { return c.q.Drop(p) }
func (c *cfq) Dequeue() *pkt.Packet                { return nil }
func (c *cfq) Peek() *pkt.Packet                   { return nil }
func (c *cfq) Reset()                              {}
func (c *cfq) Leaf(sched.Class) *sched.Qdisc       { return nil }
func (c *cfq) Graft(sched.Class, *sched.Qdisc, *sched.Ext) (*sched.Qdisc, error) {
	return nil, syscall.EOPNOTSUPP
}

func (c *cfq) Find(id tc.Handle) sched.Class {
	if cl := c.classes[id]; cl != nil {
		return cl
	}
	return nil
}

func (c *cfq) Walk(fn func(sched.Class) bool) {
	for _, id := range c.order {
		if !fn(c.classes[id]) {
			return
		}
	}
}

func (c *cfq) DumpClass(cl sched.Class, m *sched.TCMsg, b *nl.Builder) error {
	m.Handle = cl.(*cfqClass).id
	return nil
}

func (c *cfq) ChangeClass(req *sched.ClassChange, cl sched.Class, ext *sched.Ext) (sched.Class, error) {
	if cl != nil {
		return cl, nil
	}
	n := &cfqClass{id: req.ClassID, block: sched.NewBlock(c.q)}
	c.classes[n.id] = n
	c.order = append(c.order, n.id)
	return n, nil
}

func (c *cfq) DeleteClass(cl sched.Class, ext *sched.Ext) error {
	x := cl.(*cfqClass)
	if x.filters > 0 {
		return sched.Err(syscall.EBUSY, "cfq class in use by filters")
	}
	delete(c.classes, x.id)
	for i, id := range c.order {
		if id == x.id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return nil
}

func (c *cfq) Block(cl sched.Class, _ *sched.Ext) (*sched.Block, error) {
	if cl == nil {
		return c.block, nil
	}
	return cl.(*cfqClass).block, nil
}

func (c *cfq) BindFilter(_ tc.Handle, classid tc.Handle) sched.Class {
	if x := c.classes[classid]; x != nil {
		x.filters++
		return x
	}
	return nil
}

func (c *cfq) UnbindFilter(cl sched.Class) { cl.(*cfqClass).filters-- }

// bound returns how many filters hold class id.
func (c *cfq) bound(id tc.Handle) int {
	if x := c.classes[id]; x != nil {
		return x.filters
	}
	return -1
}

var _ = binary.NativeEndian
