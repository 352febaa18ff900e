package tccli

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Link messages and attributes used by the link cache and ip.
const (
	rtmNewLink = 16
	rtmDelLink = 17
	rtmGetLink = 18
	rtmSetLink = 19

	iflaIfname     = 3
	iflaExtMask    = 29
	iflaAltIfname  = 53
	ifinfomsgLen   = 16
	rtextFilterVF  = 1
	rtextSkipStats = 1 << 3
)

// link is what the cache knows of a device (struct ll_cache).
type link struct {
	index int32
	name  string
	flags uint32
	typ   uint16
}

// links is iproute2's ll_map: names and indexes of the devices, read once
// with a dump and completed with single gets.
type links struct {
	h       *handle
	byIndex map[int32]*link
	byName  map[string]*link
	inited  bool
	// newHandle opens the separate socket ll_link_get uses.
	open func() (*handle, error)
}

func ifinfo(index int32) []byte {
	var b [ifinfomsgLen]byte
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b[:]
}

// remember adds or removes a device from a link message
// (ll_remember_index).
func (l *links) remember(m *nl.Msg) {
	if (m.Type != rtmNewLink && m.Type != rtmDelLink) || len(m.Data) < ifinfomsgLen {
		return
	}
	idx := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	if m.Type == rtmDelLink {
		if old := l.byIndex[idx]; old != nil {
			delete(l.byName, old.name)
			delete(l.byIndex, idx)
		}
		return
	}
	tb := nl.Parse(m.Data[ifinfomsgLen:], iflaIfname)
	a := tb.Get(iflaIfname)
	if a == nil {
		return
	}
	if old := l.byIndex[idx]; old != nil {
		delete(l.byName, old.name)
	}
	ln := &link{
		index: idx,
		name:  a.Str(),
		typ:   binary.NativeEndian.Uint16(m.Data[2:]),
		flags: binary.NativeEndian.Uint32(m.Data[8:]),
	}
	l.byIndex[idx] = ln
	l.byName[ln.name] = ln
}

// init dumps the devices once (ll_init_map). A failure ends the program
// as it does in iproute2.
func (l *links) init() error {
	if l.inited {
		return nil
	}
	if l.byIndex == nil {
		l.byIndex, l.byName = map[int32]*link{}, map[string]*link{}
	}
	b := request(rtmGetLink, 0, ifinfo(0))
	b.PutU32(iflaExtMask, rtextFilterVF)
	b.End()
	if err := l.h.dumpRequest(b); err != nil {
		return exitMsg(1, "Cannot send dump request: %v", err)
	}
	if err := l.h.dumpFilter(func(m *nl.Msg) error { l.remember(m); return nil }); err != nil {
		return exitMsg(1, "Dump terminated")
	}
	l.inited = true
	return nil
}

// get asks for one device by name or index on a fresh socket, quietly
// (ll_link_get); it returns its index or 0.
func (l *links) get(name string, index int32) int32 {
	if l.byIndex == nil {
		l.byIndex, l.byName = map[int32]*link{}, map[string]*link{}
	}
	if l.open == nil {
		return 0
	}
	h, err := l.open()
	if err != nil {
		return 0
	}
	defer h.c.Close()
	b := request(rtmGetLink, 0, ifinfo(index))
	b.PutU32(iflaExtMask, rtextFilterVF|rtextSkipStats)
	if name != "" {
		t := uint16(iflaIfname)
		if !validIfname(name) {
			t = iflaAltIfname
		}
		b.PutString(t, name)
	}
	b.End()
	m, err := h.talk(b, true, true)
	if err != nil || m == nil || m.Type != rtmNewLink || len(m.Data) < ifinfomsgLen {
		return 0
	}
	l.remember(m)
	return int32(binary.NativeEndian.Uint32(m.Data[4:]))
}

// validIfname is check_ifname: shorter than IFNAMSIZ, no '/' or space.
func validIfname(name string) bool {
	if name == "" || len(name) >= 16 {
		return false
	}
	return !strings.ContainsAny(name, "/ \t\n\v\f\r")
}

// nameToIndex is ll_name_to_index: the cache, a get by name, then a name
// of the form "if<index>".
func (l *links) nameToIndex(name string) int32 {
	if name == "" {
		return 0
	}
	if ln := l.byName[name]; ln != nil {
		return ln.index
	}
	if idx := l.get(name, 0); idx != 0 {
		return idx
	}
	return idxFromName(name)
}

// idxFromName is ll_idx_a2n: sscanf(name, "if%u").
func idxFromName(name string) int32 {
	rest, ok := strings.CutPrefix(name, "if")
	if !ok {
		return 0
	}
	v, n, _ := tc.Strtoul(rest, 10)
	if n == 0 {
		return 0
	}
	return int32(uint32(v))
}

// indexToName is ll_index_to_name: "*" for 0, the cache, a get by index,
// else "if<index>".
func (l *links) indexToName(idx int32) string {
	if idx == 0 {
		return "*"
	}
	if ln := l.byIndex[idx]; ln != nil {
		return ln.name
	}
	if l.get("", idx) == idx {
		if ln := l.byIndex[idx]; ln != nil {
			return ln.name
		}
	}
	return "if" + strconv.FormatUint(uint64(uint32(idx)), 10)
}

// flagsOf is ll_index_to_flags.
func (l *links) flagsOf(idx int32) uint32 {
	if ln := l.byIndex[idx]; ln != nil {
		return ln.flags
	}
	return 0
}
