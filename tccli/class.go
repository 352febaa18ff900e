package tccli

import (
	"io"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// classFilter is what `tc class show` filters on (statics of tc_class.c).
type classFilter struct {
	ifindex int32
	qdisc   tc.Handle
	classid tc.Handle
}

const classUsage = "Usage: tc class [ add | del | change | replace | show ] dev STRING\n" +
	"       [ classid CLASSID ] [ root | parent CLASSID ]\n" +
	"       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n" +
	"\n" +
	"       tc class show [ dev STRING ] [ root | parent CLASSID ]\n" +
	"Where:\n" +
	"QDISC_KIND := { prio | cbq | etc. }\n" +
	"OPTIONS := ... try tc class add <desired QDISC_KIND> help\n"

func (t *tool) doClass(argv []string) error {
	if len(argv) < 1 {
		return t.classList(nil)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.classModify(rtmNewClass, fExcl|fCreate, rest)
	case tc.Matches(w, "change"):
		return t.classModify(rtmNewClass, 0, rest)
	case tc.Matches(w, "replace"):
		return t.classModify(rtmNewClass, fCreate, rest)
	case tc.Matches(w, "delete"):
		return t.classModify(rtmDelClass, 0, rest)
	case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
		return t.classList(rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, classUsage)
		return nil
	}
	return fail(255, "Command \"%s\" is unknown, try \"tc class help\".", w)
}

// classModify is tc_class_modify.
func (t *tool) classModify(cmd, flags uint16, argv []string) error {
	var (
		req  tcmsg
		dev  string
		kind string
		face tc.QdiscSyntax
		est  tc.Estimator
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
		case w == "classid":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if req.handle != 0 {
				return tc.DupArg("classid", v)
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.InvArg("invalid class ID", v)
			}
			req.handle = h
		case w == "handle":
			return fail(255, "Error: try \"classid\" instead of \"handle\"")
		case w == "root":
			if req.parent != 0 {
				return fail(255, "Error: \"root\" is duplicate parent ID.")
			}
			req.parent = tc.Root
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
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, classUsage)
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
	if face != nil {
		cs, ok := face.(tc.ClassSyntax)
		if !ok {
			return fail(1, "Error: Qdisc \"%s\" is classless.", kind)
		}
		args := tc.NewArgs(a.Rest())
		args.Dev = dev
		args.Stderr = t.env.Stderr
		if err := cs.ParseClass(args, b); err != nil {
			return err
		}
	}
	b.End()
	if dev != "" {
		if err := t.links.init(); err != nil {
			return err
		}
		req.ifindex = t.links.nameToIndex(dev)
		if req.ifindex == 0 {
			return fail(1, "Cannot find device \"%s\"", dev)
		}
		setTcmsg(b, req)
	}
	if _, err := t.h.talk(b, false, false); err != nil {
		return status(2)
	}
	return nil
}

// classList is tc_class_list.
func (t *tool) classList(argv []string) error {
	var req tcmsg
	dev := ""
	f := &t.cf
	f.qdisc, f.classid = 0, 0
	a := tc.NewArgs(argv)
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
		case w == "qdisc":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if f.qdisc != 0 {
				return tc.DupArg("qdisc", v)
			}
			h, err := tc.ParseQdiscHandle(v)
			if err != nil {
				return tc.InvArg("invalid qdisc ID", v)
			}
			f.qdisc = h
		case w == "classid":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if f.classid != 0 {
				return tc.DupArg("classid", v)
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.InvArg("invalid class ID", v)
			}
			f.classid = h
		case w == "root":
			if req.parent != 0 {
				return fail(255, "Error: \"root\" is duplicate parent ID")
			}
			req.parent = tc.Root
		case w == "parent":
			if req.parent != 0 {
				return tc.DupArg("parent", w)
			}
			v, err := a.Value()
			if err != nil {
				return err
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return tc.InvArg("invalid parent ID", v)
			}
			req.parent = h
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, classUsage)
		default:
			return fail(255, "What is \"%s\"? Try \"tc class help\".", w)
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
	b := request(rtmGetClass, 0, req.bytes())
	b.End()
	if err := t.h.dumpRequest(b); err != nil {
		return fail(1, "Cannot send dump request: %s", errnoOf(err))
	}
	// tc 6.1 prints classes as text even under -j.
	p := t.printer(false)
	g := &graph{}
	err := t.h.dumpFilter(func(m *nl.Msg) error {
		if t.graph != 0 {
			if m.Type == rtmNewClass || m.Type == rtmDelClass {
				if len(m.Data) >= tcmsgLen {
					tm := parseTcmsg(m.Data)
					g.add(tm.parent, tm.handle, m.Data[tcmsgLen:])
				}
			}
			return nil
		}
		err := t.printClass(p, m)
		t.flush(p)
		return err
	})
	if err != nil {
		return fail(1, "Dump terminated")
	}
	if t.graph != 0 {
		var buf strings.Builder
		t.graphShow(p, &buf, g.root, g)
		t.flush(p)
	}
	return nil
}

// printClass prints one class message (print_class of tc 6.1, which
// writes text only).
func (t *tool) printClass(p *tc.Printer, m *nl.Msg) error {
	if m.Type != rtmNewClass && m.Type != rtmDelClass {
		t.env.errorf("Not a class\n")
		return nil
	}
	if len(m.Data) < tcmsgLen {
		t.env.errorf("Wrong len %d\n", len(m.Data)-tcmsgLen)
		return errReported
	}
	tm := parseTcmsg(m.Data)
	f := &t.cf
	if f.qdisc != 0 && (tm.handle^f.qdisc).Maj() != 0 {
		return nil
	}
	if f.classid != 0 && tm.handle != f.classid {
		return nil
	}
	tb := rtaParse(m.Data[tcmsgLen:], tcaMax)
	if tb[tcaKind] == nil {
		t.env.errorf("print_class: NULL kind\n")
		return errReported
	}
	kind := attrStr(tb[tcaKind])
	if m.Type == rtmDelClass {
		p.Fprintf("deleted ")
	}
	id := ""
	if tm.handle != 0 {
		if f.qdisc != 0 {
			id = t.classID(tm.handle.Min())
		} else {
			id = t.classID(tm.handle)
		}
	}
	p.Fprintf("class %s %s ", kind, id)
	if f.ifindex == 0 {
		p.Fprintf("dev %s ", t.links.indexToName(tm.ifindex))
	}
	if tm.parent == tc.Root {
		p.Fprintf("root ")
	} else {
		par := tm.parent
		if f.qdisc != 0 {
			par = par.Min()
		}
		p.Fprintf("parent %s ", t.classID(par))
	}
	if tm.info != 0 {
		p.Fprintf("leaf %x: ", tm.info>>16)
	}
	face := t.faces.qdisc(kind)
	if a := tb[tcaOptions]; a != nil {
		if cs, ok := face.(tc.ClassSyntax); ok {
			_ = cs.PrintClass(p, a.Data)
		} else {
			p.Fprintf("[cannot parse class parameters]")
		}
	}
	p.Fprintf("\n")
	if t.stats > 0 {
		var xstats *nl.Attr
		if tb[tcaStats] != nil || tb[tcaStats2] != nil {
			xstats = printTCStats(p, tb, " ")
			p.Fprintf("\n")
		}
		if xstats == nil {
			xstats = tb[tcaXstats]
		}
		if xp, ok := face.(tc.XstatsPrinter); ok && xstats != nil {
			_ = xp.PrintXstats(p, xstats.Data)
			p.Fprintf("\n")
		}
	}
	return nil
}
