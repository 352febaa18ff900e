package ematch_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/cls/clstest"
	"github.com/netsched/netsched/cls/ematch"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// tree parses an expression the way tc sends it and validates it the way
// the kernel reads it.
func tree(t testing.TB, expr string) (*ematch.Tree, error) {
	b := nl.NewBuilder()
	if err := ematch.ParseTree(tc.NewArgs(clstest.Words(expr)), 1, b); err != nil {
		return nil, err
	}
	return ematch.Validate(nl.Parse(b.Bytes(), 1).Get(1))
}

func TestMatch(t *testing.T) {
	udp := schedtest.Packet{Src: schedtest.Addr("10.1.2.3"), Dst: schedtest.Addr("10.0.0.9"), Proto: 17, SPort: 53, DPort: 1000, Priority: 7, Mark: 0x42}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{"'cmp(u8 at 9 layer network eq 17)'", true},
		{"'cmp(u16 at 0 layer transport eq 53)'", true},
		{"'cmp(u16 at 0 layer transport trans eq 53)'", false},
		{"'cmp(u32 at 12 layer network mask 0xffff0000 eq 0x0a010000)'", true},
		{"'cmp(u8 at 9 layer network gt 17) or cmp(u8 at 9 layer network lt 17)'", false},
		{"'not cmp(u8 at 9 layer network eq 17)'", false},
		{"'u32(u8 0x11 0xff at 9)'", true},
		{"'u32(u32 0x0a000009 0xffffffff at 16)'", true},
		{"'nbyte(\"\\x0a\\x01\" at 12 layer network)'", true},
		{"'meta(priority eq 7) and meta(fwmark mask 0xf0 eq 0x40)'", true},
		{"'meta(priority gt 7)'", false},
		{"'cmp(u8 at 9 layer network eq 6) or (cmp(u8 at 9 layer network eq 17) and not meta(priority eq 8))'", true},
		{"'(cmp(u8 at 9 layer network eq 6) or cmp(u8 at 9 layer network eq 1)) and meta(priority eq 7)'", false},
		{"'canid(sff 1)'", false},
	} {
		tr, err := tree(t, c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		p := schedtest.New(t, schedtest.Options{}).Pool.Get()
		udp.Build(p)
		if got := tr.Match(p); got != c.want {
			t.Errorf("%s: match %v, want %v", c.expr, got, c.want)
		}
	}
}

func TestPrint(t *testing.T) {
	b := nl.NewBuilder()
	expr := "'cmp(u8 at 0 layer link mask 0xff gt 10) and cmp(u16 at 8 layer link mask 0x00ff gt 7) or not cmp(u32 at 4 layer network mask 0xa0a0 lt 3)'"
	if err := ematch.ParseTree(tc.NewArgs(clstest.Words(expr)), 1, b); err != nil {
		t.Fatal(err)
	}
	p := tc.NewPrinter(false, false)
	ematch.PrintTree(p, nl.Parse(b.Bytes(), 1).Get(1).Data)
	want := "\n  cmp(u8 at 0 layer 0 mask 0xff gt 10)\n  AND cmp(u16 at 8 layer 0 mask 0xff gt 7)\n  OR NOT cmp(u32 at 4 layer 1 mask 0xa0a0 lt 3)\n"
	if got := string(p.Bytes()); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParseTree(f *testing.F) {
	f.Add("'cmp(u8 at 0 layer link mask 0xff gt 10) and not (u32(u16 1 0xff at 2) or meta(priority eq 1))'")
	f.Add("'canid(sff 1:2 eff 3) or nbyte(\"ab\" at 3 layer 2)'")
	f.Fuzz(func(t *testing.T, expr string) {
		b := nl.NewBuilder()
		err := ematch.ParseTree(tc.NewArgs(clstest.Words(expr)), 1, b)
		if err != nil {
			var ue *tc.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("not a usage error: %v", err)
			}
			return
		}
		a := nl.Parse(b.Bytes(), 1).Get(1)
		if _, err := ematch.Validate(a); err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
		ematch.PrintTree(tc.NewPrinter(false, false), a.Data)
	})
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 1, 0, 0, 0})
	p := schedtest.New(f, schedtest.Options{}).Pool.Get()
	(&schedtest.Packet{Src: schedtest.Addr("10.1.2.3"), Dst: schedtest.Addr("10.0.0.9"), Proto: 6}).Build(p)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ematch.Validate(&nl.Attr{Data: data})
		if err == nil {
			tr.Match(p)
			b := nl.NewBuilder()
			tr.Dump(b, 1)
			ematch.PrintTree(tc.NewPrinter(false, false), nl.Parse(b.Bytes(), 1).Get(1).Data)
		}
	})
}

// rawTree is a one-match tree of kind with data, as the kernel reads it.
func rawTree(kind uint16, data []byte) *nl.Attr {
	b := nl.NewBuilder()
	b.Put(ematch.TCA_EMATCH_TREE_HDR, []byte{1, 0, 0, 0})
	b.Nest(ematch.TCA_EMATCH_TREE_LIST)
	hdr := []byte{0, 0, byte(kind), byte(kind >> 8), 0, 0, 0, 0}
	b.Put(1, append(hdr, data...))
	b.EndNest()
	return &nl.Attr{Data: b.Bytes()}
}

func metaData(lkind, rkind uint16) []byte {
	b := nl.NewBuilder()
	b.Put(ematch.TCA_EM_META_HDR, []byte{byte(lkind), byte(lkind >> 8), 0, 0, byte(rkind), byte(rkind >> 8), 0, 0})
	b.PutU32(ematch.TCA_EM_META_RVALUE, 7)
	return b.Bytes()
}

// TestRefused: kinds that are not built in (ipset, text, ipt) are refused
// as a kernel without their modules refuses them (ENOENT); meta refuses
// ids without a getter of the asked type (EOPNOTSUPP) and mixed types.
func TestRefused(t *testing.T) {
	intKind := func(id uint16) uint16 { return ematch.MetaTypeInt<<12 | id }
	varKind := func(id uint16) uint16 { return ematch.MetaTypeVar<<12 | id }
	for _, c := range []struct {
		name string
		a    *nl.Attr
		want syscall.Errno
	}{
		{"ipset", rawTree(ematch.KindIPSet, []byte{1, 2, 3, 4}), syscall.ENOENT},
		{"text", rawTree(ematch.KindText, []byte{1, 2, 3, 4}), syscall.ENOENT},
		{"ipt", rawTree(ematch.KindIPT, []byte{1, 2, 3, 4}), syscall.ENOENT},
		{"meta route caps", rawTree(ematch.KindMeta, metaData(intKind(35), intKind(0))), syscall.EOPNOTSUPP},
		{"meta var priority", rawTree(ematch.KindMeta, metaData(varKind(ematch.MetaPriority), varKind(0))), syscall.EOPNOTSUPP},
		{"meta mixed types", rawTree(ematch.KindMeta, metaData(intKind(ematch.MetaPriority), varKind(0))), syscall.EINVAL},
		{"meta id too big", rawTree(ematch.KindMeta, metaData(intKind(48), intKind(0))), syscall.EINVAL},
		{"cmp short", rawTree(ematch.KindCmp, []byte{1, 2, 3}), syscall.EINVAL},
		{"canid empty", rawTree(ematch.KindCanID, nil), syscall.EINVAL},
		{"meta ok", rawTree(ematch.KindMeta, metaData(intKind(ematch.MetaPriority), intKind(0))), 0},
	} {
		_, err := ematch.Validate(c.a)
		var got syscall.Errno
		if err != nil {
			errors.As(err, &got)
		}
		if got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
