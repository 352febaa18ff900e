package rtnl

// NSCHED_PING: the daemon's ping, so that `ping` in a netsched namespace
// (cmd/netsched ping.go) sends ICMP echo requests through the device's
// qdiscs as iputils' ping does through the kernel's. The client sends one
// request with ping's options; the daemon either only probes the route
// (PING_F_PROBE: the source address, or the error connect() would give)
// or runs the whole ping and answers with the statistics and the events
// to print, in order. See tools/nlshim/PROTOCOL.md.

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// NSCHED_PING attributes.
const (
	PING_A_UNSPEC   = 0
	PING_A_IFNAME   = 1  // string: the device of ping -I
	PING_A_SOURCE   = 2  // 4 bytes: the address of ping -I; in answers the source used
	PING_A_DEST     = 3  // 4 bytes
	PING_A_COUNT    = 4  // u32: -c, 0 for no limit
	PING_A_INTERVAL = 5  // u32 ms: -i (ping's default 1000; 0 with -f)
	PING_A_LINGER   = 6  // u32 ms: -W (default 10000)
	PING_A_DEADLINE = 7  // u32 s: -w (default none)
	PING_A_SIZE     = 8  // u32: -s (default 56)
	PING_A_TOS      = 9  // u8: -Q
	PING_A_FLAGS    = 10 // u32: PING_F_*
	PING_A_ERRNO    = 11 // u32, answer: the setup failed with this errno
	PING_A_WHERE    = 12 // string, answer: which step failed, as ping names it
	PING_A_STATS    = 13 // PingStats, answer
	PING_A_EVENTS   = 14 // PingEvent records, answer; may repeat
	PING_A_MAX      = 14
)

// PING_F_* flags.
const (
	PING_F_FLOOD = 1 << 0 // -f
	PING_F_PROBE = 1 << 1 // only resolve the route and source
	// PING_F_SRC_ELSEWHERE (answer): the source is not an address of the
	// device asked for, which ping warns about.
	PING_F_SRC_ELSEWHERE = 1 << 2
)

// PingRequest is what NSCHED_PING asks.
type PingRequest struct {
	Device     string
	Source     netip.Addr // -I ADDRESS
	Dest       netip.Addr
	Count      uint32
	IntervalMs uint32
	LingerMs   uint32
	Deadline   uint32 // s
	Size       uint32
	TOS        uint8
	Flags      uint32
}

// DefaultPingRequest has ping's defaults.
func DefaultPingRequest() PingRequest {
	return PingRequest{IntervalMs: 1000, LingerMs: 10000, Size: 56}
}

// Put writes the request's attributes.
func (r *PingRequest) Put(b *nl.Builder) {
	if r.Device != "" {
		b.PutString(PING_A_IFNAME, r.Device)
	}
	if r.Source.Is4() {
		s := r.Source.As4()
		b.Put(PING_A_SOURCE, s[:])
	}
	d := r.Dest.As4()
	b.Put(PING_A_DEST, d[:])
	b.PutU32(PING_A_COUNT, r.Count)
	b.PutU32(PING_A_INTERVAL, r.IntervalMs)
	b.PutU32(PING_A_LINGER, r.LingerMs)
	b.PutU32(PING_A_DEADLINE, r.Deadline)
	b.PutU32(PING_A_SIZE, r.Size)
	b.PutU8(PING_A_TOS, r.TOS)
	b.PutU32(PING_A_FLAGS, r.Flags)
}

var pingPolicy = map[uint16]nl.PolicyEntry{
	PING_A_IFNAME:   {Type: nl.String, Len: 15},
	PING_A_COUNT:    {Type: nl.U32},
	PING_A_INTERVAL: {Type: nl.U32},
	PING_A_LINGER:   {Type: nl.U32},
	PING_A_DEADLINE: {Type: nl.U32},
	PING_A_SIZE:     {Type: nl.U32},
	PING_A_TOS:      {Type: nl.U8},
	PING_A_FLAGS:    {Type: nl.U32},
}

