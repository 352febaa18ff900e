package sched_test

import (
	"testing"

	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// The walking order is the kernel's: buckets in order, newest first within
// a bucket, rehashed on growth past 3/4 load.
func TestClassHashOrder(t *testing.T) {
	h := sched.NewClassHash[int]()
	ids := []tc.Handle{0x10001, 0x10002, 0x10003, 0x10004, 0x10005, 0x10010, 0x10011}
	for i, id := range ids {
		h.Insert(id, i)
		h.Grow()
	}
	var got []tc.Handle
	h.Walk(func(id tc.Handle, _ int) bool { got = append(got, id); return true })
	// Worked out by hand from qdisc_class_hash (x ^= x>>8; x ^= x>>4):
	// 4 buckets hold 1:1..1:3 in buckets 1..3 and 1:4 in 0; the fourth
	// insert grows to 8; 1:5 goes to 5, 1:10 to the head of 1 (before
	// 1:1), 1:11 to 0; the seventh grows to 16, where moving bucket 1 head
	// first reverses it: 1:11 | 1:1 1:10 | 1:2 | 1:3 | 1:4 | 1:5.
	want := []tc.Handle{0x10011, 0x10001, 0x10010, 0x10002, 0x10003, 0x10004, 0x10005}
	if len(got) != len(want) {
		t.Fatalf("walked %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	h.Remove(0x10003)
	if _, ok := h.Find(0x10003); ok || h.Len() != 6 {
		t.Fatal("remove")
	}
	if v, ok := h.Find(0x10011); !ok || v != 6 {
		t.Fatal("find")
	}
}
