package tccli

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netsched/netsched/tc"
)

const addrUsage = "Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]\n" +
	"                                                      [ CONFFLAG-LIST ]\n" +
	"       ip address del IFADDR dev IFNAME\n" +
	"       ip address show [ dev IFNAME ] [ up ]\n" +
	"IFADDR := PREFIX | ADDR peer PREFIX\n" +
	"          [ broadcast ADDR ] [ label IFNAME ] [ scope SCOPE-ID ]\n" +
	"SCOPE-ID := [ host | link | global | NUMBER ]\n" +
	"(netsched ip: the subset of iproute2's ip address that gives devices addresses)"

func (t *ipTool) doAddr(argv []string) error {
	if len(argv) < 1 {
		return t.listLinks(nil, false)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.addrModify(rtmNewAddr, fCreate|fExcl, rest)
	case tc.Matches(w, "change"), w == "chg":
		return t.addrModify(rtmNewAddr, fReplace, rest)
	case tc.Matches(w, "replace"):
		return t.addrModify(rtmNewAddr, fCreate|fReplace, rest)
	case tc.Matches(w, "delete"):
		return t.addrModify(rtmDelAddr, 0, rest)
	case tc.Matches(w, "list"), tc.Matches(w, "show"), tc.Matches(w, "lst"):
		return t.listLinks(rest, false)
	case tc.Matches(w, "help"):
		return exitMsg(255, "%s", addrUsage)
	}
	return exitMsg(255, "Command \"%s\" is unknown, try \"ip address help\".", w)
}

// prefix is an inet_prefix: an address with the prefix length given or not.
type prefix struct {
	addr    netip.Addr
	bits    int
	hasBits bool
}

// parsePrefix is get_prefix_1 for inet and inet6 (the legacy "10.8" form
// of get_addr_ipv4 included).
func parsePrefix(s string, family int) (prefix, bool) {
	a, l, slash := strings.Cut(s, "/")
	var p prefix
	if strings.Contains(a, ":") {
		if family != afUnspec && family != afInet6 {
			return p, false
		}
		addr, err := netip.ParseAddr(a)
		if err != nil || !addr.Is6() {
			return p, false
		}
		p.addr, p.bits = addr, 128
	} else {
		if family != afUnspec && family != afInet {
			return p, false
		}
		var b [4]byte
		rest := a
		for i := 0; i < 4; i++ {
			v, n, _ := tc.Strtoul(rest, 0)
			if n == 0 || v > 255 {
				return p, false
			}
			b[i] = byte(v)
			rest = rest[n:]
			if rest == "" {
				break
			}
			if i == 3 || rest[0] != '.' {
				return p, false
			}
			rest = rest[1:]
		}
		p.addr, p.bits = netip.AddrFrom4(b), 32
	}
	if slash {
		v, err := tc.GetU32(l, 0)
		if err != nil || int(v) > p.bits {
			return p, false
		}
		p.bits, p.hasBits = int(v), true
	}
	return p, true
}

func familyWord(f int) string {
	switch f {
	case afInet:
		return "inet"
	case afInet6:
		return "inet6"
	}
	return "any valid"
}

// addrModify is ipaddr_modify.
func (t *ipTool) addrModify(cmd, flags uint16, argv []string) error {
	var (
		dev, label       string
		local, peer, brd prefix
		hasLocal         bool
		hasPeer          bool
		hasBrd           bool
		scope            = -1
		localArg         string
	)
	var hdr [ifaddrmsgLen]byte
	hdr[0] = byte(t.family)
	b := request(cmd, flags, hdr[:])
	a := tc.NewArgs(argv)
	for a.More() {
		w := a.Next()
		switch {
		case w == "peer", w == "remote":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if hasPeer {
				return tc.DupArg("peer", v)
			}
			pp, ok := parsePrefix(v, t.family)
			if !ok {
				return fail(1, "Error: %s prefix is expected rather than \"%s\".", familyWord(t.family), v)
			}
			peer, hasPeer = pp, true
			b.Put(ifaAddress, pp.addr.AsSlice())
		case tc.Matches(w, "broadcast"), w == "brd":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if hasBrd {
				return tc.DupArg("broadcast", v)
			}
			if v == "+" || v == "-" {
				return fail(255, "netsched ip: \"broadcast %s\" is not supported", v)
			}
			bp, ok := parsePrefix(v, t.family)
			if !ok || bp.hasBits {
				return fail(1, "Error: %s address is expected rather than \"%s\".", familyWord(t.family), v)
			}
			brd, hasBrd = bp, true
			b.Put(ifaBroadcast, bp.addr.AsSlice())
		case w == "label":
			v, err := a.Value()
			if err != nil {
				return err
			}
			label = v
			b.PutString(ifaLabel, v)
		case w == "dev":
			v, err := a.Value()
			if err != nil {
				return err
			}
			dev = v
		case tc.Matches(w, "scope"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			sc, ok := scopeByName(v)
			if !ok {
				return tc.InvArg("invalid scope value.", v)
			}
			scope = sc
		default:
			if w == "local" {
				v, err := a.Value()
				if err != nil {
					return err
				}
				w = v
			}
			if tc.Matches(w, "help") {
				return exitMsg(255, "%s", addrUsage)
			}
			if hasLocal {
				return tc.DupArg2("local", w)
			}
			lp, ok := parsePrefix(w, t.family)
			if !ok {
				return fail(1, "Error: %s prefix is expected rather than \"%s\".", familyWord(t.family), w)
			}
			local, hasLocal, localArg = lp, true, w
			b.Put(ifaLocal, lp.addr.AsSlice())
		}
	}
	_ = brd
	if dev == "" {
		return fail(1, "Not enough information: \"dev\" argument is required.")
	}
	if label != "" && !strings.HasPrefix(label, dev) {
		return fail(1, "\"dev\" (%s) must match \"label\" (%s).", dev, label)
	}
	fam := t.family
	plen := 0
	if hasLocal {
		if fam == afUnspec {
			fam = afInet
			if local.addr.Is6() {
				fam = afInet6
			}
		}
		plen = local.bits
		if !hasPeer {
			if cmd == rtmDelAddr && local.addr.Is4() && !local.hasBits {
				t.env.errorf("Warning: Executing wildcard deletion to stay compatible with old scripts.\n"+
					"         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"+
					"         This special behaviour is likely to disappear in further releases,\n"+
					"         fix your scripts!\n", localArg, local.addr.BitLen())
			} else {
				b.Put(ifaAddress, local.addr.AsSlice())
			}
		}
	}
	if hasPeer {
		plen = peer.bits
		if !peer.hasBits && hasLocal {
			plen = local.bits
		}
	}
	if scope < 0 {
		scope = 0
		if hasLocal && local.addr.IsLoopback() {
			scope = 254
		}
		if cmd == rtmDelAddr {
			scope = 0
		}
	}
	b.End()
	if err := t.links.init(); err != nil {
		return err
	}
	idx := t.links.nameToIndex(dev)
	if idx == 0 {
		return fail(1, "Cannot find device \"%s\"", dev)
	}
	h := b.B[16:]
	h[0] = byte(fam)
	h[1] = byte(plen)
	h[3] = byte(scope)
	binary.NativeEndian.PutUint32(h[4:], uint32(idx))
	if _, err := t.h.talk(b, false, false); err != nil {
		return status(2)
	}
	return nil
}

// scopeByName is rtnl_rtscope_a2n.
func scopeByName(s string) (int, bool) {
	for v, n := range scopeNames {
		if n == s {
			return int(v), true
		}
	}
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, false
	}
	return int(v), true
}
