package acttest

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

// sum16 is the one's complement sum of b folded to 16 bits.
func sum16(b []byte, initial uint32) uint16 {
	s := initial
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// ipv4OK checks the IPv4 header checksum of a frame whose IP header is at
// off.
func ipv4OK(t *testing.T, d []byte, off int) {
	t.Helper()
	ihl := int(d[off]&0xf) * 4
	if s := sum16(d[off:off+ihl], 0); s != 0xffff {
		t.Fatalf("bad IPv4 header checksum: %x", d[off:off+ihl])
	}
}

// l4OK checks the TCP or UDP checksum (IPv4) of a frame.
func l4OK(t *testing.T, d []byte, off int) {
	t.Helper()
	ihl := int(d[off]&0xf) * 4
	tot := int(binary.BigEndian.Uint16(d[off+2:]))
	l4 := d[off+ihl : off+tot]
	ps := uint32(0)
	for i := 12; i < 20; i += 2 {
		ps += uint32(binary.BigEndian.Uint16(d[off+i:]))
	}
	ps += uint32(d[off+9]) + uint32(len(l4))
	if s := sum16(l4, ps); s != 0xffff {
		t.Fatalf("bad L4 checksum (proto %d): %x", d[off+9], l4)
	}
}

// setL4Sum fills a valid TCP/UDP checksum (IPv4, Ethernet frame).
func setL4Sum(p *pkt.Packet) {
	d := p.Data
	off := int(p.Network)
	ihl := int(d[off]&0xf) * 4
	tot := int(binary.BigEndian.Uint16(d[off+2:]))
	l4 := d[off+ihl : off+tot]
	co := 6
	if d[off+9] == 6 {
		co = 16
	}
	l4[co], l4[co+1] = 0, 0
	ps := uint32(0)
	for i := 12; i < 20; i += 2 {
		ps += uint32(binary.BigEndian.Uint16(d[off+i:]))
	}
	ps += uint32(d[off+9]) + uint32(len(l4))
	binary.BigEndian.PutUint16(l4[co:], ^sum16(l4, ps))
}

func tcp(size int) *schedtest.Packet {
	s := udp(size)
	s.Proto = 6
	return s
}

func egressBed(t *testing.T, actions string) *Bed {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "egress prio 1 protocol all matchall "+actions)
	return b
}

func ingressBed(t *testing.T, actions string) *Bed {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall "+actions)
	return b
}

// sent transmits s on eth0 and returns the frame on the wire.
func (b *Bed) sent(t *testing.T, s *schedtest.Packet, fix ...func(p *pkt.Packet)) Frame {
	t.Helper()
	n := len(b.Wires["eth0"].Frames)
	b.Transmit("eth0", s, fix...)
	b.Run(b.Clock.Now() + 1e6)
	f := b.Wires["eth0"].Frames
	if len(f) != n+1 {
		t.Fatalf("%d frames on the wire, want %d", len(f), n+1)
	}
	return f[n]
}

// received hands s to eth0 and returns what the stack got.
func (b *Bed) received(t *testing.T, s *schedtest.Packet, fix ...func(p *pkt.Packet)) Frame {
	t.Helper()
	n := len(b.Stack["eth0"])
	b.Receive("eth0", s, fix...)
	f := b.Stack["eth0"]
	if len(f) != n+1 {
		t.Fatalf("%d frames in the stack, want %d", len(f), n+1)
	}
	return f[n]
}

func TestVLANPushPopModify(t *testing.T) {
	b := egressBed(t, "action vlan push id 100 priority 3 pipe action vlan push id 200 protocol 802.1ad")
	f := b.sent(t, udp(100))
	if f.VLANProto != 0x88a8 || f.VLANTCI != 200 {
		t.Fatalf("outer tag %x/%x", f.VLANProto, f.VLANTCI)
	}
	// The first tag went into the frame when the second was pushed.
	if len(f.Data) != 104 || binary.BigEndian.Uint16(f.Data[12:]) != 0x8100 ||
		binary.BigEndian.Uint16(f.Data[14:]) != 3<<13|100 || binary.BigEndian.Uint16(f.Data[16:]) != 0x0800 {
		t.Fatalf("inner tag: % x", f.Data[:18])
	}

	b = egressBed(t, "action vlan modify id 7 priority 1")
	s := udp(100)
	s.VLAN = 5 | 6<<13
	f = b.sent(t, s)
	if f.VLANTCI != 7|1<<13 || f.VLANProto != 0x8100 {
		t.Fatalf("modified tag %x", f.VLANTCI)
	}

	b = egressBed(t, "action vlan pop")
	f = b.sent(t, s)
	if f.VLANProto != 0 || f.VLANTCI != 0 || len(f.Data) != 100 {
		t.Fatalf("pop left %x/%x len %d", f.VLANProto, f.VLANTCI, len(f.Data))
	}
	// Pop of a tag in the frame takes it out.
	s.VLANInFrame = true
	f = b.sent(t, s)
	if len(f.Data) != 96 || binary.BigEndian.Uint16(f.Data[12:]) != 0x0800 {
		t.Fatalf("pop of in-frame tag: % x", f.Data[:16])
	}
}

