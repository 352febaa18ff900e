package tccli

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Link attributes (IFLA_*) ip reads and writes.
const (
	iflaAddress        = 1
	iflaBroadcast      = 2
	iflaMTU            = 4
	iflaLink           = 5
	iflaQdisc          = 6
	iflaStats          = 7
	iflaMaster         = 10
	iflaTxqlen         = 13
	iflaOperstate      = 16
	iflaLinkmode       = 17
	iflaLinkinfo       = 18
	iflaIfalias        = 20
	iflaStats64        = 23
	iflaGroup          = 27
	iflaPromiscuity    = 30
	iflaNumTxQueues    = 31
	iflaNumRxQueues    = 32
	iflaCarrierChanges = 35
	iflaProtoDown      = 39
	iflaGsoMaxSegs     = 40
	iflaGsoMaxSize     = 41
	iflaMinMTU         = 50
	iflaMaxMTU         = 51
	iflaGroMaxSize     = 58
	iflaTsoMaxSize     = 59
	iflaTsoMaxSegs     = 60
	iflaAllmulti       = 61
	iflaMax            = 70

	iflaInfoKind = 1
	iflaInfoData = 2
	vethInfoPeer = 1

	iffUp      = 0x1
	iffRunning = 0x40
)

const linkUsage = "Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME\n" +
	"\t\t    [ txqueuelen PACKETS ]\n" +
	"\t\t    [ address LLADDR ]\n" +
	"\t\t    [ mtu MTU ]\n" +
	"\t\t    [ numtxqueues QUEUE_COUNT ]\n" +
	"\t\t    [ numrxqueues QUEUE_COUNT ]\n" +
	"\t\t    type TYPE [ ARGS ]\n" +
	"\n" +
	"       ip link delete { DEVICE | dev DEVICE } [ type TYPE ] [ ARGS ]\n" +
	"\n" +
	"       ip link set { DEVICE | dev DEVICE }\n" +
	"\t\t\t[ { up | down } ]\n" +
	"\t\t\t[ name NEWNAME ]\n" +
	"\t\t\t[ mtu MTU ]\n" +
	"\t\t\t[ txqueuelen PACKETS ]\n" +
	"\t\t\t[ address LLADDR ]\n" +
	"\t\t\t[ alias NAME ]\n" +
	"\n" +
	"       ip link show [ DEVICE ] [ up ]\n" +
	"\n" +
	"TYPE := { dummy | veth }\n" +
	"(netsched ip: the subset of iproute2's ip link that makes devices)"

func (t *ipTool) doLink(argv []string) error {
	if len(argv) < 1 {
		return t.listLinks(nil, true)
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "add"):
		return t.linkModify(rtmNewLink, fCreate|fExcl, rest)
	case tc.Matches(w, "set"), tc.Matches(w, "change"):
		return t.linkModify(rtmNewLink, 0, rest)
	case tc.Matches(w, "replace"):
		return t.linkModify(rtmNewLink, fCreate|fReplace, rest)
	case tc.Matches(w, "delete"):
		return t.linkModify(rtmDelLink, 0, rest)
	case tc.Matches(w, "show"), tc.Matches(w, "lst"), tc.Matches(w, "list"):
		return t.listLinks(rest, true)
	case tc.Matches(w, "help"):
		return exitMsg(255, "%s", linkUsage)
	}
	return exitMsg(255, "Command \"%s\" is unknown, try \"ip link help\".", w)
}

// linkReq is what iplink_parse gathers.
type linkReq struct {
	b         *nl.Builder
	flags     uint32 // ifi_flags
	change    uint32 // ifi_change
	index     int32
	name, dev string
	kind      string
	kindSet   bool
	mtu, qlen int64
	ntx, nrx  int64
	nameSet   bool
	devSet    bool
}

