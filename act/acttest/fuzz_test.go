package acttest

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

var fuzzKinds = []string{"gact", "police", "mirred", "skbedit", "skbmod", "vlan", "pedit", "csum",
	"nat", "mpls", "tunnel_key", "connmark", "sample", "simple", "gate"}

// seedLines are tc words for each kind: parse seeds, and the options
// they make seed the decoders.
var seedLines = []string{
	"gact drop random determ pass 3 index 4",
	"police rate 1mbit burst 10k mtu 2k peakrate 2mbit conform-exceed drop/pipe overhead 4 linklayer atm",
	"police pkts_rate 100 pkts_burst 10 drop",
	"mirred egress redirect dev eth0 index 3",
	"mirred ingress mirror dev eth0 pipe",
	"mirred egress redirect blockid 21 index 4",
	"skbedit queue_mapping 1 priority 1:2 mark 5/0xf ptype host inheritdsfield",
	"skbmod set dmac 01:02:03:04:05:06 set smac 01:02:03:04:05:07 set etype 0x88b5 swap mac",
	"vlan push id 5 protocol 802.1ad priority 2",
	"vlan push_eth dst_mac 01:02:03:04:05:06 src_mac 01:02:03:04:05:07",
	"pedit ex munge eth dst set 11:22:33:44:55:66 munge ip ttl add 1 munge ip6 traffic_class set 4 munge tcp flags set 2 munge udp sport set 5 munge offset 12 u16 at 0 0xf 2 set 3",
	"csum ip4h tcp udp udplite icmp igmp sctp",
	"nat egress 10.0.0.0/8 1.1.1.1",
	"mpls push protocol mpls_mc label 5 tc 2 ttl 3 bos 1",
	"mpls mac_push label 5",
	"tunnel_key set src_ip 1.1.1.1 dst_ip 2::2 id 3 dst_port 4 tos 5 ttl 6 geneve_opts 0102:80:00880022 nocsum",
	"tunnel_key set src_ip 1.1.1.1 dst_ip 2.2.2.2 erspan_opts 2:0:1:3",
	"connmark zone 3",
	"sample rate 10 group 2 trunc 64",
	"simple sdata hello",
	"gate priority 2 base-time 1s cycle-time 3ms sched-entry open 1ms 2 100 sched-entry close 2ms clockid CLOCK_TAI",
}

// FuzzParseAction feeds words to the kinds' tc faces (and what they make
// back to their printers): no panics, and what a face accepts it can
// print.
func FuzzParseAction(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words := strings.Fields(line)
		if len(words) == 0 || len(words) > 64 {
			return
		}
		k := registry.Action(words[0])
		if k == nil {
			if len(words[0]) > 0 {
				k = registry.Action(fuzzKinds[int(words[0][0])%len(fuzzKinds)])
			} else {
				return
			}
		}
		a := tc.NewArgs(words)
		a.Links = fixedLinks{}
		b := nl.NewBuilder()
		if err := k.Syntax.ParseAction(a, sched.TCA_ACT_OPTIONS, b); err != nil {
			return
		}
		tb := nl.Parse(b.Bytes(), sched.TCA_ACT_OPTIONS)
		opt := tb.Get(sched.TCA_ACT_OPTIONS)
		if opt == nil {
			return
		}
		for _, json := range []bool{false, true} {
			p := tc.NewPrinter(json, false)
			p.Stats = true
			p.Links = fixedLinks{}
			_ = k.Syntax.PrintAction(p, opt.Data)
		}
	})
}

type fixedLinks struct{}

func (fixedLinks) Index(name string) int32 {
	if name == "eth0" {
		return 1
	}
	return 0
}

func (fixedLinks) Name(i int32) string {
	if i == 1 {
		return "eth0"
	}
	return ""
}

