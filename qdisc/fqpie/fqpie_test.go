package fqpie_test

import (
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
)

func flow(id uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: uint16(1000 + id), DPort: 80}
}

// As fq_codel (RFC 8290), fq_pie serves a sparse flow ahead of bulk ones.
func TestSparseFlowIsolated(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e6})
	b.TC("qdisc add root handle 1: fq_pie")
	for i := uint32(1); i <= 8; i++ {
		b.CBR(flow(i), 2e6, 1000, 0, 10e9)
	}
	b.CBR(flow(100), 16e3, 100, 1e6, 10e9)
	var worst int64
	prev := b.Link.Deliver
	b.Link.Deliver = func(p *pkt.Packet) {
		if now := b.Clock.Now(); p.Flow == 100 && now > 100e6 {
			worst = max(worst, now-p.Sent)
		}
		prev(p)
	}
	b.Run(11e9)
	if worst >= 5e6 || b.Sink.Flows[100].Packets < 199 {
		t.Fatalf("sparse flow: worst delay %.2f ms, %d packets", float64(worst)/1e6, b.Sink.Flows[100].Packets)
	}
}

// The number of flows is fixed once made, with the kernel's message.
func TestFlowsFixed(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: fq_pie flows 64")
	err := b.TryTC("qdisc change root handle 1: fq_pie flows 128")
	if err == nil || err.Error() != "sch_fq_pie: Number of flows cannot be changed" {
		t.Fatalf("changing flows: %v", err)
	}
}
