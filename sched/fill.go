package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// FillQdisc writes one qdisc message (tc_fill_qdisc): tcmsg, kind, blocks,
// options, offload flag, size table, statistics, and the warning of ext if
// any. It returns false (and writes nothing) when the kind fails to dump.
func FillQdisc(b *nl.Builder, q *Qdisc, clid tc.Handle, pid, seq uint32, flags, event uint16, ext *Ext) bool {
	b.Begin(event, flags, seq, pid)
	m := TCMsg{Ifindex: q.dev.link.Ifindex(), Parent: clid, Handle: q.Handle, Info: uint32(q.refcnt)}
	m.Encode(b)
	b.PutString(TCA_KIND, q.kind.ID)
	if bs, ok := q.Discipline.(BlockSharer); ok {
		if idx := bs.IngressBlock(); idx != 0 {
			b.PutU32(TCA_INGRESS_BLOCK, idx)
		}
		if idx := bs.EgressBlock(); idx != 0 {
			b.PutU32(TCA_EGRESS_BLOCK, idx)
		}
	}
	if dm, ok := q.Discipline.(Dumper); ok {
		if err := dm.Dump(b); err != nil {
			b.Cancel()
			return false
		}
	}
	var off uint8
	if q.Flags&Offloaded != 0 {
		off = 1
	}
	b.PutU8(TCA_HW_OFFLOAD, off)
	if q.stab != nil {
		q.stab.dump(b)
	}
	d := startStats(b)
	if sd, ok := q.Discipline.(StatsDumper); ok {
		if err := sd.DumpStats(d); err != nil {
			b.Cancel()
			return false
		}
	}
	d.Basic(&q.Bstats)
	d.RateEst(q.est)
	d.Queue(q.QLen, &q.Qstats)
	d.finish()
	if ext != nil && ext.Msg != "" {
		b.PutString(TCA_EXT_WARN_MSG, ext.Msg)
	}
	b.End()
	return true
}

// FillClass writes one class message (tc_fill_tclass).
func FillClass(b *nl.Builder, q *Qdisc, c Class, pid, seq uint32, flags, event uint16, ext *Ext) bool {
	cf := q.Discipline.(Classful)
	b.Begin(event, flags, seq, pid)
	start := b.Len()
	m := TCMsg{Ifindex: q.dev.link.Ifindex(), Parent: q.Handle, Handle: q.Handle}
	m.Encode(b)
	b.PutString(TCA_KIND, q.kind.ID)
	if err := cf.DumpClass(c, &m, b); err != nil {
		b.Cancel()
		return false
	}
	// DumpClass sets the class's own parent, handle and info: write them
	// back into the tcmsg already in the buffer.
	var hdr nl.Builder
	m.Encode(&hdr)
	copy(b.B[start:], hdr.B)
	d := startStats(b)
	if sd, ok := q.Discipline.(ClassStatsDumper); ok {
		if err := sd.DumpClassStats(c, d); err != nil {
			b.Cancel()
			return false
		}
	}
	d.finish()
	if ext != nil && ext.Msg != "" {
		b.PutString(TCA_EXT_WARN_MSG, ext.Msg)
	}
	b.End()
	return true
}