func TestMPLS(t *testing.T) {
	b := egressBed(t, "action mpls push label 20 tc 3 ttl 64 bos 1")
	f := b.sent(t, udp(100))
	if binary.BigEndian.Uint16(f.Data[12:]) != 0x8847 || len(f.Data) != 104 {
		t.Fatalf("push: % x", f.Data[:18])
	}
	if lse := binary.BigEndian.Uint32(f.Data[14:]); lse != 20<<12|3<<9|1<<8|64 {
		t.Fatalf("lse %08x", lse)
	}
	b = egressBed(t, "action mpls push label 20 pipe action mpls dec_ttl pipe action mpls modify label 30 pipe action mpls pop protocol ip")
	f = b.sent(t, udp(100))
	if binary.BigEndian.Uint16(f.Data[12:]) != 0x0800 || len(f.Data) != 100 {
		t.Fatalf("push/pop: % x", f.Data[:18])
	}
	for i := 1; i <= 4; i++ {
		if a := b.Action("mpls", uint32(i)); a == nil || a.Packets() != 1 {
			t.Fatalf("mpls %d: %v", i, a)
		}
	}
	// Without an MPLS header, pop and dec_ttl drop (they fail).
	b = egressBed(t, "action mpls dec_ttl")
	b.Transmit("eth0", udp(100))
	b.Run(1e6)
	if len(b.Wires["eth0"].Frames) != 0 || b.Action("mpls", 1).Drops() != 1 {
		t.Fatal("dec_ttl of an IP packet was not dropped")
	}
}

func TestPeditCsum(t *testing.T) {
	b := egressBed(t, "action pedit ex munge ip ttl set 10 munge udp dport set 4789 munge eth dst set 11:22:33:44:55:66 pipe action csum ip4h udp")
	f := b.sent(t, udp(100), setL4Sum)
	if f.Data[14+8] != 10 {
		t.Fatalf("ttl %d", f.Data[14+8])
	}
	if binary.BigEndian.Uint16(f.Data[14+20+2:]) != 4789 {
		t.Fatalf("dport %d", binary.BigEndian.Uint16(f.Data[14+20+2:]))
	}
	if !bytes.Equal(f.Data[:6], []byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66}) {
		t.Fatalf("dst mac % x", f.Data[:6])
	}
	ipv4OK(t, f.Data, 14)
	l4OK(t, f.Data, 14)

	// Legacy keys are relative to the network header; add decrements.
	b = egressBed(t, "action pedit munge offset 8 u8 set 0x20 pipe action pedit ex munge ip ttl decrement pipe action csum iph")
	f = b.sent(t, udp(100))
	if f.Data[14+8] != 0x1f {
		t.Fatalf("ttl %#x", f.Data[14+8])
	}
	ipv4OK(t, f.Data, 14)

	// at/offmask/shift: the offset read from the packet ((0x45 & 0xf0)
	// >> 2 = 16, plus 4: the UDP source port).
	b = egressBed(t, "action pedit munge offset 4 u16 at 0 0xf0 2 set 0x1234")
	f = b.sent(t, udp(100))
	if binary.BigEndian.Uint16(f.Data[14+20:]) != 0x1234 {
		t.Fatalf("at/offmask: % x", f.Data[34:42])
	}
	// An offset off the 32-bit grid is refused: the packet passes as it
	// was, counted as an overlimit.
	b = egressBed(t, "action pedit munge offset 0 u16 at 0 0x0f 0 set 0x1234")
	f = b.sent(t, udp(100))
	if binary.BigEndian.Uint16(f.Data[14:]) != 0x4500 || b.Action("pedit", 1).Overlimits() != 1 {
		t.Fatalf("misaligned at: % x", f.Data[14:18])
	}
}

