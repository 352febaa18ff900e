package acttest

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

func udp(size int) *schedtest.Packet {
	return &schedtest.Packet{
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"),
		Proto: 17, SPort: 1000, DPort: 2000, Size: size,
		DstMAC: [6]byte{2, 0, 0, 0, 0, 2}, SrcMAC: [6]byte{2, 0, 0, 0, 0, 1},
	}
}

// Egress: matchall with a classid and actions picks the prio band and
// edits the packet; drop counts on the qdisc; every packet is accounted.
func TestEgressIntoClasses(t *testing.T) {
	b := New(t)
	b.TC("qdisc add root handle 1: prio")
	b.MustFilter("eth0", "parent 1: prio 1 protocol ip matchall classid 1:3 action skbedit mark 7 pipe action pass")
	const n = 20
	for i := 0; i < n; i++ {
		b.Transmit("eth0", udp(100))
	}
	b.Run(1e9)
	q := b.Bed.Qdisc("1:")
	if got := len(b.Wires["eth0"].Frames); got != n {
		t.Fatalf("sink got %d packets, want %d (qdisc drops %d)", got, n, q.Qstats.Drops)
	}
	a := b.Action("skbedit", 1)
	if a == nil || a.Packets() != n {
		t.Fatalf("skbedit counted %v", a)
	}
	if a.Bytes() != n*100 {
		t.Fatalf("skbedit bytes %d", a.Bytes())
	}
}

func TestEgressDropCounts(t *testing.T) {
	b := New(t)
	b.TC("qdisc add root handle 1: prio")
	b.MustFilter("eth0", "parent 1: prio 1 protocol all matchall action gact drop random determ pass 2")
	const n = 10
	for i := 0; i < n; i++ {
		b.Transmit("eth0", udp(100))
	}
	b.Run(1e9)
	q := b.Bed.Qdisc("1:")
	got := len(b.Wires["eth0"].Frames)
	if got+int(q.Qstats.Drops) != n {
		t.Fatalf("sink %d + drops %d != %d", got, q.Qstats.Drops, n)
	}
	if got != n/2 {
		t.Fatalf("determ 2 passed %d of %d", got, n)
	}
	a := b.Action("gact", 1)
	if a.Packets() != n || a.Drops() != n/2 {
		t.Fatalf("gact packets %d drops %d", a.Packets(), a.Drops())
	}
}

// Ingress police: a token bucket on the virtual clock passes the burst and
// then the rate; what it refuses is dropped, counted on the action and on
// the ingress qdisc.
func TestIngressPolice(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action police rate 800kbit burst 10k conform-exceed drop/pipe")
	// 1000-byte frames (986 counted at ingress: the MAC header is not),
	// one every 1 ms for 1 s: 8 Mbit/s offered against 800 kbit/s.
	const n = 1000
	for i := 0; i < n; i++ {
		b.Run(int64(i) * 1e6)
		b.Receive("eth0", udp(1000))
	}
	passed := len(b.Stack["eth0"])
	a := b.Action("police", 1)
	if passed+int(a.Drops()) != n {
		t.Fatalf("passed %d + dropped %d != %d", passed, a.Drops(), n)
	}
	if a.Packets() != n {
		t.Fatalf("police saw %d", a.Packets())
	}
	// burst 10240 bytes ≈ 10 packets, then 100 kB/s over ~1 s ≈ 101.
	want := 10 + 100000/986
	if passed < want-3 || passed > want+3 {
		t.Fatalf("passed %d, want about %d", passed, want)
	}
	if a.Overlimits() != a.Drops() {
		t.Fatalf("overlimits %d drops %d", a.Overlimits(), a.Drops())
	}
}

// Ingress mirred: redirect to another device's egress, mirror to its
// ingress; every packet ends once (or twice when mirrored).
func TestIngressMirred(t *testing.T) {
	b := New(t)
	b.AddDev("eth1")
	b.AddDev("eth2")
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action mirred ingress mirror dev eth2 pipe action mirred egress redirect dev eth1")
	const n = 5
	for i := 0; i < n; i++ {
		b.Receive("eth0", udp(200))
	}
	b.Settle()
	if got := len(b.Wires["eth1"].Frames); got != n {
		t.Fatalf("eth1 sent %d, want %d", got, n)
	}
	if got := len(b.Stack["eth2"]); got != n {
		t.Fatalf("eth2 received %d, want %d", got, n)
	}
	if got := len(b.Stack["eth0"]); got != 0 {
		t.Fatalf("stack got %d redirected packets", got)
	}
	// Ingress frames keep their MAC header when they leave again.
	f := b.Wires["eth1"].Frames[0]
	if len(f.Data) != 200 || binary.BigEndian.Uint16(f.Data[12:]) != 0x0800 {
		t.Fatalf("redirected frame %x", f.Data[:16])
	}
}

