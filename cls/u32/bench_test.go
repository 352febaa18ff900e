package u32_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

// ingressBlock returns the bench's ingress block.
func ingressBlock(b *clstest.Bed) *sched.Block {
	q := b.Dev.Sched.IngressQueue().Qdisc()
	return q.Discipline.(sched.IngressClassifier).IngressBlockOf()
}

func hostPackets(b *clstest.Bed, n int) []*pkt.Packet {
	ps := make([]*pkt.Packet, 256)
	for i := range ps {
		h := (i * 7919) % n
		s := schedtest.Packet{Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.AddrFrom4([4]byte{10, 0, byte(h >> 8), byte(h)}), Proto: 17}
		ps[i] = b.Packet(&s)
	}
	return ps
}

func classifyLoop(bb *testing.B, blk *sched.Block, ps []*pkt.Packet) {
	var res sched.Result
	bb.ReportAllocs()
	// The setup's garbage is collected first: the concurrent collector
	// would otherwise run during the measurement.
	runtime.GC()
	bb.ResetTimer()
	for i := 0; i < bb.N; i++ {
		if v := blk.Classify(ps[i&255], &res); v < 0 {
			bb.Fatalf("packet %d not classified", i&255)
		}
	}
}

// BenchmarkHashed10k: 10,000 host filters behind a 256-bucket table keyed
// on the destination's last byte.
func BenchmarkHashed10k(bb *testing.B) {
	b := clstest.New(bb)
	b.MustTc("qdisc add dev eth0 ingress",
		"filter add dev eth0 ingress prio 1 handle 2: protocol ip u32 divisor 256",
		"filter add dev eth0 ingress prio 1 protocol ip u32 ht 800:: match ip dst 10.0.0.0/16 hashkey mask 0x000000ff at 16 link 2:")
	const n = 10000
	for i := 0; i < n; i++ {
		b.MustTc(fmt.Sprintf("filter add dev eth0 ingress prio 1 protocol ip u32 ht 2:%x: match ip dst 10.0.%d.%d flowid 1:%x",
			i&255, i>>8, i&255, i+1))
	}
	classifyLoop(bb, ingressBlock(b), hostPackets(b, n))
}

// BenchmarkLinear1000: 1,000 filters in one chain, for comparison.
func BenchmarkLinear1000(bb *testing.B) {
	b := clstest.New(bb)
	b.MustTc("qdisc add dev eth0 ingress")
	const n = 1000
	for i := 0; i < n; i++ {
		b.MustTc(fmt.Sprintf("filter add dev eth0 ingress prio 1 protocol ip u32 match ip dst 10.0.%d.%d flowid 1:%x", i>>8, i&255, i+1))
	}
	classifyLoop(bb, ingressBlock(b), hostPackets(b, n))
}
