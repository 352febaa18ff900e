package matchall

import (
	"errors"
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		words  string
		handle string
		fh     uint32
		opts   []byte // nil: no TCA_OPTIONS
		err    string
		code   int
	}{
		{words: "", handle: "0x7", fh: 7},
		{words: "", handle: "010", fh: 8},
		{words: "", handle: "junk", fh: 0},
		{words: "", handle: "99999999999999999999", err: `Illegal handle "99999999999999999999", must be numeric.`, code: 1},
		{words: "classid 1:2", opts: encodeOpts(Config{ClassID: 0x10002, HasClassID: true})},
		{words: "flowid 1:2 skip_hw classid 1:3", opts: append(encodeOpts(Config{ClassID: 0x10002, HasClassID: true}),
			encodeOpts(Config{ClassID: 0x10003, HasClassID: true, Flags: FlagSkipHW})...)},
		{words: "skip_hw", err: `Command line is not complete. Try option "help"`, code: 255},
		{words: "skip_sw skip_hw classid 1:1", err: "skip_hw and skip_sw are mutually exclusive", code: 1},
		{words: "classid zz", err: "Illegal \"classid\"\n" + usage, code: 1},
		{words: "classid", err: `Command line is not complete. Try option "help"`, code: 255},
		{words: "foo", err: "What is \"foo\"?\n" + usage, code: 1},
		{words: "help", err: usage, code: 1},
		{words: "action drop", err: `Illegal "action"`, code: 1},
	}
	for _, c := range cases {
		b := nl.NewBuilder()
		fh, err := Syntax.ParseFilter(tc.NewArgs(strings.Fields(c.words)), c.handle, b)
		if c.err != "" {
			var ue *tc.UsageError
			if !errors.As(err, &ue) || ue.Msg != c.err || ue.Code != c.code {
				t.Errorf("%q: got %v, want %q (%d)", c.words, err, c.err, c.code)
			}
			continue
		}
		if err != nil || fh != c.fh {
			t.Errorf("%q: got %d %v, want %d", c.words, fh, err, c.fh)
			continue
		}
		tb := nl.Parse(b.Bytes(), sched.TCA_MAX)
		got := tb.Get(sched.TCA_OPTIONS)
		if (got == nil) != (c.opts == nil) || (got != nil && string(got.Data) != string(c.opts)) {
			t.Errorf("%q: options %x, want %x", c.words, b.Bytes(), c.opts)
		}
	}
}

// encodeOpts writes the attributes tc would send for c.
func encodeOpts(c Config) []byte {
	b := nl.NewBuilder()
	c.Encode(b)
	return b.Bytes()
}

func TestPrintFilter(t *testing.T) {
	dump := func(c Config, hits uint64) []byte {
		b := nl.NewBuilder()
		c.encode(b, hits)
		return b.Bytes()
	}
	cases := []struct {
		fh    uint32
		opt   []byte
		stats bool
		json  bool
		want  string
	}{
		{1, dump(Config{ClassID: 0x10001, Flags: FlagNotInHW}, 3), false, false, "handle 0x1 flowid 1:1 \n  not_in_hw"},
		{1, dump(Config{ClassID: 0x10001, Flags: FlagNotInHW}, 3), true, false, "handle 0x1 flowid 1:1 \n  not_in_hw (rule hit 3)"},
		{2, dump(Config{Flags: FlagSkipHW | FlagNotInHW}, 0), false, false, "handle 0x2 \n  skip_hw\n  not_in_hw"},
		{0, dump(Config{}, 0), false, false, ""},
		{1, dump(Config{ClassID: 0x10001, Flags: FlagNotInHW}, 3), true, true, `"handle":1,"flowid":"1:1","not_in_hw":true,"rule_hit":3`},
	}
	for _, c := range cases {
		p := tc.NewPrinter(c.json, false)
		p.Stats = c.stats
		if c.json {
			p.OpenObject("")
		}
		if err := Syntax.PrintFilter(p, c.fh, c.opt); err != nil {
			t.Fatal(err)
		}
		if c.json {
			p.CloseObject()
		}
		got := string(p.Bytes())
		if c.json && !strings.Contains(got, c.want) || !c.json && got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestFlagsValid(t *testing.T) {
	for f, want := range map[uint32]bool{
		0: true, FlagSkipHW: true, FlagSkipSW: true, FlagSkipHW | FlagSkipSW: false,
		FlagVerbose | FlagSkipHW: true, FlagInHW: false, 1 << 5: false,
	} {
		if flagsValid(f) != want {
			t.Errorf("flagsValid(%#x) = %v", f, !want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeOpts(Config{ClassID: 0x10001, HasClassID: true, Flags: FlagSkipHW}))
	f.Add([]byte{5, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, _, err := Decode(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		c2, _, err := Decode(encodeOpts(c))
		if err != nil || c2 != c {
			t.Fatalf("%+v -> %+v, %v", c, c2, err)
		}
	})
}

func FuzzParseFilter(f *testing.F) {
	f.Add("classid 1:2 skip_hw flowid 3:", "0x10")
	f.Add("skip_sw", "")
	f.Fuzz(func(t *testing.T, words, handle string) {
		b := nl.NewBuilder()
		_, err := Syntax.ParseFilter(tc.NewArgs(strings.Fields(words)), handle, b)
		if err != nil {
			var ue *tc.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("%q: not a usage error: %v", words, err)
			}
			return
		}
		if tb := nl.Parse(b.Bytes(), sched.TCA_MAX); tb.Has(sched.TCA_OPTIONS) {
			if _, _, err := Decode(tb.Get(sched.TCA_OPTIONS).Data); err != nil {
				t.Fatalf("%q: we send what we refuse: %v", words, err)
			}
		}
	})
}