func TestCsumTCPAndICMP(t *testing.T) {
	b := egressBed(t, "action csum ip4h tcp")
	f := b.sent(t, tcp(120), func(p *pkt.Packet) {
		p.Data[14+20+16] ^= 0x5a // break the TCP checksum
		p.Data[14+10] ^= 0x33    // and the IP one
	})
	ipv4OK(t, f.Data, 14)
	l4OK(t, f.Data, 14)

	b = egressBed(t, "action csum icmp")
	s := udp(80)
	s.Proto = 1
	s.ICMPType = 8
	f = b.sent(t, s)
	if sum16(f.Data[34:], 0) != 0xffff {
		t.Fatalf("icmp checksum: % x", f.Data[34:])
	}
}

func TestNAT(t *testing.T) {
	b := egressBed(t, "action nat egress 10.0.0.0/24 192.168.1.1")
	f := b.sent(t, udp(100), setL4Sum)
	if !bytes.Equal(f.Data[26:30], []byte{192, 168, 1, 1}) {
		t.Fatalf("src % x", f.Data[26:30])
	}
	ipv4OK(t, f.Data, 14)
	l4OK(t, f.Data, 14)

	// Ingress rewrites the destination.
	b = ingressBed(t, "action nat ingress 10.0.0.2 172.16.0.9")
	f = b.received(t, tcp(100), setL4Sum)
	if !bytes.Equal(f.Data[30:34], []byte{172, 16, 0, 9}) {
		t.Fatalf("dst % x", f.Data[30:34])
	}
	ipv4OK(t, f.Data, 14)
	l4OK(t, f.Data, 14)

	// Addresses outside the prefix pass untouched.
	b = egressBed(t, "action nat egress 10.9.0.0/16 1.1.1.1")
	f = b.sent(t, udp(100))
	if !bytes.Equal(f.Data[26:30], []byte{10, 0, 0, 1}) {
		t.Fatalf("src % x", f.Data[26:30])
	}
}

func TestSkbmod(t *testing.T) {
	b := egressBed(t, "action skbmod set dmac 0a:0b:0c:0d:0e:0f set smac 01:02:03:04:05:06 set etype 0x88b5")
	f := b.sent(t, udp(100))
	if !bytes.Equal(f.Data[:12], []byte{10, 11, 12, 13, 14, 15, 1, 2, 3, 4, 5, 6}) || binary.BigEndian.Uint16(f.Data[12:]) != 0x88b5 {
		t.Fatalf("skbmod set: % x", f.Data[:14])
	}
	b = egressBed(t, "action skbmod swap mac")
	f = b.sent(t, udp(100))
	if !bytes.Equal(f.Data[:12], []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}) {
		t.Fatalf("swap: % x", f.Data[:12])
	}
	// ecn marks ECT packets CE and leaves others alone.
	b = egressBed(t, "action skbmod ecn")
	s := udp(100)
	s.TOS = 0x02
	f = b.sent(t, s)
	if f.Data[15]&3 != 3 {
		t.Fatalf("tos %#x", f.Data[15])
	}
	ipv4OK(t, f.Data, 14)
	s.TOS = 0
	f = b.sent(t, s)
	if f.Data[15] != 0 {
		t.Fatalf("not-ECT tos %#x", f.Data[15])
	}
}

func TestSkbeditIngress(t *testing.T) {
	b := ingressBed(t, "action skbedit mark 0x10/0xf0 pipe action skbedit priority 1:5 pipe action skbedit ptype otherhost")
	s := udp(100)
	s.Mark = 0x0f03
	f := b.received(t, s)
	if f.Mark != 0x0f13 || f.Priority != 0x10005 || f.PktType != 3 {
		t.Fatalf("mark %#x priority %#x ptype %d", f.Mark, f.Priority, f.PktType)
	}
	b = egressBed(t, "action skbedit inheritdsfield")
	s = udp(100)
	s.TOS = 0xb8 // EF
	f = b.sent(t, s)
	if f.Priority != 0xb8>>2 {
		t.Fatalf("inherited priority %#x", f.Priority)
	}
}

func TestTunnelKey(t *testing.T) {
	b := ingressBed(t, "action tunnel_key set src_ip 1.1.1.1 dst_ip 2.2.2.2 id 42 dst_port 4789 ttl 9 geneve_opts 0102:80:00880022")
	f := b.received(t, udp(100))
	tu := f.Tunnel
	if tu == nil || tu.KeyID != 42 || tu.DstPort != 4789 || tu.TTL != 9 || tu.IPv6 {
		t.Fatalf("tunnel %+v", tu)
	}
	if !bytes.Equal(tu.Src[:4], []byte{1, 1, 1, 1}) || !bytes.Equal(tu.Dst[:4], []byte{2, 2, 2, 2}) {
		t.Fatalf("tunnel addresses %v %v", tu.Src, tu.Dst)
	}
	if len(tu.Options) == 0 {
		t.Fatal("no geneve options")
	}
	b = ingressBed(t, "action tunnel_key unset")
	f = b.received(t, udp(100), func(p *pkt.Packet) { p.Tunnel = &pkt.TunnelInfo{KeyID: 1} })
	if f.Tunnel != nil {
		t.Fatalf("unset left %+v", f.Tunnel)
	}
}

