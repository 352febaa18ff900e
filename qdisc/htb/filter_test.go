package htb_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// filter adds a matchall filter at parent with the given words.
func filter(t *testing.T, b *schedtest.Bed, parent tc.Handle, prio uint32, words string) {
	t.Helper()
	err := b.Do(sched.RTM_NEWTFILTER, nl.NLM_F_CREATE|nl.NLM_F_EXCL,
		sched.TCMsg{Parent: parent, Info: prio<<16 | 0x0300}, func(nb *nl.Builder) {
			nb.PutString(sched.TCA_KIND, "matchall")
			if _, err := matchall.Syntax.ParseFilter(tc.NewArgs(strings.Fields(words)), "", nb); err != nil {
				t.Fatal(err)
			}
		})
	if err != nil {
		t.Fatalf("filter at %v: %v", parent, err)
	}
}

// Filters classify through the qdisc's block and, when they name an inner
// class, through that class's block; a class a filter points at cannot
// be deleted.
func TestFilters(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb default 10")
	b.TC("class add parent 1: classid 1:1 htb rate 100mbit")
	b.TC("class add parent 1:1 classid 1:10 htb rate 10mbit")
	b.TC("class add parent 1:1 classid 1:2 htb rate 50mbit")
	b.TC("class add parent 1:2 classid 1:20 htb rate 5mbit ceil 60mbit")
	// The qdisc's filter sends everything to inner 1:2, whose filter
	// picks 1:20.
	filter(t, b, 0x10000, 1, "classid 1:2")
	filter(t, b, 0x10002, 1, "classid 1:20")
	b.CBR(flowN(1, 0), 50e6, 1000, 0, 3e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	if got := b.Sink.Rate(1); got < 49e6 {
		// The default class 1:10 would cap them at 10 Mbit/s.
		t.Errorf("through the filters: %.0f bit/s, want the 50 Mbit/s 1:20 may borrow", got)
	}

	err := b.TryTC("class del classid 1:20")
	var se *sched.Error
	if !errors.As(err, &se) || se.Errno != syscall.EBUSY || se.Msg != "HTB class in use" {
		t.Fatalf("deleting a class a filter points at: %v", err)
	}
	if err := b.TryTC("class del classid 1:10"); err != nil {
		t.Fatalf("deleting 1:10: %v", err)
	}

	// A filter in a class's block naming a class that does not exist yet
	// binds to it when it is made (tc_bind_tclass), which then cannot go.
	filter(t, b, 0x10002, 2, "classid 1:30")
	b.TC("class add parent 1:2 classid 1:30 htb rate 1mbit")
	err = b.TryTC("class del classid 1:30")
	if !errors.As(err, &se) || se.Errno != syscall.EBUSY {
		t.Fatalf("deleting a class a filter was bound to after the fact: %v", err)
	}
}

// skb->priority naming an inner class starts classification at that
// class's filters.
func TestPriorityOfInnerClass(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 1e9})
	b.TC("qdisc add root handle 1: htb default 10")
	b.TC("class add parent 1: classid 1:1 htb rate 100mbit")
	b.TC("class add parent 1:1 classid 1:10 htb rate 1mbit")
	b.TC("class add parent 1:1 classid 1:20 htb rate 20mbit")
	filter(t, b, 0x10001, 1, "classid 1:20")
	b.CBR(flowN(1, 0x10001), 20e6, 1000, 0, 3e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 1e9, 3e9
	b.Run(3e9)
	if got := b.Sink.Rate(1); got < 19.8e6 {
		t.Errorf("%.0f bit/s, want 20 Mbit/s through 1:1's filter to 1:20", got)
	}
}