// A redirect loop between two devices' egress ends at the kernel's nest
// limit, the packet dropped and counted.
func TestMirredLoop(t *testing.T) {
	b := New(t)
	b.AddDev("eth1")
	b.AddDev("eth2")
	for _, d := range []string{"eth1", "eth2"} {
		if err := b.QdiscOn(d, "clsact"); err != nil {
			t.Fatal(err)
		}
	}
	b.MustFilter("eth1", "egress prio 1 protocol all matchall action mirred egress redirect dev eth2")
	b.MustFilter("eth2", "egress prio 1 protocol all matchall action mirred egress redirect dev eth1")
	b.Transmit("eth1", udp(100))
	for i := 0; i < 20; i++ {
		b.Settle()
	}
	a1, a2 := b.Action("mirred", 1), b.Action("mirred", 2)
	// Four hops; the fifth meets the limit and the packet is shot
	// (counted as a drop of the clsact it was on, not by mirred).
	if total := a1.Packets() + a2.Packets(); total != 4 {
		t.Fatalf("loop ran %d times", total)
	}
	drops := uint32(0)
	for _, d := range []string{"eth1", "eth2"} {
		drops += b.Dev(d).Sched.Lookup(tc.Make(uint32(tc.Ingress), 0)).Qstats.Drops
	}
	if drops != 1 || a1.Overlimits()+a2.Overlimits() != 0 {
		t.Fatalf("clsact drops %d, overlimits %d %d", drops, a1.Overlimits(), a2.Overlimits())
	}
	if len(b.Wires["eth1"].Frames)+len(b.Wires["eth2"].Frames) != 0 {
		t.Fatal("looping packet reached a wire")
	}
}

// Conservation through htb classes: half the packets go to 1:1 by gact's
// deterministic choice, the rest continue to a policed filter for 1:2;
// every packet sent is on the wire, dropped by the policer, or dropped by
// htb, and the class counters add up.
func TestConservationHTB(t *testing.T) {
	b := New(t)
	b.TC("qdisc add root handle 1: htb default 2")
	b.TC("class add parent 1: classid 1:1 htb rate 50mbit")
	b.TC("class add parent 1: classid 1:2 htb rate 50mbit")
	b.MustFilter("eth0", "parent 1: prio 1 protocol all matchall classid 1:1 action gact continue random determ ok 2")
	b.MustFilter("eth0", "parent 1: prio 2 protocol all matchall classid 1:2 action police rate 4mbit burst 20k conform-exceed drop/ok")
	const n = 2000
	for i := 0; i < n; i++ {
		b.Run(int64(i) * 100e3) // 10 kpps of 500 bytes: 40 Mbit/s
		b.Transmit("eth0", udp(500))
	}
	b.Run(n*100e3 + 1e9)
	q := b.Bed.Qdisc("1:")
	wire := len(b.Wires["eth0"].Frames)
	pol := b.Action("police", 1)
	if wire+int(q.Qstats.Drops) != n {
		t.Fatalf("wire %d + htb drops %d != %d (police drops %d)", wire, q.Qstats.Drops, n, pol.Drops())
	}
	if pol.Packets() != n/2 {
		t.Fatalf("policer saw %d, want %d", pol.Packets(), n/2)
	}
	// The policed half: 20 kB of burst + 4 Mbit/s for 0.2 s, in
	// 500-byte packets (egress lengths include the MAC header).
	passed := n/2 - int(pol.Drops())
	want := (20*1024 + 4e6/8*0.2) / 500
	if float64(passed) < want*0.9 || float64(passed) > want*1.1 {
		t.Fatalf("policer passed %d, want about %.0f", passed, want)
	}
	if int(q.Qstats.Drops) < int(pol.Drops()) {
		t.Fatalf("htb drops %d < police drops %d", q.Qstats.Drops, pol.Drops())
	}
}

