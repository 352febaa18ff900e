package flower_test

import (
	"strings"
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

var a = schedtest.Addr

// classify runs the ingress block on a packet and returns the class id
// (0: no match).
func classify(b *clstest.Bed, p *pkt.Packet) uint32 {
	q := b.Dev.Sched.IngressQueue().Qdisc()
	var res sched.Result
	if v := q.Discipline.(sched.IngressClassifier).IngressBlockOf().Classify(p, &res); v < 0 {
		return 0
	}
	return uint32(res.ClassID)
}

func TestKeys(t *testing.T) {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 ingress",
		"filter add dev eth0 ingress protocol ip prio 1 flower enc_key_id 42 enc_dst_ip 192.0.2.9 classid 1:1",
		"filter add dev eth0 ingress protocol ip prio 2 flower ip_proto udp dst_port 100-200 classid 1:2",
		"filter add dev eth0 ingress protocol ip prio 2 flower ip_proto udp dst_port 150-300 src_port 7 classid 1:3",
		"filter add dev eth0 ingress protocol ip prio 3 flower ip_flags frag/firstfrag classid 1:4",
		"filter add dev eth0 ingress protocol ip prio 4 flower ip_proto icmp type 8 code 0 classid 1:5",
		"filter add dev eth0 ingress protocol ip prio 5 flower dst_mac 02:00:00:00:00:02/ff:ff:00:00:00:00 ip_tos 0x10/0xf0 classid 1:6",
	)
	mk := func(s schedtest.Packet) *pkt.Packet { return b.Packet(&s) }
	tun := mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 6})
	var ti pkt.TunnelInfo
	ti.Dst[0], ti.Dst[1], ti.Dst[2], ti.Dst[3] = 192, 0, 2, 9
	ti.KeyID, ti.Flags = 42, 0x04
	tun.Tunnel = &ti
	dmac := schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 6, TOS: 0x12}
	dmac.DstMAC = [6]byte{2, 0, 9, 9, 9, 9}
	for _, c := range []struct {
		name string
		p    *pkt.Packet
		want uint32
	}{
		{"tunnel key", tun, 0x10001},
		{"range low edge", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, DPort: 100}), 0x10002},
		{"range overlap, first filter", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, DPort: 160, SPort: 7}), 0x10002},
		{"second range", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, DPort: 250, SPort: 7}), 0x10003},
		{"second range, wrong source", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, DPort: 250, SPort: 8}), 0},
		{"first fragment", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, Frag: 0x2000}), 0x10004},
		{"later fragment", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 17, Frag: 0x0010}), 0},
		{"icmp echo", mk(schedtest.Packet{Src: a("10.0.0.1"), Dst: a("10.0.0.2"), Proto: 1, ICMPType: 8}), 0x10005},
		{"masked mac and tos", mk(dmac), 0x10006},
	} {
		if got := classify(b, c.p); got != c.want {
			t.Errorf("%s: class %x, want %x", c.name, got, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	b := clstest.New(t)
	b.MustTc("qdisc add dev eth0 ingress",
		"filter add dev eth0 ingress protocol ip prio 1 flower dst_ip 10.0.0.1 classid 1:1")
	for _, c := range []struct{ cmd, err string }{
		{"filter add dev eth0 ingress protocol ip prio 1 flower dst_ip 10.0.0.1 classid 1:2", "File exists"},
		{"filter add dev eth0 ingress protocol ip prio 1 flower ct_state +trk classid 1:2", "Conntrack isn't enabled"},
		{"filter add dev eth0 ingress protocol ip prio 1 flower skip_sw dst_ip 10.0.0.2", "Invalid argument"},
		{"filter add dev eth0 ingress protocol ip prio 1 flower indev nosuch", "Network device not found"},
	} {
		if _, err := b.Tc(c.cmd); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want %q", c.cmd, err, c.err)
		}
	}
}