func TestConnmarkNoConntrack(t *testing.T) {
	b := ingressBed(t, "action connmark zone 3 pipe action skbedit mark 5")
	f := b.received(t, udp(100))
	if f.Mark != 5 {
		t.Fatalf("mark %d", f.Mark)
	}
	if a := b.Action("connmark", 1); a.Packets() != 1 {
		t.Fatalf("connmark counted %d", a.Packets())
	}
}

func TestSimpleAndSample(t *testing.T) {
	b := ingressBed(t, "action simple sdata hello pipe action sample rate 2 group 7 trunc 64")
	var lines []string
	var samples []sched.Sample
	b.E.Lock()
	b.NS.Net.SetActionHooks(sched.ActionHooks{
		Printk:  func(l string) { lines = append(lines, l) },
		Psample: func(s sched.Sample, p *pkt.Packet) { samples = append(samples, s) },
	})
	b.E.Unlock()
	const n = 200
	for i := 0; i < n; i++ {
		b.Receive("eth0", udp(100))
	}
	if len(b.Stack["eth0"]) != n {
		t.Fatalf("stack got %d", len(b.Stack["eth0"]))
	}
	if len(lines) != n || lines[0] != "simple: hello_1" || !strings.HasSuffix(lines[n-1], "_200") {
		t.Fatalf("log: %d lines, %q", len(lines), lines[:2])
	}
	if len(samples) < n/2-30 || len(samples) > n/2+30 {
		t.Fatalf("rate 2 sampled %d of %d", len(samples), n)
	}
	s := samples[0]
	if s.Group != 7 || s.Rate != 2 || s.TruncSize != 64 || s.InIfindex != b.Bed.Dev.Ifindex() {
		t.Fatalf("sample %+v", s)
	}
}