// FuzzPrintAction prints arbitrary option bytes with each kind's printer.
func FuzzPrintAction(f *testing.F) {
	for _, l := range seedLines {
		words := strings.Fields(l)
		k := registry.Action(words[0])
		b := nl.NewBuilder()
		if k.Syntax.ParseAction(tc.NewArgs(words), sched.TCA_ACT_OPTIONS, b) == nil {
			if opt := nl.Parse(b.Bytes(), 2).Get(sched.TCA_ACT_OPTIONS); opt != nil {
				f.Add(uint8(indexOf(words[0])), opt.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		k := registry.Action(fuzzKinds[int(kind)%len(fuzzKinds)])
		for _, json := range []bool{false, true} {
			p := tc.NewPrinter(json, false)
			p.Stats = true
			_ = k.Syntax.PrintAction(p, data)
		}
	})
}

func indexOf(kind string) int {
	for i, k := range fuzzKinds {
		if k == kind {
			return i
		}
	}
	return 0
}

// FuzzActionInit sends arbitrary options of each kind to the engine as
// RTM_NEWACTION, then runs a packet through what it accepted, dumps it
// and deletes it: no panics, and the table is left empty.
func FuzzActionInit(f *testing.F) {
	for _, l := range seedLines {
		words := strings.Fields(l)
		k := registry.Action(words[0])
		b := nl.NewBuilder()
		a := tc.NewArgs(words)
		a.Links = fixedLinks{}
		if k.Syntax.ParseAction(a, sched.TCA_ACT_OPTIONS, b) == nil {
			if opt := nl.Parse(b.Bytes(), 2).Get(sched.TCA_ACT_OPTIONS); opt != nil {
				f.Add(uint8(indexOf(words[0])), opt.Data, []byte(nil))
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, opts, frame []byte) {
		name := fuzzKinds[int(kind)%len(fuzzKinds)]
		b := New(t)
		b.TC("qdisc add clsact")
		err := b.send(sched.RTM_NEWACTION, nl.NLM_F_EXCL|nl.NLM_F_CREATE, func(nb *nl.Builder) error {
			nb.Raw(make([]byte, sched.TcamsgLen))
			nb.Nest(sched.TCA_ROOT_TAB)
			nb.Nest(1)
			nb.PutString(sched.TCA_ACT_KIND, name)
			nb.Put(sched.TCA_ACT_OPTIONS|nl.NLA_F_NESTED, opts)
			nb.PutU32(sched.TCA_ACT_INDEX, 7)
			nb.EndNest()
			nb.EndNest()
			return nil
		})
		if err != nil {
			return
		}
		a := b.Action(name, 7)
		if a == nil {
			// Some kinds pick the index from their own parameters.
			n, acts := b.ListActions(name)
			if n != 1 || len(acts) != 1 {
				t.Fatalf("accepted %s but lists %d", name, n)
			}
			return
		}
		b.ListActions(name)
		// Bind it to a filter and run a packet (of the fuzzer's bytes
		// when there are enough) through both hooks.
		if err := b.Filter("eth0", "ingress prio 1 protocol all matchall action "+name+" index 7"); err != nil {
			t.Fatalf("binding %s: %v", name, err)
		}
		if err := b.Filter("eth0", "egress prio 1 protocol all matchall action "+name+" index 7"); err != nil {
			t.Fatalf("binding %s: %v", name, err)
		}
		fix := func(p *pkt.Packet) {
			if len(frame) >= 14 {
				p.SetLen(len(frame))
				copy(p.Data, frame)
			}
		}
		b.Receive("eth0", udp(100), fix)
		b.Transmit("eth0", udp(100), fix)
		// A millisecond: a gate of nanosecond entries fires a timer per
		// entry, as the kernel's hrtimer does.
		b.Run(b.Clock.Now() + 1e6)
		for _, dir := range []string{"ingress", "egress"} {
			if err := b.FilterDel("eth0", dir, 1); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Actions("delete", "action "+name+" index 7"); err != nil {
			t.Fatalf("delete: %v", err)
		}
	})
}

// FuzzFrames runs the packet-editing actions over arbitrary frames, with
// arbitrary header offsets: whatever the frame, no panic, and the frame
// comes out with sane offsets.
func FuzzFrames(f *testing.F) {
	f.Add([]byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00E\x00\x00\x1c\x00\x00\x00\x00@\x11\x00\x00\n\x00\x00\x01\n\x00\x00\x02\x03\xe8\x07\xd0\x00\x08\x00\x00"), uint8(14), uint8(34), uint16(0x0800))
	f.Add([]byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x88\x47\x00\x01\x41\x40"), uint8(18), uint8(22), uint16(0x8100))
	lines := []string{
		"action pedit ex munge eth dst set 11:22:33:44:55:66 munge ip ttl decrement munge ip6 hoplimit decrement munge tcp dport set 1 munge udp sport set 2 munge offset -12 u32 set 3 munge offset 60 u8 at 0 0xf 0 set 4",
		"action csum ip4h icmp igmp tcp udp udplite sctp",
		"action nat ingress 0.0.0.0/0 1.2.3.4 action nat egress 0.0.0.0/0 5.6.7.8",
		"action vlan pop action vlan push id 3 action vlan modify id 4 action vlan pop_eth action vlan push_eth dst_mac 01:02:03:04:05:06 src_mac 01:02:03:04:05:07",
		"action mpls pop protocol ip action mpls push label 30 action mpls dec_ttl action mpls modify label 9 action mpls mac_push label 5",
		"action skbmod swap mac action skbmod ecn action skbmod set etype 0x1234",
		"action skbedit inheritdsfield action skbedit ptype host",
	}
	f.Fuzz(func(t *testing.T, frame []byte, network, transport uint8, proto uint16) {
		if len(frame) > 2048 {
			return
		}
		for _, l := range lines {
			for _, dir := range []string{"ingress", "egress"} {
				b := New(t)
				b.TC("qdisc add clsact")
				b.MustFilter("eth0", dir+" prio 1 protocol all matchall "+l+" action pass")
				fix := func(p *pkt.Packet) {
					p.SetLen(len(frame))
					copy(p.Data, frame)
					p.Protocol = proto
					p.MACLen = 14
					p.Network = int16(network)
					p.Transport = int16(transport)
				}
				if dir == "ingress" {
					b.Receive("eth0", udp(100), fix)
				} else {
					b.Transmit("eth0", udp(100), fix)
				}
				b.Run(b.Clock.Now() + 1e9)
			}
		}
	})
}
