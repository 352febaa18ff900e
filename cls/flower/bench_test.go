package flower_test

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

// BenchmarkFlower10k: 10,000 rules (one mask: UDP to a host and port) in
// one proto; each classification is one masked lookup.
func BenchmarkFlower10k(bb *testing.B) {
	b := clstest.New(bb)
	b.MustTc("qdisc add dev eth0 ingress")
	const n = 10000
	for i := 0; i < n; i++ {
		b.MustTc(fmt.Sprintf("filter add dev eth0 ingress protocol ip prio 1 flower ip_proto udp dst_ip 10.0.%d.%d dst_port %d classid 1:%x",
			i>>8, i&255, 1000+i%7, i+1))
	}
	ps := make([]*pkt.Packet, 256)
	for i := range ps {
		h := (i * 7919) % n
		s := schedtest.Packet{Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.AddrFrom4([4]byte{10, 0, byte(h >> 8), byte(h)}),
			Proto: 17, SPort: 5, DPort: uint16(1000 + h%7)}
		ps[i] = b.Packet(&s)
	}
	q := b.Dev.Sched.IngressQueue().Qdisc()
	blk := q.Discipline.(sched.IngressClassifier).IngressBlockOf()
	var res sched.Result
	bb.ReportAllocs()
	runtime.GC()
	bb.ResetTimer()
	for i := 0; i < bb.N; i++ {
		if v := blk.Classify(ps[i&255], &res); v < 0 {
			bb.Fatalf("packet %d not classified", i&255)
		}
	}
}
