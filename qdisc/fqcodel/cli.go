package fqcodel

import (
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is fq_codel's tc face (q_fq_codel.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... fq_codel\t[ limit PACKETS ] [ flows NUMBER ]\n" +
	"[ memory_limit BYTES ]\n" +
	"[ target TIME ] [ interval TIME ]\n" +
	"[ quantum BYTES ] [ [no]ecn ]\n" +
	"[ ce_threshold TIME ]\n" +
	"[ ce_threshold_selector VALUE/MASK ]\n" +
	"[ drop_batch SIZE ]"

func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var dropBatch, limit, flows, target, interval, quantum uint32
	ce, memory := ^uint32(0), ^uint32(0)
	var ceMask uint8
	ceSel := uint8(0xff)
	ecn := -1
	for a.More() {
		w := a.Next()
		var err error
		switch w {
		case "limit":
			err = uintArg(a, &limit, w)
		case "flows":
			err = uintArg(a, &flows, w)
		case "quantum":
			err = uintArg(a, &quantum, w)
		case "drop_batch":
			err = uintArg(a, &dropBatch, w)
		case "target", "ce_threshold", "interval":
			v := map[string]*uint32{"target": &target, "ce_threshold": &ce, "interval": &interval}[w]
			err = timeArg(a, v, w)
		case "ce_threshold_selector":
			s, e := a.Value()
			if e != nil {
				return e
			}
			val, mask, ok := strings.Cut(s, "/")
			if !ok {
				return tc.Usagef("Missing mask for \"ce_threshold_selector\"")
			}
			m, e := tc.GetU8(mask, 0)
			if e != nil {
				return tc.Usagef("Illegal mask for \"ce_threshold_selector\"")
			}
			ceMask = m
			v, e := tc.GetU8(val, 0)
			if e != nil {
				return tc.Usagef("Illegal \"ce_threshold_selector\"")
			}
			ceSel = v
		case "memory_limit":
			s, e := a.Value()
			if e != nil {
				return e
			}
			if memory, e = tc.ParseSize(s); e != nil {
				return tc.Usagef("Illegal \"memory_limit\"")
			}
		case "ecn":
			ecn = 1
		case "noecn":
			ecn = 0
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
		if err != nil {
			return err
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	put := func(t uint16, v uint32) {
		if v != 0 {
			b.PutU32(t, v)
		}
	}
	put(TCA_FQ_CODEL_LIMIT, limit)
	put(TCA_FQ_CODEL_FLOWS, flows)
	put(TCA_FQ_CODEL_QUANTUM, quantum)
	put(TCA_FQ_CODEL_INTERVAL, interval)
	put(TCA_FQ_CODEL_TARGET, target)
	if ecn != -1 {
		b.PutU32(TCA_FQ_CODEL_ECN, uint32(ecn))
	}
	if ce != ^uint32(0) {
		b.PutU32(TCA_FQ_CODEL_CE_THRESHOLD, ce)
	}
	if ceSel != 0xff {
		b.PutU8(TCA_FQ_CODEL_CE_THRESHOLD_MASK, ceMask)
		b.PutU8(TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR, ceSel)
	}
	if memory != ^uint32(0) {
		b.PutU32(TCA_FQ_CODEL_MEMORY_LIMIT, memory)
	}
	put(TCA_FQ_CODEL_DROP_BATCH_SIZE, dropBatch)
	b.EndNest()
	return nil
}

func uintArg(a *tc.Args, v *uint32, name string) error {
	s, err := a.Value()
	if err != nil {
		return err
	}
	x, err := tc.ParseUint(s, 32)
	if err != nil {
		return tc.Usagef("Illegal \"%s\"", name)
	}
	*v = uint32(x)
	return nil
}

func timeArg(a *tc.Args, v *uint32, name string) error {
	s, err := a.Value()
	if err != nil {
		return err
	}
	x, err := tc.ParseTime(s)
	if err != nil {
		return tc.Usagef("Illegal \"%s\"", name)
	}
	*v = x
	return nil
}

// cHex is C's "%#x": 0 prints as "0".
func cHex(v uint8) string {
	if v == 0 {
		return "0"
	}
	const digits = "0123456789abcdef"
	if v < 16 {
		return "0x" + digits[v:v+1]
	}
	return "0x" + digits[v>>4:v>>4+1] + digits[v&15:v&15+1]
}

func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_FQ_CODEL_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	u8 := func(t uint16) uint8 {
		if a := tb.Get(t); a != nil && len(a.Data) >= 1 {
			return a.U8()
		}
		return 0
	}
	if v, ok := u(TCA_FQ_CODEL_LIMIT); ok {
		p.Uint(tc.Any, "limit", "limit %dp ", uint64(v))
	}
	if v, ok := u(TCA_FQ_CODEL_FLOWS); ok {
		p.Uint(tc.Any, "flows", "flows %d ", uint64(v))
	}
	if v, ok := u(TCA_FQ_CODEL_QUANTUM); ok {
		p.Uint(tc.Any, "quantum", "quantum %d ", uint64(v))
	}
	if v, ok := u(TCA_FQ_CODEL_TARGET); ok {
		p.Uint(tc.JSON, "target", "", uint64(v))
		p.String(tc.Text, "", "target %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_FQ_CODEL_CE_THRESHOLD); ok {
		p.Uint(tc.JSON, "ce_threshold", "", uint64(v))
		p.String(tc.Text, "", "ce_threshold %s ", tc.TimeString(v))
	}
	sel, mask := u8(TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR), u8(TCA_FQ_CODEL_CE_THRESHOLD_MASK)
	if sel != 0 || mask != 0 {
		p.Uint(tc.JSON, "ce_threshold_selector", "", uint64(sel))
		p.String(tc.Text, "", "ce_threshold_selector %s", cHex(sel))
		p.Uint(tc.JSON, "ce_threshold_mask", "", uint64(mask))
		p.String(tc.Text, "", "/%s ", cHex(mask))
	}
	if v, ok := u(TCA_FQ_CODEL_INTERVAL); ok {
		p.Uint(tc.JSON, "interval", "", uint64(v))
		p.String(tc.Text, "", "interval %s ", tc.TimeString(v))
	}
	if v, ok := u(TCA_FQ_CODEL_MEMORY_LIMIT); ok {
		p.Size(tc.Any, "memory_limit", "memory_limit %s ", v)
	}
	if v, ok := u(TCA_FQ_CODEL_ECN); ok && v != 0 {
		p.Bool(tc.Any, "ecn", "ecn ", true)
	}
	if v, ok := u(TCA_FQ_CODEL_DROP_BATCH_SIZE); ok && v != 0 {
		p.Uint(tc.Any, "drop_batch", "drop_batch %d ", uint64(v))
	}
	return nil
}

// PrintXstats prints the qdisc's or a flow's xstats (fq_codel_print_xstats).
func (syntax) PrintXstats(p *tc.Printer, b []byte) error {
	typ, qd, cl := DecodeXstats(b)
	switch typ {
	case XstatsQdisc:
		p.Uint(tc.Any, "maxpacket", "  maxpacket %d", uint64(qd.MaxPacket))
		p.Uint(tc.Any, "drop_overlimit", " drop_overlimit %d", uint64(qd.DropOverlimit))
		p.Uint(tc.Any, "new_flow_count", " new_flow_count %d", uint64(qd.NewFlowCount))
		p.Uint(tc.Any, "ecn_mark", " ecn_mark %d", uint64(qd.ECNMark))
		if qd.CEMark != 0 {
			p.Uint(tc.Any, "ce_mark", " ce_mark %d", uint64(qd.CEMark))
		}
		if qd.MemoryUsage != 0 {
			p.Uint(tc.Any, "memory_used", " memory_used %d", uint64(qd.MemoryUsage))
		}
		if qd.DropOvermemory != 0 {
			p.Uint(tc.Any, "drop_overmemory", " drop_overmemory %d", uint64(qd.DropOvermemory))
		}
		p.NL()
		p.Uint(tc.Any, "new_flows_len", "  new_flows_len %d", uint64(qd.NewFlowsLen))
		p.Uint(tc.Any, "old_flows_len", " old_flows_len %d", uint64(qd.OldFlowsLen))
	case XstatsClass:
		p.Int(tc.Any, "deficit", "  deficit %d", int64(cl.Deficit))
		p.Uint(tc.Any, "count", " count %d", uint64(cl.Count))
		p.Uint(tc.Any, "lastcount", " lastcount %d", uint64(cl.LastCount))
		p.Uint(tc.JSON, "ldelay", "", uint64(cl.LDelay))
		p.String(tc.Text, "", " ldelay %s", tc.TimeString(cl.LDelay))
		if cl.Dropping != 0 {
			p.Bool(tc.Any, "dropping", " dropping", true)
			p.Int(tc.JSON, "drop_next", "", int64(cl.DropNext))
			if cl.DropNext < 0 {
				p.String(tc.Text, "", " drop_next -%s", tc.TimeString(uint32(-cl.DropNext)))
			} else {
				p.String(tc.Text, "", " drop_next %s", tc.TimeString(uint32(cl.DropNext)))
			}
		}
	}
	return nil
}
