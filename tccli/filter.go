package tccli

import (
	"encoding/binary"
	"io"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// filterFilter is what `tc filter show` and `tc chain show` filter on
// (statics of tc_filter.c, alive across a batch).
type filterFilter struct {
	parent   tc.Handle
	ifindex  int32
	prio     uint32
	protocol uint16 // network order, as in tcm_info
	chain    uint32
	chainSet bool
	block    uint32
}

// TC_H_MIN_INGRESS/EGRESS parents of clsact.
var (
	parentIngress = tc.Make(uint32(tc.Clsact), uint32(tc.MinIngress))
	parentEgress  = tc.Make(uint32(tc.Clsact), uint32(tc.MinEgress))
)

const filterUsage = "Usage: tc filter [ add | del | change | replace | show ] [ dev STRING ]\n" +
	"       tc filter [ add | del | change | replace | show ] [ block BLOCK_INDEX ]\n" +
	"       tc filter get dev STRING parent CLASSID protocol PROTO handle FILTERID pref PRIO FILTER_TYPE\n" +
	"       tc filter get block BLOCK_INDEX protocol PROTO handle FILTERID pref PRIO FILTER_TYPE\n" +
	"       [ pref PRIO ] protocol PROTO [ chain CHAIN_INDEX ]\n" +
	"       [ estimator INTERVAL TIME_CONSTANT ]\n" +
	"       [ root | ingress | egress | parent CLASSID ]\n" +
	"       [ handle FILTERID ] [ [ FILTER_TYPE ] [ help | OPTIONS ] ]\n" +
	"\n" +
	"       tc filter show [ dev STRING ] [ root | ingress | egress | parent CLASSID ]\n" +
	"       tc filter show [ block BLOCK_INDEX ]\n" +
	"Where:\n" +
	"FILTER_TYPE := { rsvp | u32 | bpf | fw | route | etc. }\n" +
	"FILTERID := ... format depends on classifier, see there\n" +
	"OPTIONS := ... try tc filter add <desired FILTER_KIND> help\n"

const chainUsage = "Usage: tc chain [ add | del | get | show ] [ dev STRING ]\n" +
	"       tc chain [ add | del | get | show ] [ block BLOCK_INDEX ] ]\n"

func (t *tool) doFilter(argv []string) error {
	if len(argv) < 1 {
		return t.filterList(rtmGetFilter, nil)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.filterModify(rtmNewFilter, fExcl|fCreate, rest)
	case tc.Matches(w, "change"):
		return t.filterModify(rtmNewFilter, 0, rest)
	case tc.Matches(w, "replace"):
		return t.filterModify(rtmNewFilter, fCreate, rest)
	case tc.Matches(w, "delete"):
		return t.filterModify(rtmDelFilter, 0, rest)
	case tc.Matches(w, "get"):
		return t.filterGet(rtmGetFilter, rest)
	case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
		return t.filterList(rtmGetFilter, rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, filterUsage)
		return nil
	}
	return fail(255, "Command \"%s\" is unknown, try \"tc filter help\".", w)
}

func (t *tool) doChain(argv []string) error {
	if len(argv) < 1 {
		return t.filterList(rtmGetChain, nil)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.filterModify(rtmNewChain, fExcl|fCreate, rest)
	case tc.Matches(w, "delete"):
		return t.filterModify(rtmDelChain, 0, rest)
	case tc.Matches(w, "get"):
		return t.filterGet(rtmGetChain, rest)
	case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
		return t.filterList(rtmGetChain, rest)
	case tc.Matches(w, "help"):
		io.WriteString(t.env.Stderr, chainUsage)
		return nil
	}
	return fail(255, "Command \"%s\" is unknown, try \"tc chain help\".", w)
}

// filterWords are the words common to filter add/change/delete/get.
type filterWords struct {
	req      tcmsg
	dev      string
	block    uint32
	fhandle  string
	hasFh    bool
	prio     uint32
	protocol uint16
	protoSet bool
	chain    uint32
	chainSet bool
	kind     string
	est      tc.Estimator
}

// readFilterWords reads the common words up to the kind (the loops of
// tc_filter_modify and tc_filter_get); get is true for tc_filter_get,
// whose loop has no estimator and checks the kind word.
func (t *tool) readFilterWords(a *tc.Args, fw *filterWords, get bool) (done bool, err error) {
	for a.More() {
		w := a.Next()
		switch {
		case w == "dev":
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.dev != "" {
				return false, tc.DupArg("dev", v)
			}
			if fw.block != 0 {
				return false, fail(255, "Error: \"dev\" and \"block\" are mutually exclusive")
			}
			fw.dev = devName(v)
		case tc.Matches(w, "block"):
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.block != 0 {
				return false, tc.DupArg("block", v)
			}
			if fw.dev != "" {
				return false, fail(255, "Error: \"dev\" and \"block\" are mutually exclusive")
			}
			if fw.block, err = tc.GetU32(v, 0); err != nil || fw.block == 0 {
				return false, tc.InvArg("invalid block index value", v)
			}
		case w == "root":
			if fw.req.parent != 0 {
				return false, fail(255, "Error: \"root\" is duplicate parent ID")
			}
			fw.req.parent = tc.Root
		case w == "ingress":
			if fw.req.parent != 0 {
				return false, fail(255, "Error: \"ingress\" is duplicate parent ID")
			}
			fw.req.parent = parentIngress
		case w == "egress":
			if fw.req.parent != 0 {
				return false, fail(255, "Error: \"egress\" is duplicate parent ID")
			}
			fw.req.parent = parentEgress
		case w == "parent":
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.req.parent != 0 {
				return false, tc.DupArg("parent", v)
			}
			h, err := tc.ParseClassID(v)
			if err != nil {
				return false, tc.InvArg("Invalid parent ID", v)
			}
			fw.req.parent = h
		case w == "handle":
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.hasFh {
				return false, tc.DupArg("handle", v)
			}
			fw.fhandle, fw.hasFh = v, true
		case tc.Matches(w, "preference"), tc.Matches(w, "priority"):
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.prio != 0 {
				return false, tc.DupArg("priority", v)
			}
			p, err := tc.GetU32(v, 0)
			if err != nil || p > 0xFFFF {
				return false, tc.InvArg("invalid priority value", v)
			}
			fw.prio = p
		case tc.Matches(w, "protocol"):
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.protoSet {
				return false, tc.DupArg("protocol", v)
			}
			id, ok := protoByName(v)
			if !ok {
				return false, tc.InvArg("invalid protocol", v)
			}
			fw.protocol, fw.protoSet = id, true
		case tc.Matches(w, "chain"):
			v, err := a.Value()
			if err != nil {
				return false, err
			}
			if fw.chainSet {
				return false, tc.DupArg("chain", v)
			}
			if fw.chain, err = tc.GetU32(v, 0); err != nil {
				return false, tc.InvArg("invalid chain index value", v)
			}
			fw.chainSet = true
		case !get && tc.Matches(w, "estimator"):
			e, err := parseEstimator(a, fw.est, t.raw > 0, t.env.Stderr)
			if err != nil {
				return false, err
			}
			fw.est = e
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, filterUsage)
			return true, nil
		default:
			if get && w == "" {
				return false, tc.InvArg("invalid filter name", w)
			}
			fw.kind = kindName(w)
			return false, nil
		}
	}
	return false, nil
}

