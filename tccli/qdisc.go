package tccli

import (
	"encoding/binary"
	"io"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// qdiscFilter is what `tc qdisc show` filters on; like iproute2's statics
// it lives on across the commands of a batch.
type qdiscFilter struct {
	ifindex int32
	parent  tc.Handle
	handle  tc.Handle
}

const qdiscUsage = "Usage: tc qdisc [ add | del | replace | change | show ] dev STRING\n" +
	"       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]\n" +
	"       [ estimator INTERVAL TIME_CONSTANT ]\n" +
	"       [ stab [ help | STAB_OPTIONS] ]\n" +
	"       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]\n" +
	"       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n" +
	"\n" +
	"       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]\n" +
	"Where:\n" +
	"QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }\n" +
	"OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help\n" +
	"STAB_OPTIONS := ... try tc qdisc add stab help\n" +
	"QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }\n"

// Request flags of the commands.
const (
	fExcl    = nl.NLM_F_EXCL
	fCreate  = nl.NLM_F_CREATE
	fReplace = nl.NLM_F_REPLACE
)

func (t *tool) doQdisc(argv []string) error {
	if len(argv) < 1 {
		return t.qdiscList(nil)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.qdiscModify(rtmNewQdisc, fExcl|fCreate, rest)
	case tc.Matches(w, "change"):
		return t.qdiscModify(rtmNewQdisc, 0, rest)
	case tc.Matches(w, "replace"):
		return t.qdiscModify(rtmNewQdisc, fCreate|fReplace, rest)
	case tc.Matches(w, "link"):
		return t.qdiscModify(rtmNewQdisc, fReplace, rest)
	case tc.Matches(w, "delete"):
		return t.qdiscModify(rtmDelQdisc, 0, rest)
	case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
		return t.qdiscList(rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, qdiscUsage)
		return nil
	}
	return fail(255, "Command \"%s\" is unknown, try \"tc qdisc help\".", w)
}

// devName is what tc keeps of a "dev" word: at most IFNAMSIZ-1 bytes.
func devName(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}

// kindName is what tc keeps of a kind word: at most FILTER_NAMESZ-1 bytes.
func kindName(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}

// qdiscModify is tc_qdisc_modify: add, change, replace, link, delete.
func (t *tool) qdiscModify(cmd, flags uint16, argv []string) error {
	var (
		req      tcmsg
		dev      string
		kind     string
		face     tc.QdiscSyntax
		est      tc.Estimator
		stab     *tc.SizeSpec
		inBlock  uint32
		outBlock uint32
	)
	a := tc.NewArgs(argv)
loop:
	for a.More() {
		w := a.Next()
		switch {
		case w == "dev":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if dev != "" {
				return tc.DupArg("dev", v)
			}
			dev = devName(v)
		case w == "handle":
			if req.handle != 0 {
				return tc.DupArg("handle", w)
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			h, err := tc.ParseQdiscHandle(v)
			if err != nil {
				return tc.InvArg("invalid qdisc ID", v)
			}
			req.handle = h
		case w == "root":
			if req.parent != 0 {
				return fail(255, "Error: \"root\" is duplicate parent ID")
			}
			req.parent = tc.Root
		case w == "clsact", w == "ingress":
			if req.parent != 0 {
				return fail(255, "Error: \"%s\" is a duplicate parent ID", w)
			}
			req.parent = tc.Ingress
			kind = w
			face = t.faces.qdisc(w)
			req.handle = tc.Make(uint32(tc.Ingress), 0)
			break loop
		case w == "parent":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if req.parent != 0 {
				return tc.DupArg("parent", v)
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.InvArg("invalid parent ID", v)
			}
			req.parent = h
		case tc.Matches(w, "estimator"):
			e, err := parseEstimator(a, est, t.raw > 0, t.env.Stderr)
			if err != nil {
				return err
			}
			est = e
		case tc.Matches(w, "stab"):
			s, err := parseSizeTable(a)
			if err != nil {
				return err
			}
			stab = s
		case tc.Matches(w, "ingress_block"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if inBlock, err = tc.GetU32(v, 0); err != nil || inBlock == 0 {
				return tc.InvArg("invalid ingress block index value", v)
			}
		case tc.Matches(w, "egress_block"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if outBlock, err = tc.GetU32(v, 0); err != nil || outBlock == 0 {
				return tc.InvArg("invalid egress block index value", v)
			}
		case tc.Matches(w, "help"):
			// iproute2 prints the usage and reads on.
			io.WriteString(t.env.Stderr, qdiscUsage)
		default:
			kind = kindName(w)
			face = t.faces.qdisc(kind)
			break loop
		}
	}

	b := request(cmd, flags, req.bytes())
	if kind != "" {
		b.PutString(tcaKind, kind)
	}
	if est.EwmaLog != 0 {
		b.Put(tcaRate, est.Encode())
	}
	if inBlock != 0 {
		b.PutU32(tcaIngressBlock, inBlock)
	}
	if outBlock != 0 {
		b.PutU32(tcaEgressBlock, outBlock)
	}
	if face != nil {
		args := tc.NewArgs(a.Rest())
		args.Dev = dev
		args.Stderr = t.env.Stderr
		if err := face.ParseQdisc(args, b); err != nil {
			return err
		}
	} else if a.More() {
		if tc.Matches(a.Peek(), "help") {
			io.WriteString(t.env.Stderr, qdiscUsage)
		}
		return fail(255, "Garbage instead of arguments \"%s ...\". Try \"tc qdisc help\".", a.Peek())
	}
	if stab != nil {
		data := tc.CalcSizeTable(stab)
		b.Nest(tcaStab)
		b.Put(tcaStabBase, stab.Encode())
		if data != nil {
			raw := make([]byte, 2*len(data))
			for i, v := range data {
				binary.NativeEndian.PutUint16(raw[2*i:], v)
			}
			b.Put(tcaStabData, raw)
		}
		b.EndNest()
	}
	b.End()
	if dev != "" {
		if err := t.links.init(); err != nil {
			return err
		}
		idx := t.links.nameToIndex(dev)
		if idx == 0 {
			return fail(1, "Cannot find device \"%s\"", dev)
		}
		req.ifindex = idx
		setTcmsg(b, req)
	}
	if _, err := t.h.talk(b, false, false); err != nil {
		return status(2)
	}
	return nil
}

// qdiscList is tc_qdisc_list.
func (t *tool) qdiscList(argv []string) error {
	var req tcmsg
	dev := ""
	invisible := false
	f := &t.qf
	a := tc.NewArgs(argv)
	for a.More() {
		w := a.Next()
		switch {
		case w == "dev":
			v, err := a.Value()
			if err != nil {
				return err
			}
			dev = devName(v)
		case w == "root":
			if err := f.checkUnset(w); err != nil {
				return err
			}
			f.parent = tc.Root
		case w == "ingress", w == "clsact":
			if err := f.checkUnset(w); err != nil {
				return err
			}
			f.parent = tc.Ingress
		case tc.Matches(w, "parent"):
			if err := f.checkUnset(w); err != nil {
				return err
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.InvArg("invalid parent ID", v)
			}
			f.parent = h
		case tc.Matches(w, "handle"):
			if err := f.checkUnset(w); err != nil {
				return err
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			h, err := tc.ParseQdiscHandle(v)
			if err != nil {
				return tc.InvArg("invalid handle ID", v)
			}
			f.handle = h
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, qdiscUsage)
		case w == "invisible":
			invisible = true
		default:
			return fail(255, "What is \"%s\"? Try \"tc qdisc help\".", w)
		}
	}
	if err := t.links.init(); err != nil {
		return err
	}
	if dev != "" {
		req.ifindex = t.links.nameToIndex(dev)
		if req.ifindex == 0 {
			return fail(1, "Cannot find device \"%s\"", dev)
		}
		f.ifindex = req.ifindex
	}
	b := request(rtmGetQdisc, 0, req.bytes())
	if invisible {
		b.PutFlag(tcaDumpInvisible)
	}
	b.End()
	if err := t.h.dumpRequest(b); err != nil {
		return fail(1, "Cannot send request: %s", errnoOf(err))
	}
	p := t.printer(true)
	p.StartDocument()
	t.flush(p)
	err := t.h.dumpFilter(func(m *nl.Msg) error {
		err := t.printQdisc(p, m)
		t.flush(p)
		return err
	})
	if err != nil {
		return fail(1, "Dump terminated")
	}
	p.EndDocument()
	t.flush(p)
	return nil
}

func (f *qdiscFilter) checkUnset(w string) error {
	if f.parent != 0 {
		return tc.InvArg("parent is already specified", w)
	}
	if f.handle != 0 {
		return tc.InvArg("handle is already specified", w)
	}
	return nil
}

// printQdisc prints one qdisc message (print_qdisc).
func (t *tool) printQdisc(p *tc.Printer, m *nl.Msg) error {
	if m.Type != rtmNewQdisc && m.Type != rtmDelQdisc {
		t.env.errorf("Not a qdisc\n")
		return nil
	}
	if len(m.Data) < tcmsgLen {
		t.env.errorf("Wrong len %d\n", len(m.Data)-tcmsgLen)
		return errReported
	}
	tm := parseTcmsg(m.Data)
	f := &t.qf
	if f.ifindex != 0 && f.ifindex != tm.ifindex {
		return nil
	}
	if f.handle != 0 && f.handle != tm.handle {
		return nil
	}
	if f.parent != 0 && f.parent != tm.parent {
		return nil
	}
	tb := rtaParse(m.Data[tcmsgLen:], tcaMax)
	if tb[tcaKind] == nil {
		t.env.errorf("print_qdisc: NULL kind\n")
		return errReported
	}
	kind := attrStr(tb[tcaKind])
	p.OpenObject("")
	if m.Type == rtmDelQdisc {
		p.Bool(tc.Any, "deleted", "deleted ", true)
	}
	if m.Type == rtmNewQdisc && m.Flags&fCreate != 0 && m.Flags&fReplace != 0 {
		p.Bool(tc.Any, "replaced", "replaced ", true)
	}
	if m.Type == rtmNewQdisc && m.Flags&fCreate != 0 && m.Flags&fExcl != 0 {
		p.Bool(tc.Any, "added", "added ", true)
	}
	p.String(tc.Any, "kind", "qdisc %s", kind)
	p.String(tc.Any, "handle", " %s", tm.handle.QdiscString())
	if t.raw > 0 {
		p.Printf("[%08x]", uint32(tm.handle))
	}
	p.Text(" ")
	if f.ifindex == 0 {
		t.printDev(p, tm.ifindex)
	}
	if tm.parent == tc.Root {
		p.Bool(tc.Any, "root", "root ", true)
	} else if tm.parent != 0 {
		p.String(tc.Any, "parent", "parent %s ", t.classID(tm.parent))
	}
	if tm.info != 1 {
		p.Uint(tc.Any, "refcnt", "refcnt %d ", uint64(tm.info))
	}
	if a := tb[tcaHwOffload]; a != nil && attrU8(a) != 0 {
		p.Bool(tc.Any, "offloaded", "offloaded ", true)
	}
	if a := tb[tcaIngressBlock]; a != nil && len(a.Data) >= 4 {
		if blk := attrU32(a); blk != 0 {
			p.Uint(tc.Any, "ingress_block", "ingress_block %d ", uint64(blk))
		}
	}
	if a := tb[tcaEgressBlock]; a != nil && len(a.Data) >= 4 {
		if blk := attrU32(a); blk != 0 {
			p.Uint(tc.Any, "egress_block", "egress_block %d ", uint64(blk))
		}
	}
	face := t.faces.qdisc(kind)
	if kind == "pfifo_fast" {
		face = t.faces.qdisc("prio")
	}
	p.OpenObject("options")
	if a := tb[tcaOptions]; a != nil {
		_ = face.PrintQdisc(p, a.Data)
	}
	p.CloseObject()
	p.NL()
	if t.details > 0 && tb[tcaStab] != nil {
		printSizeTable(p, tb[tcaStab].Data)
		p.NL()
	}
	if t.stats > 0 {
		var xstats *nl.Attr
		if tb[tcaStats] != nil || tb[tcaStats2] != nil || tb[tcaXstats] != nil {
			xstats = printTCStats(p, tb, " ")
			p.NL()
		}
		if xp, ok := face.(tc.XstatsPrinter); ok && xstats != nil {
			_ = xp.PrintXstats(p, xstats.Data)
			p.NL()
		}
	}
	p.CloseObject()
	return nil
}

// printDev prints "dev NAME " (print_devname).
func (t *tool) printDev(p *tc.Printer, ifindex int32) {
	p.Text("dev ")
	p.String(tc.Any, "dev", "%s ", t.links.indexToName(ifindex))
}

// classID prints a class id, with its name under -nm (print_tc_classid).
func (t *tool) classID(h tc.Handle) string {
	s := h.String()
	if t.useNames {
		if n, ok := t.names[uint32(h)]; ok {
			return n + "#" + s
		}
	}
	return s
}