// parseLink reads link words (iplink_parse) into attributes of b and
// returns the words it took.
func (t *ipTool) parseLink(a *tc.Args, r *linkReq) error {
	r.mtu, r.qlen, r.ntx, r.nrx = -1, -1, -1, -1
	for a.More() {
		w := a.Next()
		switch {
		case w == "up":
			r.change |= iffUp
			r.flags |= iffUp
		case w == "down":
			r.change |= iffUp
			r.flags &^= iffUp
		case w == "name":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if r.nameSet {
				return tc.DupArg("name", v)
			}
			if !validIfname(v) {
				return tc.InvArg("\"name\" not a valid ifname", v)
			}
			r.name, r.nameSet = v, true
			if !r.devSet {
				r.dev, r.devSet = v, true
			}
		case w == "index":
			v, err := a.Value()
			if err != nil {
				return err
			}
			n, _, _ := tc.Strtol(v, 10)
			if int32(n) <= 0 {
				return tc.InvArg("Invalid \"index\" value", v)
			}
			r.index = int32(n)
		case tc.Matches(w, "address"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			hw, ok := parseLLAddr(v)
			if !ok {
				return fail(1, "\"%s\" is invalid lladdr.", v)
			}
			r.b.Put(iflaAddress, hw)
		case tc.Matches(w, "broadcast"), w == "brd":
			v, err := a.Value()
			if err != nil {
				return err
			}
			hw, ok := parseLLAddr(v)
			if !ok {
				return fail(1, "\"%s\" is invalid lladdr.", v)
			}
			r.b.Put(iflaBroadcast, hw)
		case tc.Matches(w, "txqueuelen"), w == "qlen", tc.Matches(w, "txqlen"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if r.qlen != -1 {
				return tc.DupArg("txqueuelen", v)
			}
			n, err := tc.GetInteger(v, 0)
			if err != nil {
				return tc.InvArg("Invalid \"txqueuelen\" value\n", v)
			}
			r.qlen = int64(n)
			r.b.PutU32(iflaTxqlen, uint32(n))
		case w == "mtu":
			v, err := a.Value()
			if err != nil {
				return err
			}
			if r.mtu != -1 {
				return tc.DupArg("mtu", v)
			}
			n, err := tc.GetInteger(v, 0)
			if err != nil {
				return tc.InvArg("Invalid \"mtu\" value\n", v)
			}
			r.mtu = int64(n)
			r.b.PutU32(iflaMTU, uint32(n))
		case w == "numtxqueues", w == "numrxqueues":
			v, err := a.Value()
			if err != nil {
				return err
			}
			p := &r.ntx
			attr := uint16(iflaNumTxQueues)
			if w == "numrxqueues" {
				p, attr = &r.nrx, iflaNumRxQueues
			}
			if *p != -1 {
				return tc.DupArg(w, v)
			}
			n, err := tc.GetInteger(v, 0)
			if err != nil {
				return tc.InvArg(fmt.Sprintf("Invalid \"%s\" value\n", w), v)
			}
			*p = int64(n)
			r.b.PutU32(attr, uint32(n))
		case tc.Matches(w, "group"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			g, ok := groupByName(v)
			if !ok {
				return tc.InvArg("Invalid \"group\" value\n", v)
			}
			r.b.PutU32(iflaGroup, g)
		case tc.Matches(w, "alias"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			if len(v) >= 256 {
				return tc.InvArg("alias too long\n", v)
			}
			r.b.Put(iflaIfalias, []byte(v))
		case tc.Matches(w, "type"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			r.kind, r.kindSet = v, true
			return nil
		default:
			if w == "dev" {
				v, err := a.Value()
				if err != nil {
					return err
				}
				w = v
			}
			if tc.Matches(w, "help") {
				return exitMsg(255, "%s", linkUsage)
			}
			if r.devSet && r.dev != r.name || r.devSet && !r.nameSet {
				return tc.DupArg2("dev", w)
			}
			if strings.ContainsAny(w, "/ \t\n\v\f\r") || w == "" {
				return tc.InvArg("\"dev\" not a valid ifname", w)
			}
			r.dev, r.devSet = w, true
		}
	}
	return nil
}

// linkModify is iplink_modify: add, set, replace, delete.
func (t *ipTool) linkModify(cmd, flags uint16, argv []string) error {
	b := request(cmd, flags, make([]byte, ifinfomsgLen))
	r := &linkReq{b: b}
	a := tc.NewArgs(argv)
	if err := t.parseLink(a, r); err != nil {
		return err
	}
	create := flags&fCreate != 0
	if !create && r.index != 0 {
		return exitMsg(255, "index can be used only when creating devices.")
	}
	var index int32
	name := r.name
	if !create {
		if !r.devSet {
			return exitMsg(255, "Not enough information: \"dev\" argument is required.")
		}
		if err := t.links.init(); err != nil {
			return err
		}
		index = t.links.nameToIndex(r.dev)
		if index == 0 {
			return fail(1, "Cannot find device \"%s\"", r.dev)
		}
		if name == r.dev {
			name = ""
		}
	} else {
		if r.nameSet && r.devSet && r.dev != r.name {
			return exitMsg(255, "both \"name\" and \"dev\" cannot be used when creating devices.")
		}
		if name == "" {
			name = r.dev
		}
		index = r.index
	}
	if name != "" {
		b.PutString(iflaIfname, name)
	}
	if r.kindSet {
		b.Nest(iflaLinkinfo)
		b.Put(iflaInfoKind, []byte(r.kind))
		if a.More() && r.kind != "dummy" {
			// iproute2 has a parser for veth, none that reads words for
			// dummy (they are ignored), and none for kinds it does not
			// know.
			if r.kind != "veth" {
				if tc.Matches(a.Peek(), "help") {
					return exitMsg(255, "%s", linkUsage)
				}
				return fail(1, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.Peek())
			}
			b.Nest(iflaInfoData)
			if err := t.parseVethPeer(a, b); err != nil {
				return err
			}
			b.EndNest()
		}
		b.EndNest()
	} else if create {
		return fail(1, "Not enough information: \"type\" argument is required")
	}
	b.End()
	hdr := b.B[nl.HdrLen:]
	binary.NativeEndian.PutUint32(hdr[4:], uint32(index))
	binary.NativeEndian.PutUint32(hdr[8:], r.flags)
	binary.NativeEndian.PutUint32(hdr[12:], r.change)
	if _, err := t.h.talk(b, false, false); err != nil {
		return status(2)
	}
	return nil
}

// parseVethPeer reads veth's `peer [name] NAME [link words]`
// (veth_parse_opt): a nest with the peer's ifinfomsg and attributes.
func (t *ipTool) parseVethPeer(a *tc.Args, b *nl.Builder) error {
	if a.Peek() != "peer" {
		// link_veth.c prints its usage to standard output.
		io.WriteString(t.env.Stdout, "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n")
		return status(1)
	}
	a.Next()
	b.Nest(vethInfoPeer)
	start := len(b.B)
	b.Raw(make([]byte, ifinfomsgLen))
	r := &linkReq{b: b}
	if err := t.parseLink(a, r); err != nil {
		return err
	}
	if r.kindSet {
		return tc.DupArg("type", r.kind)
	}
	name := r.name
	if name == "" {
		name = r.dev
	}
	if name != "" {
		b.PutString(iflaIfname, name)
	}
	hdr := b.B[start:]
	binary.NativeEndian.PutUint32(hdr[4:], uint32(r.index))
	binary.NativeEndian.PutUint32(hdr[8:], r.flags)
	binary.NativeEndian.PutUint32(hdr[12:], r.change)
	b.EndNest()
	return nil
}

// parseLLAddr reads a link-layer address "xx:xx:..." (ll_addr_a2n).
func parseLLAddr(s string) ([]byte, bool) {
	var out []byte
	for _, part := range strings.Split(s, ":") {
		v, err := strconv.ParseUint(part, 16, 8)
		if err != nil || part == "" || len(part) > 2 {
			return nil, false
		}
		out = append(out, byte(v))
	}
	return out, len(out) > 0
}

// groupByName is rtnl_group_a2n: "default" or a number.
func groupByName(s string) (uint32, bool) {
	if s == "default" {
		return 0, true
	}
	v, err := tc.GetU32(s, 0)
	return v, err == nil
}
