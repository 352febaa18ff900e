package acttest

import (
	"bytes"
	"encoding/binary"
	"syscall"
	"testing"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/sched"
)

func errno(err error) syscall.Errno {
	if e, ok := err.(*sched.Error); ok {
		return e.Errno
	}
	return 0
}

// Indexes, references and bindings as act_api keeps them.
func TestActionTable(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	b.MustActions("add", "action gact drop action gact pass")
	if b.Action("gact", 1) == nil || b.Action("gact", 2) == nil {
		t.Fatal("auto indexes are not 1 and 2")
	}
	b.MustActions("add", "action gact pipe index 10 cookie 0102aabb")
	if errno(b.Actions("add", "action gact pipe index 10")) != syscall.EEXIST {
		t.Fatal("add over index 10 was not EEXIST")
	}
	if errno(b.Actions("get", "action gact index 11")) != syscall.ENOENT {
		t.Fatal("get of a missing index was not ENOENT")
	}
	// A filter binds index 10 and makes one of its own (index 3: the
	// lowest free, as idr_alloc_u32 finds it).
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action gact index 10 action gact ok")
	a10, a11 := b.Action("gact", 10), b.Action("gact", 3)
	if a10.RefCount() != 2 || a10.BindCount() != 1 || a11.RefCount() != 1 || a11.BindCount() != 1 {
		t.Fatalf("ref/bind: %d/%d %d/%d", a10.RefCount(), a10.BindCount(), a11.RefCount(), a11.BindCount())
	}
	if !bytes.Equal(a10.Cookie(), []byte{1, 2, 0xaa, 0xbb}) {
		t.Fatalf("cookie % x", a10.Cookie())
	}
	// The dump shows them all, with their counts as the kernel reports
	// them (ref and bind of the dump).
	n, acts := b.ListActions("gact")
	if n != 4 || len(acts) != 4 {
		t.Fatalf("list: count %d, %d actions", n, len(acts))
	}
	for _, at := range acts {
		opt := at.Get(sched.TCA_ACT_OPTIONS)
		parms := nlGet(opt.Data, 2)
		g := actutil.DecodeGen(parms)
		if g.Index == 10 && (g.Refcnt != 2 || g.Bindcnt != 1) {
			t.Fatalf("dumped ref %d bind %d", g.Refcnt, g.Bindcnt)
		}
		if g.Index == 10 && !bytes.Equal(at.Get(sched.TCA_ACT_COOKIE).Data, []byte{1, 2, 0xaa, 0xbb}) {
			t.Fatal("cookie not dumped")
		}
	}
	// Bound actions are not deleted. A flush deletes in index order
	// until the first bound one, and succeeds if it deleted any
	// ("Unable to flush all TC actions" as a warning).
	if errno(b.Actions("delete", "action gact index 10")) != syscall.EPERM {
		t.Fatal("delete of a bound action was not EPERM")
	}
	if err := b.Actions("flush", "action gact"); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if n, _ := b.ListActions("gact"); n != 2 || b.Action("gact", 1) != nil || b.Action("gact", 3) == nil {
		t.Fatalf("after flush: %d actions", n)
	}
	if errno(b.Actions("flush", "action gact")) != syscall.EPERM {
		t.Fatal("flush of only bound actions was not EPERM")
	}
	// Packets count on the bound actions.
	b.Receive("eth0", udp(100))
	if a10.Packets() != 1 || a11.Packets() != 1 {
		t.Fatalf("packets %d %d", a10.Packets(), a11.Packets())
	}
	// Deleting the filter unbinds: its own action goes, the shared one
	// stays with its user reference.
	if err := b.FilterDel("eth0", "ingress", 1); err != nil {
		t.Fatal(err)
	}
	if b.Action("gact", 3) != nil || a10.RefCount() != 1 || a10.BindCount() != 0 {
		t.Fatalf("after filter delete: %v, %d/%d", b.Action("gact", 3), a10.RefCount(), a10.BindCount())
	}
	b.MustActions("flush", "action gact")
	if n, _ := b.ListActions("gact"); n != 0 {
		t.Fatalf("%d left after flush", n)
	}
}

func nlGet(data []byte, typ uint16) []byte {
	for len(data) >= 4 {
		l := int(binary.NativeEndian.Uint16(data))
		ty := binary.NativeEndian.Uint16(data[2:]) & 0x3fff
		if l < 4 || l > len(data) {
			return nil
		}
		if ty == typ {
			return data[4:l]
		}
		a := (l + 3) &^ 3
		if a > len(data) {
			return nil
		}
		data = data[a:]
	}
	return nil
}

// Jumps past the end, and goto chain to a chain without filters.
func TestExecEdges(t *testing.T) {
	b := New(t)
	b.TC("qdisc add clsact")
	// jump 5 in a list of 2 is a faulty opcode: the pipeline stops with
	// TC_ACT_OK and the packet passes.
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action gact jump 5 action drop")
	b.Receive("eth0", udp(100))
	if len(b.Stack["eth0"]) != 1 || b.Action("gact", 2).Packets() != 0 {
		t.Fatal("faulty jump did not stop with ok")
	}
	// goto an empty chain: classification ends there, no match (the
	// packet passes, as an unmatched one does).
	b = New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action goto chain 9")
	b.MustFilter("eth0", "ingress prio 2 protocol all matchall action drop")
	b.Receive("eth0", udp(100))
	if len(b.Stack["eth0"]) != 1 {
		t.Fatal("goto to an empty chain did not end classification")
	}
	// The last action's verdict is the list's: pipe at the end passes.
	b = New(t)
	b.TC("qdisc add clsact")
	b.MustFilter("eth0", "ingress prio 1 protocol all matchall action skbedit mark 3")
	f := b.received(t, udp(100))
	if f.Mark != 3 {
		t.Fatal("pipe at the end of the list")
	}
}
