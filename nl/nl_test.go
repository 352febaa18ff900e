package nl_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/netsched/netsched/nl"
)

func TestBuilderRoundTrip(t *testing.T) {
	b := nl.NewBuilder()
	b.Begin(36, nl.NLM_F_REQUEST, 7, 9)
	b.Raw([]byte{1, 2, 3, 4})
	b.PutString(1, "pfifo")
	b.Nest(2)
	b.PutU32(1, 1000)
	b.PutU8(2, 1)
	b.EndNest()
	b.End()
	msgs, err := nl.Split(b.Bytes())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("split: %v %d", err, len(msgs))
	}
	m := msgs[0]
	if m.Type != 36 || m.Seq != 7 || m.Pid != 9 || int(m.Len) != len(b.Bytes()) {
		t.Fatalf("header %+v", m.Header)
	}
	tb := nl.Parse(m.Data[4:], 8)
	if tb.Get(1).Str() != "pfifo" {
		t.Fatalf("kind %q", tb.Get(1).Str())
	}
	in := nl.Parse(tb.Get(2).Data, 8)
	if in.Get(1).U32() != 1000 || in.Get(2).U8() != 1 {
		t.Fatalf("nested attributes wrong")
	}
	// padding is zero
	if len(b.Bytes())%4 != 0 || !bytes.Equal(b.Bytes()[len(b.Bytes())-3:], []byte{0, 0, 0}) {
		t.Fatalf("padding %x", b.Bytes())
	}
}

// The kernel's deprecated parser: the last of a type wins, flags are
// masked, and a malformed tail is ignored.
func TestParseKernelRules(t *testing.T) {
	b := nl.NewBuilder()
	b.PutU32(3, 1)
	b.PutU32(3|nl.NLA_F_NESTED, 2)
	b.PutU32(5, 7)
	raw := append([]byte(nil), b.Bytes()...)
	raw = binary.NativeEndian.AppendUint16(raw, 200) // bad length
	raw = binary.NativeEndian.AppendUint16(raw, 6)
	tb := nl.Parse(raw, 6)
	if tb.Get(3).U32() != 2 || tb.Get(3).Flags != nl.NLA_F_NESTED {
		t.Fatalf("last of a type must win, with its flags apart")
	}
	if tb.Get(5).U32() != 7 || tb.Has(6) {
		t.Fatalf("good attributes kept, the bad tail dropped")
	}
}

func TestValidate(t *testing.T) {
	b := nl.NewBuilder()
	b.Put(1, []byte{1, 2})
	tb := nl.Parse(b.Bytes(), 4)
	if err, msg := tb.Validate(map[uint16]nl.PolicyEntry{1: {Type: nl.U32}}); err == nil || msg != "Attribute failed policy validation" {
		t.Fatalf("short u32 accepted: %v %q", err, msg)
	}
	if err, _ := tb.Validate(map[uint16]nl.PolicyEntry{1: {Type: nl.Binary, Len: 2}}); err != nil {
		t.Fatalf("binary within bound refused: %v", err)
	}
}

func TestSplitTruncated(t *testing.T) {
	b := nl.NewBuilder()
	b.Begin(16, 0, 1, 0)
	b.End()
	b.Begin(17, 0, 2, 0)
	b.End()
	d := b.Bytes()
	binary.NativeEndian.PutUint32(d[16:], 99)
	msgs, err := nl.Split(d)
	if err != nl.ErrTruncated || len(msgs) != 1 {
		t.Fatalf("got %d msgs, err %v", len(msgs), err)
	}
}
