package actutil

import (
	"encoding/binary"
	"testing"

	"github.com/netsched/netsched/tc"
)

func TestControlWords(t *testing.T) {
	for _, c := range []struct {
		words []string
		v     int32
		rest  int
	}{
		{[]string{"drop"}, Shot, 0},
		{[]string{"pass", "index", "3"}, OK, 2},
		{[]string{"goto", "chain", "42"}, GotoChain | 42, 0},
		{[]string{"jump", "3"}, Jump | 3, 0},
		{[]string{"reclassify"}, Reclassify, 0},
	} {
		a := tc.NewArgs(c.words)
		v, ok, err := ParseControl(a, false)
		if err != nil || !ok || v != c.v || len(a.Rest()) != c.rest {
			t.Errorf("%v: %#x %v %v rest %v", c.words, v, ok, err, a.Rest())
		}
		if N2A(v) == "" {
			t.Errorf("%#x has no name", v)
		}
	}
	if _, ok, _ := ParseControl(tc.NewArgs([]string{"index"}), false); ok {
		t.Error("index read as a control word")
	}
}

func TestAddresses(t *testing.T) {
	for _, c := range []struct {
		s    string
		addr uint32
		len  int
		ok   bool
	}{
		{"10.1.2.3", 0x0a010203, 32, true},
		{"10.1/16", 0x0a010000, 16, true},
		{"10.0.0.0/255.255.0.0", 0x0a000000, 16, true},
		{"10.0.0.0/255.0.255.0", 0, 0, false},
		{"default", 0, 0, true},
		{"1.1888.2.2", 0, 0, false},
		{"0x0a.1.1.1", 0x0a010101, 32, true},
	} {
		a, l, ok := PrefixIPv4(c.s)
		if ok != c.ok || ok && (a != c.addr || l != c.len) {
			t.Errorf("%s: %#x/%d %v", c.s, a, l, ok)
		}
	}
	if a, l, ok := PrefixIPv6("2001:db8::1/64"); !ok || l != 64 || a[0] != 0x20 || a[15] != 1 {
		t.Errorf("ipv6: %x/%d %v", a, l, ok)
	}
}

// Incremental updates agree with a full recomputation.
func TestChecksumUpdates(t *testing.T) {
	h := []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	IPv4HeaderChecksum(h)
	if Checksum(h, 0) != 0xffff {
		t.Fatal("header checksum")
	}
	old := binary.BigEndian.Uint32(h[12:])
	binary.BigEndian.PutUint32(h[12:], 0xc0a80101)
	Replace4(h[10:], old, 0xc0a80101)
	if Checksum(h, 0) != 0xffff {
		t.Fatal("Replace4")
	}
	o2 := binary.BigEndian.Uint16(h[8:])
	h[8] = 10
	Replace2(h[10:], o2, binary.BigEndian.Uint16(h[8:]))
	if Checksum(h, 0) != 0xffff {
		t.Fatal("Replace2")
	}
}

func FuzzAddresses(f *testing.F) {
	for _, s := range []string{"10.1.2.3/8", "any", "1::2/3", "0x1.0.0.1", "1.2.3.4/255.255.255.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		PrefixIPv4(s)
		PrefixIPv6(s)
		ParseMAC(s)
		ParseControl(tc.NewArgs([]string{s, "chain", "1"}), true)
	})
}
