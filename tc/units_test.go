package tc_test

import (
	"math"
	"testing"

	"github.com/netsched/netsched/tc"
)

func TestStrtod(t *testing.T) {
	for _, c := range []struct {
		in string
		v  float64
		n  int
	}{
		{"1.5", 1.5, 3}, {" 12abc", 12, 3}, {".5", 0.5, 2}, {"5.", 5, 2}, {"1e5x", 1e5, 3},
		{"1e", 1, 1}, {"0x10", 16, 4}, {"0x1p3", 8, 5}, {"0x", 0, 1}, {"-2k", -2, 2},
		{"inf", math.Inf(1), 3}, {"-Infinity", math.Inf(-1), 9}, {"-", 0, 0}, {"", 0, 0}, {"k", 0, 0},
	} {
		v, n := tc.Strtod(c.in)
		if v != c.v || n != c.n {
			t.Errorf("Strtod(%q) = %v, %d; want %v, %d", c.in, v, n, c.v, c.n)
		}
	}
	if v, n := tc.Strtod("nan(x)"); !math.IsNaN(v) || n != 6 {
		t.Errorf("Strtod(nan(x)) = %v, %d", v, n)
	}
}

func TestGetU32(t *testing.T) {
	for _, c := range []struct {
		in   string
		base int
		v    uint32
		ok   bool
	}{
		{"4294967295", 0, 4294967295, true}, {"4294967296", 0, 0, false}, {"-1", 0, 0, false},
		{"-0", 0, 0, true}, {"0x10", 0, 16, true}, {"010", 0, 8, true}, {"10", 16, 16, true},
		{"0x10", 16, 16, true}, {"", 0, 0, false}, {" 5", 0, 5, true}, {"5 ", 0, 0, false}, {"08", 0, 0, false},
	} {
		v, err := tc.GetU32(c.in, c.base)
		if (err == nil) != c.ok || v != c.v {
			t.Errorf("GetU32(%q, %d) = %d, %v; want %d, ok %v", c.in, c.base, v, err, c.v, c.ok)
		}
	}
}

func TestRates(t *testing.T) {
	for _, c := range []struct {
		in string
		v  uint32
		ok bool
	}{
		{"1mbit", 125000, true}, {"1Mbit", 125000, true}, {"100kbit", 12500, true}, {"8bit", 1, true},
		{"1kibit", 128, true}, {"1.5mbit", 187500, true}, {"1Bps", 1, true}, {"1bps", 1, true}, {"5", 0, true},
		{"x", 0, false}, {"10foo", 0, false}, {"4294967296bps", 0, false}, {"-8", 0, false},
	} {
		v, err := tc.ParseRate(c.in)
		if (err == nil) != c.ok || v != c.v {
			t.Errorf("ParseRate(%q) = %d, %v; want %d, ok %v", c.in, v, err, c.v, c.ok)
		}
	}
	if v, err := tc.ParseRate64("40gbit"); err != nil || v != 5000000000 {
		t.Errorf("ParseRate64(40gbit) = %d, %v", v, err)
	}
	for _, c := range []struct {
		rate uint64
		iec  bool
		want string
	}{
		{125000, false, "1Mbit"}, {125, false, "1Kbit"}, {1, false, "8bit"}, {0, false, "0bit"},
		{12345, false, "98760bit"}, {128, true, "1Kibit"}, {0, true, "0bit"}, {1250000000, false, "10Gbit"},
		{187500, false, "1500Kbit"},
	} {
		if got := tc.RateString(c.rate, c.iec); got != c.want {
			t.Errorf("RateString(%d, %v) = %q; want %q", c.rate, c.iec, got, c.want)
		}
	}
}

func TestSizes(t *testing.T) {
	for _, c := range []struct {
		in string
		v  uint32
		ok bool
	}{
		{"1k", 1024, true}, {"1kb", 1024, true}, {"1KB", 1024, true}, {"1kbit", 128, true}, {"10", 10, true},
		{"1.5k", 1536, true}, {"1m", 1048576, true}, {"4g", 0, false}, {"-1", 0, false}, {"0x10", 16, true},
		{"1e3", 1000, true}, {" 5", 5, true}, {"5x", 0, false}, {"", 0, false},
	} {
		v, err := tc.ParseSize(c.in)
		if (err == nil) != c.ok || v != c.v {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", c.in, v, err, c.v, c.ok)
		}
	}
	for _, c := range []struct {
		sz   uint32
		want string
	}{
		{1024, "1Kb"}, {1514000, "1514000b"}, {2147483648, "2048Mb"}, {10240, "10Kb"}, {1000, "1000b"}, {0, "0b"},
	} {
		if got := tc.SizeString(c.sz); got != c.want {
			t.Errorf("SizeString(%d) = %q; want %q", c.sz, got, c.want)
		}
	}
}

