package plug_test

import (
	"testing"

	"github.com/netsched/netsched/schedtest"
)

var f = &schedtest.FlowSpec{ID: 1, Src: schedtest.Addr("10.0.0.1"), Dst: schedtest.Addr("10.0.0.2"), SPort: 1, DPort: 2}

// sch_plug.c: packets wait behind a plug; release lets out those before
// the oldest plug, release_indefinite opens the queue until the next
// block.
func TestHoldsAndReleases(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: plug limit 100000")
	for i := 0; i < 3; i++ {
		b.Send(f, 1000)
	}
	b.Run(1e9)
	if b.Sink.Total.Packets != 0 {
		t.Fatalf("%d packets left a plugged queue", b.Sink.Total.Packets)
	}
	b.TC("qdisc change root handle 1: plug block") // epoch 1: the 3 packets
	for i := 0; i < 2; i++ {
		b.Send(f, 1000)
	}
	b.TC("qdisc change root handle 1: plug release")
	b.Run(2e9)
	if b.Sink.Total.Packets != 3 {
		t.Fatalf("release let %d packets out, want the 3 of the finished epoch", b.Sink.Total.Packets)
	}
	b.TC("qdisc change root handle 1: plug release_indefinite")
	b.Run(3e9)
	b.Send(f, 1000)
	b.Run(4e9)
	if b.Sink.Total.Packets != 6 {
		t.Fatalf("after release_indefinite %d delivered, want 6", b.Sink.Total.Packets)
	}
	b.TC("qdisc change root handle 1: plug block")
	b.Send(f, 1000)
	b.Run(5e9)
	if b.Sink.Total.Packets != 6 {
		t.Fatalf("a new block let %d through", b.Sink.Total.Packets-6)
	}
}

// The limit is in bytes; created with an action word, plug takes the
// struct's limit (0), as the kernel does, and drops everything.
func TestLimit(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: plug block")
	b.Send(f, 100)
	if q := b.Qdisc("1:"); q.Qstats.Drops != 1 {
		t.Fatalf("drops %d, want 1", q.Qstats.Drops)
	}
	b.TC("qdisc change root handle 1: plug limit 2000")
	b.Send(f, 1000)
	b.Send(f, 1000)
	b.Send(f, 1000)
	if q := b.Qdisc("1:"); q.QLen != 2 || q.Qstats.Drops != 2 {
		t.Fatalf("qlen %d drops %d, want 2 and 2", q.QLen, q.Qstats.Drops)
	}
}