// filterModify is tc_filter_modify (and chain add/delete).
func (t *tool) filterModify(cmd, flags uint16, argv []string) error {
	var fw filterWords
	if cmd == rtmNewFilter && flags&fCreate != 0 {
		fw.protocol = htons(ethPAll)
	}
	a := tc.NewArgs(argv)
	if done, err := t.readFilterWords(a, &fw, false); done || err != nil {
		return err
	}
	fw.req.info = uint32(tc.Make(fw.prio<<16, uint32(fw.protocol)))
	b := request(cmd, flags, fw.req.bytes())
	if fw.chainSet {
		b.PutU32(tcaChain, fw.chain)
	}
	if fw.kind != "" {
		b.PutString(tcaKind, fw.kind)
	}
	if fw.dev != "" {
		if err := t.links.init(); err != nil {
			return err
		}
		fw.req.ifindex = t.links.nameToIndex(fw.dev)
		if fw.req.ifindex == 0 {
			return fail(1, "Cannot find device \"%s\"", fw.dev)
		}
	} else if fw.block != 0 {
		fw.req.ifindex = int32(-1) // TCM_IFINDEX_MAGIC_BLOCK
		fw.req.parent = tc.Handle(fw.block)
	}
	if fw.kind != "" {
		fa := t.filterArgs(a.Rest(), fw.dev)
		fa.Protocol = fw.protocol<<8 | fw.protocol>>8
		fh, err := t.faces.filter(fw.kind).ParseFilter(fa, fw.fhandle, b)
		if err != nil {
			return err
		}
		fw.req.handle = tc.Handle(fh)
	} else {
		if fw.hasFh {
			return fail(255, "Must specify filter type when using \"handle\"")
		}
		if a.More() {
			if tc.Matches(a.Peek(), "help") {
				io.WriteString(t.env.Stderr, filterUsage)
			}
			return fail(255, "Garbage instead of arguments \"%s ...\". Try \"tc filter help\".", a.Peek())
		}
	}
	if fw.est.EwmaLog != 0 {
		b.Put(tcaRate, fw.est.Encode())
	}
	b.End()
	setTcmsg(b, fw.req)
	if _, err := t.h.talk(b, false, false); err != nil {
		return fail(2, "We have an error talking to the kernel")
	}
	return nil
}

