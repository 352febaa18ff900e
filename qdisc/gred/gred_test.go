package gred_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

// sch_gred.c: the table is set up first, VQs after; a VQ cannot come with
// the setup, and the VQ index must be below the count.
func TestSetupThenVQ(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: gred setup vqs 4 default 1 grio")
	b.TC("qdisc change root handle 1: gred limit 60KB min 15K max 25K burst 64 avpkt 1500 bandwidth 10Mbit DP 1 probability 0.1")
	err := b.TryTC("qdisc change root handle 1: gred limit 60KB min 15K max 25K avpkt 1500 DP 5")
	if err == nil || err.Error() != "sch_gred: virtual queue index above virtual queue count" {
		t.Fatalf("VQ 5 of 4: %v", err)
	}
	f := &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}
	for i := 0; i < 5; i++ {
		b.Send(f, 1000) // tc_index 0: no VQ 0, the default VQ 1 takes them
	}
	b.Run(1e9)
	if b.Sink.Total.Packets != 5 {
		t.Fatalf("delivered %d, want 5", b.Sink.Total.Packets)
	}
}