// Same seed, same random verdicts; another seed, others.
func TestGactRandomRepeats(t *testing.T) {
	run := func(seed uint64) []int {
		b := ingressBed(t, "action gact pass random netrand drop 2")
		if seed != 0 {
			b.E.Lock()
			b.NS.Net.SeedActions(seed)
			b.E.Unlock()
		}
		var out []int
		for i := 0; i < 64; i++ {
			b.Receive("eth0", udp(100))
			out = append(out, len(b.Stack["eth0"]))
		}
		return out
	}
	a, c, d := run(0), run(0), run(99)
	if !equal(a, c) {
		t.Fatal("default seed does not repeat")
	}
	if equal(a, d) {
		t.Fatal("another seed gave the same verdicts")
	}
	if n := a[len(a)-1]; n < 16 || n > 48 {
		t.Fatalf("netrand 50%% passed %d of 64", n)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// gate: open for 1 ms, closed for 1 ms, from base time 0. A base time in
// the past starts the schedule at the next cycle boundary (2 ms, the
// action being made at 0); until then the gate is pending and passes.
func TestGate(t *testing.T) {
	b := ingressBed(t, "action gate base-time 0 sched-entry open 1ms sched-entry close 1ms")
	got := map[int64]bool{}
	for _, at := range []int64{500e3, 1500e3, 2500e3, 3500e3, 10200e3, 11900e3} {
		b.Run(at)
		n := len(b.Stack["eth0"])
		b.Receive("eth0", udp(100))
		got[at] = len(b.Stack["eth0"]) > n
	}
	want := map[int64]bool{500e3: true, 1500e3: true, 2500e3: true, 3500e3: false, 10200e3: true, 11900e3: false}
	for at, w := range want {
		if got[at] != w {
			t.Errorf("at %dns passed %v, want %v", at, got[at], w)
		}
	}
	if a := b.Action("gate", 1); a.Drops() != 2 {
		t.Fatalf("gate drops %d", a.Drops())
	}
}

// goto chain, jump and reclassify. A jump counts from the start of the
// list: jump 2 runs the third action.
func TestControl(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action skbedit mark 1 pipe action goto chain 5")
	b.MustFilter("eth0", "ingress chain 5 prio 1 protocol all matchall action gact jump 2 action drop action skbedit priority 9")
	f := b.received(t, udp(100))
	if f.Mark != 1 || f.Priority != 9 {
		t.Fatalf("mark %d priority %d", f.Mark, f.Priority)
	}
	if a := b.Action("gact", 3); a.Packets() != 0 {
		t.Fatal("jump did not skip the drop")
	}

	// Reclassify restarts from the first chain; the kernel gives up
	// after a few rounds and drops.
	b = New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action reclassify")
	b.Receive("eth0", udp(100))
	if len(b.Stack["eth0"]) != 0 {
		t.Fatal("reclassify loop passed")
	}
	if a := b.Action("gact", 1); a.Packets() < 2 {
		t.Fatalf("reclassified %d times", a.Packets())
	}
}

// Shared actions: one policer bound by two filters, with the kernel's
// counts and refusals.
func TestSharedPolice(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustActions("add", "action police rate 1mbit burst 5k drop index 5")
	b.MustFilter("eth0", "ingress prio 1 protocol ip matchall action police index 5")
	b.MustFilter("eth0", "egress prio 1 protocol ip matchall action police index 5")
	a := b.Action("police", 5)
	if a.RefCount() != 3 || a.BindCount() != 2 {
		t.Fatalf("ref %d bind %d", a.RefCount(), a.BindCount())
	}
	for i := 0; i < 20; i++ {
		b.Receive("eth0", udp(1000))
		b.Transmit("eth0", udp(1000))
	}
	b.Run(1e6)
	if a.Packets() != 40 {
		t.Fatalf("shared policer saw %d", a.Packets())
	}
	// About 5 kB of burst for both directions together.
	through := len(b.Stack["eth0"]) + len(b.Wires["eth0"].Frames)
	if through < 4 || through > 7 || through+int(a.Drops()) != 40 {
		t.Fatalf("passed %d dropped %d", through, a.Drops())
	}
	err := b.Actions("delete", "action police index 5")
	if e, ok := err.(*sched.Error); !ok || e.Errno != 1 {
		t.Fatalf("delete of a bound action: %v", err)
	}
	err = b.Actions("add", "action police rate 1mbit burst 5k drop index 5")
	if e, ok := err.(*sched.Error); !ok || e.Errno != 17 {
		t.Fatalf("add over an existing index: %v", err)
	}
	b.MustActions("replace", "action police rate 2mbit burst 5k pass index 5")
	if a.Control() != 0 {
		t.Fatalf("replace kept control %d", a.Control())
	}
}

// The old police attribute of a classifier (basic's police).
func TestPoliceCompat(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all basic police rate 1mbit burst 3k drop")
	for i := 0; i < 10; i++ {
		b.Receive("eth0", udp(1000))
	}
	got := len(b.Stack["eth0"])
	if got < 2 || got > 4 {
		t.Fatalf("compat police passed %d", got)
	}
}

// Packet-rate policing: the bucket holds pkts_burst packets and refills
// at pkts_rate on the virtual clock. As in the kernel, whose
// tcf_police_init fills the byte buckets but not the packet one, it
// starts empty.
func TestPolicePPS(t *testing.T) {
	b := ingressBed(t, "action police pkts_rate 1000 pkts_burst 10 conform-exceed drop/ok")
	burst := func() int {
		n := len(b.Stack["eth0"])
		for i := 0; i < 100; i++ {
			b.Receive("eth0", udp(100))
		}
		return len(b.Stack["eth0"]) - n
	}
	if got := burst(); got != 0 {
		t.Fatalf("first burst passed %d", got)
	}
	b.Run(5e6) // 5 tokens
	if got := burst(); got != 5 {
		t.Fatalf("after 5 ms passed %d", got)
	}
	b.Run(1e9) // full again, capped at the burst
	if got := burst(); got != 10 {
		t.Fatalf("after 1 s passed %d", got)
	}
	a := b.Action("police", 1)
	if a.Packets() != 300 || a.Drops() != 285 {
		t.Fatalf("packets %d drops %d", a.Packets(), a.Drops())
	}
}

// Peak rate: a second bucket of mtu bytes at peakrate limits the burst.
func TestPolicePeakrate(t *testing.T) {
	b := ingressBed(t, "action police rate 1mbit burst 100k mtu 2k peakrate 2mbit conform-exceed drop/ok")
	for i := 0; i < 10; i++ {
		b.Receive("eth0", udp(1014)) // 1000 bytes counted
	}
	// The peak bucket holds 2 kB: two packets at once, not the 100k.
	if got := len(b.Stack["eth0"]); got != 2 {
		t.Fatalf("passed %d at once", got)
	}
	b.Run(4e6) // 2 Mbit/s for 4 ms: 1000 bytes of peak tokens
	b.Receive("eth0", udp(1014))
	b.Receive("eth0", udp(1014))
	if got := len(b.Stack["eth0"]); got != 3 {
		t.Fatalf("passed %d after 4 ms", got)
	}
}
