package sim

// Pcap replay: a capture file as a traffic source. The frames are read
// once, at set-up, with github.com/google/gopacket/pcapgo. That dependency
// earns its place: it reads both formats tcpdump and Wireshark write
// (classic pcap in either byte order, micro- and nanosecond timestamps,
// and pcapng with its sections and interface blocks), is pure Go, and is
// the reader Go network tools share; writing pcapng's block parser
// ourselves would be more code to trust than the whole replay. Only its
// readers are used, never a capture handle.
//
// Each frame keeps its bytes (ports, protocol, TOS and payload, so
// classifiers see the trace's traffic) with the Ethernet addresses of the
// first cable and, unless rewrite is off, the IP addresses of the flow's
// endpoints so that routing takes it where the scenario says. Frames are
// sent at their recorded times (scaled by speed) from the flow's start.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/netsched/netsched/clock"
)

// trace is a capture held in memory: frames back to back, with offsets
// and times relative to the first frame.
type trace struct {
	data    []byte
	off     []int
	at      []int64 // ns from the first frame
	span    int64   // from the first frame to the last
	skipped int
}

// maxTraceBytes bounds what a replay keeps in memory.
const maxTraceBytes = 512 << 20

// readTrace reads a pcap or pcapng file into Ethernet frames; frames of
// other link types are converted (raw IP, Linux cooked capture) or
// skipped, as are frames longer than maxFrame.
func readTrace(path string, maxFrame int) (*trace, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var next func() ([]byte, int64, error)
	var lt layers.LinkType
	if len(raw) >= 4 && binary.LittleEndian.Uint32(raw) == 0x0A0D0D0A {
		r, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		lt = r.LinkType()
		next = func() ([]byte, int64, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp.UnixNano(), err
		}
	} else {
		r, err := pcapgo.NewReader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		lt = r.LinkType()
		next = func() ([]byte, int64, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp.UnixNano(), err
		}
	}
	t := &trace{}
	var t0 int64
	for {
		d, ts, err := next()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		frame := toEthernet(d, lt)
		if frame == nil || len(frame) > maxFrame || len(frame) < ethLen+ipv4Len {
			t.skipped++
			continue
		}
		if _, ok := parseIP(frame); !ok {
			t.skipped++
			continue
		}
		if len(t.at) == 0 {
			t0 = ts
		}
		if len(t.data)+len(frame) > maxTraceBytes {
			break
		}
		t.off = append(t.off, len(t.data))
		t.data = append(t.data, frame...)
		at := ts - t0
		if n := len(t.at); n > 0 && at < t.at[n-1] {
			at = t.at[n-1] // captures can step back; replay keeps order
		}
		t.at = append(t.at, at)
	}
	if len(t.at) == 0 {
		return nil, fmt.Errorf("%s: no IP frames to replay", path)
	}
	t.off = append(t.off, len(t.data))
	t.span = t.at[len(t.at)-1]
	return t, nil
}

// toEthernet returns the frame as Ethernet II, or nil.
func toEthernet(d []byte, lt layers.LinkType) []byte {
	switch lt {
	case layers.LinkTypeEthernet:
		if len(d) >= ethLen+4 && binary.BigEndian.Uint16(d[12:]) == 0x8100 {
			// A VLAN tag: the replayed frame goes untagged.
			out := make([]byte, 0, len(d)-4)
			out = append(out, d[:12]...)
			return append(out, d[16:]...)
		}
		return d
	case layers.LinkTypeRaw, 228, 229: // raw IP, IPv4, IPv6
		if len(d) == 0 {
			return nil
		}
		typ := uint16(ethIPv4)
		if d[0]>>4 == 6 {
			typ = ethIPv6
		}
		out := make([]byte, ethLen, ethLen+len(d))
		binary.BigEndian.PutUint16(out[12:], typ)
		return append(out, d...)
	case layers.LinkTypeLinuxSLL:
		if len(d) < 16 {
			return nil
		}
		out := make([]byte, ethLen, ethLen+len(d)-16)
		copy(out[12:14], d[14:16])
		return append(out, d[16:]...)
	}
	return nil
}

// replay sends a trace's frames for a flow.
type replay struct {
	f       *flow
	t       *trace
	i       int
	base    int64 // time of the current pass's first frame
	speed   float64
	loop    bool
	rewrite bool
	timer   clock.Timer
}

func (r *replay) begin() {
	r.base = r.f.start
	r.timer = r.f.s.clk.NewTimer(r.fire)
	r.timer.Reset(r.f.start)
}

func (r *replay) when(i int) int64 { return r.base + int64(float64(r.t.at[i])/r.speed) }

func (r *replay) fire() {
	f := r.f
	s := f.s
	now := s.clk.Now()
	for r.i < len(r.t.at) && r.when(r.i) <= now {
		r.send(r.t.data[r.t.off[r.i]:r.t.off[r.i+1]])
		r.i++
	}
	if r.i == len(r.t.at) {
		if !r.loop {
			return
		}
		// The next pass starts one mean gap after the last frame.
		gap := int64(float64(r.t.span)/float64(max(len(r.t.at)-1, 1))/r.speed) + 1
		r.base = now + gap - int64(float64(r.t.at[0])/r.speed)
		r.i = 0
	}
	if at := r.when(r.i); at < f.stop {
		r.timer.Reset(at)
	}
}

// send puts one recorded frame on the flow's first cable.
func (r *replay) send(frame []byte) {
	f := r.f
	s := f.s
	p := s.pool.Get()
	p.SetLen(len(frame))
	copy(p.Data, frame)
	d := p.Data
	copy(d[0:12], f.fwd.tmpl[0:12]) // the first cable's addresses
	ip, _ := parseIP(d)
	if r.rewrite && ip.v6 == f.fwd.v6 {
		if ip.v6 {
			src, dst := f.fwd.src.As16(), f.fwd.dst.As16()
			copy(d[ethLen+8:], src[:])
			copy(d[ethLen+24:], dst[:])
		} else {
			src, dst := f.fwd.src.As4(), f.fwd.dst.As4()
			copy(d[ethLen+12:], src[:])
			copy(d[ethLen+16:], dst[:])
			hdr := d[ethLen : ethLen+int(d[ethLen]&0x0f)*4]
			hdr[10], hdr[11] = 0, 0
			binary.BigEndian.PutUint16(hdr[10:], ipChecksum(hdr))
		}
	}
	p.Protocol = binary.BigEndian.Uint16(d[12:])
	p.MACLen = ethLen
	p.Network = ethLen
	p.Transport = int16(ip.l4)
	p.Priority = f.fwd.priority
	p.Mark = f.fwd.mark
	p.Hash = f.fwd.hash
	p.Flow = f.id
	p.Seq = uint64(r.i)
	p.Sent = s.clk.Now()
	f.tx.packets++
	f.tx.bytes += uint64(len(d))
	if v := f.fwdPort.h.output(f.fwdPort, p); v.Code() != 0 {
		f.tx.localDrops++
	}
}

// ipChecksum is the Internet checksum of an IPv4 header.
func ipChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