// ParsePingRequest reads a request's attributes.
func ParsePingRequest(data []byte) (PingRequest, error) {
	r := DefaultPingRequest()
	tb := nl.Parse(data, PING_A_MAX)
	if err, msg := tb.Validate(pingPolicy); err != nil {
		return r, &sched.Error{Errno: err.(syscall.Errno), Msg: msg}
	}
	addr := func(t uint16) (netip.Addr, bool) {
		a := tb.Get(t)
		if a == nil {
			return netip.Addr{}, true
		}
		if len(a.Data) != 4 {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte(a.Data)), true
	}
	var ok bool
	if r.Dest, ok = addr(PING_A_DEST); !ok || !r.Dest.IsValid() {
		return r, sched.Err(syscall.EINVAL, "NSCHED_PING needs an IPv4 destination")
	}
	if r.Source, ok = addr(PING_A_SOURCE); !ok {
		return r, sched.Err(syscall.EINVAL, "Bad ping source address")
	}
	if a := tb.Get(PING_A_IFNAME); a != nil {
		r.Device = a.Str()
	}
	u32 := func(t uint16, v *uint32) {
		if a := tb.Get(t); a != nil {
			*v = a.U32()
		}
	}
	u32(PING_A_COUNT, &r.Count)
	u32(PING_A_INTERVAL, &r.IntervalMs)
	u32(PING_A_LINGER, &r.LingerMs)
	u32(PING_A_DEADLINE, &r.Deadline)
	u32(PING_A_SIZE, &r.Size)
	u32(PING_A_FLAGS, &r.Flags)
	if a := tb.Get(PING_A_TOS); a != nil {
		r.TOS = a.U8()
	}
	return r, nil
}

// PingStats are ping's counters at the end (struct ping_rts's).
type PingStats struct {
	Transmitted, Received, Repeats uint32
	TimeUs                         uint64 // from the first send to the last
	TMin, TMax, TSum               uint64 // µs
	TSum2                          uint64 // µs², saturated
	RTT                            uint32 // ping's smoothed rtt ×8, µs
	PipeSize                       uint32
}

const pingStatsLen = 4*3 + 8*5 + 4*2

func (s *PingStats) bytes() []byte {
	b := make([]byte, 0, pingStatsLen)
	ne := binary.NativeEndian
	b = ne.AppendUint32(b, s.Transmitted)
	b = ne.AppendUint32(b, s.Received)
	b = ne.AppendUint32(b, s.Repeats)
	for _, v := range []uint64{s.TimeUs, s.TMin, s.TMax, s.TSum, s.TSum2} {
		b = ne.AppendUint64(b, v)
	}
	b = ne.AppendUint32(b, s.RTT)
	b = ne.AppendUint32(b, s.PipeSize)
	return b
}

func parsePingStats(b []byte) (PingStats, bool) {
	var s PingStats
	if len(b) < pingStatsLen {
		return s, false
	}
	ne := binary.NativeEndian
	s.Transmitted, s.Received, s.Repeats = ne.Uint32(b), ne.Uint32(b[4:]), ne.Uint32(b[8:])
	v := []*uint64{&s.TimeUs, &s.TMin, &s.TMax, &s.TSum, &s.TSum2}
	for i, p := range v {
		*p = ne.Uint64(b[12+8*i:])
	}
	s.RTT, s.PipeSize = ne.Uint32(b[52:]), ne.Uint32(b[56:])
	return s, true
}

// PingEvent kinds.
const (
	PingSent  = 1 // an echo request left
	PingReply = 2 // an echo reply arrived
	PingError = 3 // sendmsg failed for good (ping prints it)
)

