package ets_test

import (
	"math"
	"testing"

	"github.com/netsched/netsched/schedtest"
)

func flow(id, prio uint32) *schedtest.FlowSpec {
	return &schedtest.FlowSpec{ID: id, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"),
		SPort: uint16(id), DPort: 9, Priority: prio}
}

type offer struct {
	id, prio uint32 // flow id and skb->priority
	size     int
	rate     float64 // bit/s offered
	want     float64 // bit/s expected
}

// run sends the offers through `qdisc add root handle 1: ets WORDS` on a
// 100 Mbit/s link and checks each flow's rate over [1 s, 3 s) within 1%.
func run(t *testing.T, words string, offers []offer) {
	t.Helper()
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: ets " + words)
	for _, o := range offers {
		b.CBR(flow(o.id, o.prio), uint64(o.rate), o.size, 0, 3e9)
	}
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	for _, o := range offers {
		got := b.Sink.Rate(o.id)
		if o.want == 0 {
			if got != 0 {
				t.Errorf("flow %d: %.0f bit/s, want nothing", o.id, got)
			}
			continue
		}
		if math.Abs(got-o.want) > 0.01*o.want {
			t.Errorf("flow %d: %.0f bit/s, want %.0f (±1%%)", o.id, got, o.want)
		} else {
			t.Logf("flow %d: %.0f bit/s", o.id, got)
		}
	}
}

func TestStrictBandsStarveLowerBands(t *testing.T) {
	// Band 1 alone fills the link: bands 2 and 3 send nothing.
	run(t, "bands 3 strict 2", []offer{
		{1, 0x10001, 1000, 120e6, 100e6},
		{2, 0x10002, 1000, 50e6, 0},
		{3, 0x10003, 1000, 50e6, 0},
	})
}

func TestStrictOrder(t *testing.T) {
	// Band 1 takes 30, band 2 the 70 left; band 3 (sharing) starves.
	run(t, "bands 3 strict 2", []offer{
		{1, 0x10001, 1000, 30e6, 30e6},
		{2, 0x10002, 1000, 100e6, 70e6},
		{3, 0x10003, 1000, 50e6, 0},
	})
}

func TestQuantaShareWhatStrictLeaves(t *testing.T) {
	// 40 left by the strict band, shared 1:3 by bytes though the frames
	// differ in size.
	run(t, "strict 1 quanta 1000 3000", []offer{
		{1, 0x10001, 500, 60e6, 60e6},
		{2, 0x10002, 300, 80e6, 10e6},
		{3, 0x10003, 1500, 80e6, 30e6},
	})
}

func TestPriomapAndDefaults(t *testing.T) {
	// Without a class of ets in skb->priority, the priority map picks
	// the band: priority 6 goes to strict band 1, the rest to the last
	// band, which shares the 70 left equally with band 2. A priority of
	// another qdisc's major counts as priority 0.
	run(t, "bands 3 strict 1 priomap 2 2 2 2 2 2 0", []offer{
		{1, 6, 1000, 30e6, 30e6},
		{2, 0x50006, 1000, 100e6, 35e6},
		{3, 0x10002, 1000, 100e6, 35e6},
	})
}
