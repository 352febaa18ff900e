package sim

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/rtnl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// tcEntry is one qdisc or class as a dump reports it: the same
// RTM_GETQDISC / RTM_GETTCLASS requests `tc -s` makes, answered by the
// engine's control path, so the simulator reads every kind the same way.
type tcEntry struct {
	ifindex         int32
	handle, parent  tc.Handle
	kind            string
	bytes, packets  uint64
	qlen, backlog   uint32
	drops, requeues uint32
	overlimits      uint32
	class           bool
}

// dumper sends dump requests on one rtnl connection of a namespace.
type dumper struct {
	conn *rtnl.Conn
	nb   *nl.Builder
	seq  uint32
}

func newDumper(e *rtnl.Engine, ns string) *dumper {
	return &dumper{conn: e.Connect(ns, 0, true, func([]byte) {}), nb: nl.NewBuilder()}
}

// dump lists the qdiscs (classes: false) or classes of a device.
func (d *dumper) dump(ifindex int32, classes bool, fn func(e *tcEntry)) {
	typ := uint16(sched.RTM_GETQDISC)
	if classes {
		typ = sched.RTM_GETTCLASS
	}
	d.seq++
	d.nb.Reset()
	d.nb.Begin(typ, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, d.seq, 0)
	m := sched.TCMsg{Ifindex: ifindex}
	m.Encode(d.nb)
	d.nb.End()
	var e tcEntry
	for _, dg := range d.conn.Handle(d.nb.Bytes()) {
		msgs, _ := nl.Split(dg)
		for _, msg := range msgs {
			if msg.Type != sched.RTM_NEWQDISC && msg.Type != sched.RTM_NEWTCLASS || len(msg.Data) < 20 {
				continue
			}
			b := msg.Data
			e = tcEntry{
				ifindex: int32(binary.NativeEndian.Uint32(b[4:])),
				handle:  tc.Handle(binary.NativeEndian.Uint32(b[8:])),
				parent:  tc.Handle(binary.NativeEndian.Uint32(b[12:])),
				class:   classes,
			}
			if ifindex != 0 && e.ifindex != ifindex {
				continue
			}
			at := nl.Parse(b[20:], sched.TCA_MAX)
			if a := at.Get(sched.TCA_KIND); a != nil {
				e.kind = a.Str()
			}
			if a := at.Get(sched.TCA_STATS2); a != nil {
				st := nl.Parse(a.Data, sched.TCA_STATS_PKT64)
				if x := st.Get(sched.TCA_STATS_BASIC); x != nil && len(x.Data) >= 12 {
					e.bytes = binary.NativeEndian.Uint64(x.Data)
					e.packets = uint64(binary.NativeEndian.Uint32(x.Data[8:]))
				}
				if x := st.Get(sched.TCA_STATS_PKT64); x != nil && len(x.Data) >= 8 {
					e.packets = x.U64()
				}
				if x := st.Get(sched.TCA_STATS_QUEUE); x != nil && len(x.Data) >= 20 {
					q := x.Data
					e.qlen = binary.NativeEndian.Uint32(q[0:])
					e.backlog = binary.NativeEndian.Uint32(q[4:])
					e.drops = binary.NativeEndian.Uint32(q[8:])
					e.requeues = binary.NativeEndian.Uint32(q[12:])
					e.overlimits = binary.NativeEndian.Uint32(q[16:])
				}
			}
			fn(&e)
		}
	}
}
