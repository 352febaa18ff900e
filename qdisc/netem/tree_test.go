package netem_test

import (
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// A duplicating netem under a drr class: the duplicate re-enters at the
// root, and the parent's counts stay right with the copy in (the tdc
// cases 90ec, 5e6d, 7c3b: drr sends 2 packets for 1).
func TestDuplicateUnderParentKeepsCounts(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: drr")
	b.TC("class add parent 1: classid 1:1 drr")
	b.TC("qdisc add parent 1:1 handle 2: netem duplicate 100%")
	f := *flow
	f.Priority = 0x10001 // drr picks class 1:1 by priority
	const sent = 10
	for i := 0; i < sent; i++ {
		b.Send(&f, 1000)
	}
	root, child := b.Qdisc("1:"), b.Qdisc("2:")
	// The link took one at once; every other is queued twice over.
	if root.QLen != child.QLen || root.Backlog() != child.Backlog() {
		t.Fatalf("drr qlen %d backlog %d, netem qlen %d backlog %d", root.QLen, root.Backlog(), child.QLen, child.Backlog())
	}
	b.Run(1e9)
	if root.QLen != 0 || root.Backlog() != 0 || child.QLen != 0 {
		t.Fatalf("left: drr qlen %d backlog %d, netem qlen %d", root.QLen, root.Backlog(), child.QLen)
	}
	if got := b.Sink.Total.Packets; got != 2*sent {
		t.Fatalf("%d delivered, want %d", got, 2*sent)
	}
	if root.Bstats.Packets != 2*sent {
		t.Fatalf("drr sent %d, want %d", root.Bstats.Packets, 2*sent)
	}
}

// Rate with packet overhead and cells: each packet takes
// cells*(cellsize+celloverhead) bytes of time after the last
// (packet_time_ns), so saturating arrivals are spaced exactly that.
func TestRateCells(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 10e9})
	b.TC("qdisc add root handle 1: netem rate 8mbit 20 48 5")
	var at []int64
	b.Link.Deliver = func(p *pkt.Packet) { at = append(at, b.Clock.Now()); p.Free() }
	for i := 0; i < 100; i++ {
		b.Send(flow, 1000)
	}
	b.Run(1e9)
	if len(at) != 100 {
		t.Fatalf("%d arrived", len(at))
	}
	// 1000+20 bytes = 22 cells of 48 (21.25 rounded up); 22*(48+5) =
	// 1166 bytes at 1e6 bytes/s.
	const want = 1166 * 1000
	for i := 1; i < len(at); i++ {
		if d := at[i] - at[i-1]; d != want {
			t.Fatalf("spacing %d ns, want %d", d, want)
		}
	}
}

// The kernel's validation messages and errnos (netem_change).
func TestValidation(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	qopt := make([]byte, 24)
	qopt[4] = 100 // limit
	for _, tt := range []struct {
		name  string
		attrs func(nb *nl.Builder)
		msg   string
	}{
		{"negative latency", func(nb *nl.Builder) { nb.PutU64(10, uint64(1<<63)) }, "negative latency"},
		{"negative jitter", func(nb *nl.Builder) { nb.PutU64(11, uint64(1<<63)) }, "negative jitter"},
		{"slot order", func(nb *nl.Builder) {
			s := make([]byte, 40)
			s[0] = 10 // min 10 > max 0
			nb.Put(12, s)
		}, "slot min delay greater than max delay"},
		{"empty table", func(nb *nl.Builder) { nb.Put(2, nil) }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_EXCL, sched.TCMsg{Parent: tc.Root, Handle: tc.Make(0x10000, 0)}, func(nb *nl.Builder) {
				nb.PutString(sched.TCA_KIND, "netem")
				nb.Nest(sched.TCA_OPTIONS)
				nb.Raw(qopt)
				tt.attrs(nb)
				nb.EndNest()
			})
			if err == nil || sched.MsgOf(err) != tt.msg {
				t.Fatalf("got %v, want EINVAL %q", err, tt.msg)
			}
		})
	}
	// No options at all: EINVAL (netem_init).
	err := b.Do(sched.RTM_NEWQDISC, nl.NLM_F_CREATE|nl.NLM_F_EXCL, sched.TCMsg{Parent: tc.Root}, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, "netem")
	})
	if err == nil {
		t.Fatalf("netem without options accepted")
	}
}