// clsactBlocks adds a clsact to dev whose ingress and egress hold the
// shared blocks in and eg (0: a private block).
func clsactBlocks(t *testing.T, b *Bed, dev string, in, eg uint32) {
	t.Helper()
	d := b.Dev(dev)
	m := sched.TCMsg{Ifindex: d.Ifindex(), Parent: tc.Ingress, Handle: tc.Make(uint32(tc.Ingress), 0)}
	if err := b.Do(sched.RTM_NEWQDISC, nl.NLM_F_EXCL|nl.NLM_F_CREATE, m, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, "clsact")
		if in != 0 {
			nb.PutU32(sched.TCA_INGRESS_BLOCK, in)
		}
		if eg != 0 {
			nb.PutU32(sched.TCA_EGRESS_BLOCK, eg)
		}
	}); err != nil {
		t.Fatal(err)
	}
}

// mirred to a block (tcf_blockcast): every device holding the block but
// the one the packet is on gets it; a mirror copies to each, a redirect
// copies to all but the last, which takes the packet.
func TestMirredBlockcast(t *testing.T) {
	for _, verb := range []string{"mirror", "redirect"} {
		t.Run(verb, func(t *testing.T) {
			b := New(t)
			b.AddDev("eth1")
			b.AddDev("eth2")
			b.AddDev("eth3")
			// eth0 holds block 21 on egress: it is a port, the one the
			// packets arrive on, so it is left out.
			clsactBlocks(t, b, "eth0", 0, 21)
			clsactBlocks(t, b, "eth1", 21, 0)
			clsactBlocks(t, b, "eth2", 21, 21) // one port, held twice
			b.MustFilter("eth0", "ingress prio 1 protocol all matchall action mirred egress "+verb+" blockid 21")
			const n = 4
			for i := 0; i < n; i++ {
				b.Receive("eth0", udp(200))
			}
			b.Settle()
			for dev, want := range map[string]int{"eth0": 0, "eth1": n, "eth2": n, "eth3": 0} {
				if got := len(b.Wires[dev].Frames); got != want {
					t.Errorf("%s sent %d, want %d", dev, got, want)
				}
			}
			wantStack := n // mirror: the packet goes on to the stack
			if verb == "redirect" {
				wantStack = 0
			}
			if got := len(b.Stack["eth0"]); got != wantStack {
				t.Errorf("eth0's stack got %d, want %d", got, wantStack)
			}
			a := b.Action("mirred", 1)
			if a.Overlimits() != 0 {
				t.Errorf("overlimits %d", a.Overlimits())
			}
			// A device whose clsact goes is no longer a port.
			d1 := b.Dev("eth1")
			if err := b.Do(sched.RTM_DELQDISC, 0, sched.TCMsg{Ifindex: d1.Ifindex(), Parent: tc.Ingress}, nil); err != nil {
				t.Fatal(err)
			}
			b.Receive("eth0", udp(200))
			b.Settle()
			if g1, g2 := len(b.Wires["eth1"].Frames), len(b.Wires["eth2"].Frames); g1 != n || g2 != n+1 {
				t.Errorf("after eth1's clsact went: eth1 sent %d, eth2 %d; want %d and %d", g1, g2, n, n+1)
			}
			if verb == "mirror" {
				wantStack++
			}
			// A block no device holds takes nothing: an overlimit, and
			// the action's verdict (a redirect's stolen: the packet is
			// gone; a mirror's pipe: it goes on).
			if err := b.FilterDel("eth0", "ingress", 1); err != nil {
				t.Fatal(err)
			}
			b.MustActions("add", "action mirred egress "+verb+" index 9 blockid 77")
			b.MustFilter("eth0", "ingress prio 2 protocol all matchall action mirred egress "+verb+" index 9 blockid 77")
			b.Receive("eth0", udp(200))
			b.Settle()
			after := wantStack
			if verb == "mirror" {
				after++
			}
			if a9 := b.Action("mirred", 9); a9.Overlimits() != 1 || len(b.Stack["eth0"]) != after {
				t.Errorf("block without ports: overlimits %d, stack %d", a9.Overlimits(), len(b.Stack["eth0"]))
			}
		})
	}
}
