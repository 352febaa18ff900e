package sched_test

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

func TestRateCfgL2T(t *testing.T) {
	for _, tt := range []struct {
		name   string
		spec   tc.RateSpec
		rate64 uint64
		length uint32
		want   uint64 // ns
	}{
		{"1gbit 1500", tc.RateSpec{Rate: 125000000}, 0, 1500, 12000},
		{"1mbit 1000", tc.RateSpec{Rate: 125000}, 0, 1000, 8000000},
		{"8bit/s", tc.RateSpec{Rate: 1}, 0, 1, 1000000000},
		{"overhead", tc.RateSpec{Rate: 125000, Overhead: 24}, 0, 1000, 8192000},
		{"mpu", tc.RateSpec{Rate: 125000, MPU: 64}, 0, 10, 512000},
		{"atm", tc.RateSpec{Rate: 125000, LinkLayer: sched.LinkLayerATM}, 0, 100, 3 * 53 * 8000},
		{"64-bit rate", tc.RateSpec{Rate: ^uint32(0)}, 100e9 / 8, 1500, 120},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := sched.NewRateCfg(tt.spec, tt.rate64)
			got := r.L2T(tt.length)
			// mult/shift rounds down; a part in 10^6 is the kernel's
			// precision.
			if d := int64(got) - int64(tt.want); d > 0 || -d > int64(tt.want/1e6)+1 {
				t.Errorf("L2T(%d) = %d ns, want %d", tt.length, got, tt.want)
			}
		})
	}
}

func TestRateCfgSpecAndT2L(t *testing.T) {
	r := sched.NewRateCfg(tc.RateSpec{Rate: ^uint32(0), Overhead: 4, MPU: 64, LinkLayer: 0x12}, 10e9)
	s := r.Spec()
	if s.Rate != ^uint32(0) || s.Overhead != 4 || s.MPU != 64 || s.LinkLayer != 2 || s.CellLog != 0 {
		t.Fatalf("spec %+v", s)
	}
	r = sched.NewRateCfg(tc.RateSpec{Rate: 125000, Overhead: 100}, 0)
	if got := r.T2L(8e6); got != 900 {
		t.Fatalf("T2L(8 ms) = %d, want 1000-100", got)
	}
}

func table(r tc.RateSpec, ll uint8) ([]byte, tc.RateSpec) {
	var rtab [256]uint32
	tc.CalcRtable(&r, &rtab, -1, 0, ll, uint64(r.Rate))
	b := make([]byte, 0, 1024)
	for _, v := range rtab {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	r.LinkLayer = sched.LinkLayerUnaware // what old tc sent
	return b, r
}

// Old tc sends no link layer; an ATM-aligned rate table says ATM.
func TestDetectLinkLayer(t *testing.T) {
	for _, tt := range []struct {
		name string
		ll   uint8
		rate uint32
		want uint8
	}{
		{"atm", tc.LinkLayerATM, 125000, sched.LinkLayerATM},
		{"ethernet", tc.LinkLayerEthernet, 125000, sched.LinkLayerEthernet},
		{"too fast to tell", tc.LinkLayerATM, 100e6, sched.LinkLayerEthernet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, r := table(tc.RateSpec{Rate: tt.rate}, tt.ll)
			sched.DetectLinkLayer(&r, b)
			if r.LinkLayer != tt.want {
				t.Fatalf("link layer %d, want %d", r.LinkLayer, tt.want)
			}
		})
	}
	r := tc.RateSpec{Rate: 1000, CellLog: 3}
	sched.DetectLinkLayer(&r, make([]byte, 100)) // a bad table leaves it
	if r.LinkLayer != 0 {
		t.Fatal("a bad table changed the link layer")
	}
}

func TestParseOptions(t *testing.T) {
	policy := map[uint16]nl.PolicyEntry{1: {Type: nl.U32}, 2: {Type: nl.Flag}, 3: {Type: nl.Binary, Len: 4}}
	enc := func(attrs ...[]byte) []byte {
		b := nl.NewBuilder()
		for i := 0; i+1 < len(attrs); i += 2 {
			b.Put(uint16(attrs[i][0]), attrs[i+1])
		}
		return b.Bytes()
	}
	for _, tt := range []struct {
		name  string
		data  []byte
		errno syscall.Errno
	}{
		{"ok", enc([]byte{1}, []byte{1, 0, 0, 0}, []byte{2}, nil), 0},
		{"short u32", enc([]byte{1}, []byte{1, 0}), syscall.ERANGE},
		{"flag with data", enc([]byte{2}, []byte{1}), syscall.EINVAL},
		{"long binary", enc([]byte{3}, make([]byte, 5)), syscall.ERANGE},
		// In stream order: the flag comes first.
		{"first bad wins", enc([]byte{2}, []byte{1}, []byte{1}, []byte{1}), syscall.EINVAL},
		{"above max ignored", enc([]byte{9}, []byte{1}), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := sched.ParseOptions(tt.data, 3, policy)
			if tt.errno == 0 {
				if err != nil || tb == nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			if !errors.Is(err, tt.errno) || sched.MsgOf(err) != "Attribute failed policy validation" {
				t.Fatalf("err %v, want %v with the policy message", err, tt.errno)
			}
			if q := sched.Quiet(err); sched.MsgOf(q) != "" || !errors.Is(q, tt.errno) {
				t.Fatalf("Quiet kept %v", q)
			}
		})
	}
}
