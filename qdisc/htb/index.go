package htb

import "github.com/netsched/netsched/tc"

// classIndex finds a class by minor in two dependent loads, for the data
// path: classification looks a class up by skb->priority, a filter's class
// id or the default id for every packet, and a Go map of thousands of
// classes costs a hash and a probe of a table that does not stay in cache.
// Pages of 256 minors are made on first use (2 KiB each), so a small tree
// costs little.
type classIndex struct {
	pages [256]*[256]*class
}

func (x *classIndex) get(minor uint16) *class {
	if p := x.pages[minor>>8]; p != nil {
		return p[minor&0xff]
	}
	return nil
}

func (x *classIndex) set(minor uint16, cl *class) {
	p := x.pages[minor>>8]
	if p == nil {
		if cl == nil {
			return
		}
		p = new([256]*class)
		x.pages[minor>>8] = p
	}
	p[minor&0xff] = cl
}

// lookup finds the class with id (htb_find): only ids of this qdisc's
// major can name one.
func (h *htb) lookup(id tc.Handle) *class {
	if id.Maj() != h.q.Handle {
		return nil
	}
	return h.index.get(id.Minor())
}
