package schedtest

import (
	"encoding/binary"
	"net/netip"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/pkt"
)

// Header lengths of the frames the bench makes.
const (
	EthLen  = 14
	IPv4Len = 20
	UDPLen  = 8
	// MinFrame is the smallest frame Frame builds: headers only.
	MinFrame = EthLen + IPv4Len + UDPLen
)

// FlowSpec describes the frames of one flow.
type FlowSpec struct {
	ID       uint32 // the sink's key (pkt.Packet.Flow)
	Src, Dst netip.Addr
	SPort    uint16
	DPort    uint16
	TOS      uint8
	Priority uint32 // skb->priority
	Mark     uint32
}

// Frame fills p with an Ethernet/IPv4/UDP frame of size bytes (at least
// MinFrame) for flow f, stamped with the send time.
func (b *Bed) Frame(p *pkt.Packet, f *FlowSpec, size int, seq uint64) {
	if size < MinFrame {
		size = MinFrame
	}
	p.SetLen(size)
	d := p.Data
	for i := range d[:MinFrame] {
		d[i] = 0
	}
	d[0], d[5] = 0x02, 0x02 // dst MAC 02:..:02
	d[6], d[11] = 0x02, 0x01
	binary.BigEndian.PutUint16(d[12:], 0x0800)
	ip := d[EthLen:]
	ip[0] = 0x45
	ip[1] = f.TOS
	binary.BigEndian.PutUint16(ip[2:], uint16(size-EthLen))
	ip[8] = 64
	ip[9] = 17 // UDP
	src, dst := f.Src.As4(), f.Dst.As4()
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	var sum uint32
	for i := 0; i < IPv4Len; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := ip[IPv4Len:]
	binary.BigEndian.PutUint16(udp[0:], f.SPort)
	binary.BigEndian.PutUint16(udp[2:], f.DPort)
	binary.BigEndian.PutUint16(udp[4:], uint16(size-EthLen-IPv4Len))
	p.Protocol = 0x0800
	p.MACLen = EthLen
	p.Network = EthLen
	p.Transport = EthLen + IPv4Len
	p.Priority = f.Priority
	p.Mark = f.Mark
	p.Flow = f.ID
	p.Seq = seq
	p.Sent = b.Clock.Now()
	p.Hash = f.ID*0x9E3779B1 + 1
}

// Send makes one frame of flow f and transmits it now.
func (b *Bed) Send(f *FlowSpec, size int) {
	p := b.Pool.Get()
	b.Frame(p, f, size, 0)
	b.Dev.Transmit(p)
}

// CBR sends size-byte frames of flow f at rate bits per second from start
// to stop (ns), on the virtual clock.
func (b *Bed) CBR(f *FlowSpec, rate uint64, size int, start, stop int64) {
	gap := int64(uint64(size) * 8 * 1e9 / rate)
	if gap <= 0 {
		gap = 1
	}
	var seq uint64
	var t clock.Timer
	next := start
	t = b.Clock.NewTimer(func() {
		b.Send(f, size)
		seq++
		next += gap
		if next < stop {
			t.Reset(next)
		}
	})
	t.Reset(start)
}

// FlowStats is what the sink saw of one flow.
type FlowStats struct {
	Packets, Bytes uint64
	First, Last    int64 // arrival times, ns
	DelaySum       int64
	DelayMax       int64
	// Window counts bytes that arrived within [WindowStart, WindowEnd).
	WindowBytes uint64
}

// MeanDelay is the average one-way delay in ns.
func (s *FlowStats) MeanDelay() float64 {
	if s.Packets == 0 {
		return 0
	}
	return float64(s.DelaySum) / float64(s.Packets)
}

// Sink counts arriving frames per flow.
type Sink struct {
	clk                    *clock.Virtual
	Flows                  map[uint32]*FlowStats
	WindowStart, WindowEnd int64
	Total                  FlowStats
}

// NewSink returns an empty sink.
func NewSink(clk *clock.Virtual) *Sink {
	return &Sink{clk: clk, Flows: map[uint32]*FlowStats{}, WindowEnd: 1 << 62}
}

// Receive counts p and frees it.
func (s *Sink) Receive(p *pkt.Packet) {
	now := s.clk.Now()
	f := s.Flows[p.Flow]
	if f == nil {
		f = &FlowStats{First: now}
		s.Flows[p.Flow] = f
	}
	for _, st := range []*FlowStats{f, &s.Total} {
		st.Packets++
		st.Bytes += uint64(len(p.Data))
		st.Last = now
		d := now - p.Sent
		st.DelaySum += d
		if d > st.DelayMax {
			st.DelayMax = d
		}
		if now >= s.WindowStart && now < s.WindowEnd {
			st.WindowBytes += uint64(len(p.Data))
		}
	}
	p.Free()
}

// Rate is the bits per second of flow id within the window.
func (s *Sink) Rate(id uint32) float64 {
	f := s.Flows[id]
	if f == nil {
		return 0
	}
	return float64(f.WindowBytes) * 8 / (float64(s.WindowEnd-s.WindowStart) / 1e9)
}

// Addr is a helper for tests: netip.MustParseAddr.
func Addr(s string) netip.Addr { return netip.MustParseAddr(s) }