func TestTimes(t *testing.T) {
	for _, c := range []struct {
		in string
		v  uint32
		ok bool
	}{
		{"1s", 1000000, true}, {"1ms", 1000, true}, {"5", 5, true}, {"1.5ms", 1500, true}, {"2usec", 2, true},
		{"8secs", 8000000, true}, {"x", 0, false}, {"1h", 0, false},
	} {
		v, err := tc.ParseTime(c.in)
		if (err == nil) != c.ok || v != c.v {
			t.Errorf("ParseTime(%q) = %d, %v; want %d, ok %v", c.in, v, err, c.v, c.ok)
		}
	}
	for _, c := range []struct {
		us   uint32
		want string
	}{
		{1000000, "1s"}, {1500, "1.5ms"}, {999, "999us"}, {12345678, "12.3s"}, {1000, "1ms"},
	} {
		if got := tc.TimeString(c.us); got != c.want {
			t.Errorf("TimeString(%d) = %q; want %q", c.us, got, c.want)
		}
	}
	if v, err := tc.ParseTime64("1.5ms"); err != nil || v != 1500000 {
		t.Errorf("ParseTime64(1.5ms) = %d, %v", v, err)
	}
	if got := tc.Time64String(1500000); got != "1.5ms" {
		t.Errorf("Time64String = %q", got)
	}
	if got := tc.TimeToTicks(1000); got != 15625 {
		t.Errorf("TimeToTicks(1000) = %d", got)
	}
	if got := tc.TicksToTime(15625); got != 1000 {
		t.Errorf("TicksToTime(15625) = %d", got)
	}
	if got := tc.XmitTime(125000, 1500); got != 187500 {
		t.Errorf("XmitTime = %d", got)
	}
}

func TestFormatG(t *testing.T) {
	for _, c := range []struct {
		v    float64
		prec int
		want string
	}{
		{1.5, 3, "1.5"}, {12.345678, 3, "12.3"}, {1e-5, 3, "1e-05"}, {123456789, 6, "1.23457e+08"},
		{100, 3, "100"}, {1000, 3, "1e+03"}, {0, 6, "0"}, {2048, 6, "2048"},
	} {
		if got := tc.FormatG(c.v, c.prec); got != c.want {
			t.Errorf("FormatG(%v, %d) = %q; want %q", c.v, c.prec, got, c.want)
		}
	}
}

func TestEstimator(t *testing.T) {
	for _, c := range []struct {
		a, tc    uint32
		interval int8
		ewma     uint8
		ok       bool
	}{
		{1000000, 8000000, 0, 3, true}, {250000, 1000000, -2, 2, true}, {100000000, 8000000, 0, 0, false},
	} {
		e, ok := tc.SetupEstimator(c.a, c.tc)
		if ok != c.ok || ok && (e.Interval != c.interval || e.EwmaLog != c.ewma) {
			t.Errorf("SetupEstimator(%d, %d) = %+v, %v", c.a, c.tc, e, ok)
		}
	}
}

func TestSizeTable(t *testing.T) {
	s := tc.SizeSpec{Overhead: 20, LinkLayer: tc.LinkLayerATM, MTU: 1600}
	data := tc.CalcSizeTable(&s)
	if s.TSize != 512 || s.CellLog != 2 || s.CellAlign != -1 || s.SizeLog != 0 || len(data) != 512 || data[0] != 53 {
		t.Errorf("CalcSizeTable: %+v data[0]=%d len %d", s, data[0], len(data))
	}
	e := tc.SizeSpec{Overhead: 4}
	if d := tc.CalcSizeTable(&e); d != nil || e.TSize != 0 {
		t.Errorf("ethernet overhead only: %+v %v", e, d)
	}
	if got := tc.DecodeSizeSpec(s.Encode()); got != s {
		t.Errorf("round trip: %+v != %+v", got, s)
	}
}

func TestHandles(t *testing.T) {
	for _, c := range []struct {
		in string
		h  tc.Handle
		ok bool
	}{
		{"1:", 0x10000, true}, {"1:2", 0x10002, true}, {":5", 5, true}, {"ffff:ffff", 0xffffffff, true},
		{"10000:", 0, false}, {"1", 1, true}, {"root", tc.Root, true}, {"none", 0, true}, {"x", 0, false},
		{"1:x", 0, false}, {"1:10000", 0, false}, {":", 0, true},
	} {
		h, err := tc.ParseClassID(c.in)
		if (err == nil) != c.ok || h != c.h {
			t.Errorf("ParseClassID(%q) = %#x, %v; want %#x ok %v", c.in, uint32(h), err, uint32(c.h), c.ok)
		}
	}
	for _, c := range []struct {
		in string
		h  tc.Handle
		ok bool
	}{
		{"1:", 0x10000, true}, {"1", 0x10000, true}, {"1:5", 0x10000, true}, {"10000", 0, false},
		{"x", 0, false}, {"none", 0, true}, {"1x", 0, false},
	} {
		h, err := tc.ParseQdiscHandle(c.in)
		if (err == nil) != c.ok || h != c.h {
			t.Errorf("ParseQdiscHandle(%q) = %#x, %v; want %#x ok %v", c.in, uint32(h), err, uint32(c.h), c.ok)
		}
	}
}

// FuzzUnits: the number parsers never panic, and what they accept prints
// back without panicking.
func FuzzUnits(f *testing.F) {
	for _, s := range []string{"1mbit", "1.5k", "0x1p3", "nan(abc)", "1e999", "-0", "8secs", "1:2", "ffff:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tc.Strtod(s)
		tc.Strtoul(s, 0)
		tc.Strtol(s, 16)
		if r, err := tc.ParseRate64(s); err == nil {
			tc.RateString(r, true)
		}
		if v, err := tc.ParseSize(s); err == nil {
			tc.SizeString(v)
		}
		if v, err := tc.ParseTime(s); err == nil {
			tc.TimeString(v)
		}
		tc.ParseTime64(s)
		tc.ParseClassID(s)
		tc.ParseQdiscHandle(s)
		tc.GetInteger(s, 0)
	})
}
