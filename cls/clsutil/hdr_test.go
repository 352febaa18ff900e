package clsutil_test

import (
	"testing"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
)

func TestParse(t *testing.T) {
	a := schedtest.Addr
	for _, c := range []struct {
		p    schedtest.Packet
		want func(h *clsutil.Headers) bool
	}{
		{schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 6, SPort: 1, DPort: 80, TCPFlags: 0x12, TTL: 9, TOS: 4},
			func(h *clsutil.Headers) bool {
				return h.IPVer == 4 && h.IPProto == 6 && h.DPort == 80 && h.TCPFlags == 0x12 && h.TTL == 9 && h.TOS == 4 && h.Trans == 34
			}},
		{schedtest.Packet{Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: 17, SPort: 5, DPort: 6, TOS: 0xb8},
			func(h *clsutil.Headers) bool { return h.IPVer == 6 && h.SPort == 5 && h.TOS == 0xb8 && h.Dst[15] == 2 }},
		{schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, VLAN: 0x2007},
			func(h *clsutil.Headers) bool {
				return h.NumVLANs == 1 && h.VLANs[0].ID() == 7 && h.VLANs[0].Prio() == 1 && h.NProto == 0x0800
			}},
		{schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, VLAN: 9, VLANInFrame: true, DPort: 7},
			func(h *clsutil.Headers) bool { return h.NumVLANs == 1 && h.VLANs[0].ID() == 9 && h.DPort == 7 }},
		{schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, Frag: 0x2000},
			func(h *clsutil.Headers) bool {
				return h.Frag == clsutil.FragIsFragment|clsutil.FragFirst && !h.HasPorts
			}},
		{schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 1, ICMPType: 8},
			func(h *clsutil.Headers) bool { return h.HasICMP && h.ICMPType == 8 }},
	} {
		p := &pkt.Packet{Network: -1, Transport: -1}
		c.p.Build(p)
		var h clsutil.Headers
		clsutil.Parse(p, &h)
		if !c.want(&h) {
			t.Errorf("%+v: %+v", c.p, h)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0x45, 0}, uint16(0x0800), int16(-1))
	f.Fuzz(func(t *testing.T, data []byte, proto uint16, nh int16) {
		p := &pkt.Packet{Data: data, Protocol: proto, Network: nh, Transport: -1}
		var h clsutil.Headers
		clsutil.Parse(p, &h)
	})
}
