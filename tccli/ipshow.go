package tccli

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Address messages and attributes.
const (
	rtmNewAddr = 20
	rtmDelAddr = 21
	rtmGetAddr = 22

	ifaAddress   = 1
	ifaLocal     = 2
	ifaLabel     = 3
	ifaBroadcast = 4
	ifaAnycast   = 5
	ifaCacheinfo = 6
	ifaFlags     = 8
	ifaMax       = 12

	ifaFPermanent = 0x80
	ifaFSecondary = 0x01
	ifaddrmsgLen  = 8
)

// linkMsg is one dumped link, kept for printing after the dumps.
type linkMsg struct {
	m     nl.Msg
	index int32
	flags uint32
	tb    nl.Attrs
}

// listLinks is ipaddr_list_flush_or_save for `ip link show` (doLink) and
// `ip address show`.
func (t *ipTool) listLinks(argv []string, doLink bool) error {
	dev := ""
	up := false
	a := tc.NewArgs(argv)
	for a.More() {
		w := a.Next()
		switch {
		case w == "up":
			up = true
		default:
			if w == "dev" {
				v, err := a.Value()
				if err != nil {
					return err
				}
				w = v
			} else if tc.Matches(w, "help") {
				if doLink {
					return exitMsg(255, "%s", linkUsage)
				}
				return exitMsg(255, "%s", addrUsage)
			}
			if dev != "" {
				return tc.DupArg2("dev", w)
			}
			dev = w
		}
	}
	// ipaddr_list_link sets ip's globals preferred_family and do_link,
	// and nothing resets them: later commands of a batch list links too.
	if doLink {
		t.family, t.listLink = afPacket, true
	}
	doLink = t.listLink
	family := t.family
	if err := t.links.init(); err != nil {
		return err
	}
	var ifindex int32
	if dev != "" {
		ifindex = t.links.nameToIndex(dev)
		if ifindex <= 0 {
			return fail(1, "Device \"%s\" does not exist.", dev)
		}
	}
	var links []*linkMsg
	collect := func(m *nl.Msg) error {
		if m.Type != rtmNewLink || len(m.Data) < ifinfomsgLen {
			return nil
		}
		lm := &linkMsg{m: nl.Msg{Header: m.Header, Data: append([]byte(nil), m.Data...)}}
		lm.index = int32(binary.NativeEndian.Uint32(lm.m.Data[4:]))
		lm.flags = binary.NativeEndian.Uint32(lm.m.Data[8:])
		lm.tb = rtaParse(lm.m.Data[ifinfomsgLen:], iflaMax)
		t.links.remember(m)
		links = append(links, lm)
		return nil
	}
	if ifindex != 0 {
		b := request(rtmGetLink, 0, ifinfo(ifindex))
		b.PutU32(iflaExtMask, rtextFilterVF)
		b.End()
		m, err := t.h.talk(b, true, false)
		if err != nil {
			return status(2)
		}
		collect(m)
	} else {
		b := request(rtmGetLink, 0, ifinfo(0))
		b.PutU32(iflaExtMask, rtextFilterVF)
		b.End()
		if err := t.h.dumpRequest(b); err != nil {
			return fail(1, "Cannot send dump request: %s", errnoOf(err))
		}
		if err := t.h.dumpFilter(collect); err != nil {
			return exitMsg(1, "Dump terminated")
		}
	}
	addrs := map[int32][]nl.Msg{}
	if family != afPacket {
		var hdr [ifaddrmsgLen]byte
		hdr[0] = byte(family)
		binary.NativeEndian.PutUint32(hdr[4:], uint32(ifindex))
		b := request(rtmGetAddr, 0, hdr[:])
		b.End()
		if err := t.h.dumpRequest(b); err != nil {
			return fail(1, "Cannot send dump request: %s", errnoOf(err))
		}
		err := t.h.dumpFilter(func(m *nl.Msg) error {
			if m.Type != rtmNewAddr || len(m.Data) < ifaddrmsgLen {
				return nil
			}
			idx := int32(binary.NativeEndian.Uint32(m.Data[4:]))
			if family != afUnspec && int(m.Data[0]) != family {
				return nil
			}
			addrs[idx] = append(addrs[idx], nl.Msg{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			return nil
		})
		if err != nil {
			return exitMsg(1, "Dump terminated")
		}
	}
	p := t.printer(true)
	p.StartDocument()
	for _, lm := range links {
		if ifindex != 0 && lm.index != ifindex {
			continue
		}
		if up && lm.flags&iffUp == 0 {
			continue
		}
		if family != afUnspec && family != afPacket && len(addrs[lm.index]) == 0 {
			continue
		}
		p.OpenObject("")
		// ip -o address prints the addresses alone.
		if !(t.oneline > 0 && !doLink && t.brief == 0) {
			t.printLinkinfo(p, lm, doLink, family)
		}
		if family != afPacket {
			t.printAddrs(p, lm, addrs[lm.index])
		}
		p.CloseObject()
		t.flush(p)
	}
	p.EndDocument()
	t.flush(p)
	return nil
}

var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// printNameAndLink is print_name_and_link; it returns whether the link's
// other end is down (M-DOWN).
func (t *ipTool) printNameAndLink(p *tc.Printer, format, name string, tb nl.Attrs) bool {
	mdown := false
	if a := tb[iflaLink]; a != nil {
		if il := int32(attrU32(a)); il != 0 {
			link := t.links.indexToName(il)
			if p.IsJSON() {
				p.String(tc.JSON, "link", "", link)
			} else {
				name = name + "@" + link
			}
			mdown = t.links.flagsOf(il)&iffUp == 0
		} else if p.IsJSON() {
			p.Null(tc.JSON, "link", "", "")
		} else {
			name += "@NONE"
		}
	}
	p.String(tc.Any, "ifname", format, name)
	return mdown
}

var linkFlagNames = []struct {
	bit  uint32
	name string
}{
	{0x8, "LOOPBACK"}, {0x2, "BROADCAST"}, {0x10, "POINTOPOINT"}, {0x1000, "MULTICAST"},
	{0x80, "NOARP"}, {0x200, "ALLMULTI"}, {0x100, "PROMISC"}, {0x400, "MASTER"},
	{0x800, "SLAVE"}, {0x4, "DEBUG"}, {0x8000, "DYNAMIC"}, {0x4000, "AUTOMEDIA"},
	{0x2000, "PORTSEL"}, {0x20, "NOTRAILERS"}, {0x1, "UP"}, {0x10000, "LOWER_UP"},
	{0x20000, "DORMANT"}, {0x40000, "ECHO"},
}

// printLinkFlags is print_link_flags.
func printLinkFlags(p *tc.Printer, flags uint32, mdown bool) {
	if p.IsJSON() {
		p.OpenArray(tc.Any, "flags", "")
	} else {
		p.OpenArray(tc.Any, "", "<")
	}
	sep := func(f uint32) string {
		if f != 0 {
			return "%s,"
		}
		return "%s"
	}
	if flags&iffUp != 0 && flags&iffRunning == 0 {
		p.String(tc.Any, "", sep(flags), "NO-CARRIER")
	}
	flags &^= iffRunning
	for _, f := range linkFlagNames {
		if flags&f.bit != 0 {
			flags &^= f.bit
			p.String(tc.Any, "", sep(flags), f.name)
		}
	}
	if flags != 0 {
		if p.IsJSON() {
			p.String(tc.JSON, "", "", strconv.FormatUint(uint64(flags), 16))
		} else {
			p.Printf("%x", flags)
		}
	}
	if mdown {
		p.String(tc.Any, "", ",%s", "M-DOWN")
	}
	p.CloseArray(tc.Any, "> ")
}

func llTypeName(typ uint16) string {
	switch typ {
	case 1:
		return "ether"
	case 772:
		return "loopback"
	case 0xFFFE:
		return "none"
	case 0xFFFF:
		return "void"
	}
	return "[" + strconv.Itoa(int(typ)) + "]"
}

func llAddr(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// printLinkinfo is print_linkinfo for the attributes netsched's links
// carry.
func (t *ipTool) printLinkinfo(p *tc.Printer, lm *linkMsg, doLink bool, family int) {
	tb := lm.tb
	name := ""
	if a := tb[iflaIfname]; a != nil {
		name = a.Str()
	}
	if t.brief > 0 {
		mdown := t.printNameAndLink(p, "%-16s ", name, tb)
		if a := tb[iflaOperstate]; a != nil {
			t.printOperstate(p, attrU8(a))
		}
		if family == afPacket {
			if a := tb[iflaAddress]; a != nil {
				p.String(tc.Any, "address", "%s ", llAddr(a.Data))
			}
			printLinkFlags(p, lm.flags, mdown)
			p.Text("\n")
		}
		return
	}
	if lm.m.Type == rtmDelLink {
		p.Bool(tc.Any, "deleted", "Deleted ", true)
	}
	p.Int(tc.Any, "ifindex", "%d: ", int64(lm.index))
	mdown := t.printNameAndLink(p, "%s: ", name, tb)
	printLinkFlags(p, lm.flags, mdown)
	if a := tb[iflaMTU]; a != nil {
		p.Int(tc.Any, "mtu", "mtu %d ", int64(attrU32(a)))
	}
	if a := tb[iflaQdisc]; a != nil {
		p.String(tc.Any, "qdisc", "qdisc %s ", a.Str())
	}
	if a := tb[iflaMaster]; a != nil {
		p.String(tc.Any, "master", "master %s ", t.links.indexToName(int32(attrU32(a))))
	}
	if a := tb[iflaOperstate]; a != nil {
		t.printOperstate(p, attrU8(a))
	}
	if doLink {
		if a := tb[iflaLinkmode]; a != nil {
			m := attrU8(a)
			if m < 2 {
				p.String(tc.Any, "linkmode", "mode %s ", []string{"DEFAULT", "DORMANT"}[m])
			} else if p.IsJSON() {
				p.Uint(tc.JSON, "linkmode_index", "", uint64(m))
			} else {
				p.Printf("mode %d ", m)
			}
		}
	}
	if a := tb[iflaGroup]; a != nil {
		g := attrU32(a)
		gs := strconv.FormatUint(uint64(g), 10)
		if g == 0 {
			gs = "default"
		}
		p.String(tc.Any, "group", "group %s ", gs)
	}
	if a := tb[iflaTxqlen]; a != nil {
		if q := attrU32(a); q != 0 {
			p.Int(tc.Any, "txqlen", "qlen %d", int64(int32(q)))
		}
	}
	if family == afUnspec || family == afPacket || t.details > 0 {
		p.NL()
		typ := binary.NativeEndian.Uint16(lm.m.Data[2:])
		p.String(tc.Any, "link_type", "    link/%s ", llTypeName(typ))
		if a := tb[iflaAddress]; a != nil {
			p.String(tc.Any, "address", "%s", llAddr(a.Data))
		}
		if a := tb[iflaBroadcast]; a != nil {
			if lm.flags&0x10 != 0 {
				p.Text(" peer ")
				p.Bool(tc.JSON, "link_pointtopoint", "", true)
			} else {
				p.Text(" brd ")
			}
			p.String(tc.Any, "broadcast", "%s", llAddr(a.Data))
		}
	}
	if a := tb[iflaProtoDown]; a != nil && attrU8(a) != 0 {
		p.Bool(tc.Any, "proto_down", " protodown on ", true)
	}
	if t.details > 0 {
		u32 := func(attr uint16, key, format string) {
			if a := tb[attr]; a != nil {
				p.Uint(tc.Any, key, format, uint64(attrU32(a)))
			}
		}
		u32(iflaPromiscuity, "promiscuity", " promiscuity %d ")
		u32(iflaAllmulti, "allmulti", " allmulti %d ")
		u32(iflaMinMTU, "min_mtu", "minmtu %d ")
		u32(iflaMaxMTU, "max_mtu", "maxmtu %d ")
		if a := tb[iflaLinkinfo]; a != nil {
			li := rtaParse(a.Data, 5)
			p.OpenObject("linkinfo")
			if k := li[iflaInfoKind]; k != nil {
				p.NL()
				p.String(tc.Any, "info_kind", "    %s ", k.Str())
			}
			p.CloseObject()
		}
		u32(iflaNumTxQueues, "num_tx_queues", "numtxqueues %d ")
		u32(iflaNumRxQueues, "num_rx_queues", "numrxqueues %d ")
		u32(iflaGsoMaxSize, "gso_max_size", "gso_max_size %d ")
		u32(iflaGsoMaxSegs, "gso_max_segs", "gso_max_segs %d ")
		u32(iflaTsoMaxSize, "tso_max_size", "tso_max_size %d ")
		u32(iflaTsoMaxSegs, "tso_max_segs", "tso_max_segs %d ")
		u32(iflaGroMaxSize, "gro_max_size", "gro_max_size %d ")
	}
	if (doLink || t.details > 0) && tb[iflaIfalias] != nil {
		p.NL()
		p.String(tc.Any, "ifalias", "    alias %s", tb[iflaIfalias].Str())
	}
	if doLink && t.stats > 0 {
		p.NL()
		t.printLinkStats(p, tb)
	}
	p.Text("\n")
}

// printOperstate is print_operstate.
func (t *ipTool) printOperstate(p *tc.Printer, state uint8) {
	switch {
	case int(state) >= len(operStates):
		if p.IsJSON() {
			p.Uint(tc.JSON, "operstate_index", "", uint64(state))
		} else {
			p.Printf("state %#x", state)
		}
	case t.brief > 0:
		p.String(tc.Any, "operstate", "%-14s ", operStates[state])
	default:
		if p.IsJSON() {
			p.String(tc.JSON, "operstate", "", operStates[state])
		} else {
			p.Printf("state %s ", operStates[state])
		}
	}
}

// printAddrs prints a link's addresses (print_selected_addrinfo).
func (t *ipTool) printAddrs(p *tc.Printer, lm *linkMsg, addrs []nl.Msg) {
	p.OpenArray(tc.JSON, "addr_info", "")
	for i := range addrs {
		p.OpenObject("")
		t.printAddrinfo(p, &addrs[i])
		p.CloseObject()
	}
	p.CloseArray(tc.JSON, "")
	if t.brief > 0 {
		p.Text("\n")
	}
}

var scopeNames = map[uint8]string{0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

func ipString(family uint8, b []byte) string {
	switch {
	case family == afInet && len(b) >= 4:
		return netip.AddrFrom4([4]byte(b[:4])).String()
	case family == afInet6 && len(b) >= 16:
		return netip.AddrFrom16([16]byte(b[:16])).String()
	}
	return "???"
}

var ifaFlagNames = []struct {
	mask   uint32
	name   string
	v6only bool
}{
	{0x01, "secondary", false}, {0x01, "temporary", true}, {0x02, "nodad", true},
	{0x04, "optimistic", true}, {0x08, "dadfailed", true}, {0x10, "home", true},
	{0x20, "deprecated", true}, {0x40, "tentative", true}, {0x80, "permanent", true},
	{0x100, "mngtmpaddr", true}, {0x200, "noprefixroute", false}, {0x400, "autojoin", false},
	{0x800, "stable-privacy", true},
}

// printAddrinfo is print_addrinfo.
func (t *ipTool) printAddrinfo(p *tc.Printer, m *nl.Msg) {
	fam := m.Data[0]
	plen := m.Data[1]
	scope := m.Data[3]
	idx := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	tb := rtaParse(m.Data[ifaddrmsgLen:], ifaMax)
	flags := uint32(m.Data[2])
	if a := tb[ifaFlags]; a != nil {
		flags = attrU32(a)
	}
	if tb[ifaLocal] == nil {
		tb[ifaLocal] = tb[ifaAddress]
	}
	if tb[ifaAddress] == nil {
		tb[ifaAddress] = tb[ifaLocal]
	}
	if m.Type == rtmDelAddr {
		p.Bool(tc.Any, "deleted", "Deleted ", true)
	}
	if t.brief == 0 {
		if t.oneline > 0 {
			dev := t.links.indexToName(idx)
			if p.IsJSON() {
				p.Int(tc.JSON, "index", "", int64(idx))
				p.String(tc.JSON, "dev", "", dev)
			} else {
				p.Printf("%d: %s", idx, dev)
			}
		}
		switch fam {
		case afInet:
			p.String(tc.Any, "family", "    %s ", "inet")
		case afInet6:
			p.String(tc.Any, "family", "    %s ", "inet6")
		default:
			p.Int(tc.Any, "family_index", "    family %d ", int64(fam))
		}
	}
	if a := tb[ifaLocal]; a != nil {
		p.String(tc.Any, "local", "%s", ipString(fam, a.Data))
		if b := tb[ifaAddress]; b != nil && string(b.Data) != string(a.Data) {
			p.Text(" peer ")
			p.String(tc.Any, "address", "%s", ipString(fam, b.Data))
		}
		p.Int(tc.Any, "prefixlen", "/%d ", int64(plen))
	}
	if t.brief > 0 {
		return
	}
	if a := tb[ifaBroadcast]; a != nil {
		p.Text("brd ")
		p.String(tc.Any, "broadcast", "%s ", ipString(fam, a.Data))
	}
	if a := tb[ifaAnycast]; a != nil {
		p.Text("any ")
		p.String(tc.Any, "anycast", "%s ", ipString(fam, a.Data))
	}
	sn, ok := scopeNames[scope]
	if !ok {
		sn = strconv.Itoa(int(scope))
	}
	p.String(tc.Any, "scope", "scope %s ", sn)
	rest := flags
	for _, f := range ifaFlagNames {
		if f.mask == ifaFPermanent {
			if rest&f.mask == 0 {
				p.Bool(tc.Any, "dynamic", "dynamic ", true)
			}
		} else if rest&f.mask != 0 {
			if f.mask == ifaFSecondary && fam == afInet6 {
				p.Bool(tc.Any, "temporary", "temporary ", true)
			} else {
				p.Text(f.name + " ")
				p.Bool(tc.JSON, f.name, "", true)
			}
		}
		rest &^= f.mask
	}
	if rest != 0 {
		if p.IsJSON() {
			p.String(tc.JSON, "ifa_flags", "", fmt.Sprintf("%x", rest))
		} else {
			p.Printf("flags %02x ", rest)
		}
	}
	if a := tb[ifaLabel]; a != nil {
		p.String(tc.Any, "label", "%s", a.Str())
	}
	if a := tb[ifaCacheinfo]; a != nil {
		ci := fixed(a.Data, 16)
		pref, valid := u32at(ci, 0), u32at(ci, 4)
		p.NL()
		p.Text("       valid_lft ")
		if valid == 0xFFFFFFFF {
			p.Uint(tc.JSON, "valid_life_time", "", uint64(valid))
			p.Text("forever")
		} else {
			p.Uint(tc.Any, "valid_life_time", "%dsec", uint64(valid))
		}
		p.Text(" preferred_lft ")
		switch {
		case pref == 0xFFFFFFFF:
			p.Uint(tc.JSON, "preferred_life_time", "", uint64(pref))
			p.Text("forever")
		case flags&0x20 != 0:
			p.Int(tc.Any, "preferred_life_time", "%dsec", int64(int32(pref)))
		default:
			p.Uint(tc.Any, "preferred_life_time", "%dsec", uint64(pref))
		}
	}
	p.Text("\n")
}