func (t *tool) filterArgs(words []string, dev string) *tc.Args {
	args := tc.NewArgs(words)
	args.Dev = dev
	args.Stderr = t.env.Stderr
	args.Actions = t.actions()
	if args.Links == nil {
		args.Links = filterLinks{t}
	}
	return args
}

// filterGet is tc_filter_get (and chain get).
func (t *tool) filterGet(cmd uint16, argv []string) error {
	var fw filterWords
	a := tc.NewArgs(argv)
	if done, err := t.readFilterWords(a, &fw, true); done || err != nil {
		return err
	}
	if cmd == rtmGetFilter {
		if !fw.protoSet {
			return fail(255, "Must specify filter protocol")
		}
		if fw.prio == 0 {
			return fail(255, "Must specify filter priority")
		}
		fw.req.info = uint32(tc.Make(fw.prio<<16, uint32(fw.protocol)))
	}
	b := request(cmd, nl.NLM_F_ECHO, fw.req.bytes())
	if fw.chainSet {
		b.PutU32(tcaChain, fw.chain)
	}
	if fw.req.parent == 0 {
		return fail(255, "Must specify filter parent")
	}
	if cmd == rtmGetFilter {
		if fw.kind == "" {
			return fail(255, "Must specify filter type")
		}
		b.PutString(tcaKind, fw.kind)
	}
	f := &t.ff
	switch {
	case fw.dev != "":
		if err := t.links.init(); err != nil {
			return err
		}
		fw.req.ifindex = t.links.nameToIndex(fw.dev)
		if fw.req.ifindex == 0 {
			return fail(1, "Cannot find device \"%s\"", fw.dev)
		}
		f.ifindex = fw.req.ifindex
	case fw.block != 0:
		fw.req.ifindex = int32(-1)
		fw.req.parent = tc.Handle(fw.block)
		f.block = fw.block
	default:
		return fail(255, "Must specify netdevice \"dev\" or block index \"block\"")
	}
	rest := a.Rest()
	if cmd == rtmGetFilter {
		args := t.filterArgs(rest, fw.dev)
		fh, err := t.faces.filter(fw.kind).ParseFilter(args, fw.fhandle, b)
		if err != nil {
			return err
		}
		fw.req.handle = tc.Handle(fh)
		rest = args.Rest()
	}
	if !fw.hasFh && cmd == rtmGetFilter {
		return fail(255, "Must specify filter \"handle\"")
	}
	if len(rest) > 0 {
		if tc.Matches(rest[0], "help") {
			io.WriteString(t.env.Stderr, filterUsage)
		}
		return fail(255, "Garbage instead of arguments \"%s ...\". Try \"tc filter help\".", rest[0])
	}
	b.End()
	setTcmsg(b, fw.req)
	m, err := t.h.talk(b, true, false)
	if err != nil {
		return fail(2, "We have an error talking to the kernel")
	}
	p := t.printer(true)
	p.StartDocument()
	_ = t.printFilter(p, m)
	p.EndDocument()
	t.flush(p)
	return nil
}