// PingEvent is one thing ping prints, in the order it happened.
type PingEvent struct {
	Kind  uint8
	TTL   uint8
	Seq   uint16
	Bytes uint32
	RTTUs uint32 // with Timed
	Errno uint32
	Timed bool // the reply carried a timestamp (-s 16 or more)
	Dup   bool
	From  netip.Addr
}

const pingEventLen = 20

// PingAnswer is the daemon's answer to NSCHED_PING.
type PingAnswer struct {
	Errno  syscall.Errno // setup failure (exit 2 in ping)
	Where  string
	Source netip.Addr
	Flags  uint32
	Stats  PingStats
	Events []PingEvent
}

// Put writes the answer's attributes.
func (a *PingAnswer) Put(b *nl.Builder) {
	if a.Errno != 0 {
		b.PutU32(PING_A_ERRNO, uint32(a.Errno))
		b.PutString(PING_A_WHERE, a.Where)
		return
	}
	if a.Source.Is4() {
		s := a.Source.As4()
		b.Put(PING_A_SOURCE, s[:])
	}
	b.PutU32(PING_A_FLAGS, a.Flags)
	b.Put(PING_A_STATS, a.Stats.bytes())
	// Attribute lengths are 16 bits: long runs take several.
	const perAttr = 3000
	for i := 0; i < len(a.Events); i += perAttr {
		var buf []byte
		for _, e := range a.Events[i:min(i+perAttr, len(a.Events))] {
			buf = e.appendFull(buf)
		}
		b.Put(PING_A_EVENTS, buf)
	}
}

// appendFull writes an event record: kind, ttl, seq, bytes, rtt, errno,
// flags and the sender's address.
func (e *PingEvent) appendFull(b []byte) []byte {
	ne := binary.NativeEndian
	var fl uint32
	if e.Timed {
		fl |= 1
	}
	if e.Dup {
		fl |= 2
	}
	b = append(b, e.Kind, e.TTL)
	b = ne.AppendUint16(b, e.Seq)
	b = ne.AppendUint32(b, e.Bytes)
	b = ne.AppendUint32(b, e.RTTUs)
	b = ne.AppendUint32(b, e.Errno|fl<<24)
	from := [4]byte{}
	if e.From.Is4() {
		from = e.From.As4()
	}
	return append(b, from[:]...)
}

// ParsePingAnswer reads an answer's attributes.
func ParsePingAnswer(data []byte) (PingAnswer, error) {
	var a PingAnswer
	ne := binary.NativeEndian
	bad := errors.New("malformed NSCHED_PING answer")
	var err error
	nl.Walk(data, func(at nl.Attr) bool {
		switch at.Type {
		case PING_A_ERRNO:
			if len(at.Data) == 4 {
				a.Errno = syscall.Errno(ne.Uint32(at.Data))
			}
		case PING_A_WHERE:
			a.Where = (&at).Str()
		case PING_A_SOURCE:
			if len(at.Data) == 4 {
				a.Source = netip.AddrFrom4([4]byte(at.Data))
			}
		case PING_A_FLAGS:
			if len(at.Data) == 4 {
				a.Flags = ne.Uint32(at.Data)
			}
		case PING_A_STATS:
			var ok bool
			if a.Stats, ok = parsePingStats(at.Data); !ok {
				err = bad
			}
		case PING_A_EVENTS:
			if len(at.Data)%pingEventLen != 0 {
				err = bad
				return false
			}
			for b := at.Data; len(b) > 0; b = b[pingEventLen:] {
				x := ne.Uint32(b[12:])
				fl := x >> 24
				a.Events = append(a.Events, PingEvent{Kind: b[0], TTL: b[1], Seq: ne.Uint16(b[2:]),
					Bytes: ne.Uint32(b[4:]), RTTUs: ne.Uint32(b[8:]), Errno: x & 0xffffff,
					Timed: fl&1 != 0, Dup: fl&2 != 0, From: netip.AddrFrom4([4]byte(b[16:20]))})
			}
		}
		return true
	})
	return a, err
}
