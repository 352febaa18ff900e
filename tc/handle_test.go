package tc_test

import (
	"testing"

	"github.com/netsched/netsched/tc"
)

func TestHandleStrings(t *testing.T) {
	for _, tt := range []struct {
		h    tc.Handle
		s, q string
	}{
		{tc.Root, "root", "ffff:"},
		{0, "none", "0:"},
		{0x10000, "1:", "1:"},
		{0x10001, "1:1", "1:"},
		{0x0003, ":3", "0:"},
		{0xFFFFFFF1, "ffff:fff1", "ffff:"},
	} {
		if got := tt.h.String(); got != tt.s {
			t.Errorf("%#x: %q, want %q", uint32(tt.h), got, tt.s)
		}
		if got := tt.h.QdiscString(); got != tt.q {
			t.Errorf("%#x qdisc: %q, want %q", uint32(tt.h), got, tt.q)
		}
	}
}

func TestParseClassID(t *testing.T) {
	for s, want := range map[string]tc.Handle{"root": tc.Root, "none": 0, "1:": 0x10000, "1:a": 0x1000a, ":5": 5, "ffff:fff1": 0xfffffff1, "10": 0x10, ":": 0} {
		h, err := tc.ParseClassID(s)
		if err != nil || h != want {
			t.Errorf("%q: %#x %v, want %#x", s, uint32(h), err, uint32(want))
		}
	}
	for _, s := range []string{"10000:", "1:10000", "x:", ""} {
		if _, err := tc.ParseClassID(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseClassID(f *testing.F) {
	f.Add("1:2")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := tc.ParseClassID(s)
		if err == nil && h != tc.Root && h != 0 {
			if h2, err := tc.ParseClassID(h.String()); err != nil || h2 != h {
				t.Fatalf("%q -> %v does not round-trip", s, h)
			}
		}
	})
}