// filterList is tc_filter_list (and chain show).
func (t *tool) filterList(cmd uint16, argv []string) error {
	var req tcmsg
	dev := ""
	var block uint32
	var prio uint32
	var protocol uint16
	var chain uint32
	hasFh := false
	f := &t.ff
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
			if block != 0 {
				return fail(255, "Error: \"dev\" cannot be used in the same time as \"block\"")
			}
			dev = devName(v)
		case tc.Matches(w, "block"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if block != 0 {
				return tc.DupArg("block", v)
			}
			if dev != "" {
				return fail(255, "Error: \"block\" cannot be used in the same time as \"dev\"")
			}
			if block, err = tc.GetU32(v, 0); err != nil || block == 0 {
				return tc.InvArg("invalid block index value", v)
			}
		case w == "root":
			if req.parent != 0 {
				return fail(255, "Error: \"root\" is duplicate parent ID")
			}
			req.parent, f.parent = tc.Root, tc.Root
		case w == "ingress":
			if req.parent != 0 {
				return fail(255, "Error: \"ingress\" is duplicate parent ID")
			}
			req.parent, f.parent = parentIngress, parentIngress
		case w == "egress":
			if req.parent != 0 {
				return fail(255, "Error: \"egress\" is duplicate parent ID")
			}
			req.parent, f.parent = parentEgress, parentEgress
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
			req.parent, f.parent = h, h
		case w == "handle":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if hasFh {
				return tc.DupArg("handle", v)
			}
			hasFh = true
		case tc.Matches(w, "preference"), tc.Matches(w, "priority"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if prio != 0 {
				return tc.DupArg("priority", v)
			}
			if prio, err = tc.GetU32(v, 0); err != nil {
				return tc.InvArg("invalid preference", v)
			}
			f.prio = prio
		case tc.Matches(w, "protocol"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if protocol != 0 {
				return tc.DupArg("protocol", v)
			}
			id, ok := protoByName(v)
			if !ok {
				return tc.InvArg("invalid protocol", v)
			}
			protocol = id
			f.protocol = id
		case tc.Matches(w, "chain"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if f.chainSet {
				return tc.DupArg("chain", v)
			}
			c, err := tc.GetU32(v, 0)
			if err != nil {
				return tc.InvArg("invalid chain index value", v)
			}
			chain = c
			f.chainSet, f.chain = true, c
		case tc.Matches(w, "help"):
			io.WriteString(t.env.Stderr, filterUsage)
		default:
			return fail(255, " What is \"%s\"? Try \"tc filter help\"", w)
		}
	}
	req.info = uint32(tc.Make(prio<<16, uint32(protocol)))
	if err := t.links.init(); err != nil {
		return err
	}
	if dev != "" {
		req.ifindex = t.links.nameToIndex(dev)
		if req.ifindex == 0 {
			return fail(1, "Cannot find device \"%s\"", dev)
		}
		f.ifindex = req.ifindex
	} else if block != 0 {
		if !t.blockExists(block) {
			return fail(1, "Cannot find block \"%d\"", block)
		}
		req.ifindex = int32(-1)
		req.parent = tc.Handle(block)
		f.block = block
	}
	b := request(cmd, 0, req.bytes())
	if f.chainSet {
		b.PutU32(tcaChain, chain)
	}
	if t.brief > 0 {
		var bf [8]byte
		binary.NativeEndian.PutUint32(bf[0:], 1) // TCA_DUMP_FLAGS_TERSE
		binary.NativeEndian.PutUint32(bf[4:], 1)
		b.Put(tcaDumpFlags, bf[:])
	}
	b.End()
	if err := t.h.dumpRequest(b); err != nil {
		return fail(1, "Cannot send dump request: %s", errnoOf(err))
	}
	p := t.printer(true)
	p.StartDocument()
	t.flush(p)
	err := t.h.dumpFilter(func(m *nl.Msg) error {
		err := t.printFilter(p, m)
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

// blockExists reports whether a qdisc uses a shared block
// (tc_qdisc_block_exists).
func (t *tool) blockExists(index uint32) bool {
	b := request(rtmGetQdisc, 0, tcmsg{}.bytes())
	b.End()
	if err := t.h.dumpRequest(b); err != nil {
		return false
	}
	found := false
	_ = t.h.dumpFilter(func(m *nl.Msg) error {
		if m.Type != rtmNewQdisc || len(m.Data) < tcmsgLen {
			return nil
		}
		tb := rtaParse(m.Data[tcmsgLen:], tcaMax)
		for _, at := range []uint16{tcaIngressBlock, tcaEgressBlock} {
			if a := tb[at]; a != nil && len(a.Data) >= 4 && attrU32(a) == index {
				found = true
			}
		}
		return nil
	})
	return found
}

// printFilter prints one filter or chain message (print_filter).
func (t *tool) printFilter(p *tc.Printer, m *nl.Msg) error {
	isFilter := m.Type == rtmNewFilter || m.Type == rtmGetFilter || m.Type == rtmDelFilter
	isChain := m.Type == rtmNewChain || m.Type == rtmGetChain || m.Type == rtmDelChain
	if !isFilter && !isChain {
		t.env.errorf("Not a filter(cmd %d)\n", m.Type)
		return nil
	}
	if len(m.Data) < tcmsgLen {
		t.env.errorf("Wrong len %d\n", len(m.Data)-tcmsgLen)
		return errReported
	}
	tm := parseTcmsg(m.Data)
	tb := rtaParse(m.Data[tcmsgLen:], tcaMax)
	if tb[tcaKind] == nil && isFilter {
		t.env.errorf("print_filter: NULL kind\n")
		return errReported
	}
	f := &t.ff
	p.OpenObject("")
	if m.Type == rtmDelFilter || m.Type == rtmDelChain {
		p.Bool(tc.Any, "deleted", "deleted ", true)
	}
	if (m.Type == rtmNewFilter || m.Type == rtmNewChain) && m.Flags&fCreate != 0 && m.Flags&fExcl == 0 {
		p.Bool(tc.Any, "replaced", "replaced ", true)
	}
	if (m.Type == rtmNewFilter || m.Type == rtmNewChain) && m.Flags&fCreate != 0 && m.Flags&fExcl != 0 {
		p.Bool(tc.Any, "added", "added ", true)
	}
	if isFilter {
		p.Text("filter ")
	} else {
		p.Text("chain ")
	}
	if uint32(tm.ifindex) == tcmIfindexMagicBlock {
		if f.block == 0 || f.block != uint32(tm.parent) {
			p.Uint(tc.Any, "block", "block %d ", uint64(uint32(tm.parent)))
		}
	} else {
		if f.ifindex == 0 || f.ifindex != tm.ifindex {
			t.printDev(p, tm.ifindex)
		}
		if f.parent == 0 || f.parent != tm.parent {
			switch tm.parent {
			case tc.Root:
				p.Bool(tc.Any, "root", "root ", true)
			case parentIngress:
				p.Bool(tc.Any, "ingress", "ingress ", true)
			case parentEgress:
				p.Bool(tc.Any, "egress", "egress ", true)
			default:
				p.String(tc.Any, "parent", "parent %s ", t.classID(tm.parent))
			}
		}
	}
	if tm.info != 0 && isFilter {
		proto := uint16(tm.info)
		prio := tm.info >> 16
		if f.protocol == 0 || f.protocol != proto {
			if proto != 0 {
				p.String(tc.Any, "protocol", "protocol %s ", t.protoName(proto))
			}
		}
		if f.prio == 0 || f.prio != prio {
			if prio != 0 {
				p.Uint(tc.Any, "pref", "pref %d ", uint64(prio))
			}
		}
	}
	if a := tb[tcaKind]; a != nil {
		p.String(tc.Any, "kind", "%s ", attrStr(a))
	}
	if a := tb[tcaChain]; a != nil {
		c := attrU32(a)
		if !f.chainSet || f.chain != c {
			p.Uint(tc.Any, "chain", "chain %d ", uint64(c))
		}
	}
	if a := tb[tcaKind]; a != nil {
		if o := tb[tcaOptions]; o != nil {
			p.OpenObject("options")
			p.Actions = t.actions()
			if p.Links == nil {
				p.Links = filterLinks{t}
			}
			_ = t.faces.filter(attrStr(a)).PrintFilter(p, uint32(tm.handle), o.Data)
			p.CloseObject()
		}
	}
	p.NL()
	if t.stats > 0 && (tb[tcaStats] != nil || tb[tcaStats2] != nil) {
		printTCStats(p, tb, " ")
		p.NL()
	}
	p.CloseObject()
	return nil
}

// filterLinks gives classifiers' faces the device names tc knows
// (tc.LinkNames: route's fromif).
type filterLinks struct{ t *tool }

func (l filterLinks) Index(name string) int32 {
	if l.t.links.init() != nil {
		return 0
	}
	return l.t.links.nameToIndex(name)
}

func (l filterLinks) Name(ifindex int32) string {
	if l.t.links.init() != nil {
		return ""
	}
	return l.t.links.indexToName(ifindex)
}
