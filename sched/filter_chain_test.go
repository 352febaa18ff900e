package sched_test

import (
	"syscall"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

var ingressBlock = sched.TCMsg{Ifindex: 2, Parent: ingressParent}

func TestChainTemplatesAndActionRefs(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	// A template with options; filters of the chain must be of its kind.
	e.must(sched.RTM_NEWCHAIN, create, ingressBlock, chain(3), kind("fake"), opts(u32attr(9, 1)))
	got := e.must(sched.RTM_GETCHAIN, 0, ingressBlock, chain(3))
	sameLines(t, "get", got, []string{"getchain dev 2 parent ffff: fake chain 3 [9=0x1]"})
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), kind("fake"), chain(3))
	if _, err := e.req(sched.RTM_NEWTFILTER, create, onIngress(2, 2, ethAll, 0), append(mall(0, 0), chain(3))...); !errIs(err, syscall.EINVAL, "Chain template is set to a different filter kind") {
		t.Fatal(err)
	}
	// Refusals of RTM_NEWCHAIN and its template.
	for _, c := range []struct {
		flags uint16
		as    []attr
		errno syscall.Errno
		msg   string
	}{
		{create, []attr{chain(3)}, syscall.EEXIST, "Filter chain already exists"},
		{0, []attr{chain(4)}, syscall.ENOENT, "Need both RTM_NEWCHAIN and NLM_F_CREATE to create a new chain"},
		{create, []attr{chain(4), kind("abcdefghijklmnop")}, syscall.EINVAL, "Specified TC chain template name too long"},
		{create, []attr{chain(4), kind("nosuch")}, syscall.ENOENT, "TC classifier not found"},
		{create, []attr{chain(4), kind("matchall")}, syscall.EOPNOTSUPP, "Chain templates are not supported with specified classifier"},
		{create, []attr{chain(1 << 28)}, syscall.EINVAL, "Specified chain index exceeds upper limit"},
	} {
		if _, err := e.req(sched.RTM_NEWCHAIN, c.flags, ingressBlock, c.as...); !errIs(err, c.errno, c.msg) {
			t.Errorf("%v: got %v %q", c.as, err, sched.MsgOf(err))
		}
	}
	// A failed template leaves no chain.
	sameLines(t, "chains", e.mustDump(sched.RTM_GETCHAIN, ingressBlock), []string{"newchain dev 2 parent ffff: fake chain 3 [9=0x1]"})

	// A goto action holds its chain, which users do not see until they
	// name it.
	e.notes.listening = true
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 5, ethAll, 0), kind("fake"), opts(u32attr(fakeGoto, 8)))
	sameLines(t, "chains with a jump", e.mustDump(sched.RTM_GETCHAIN, ingressBlock), []string{
		"newchain dev 2 parent ffff: fake chain 3 [9=0x1]",
		"newchain dev 2 parent ffff: chain 0",
	})
	if _, err := e.req(sched.RTM_GETCHAIN, 0, ingressBlock, chain(8)); !errIs(err, syscall.EINVAL, "Cannot find specified filter chain") {
		t.Fatal(err)
	}
	if _, err := e.req(sched.RTM_DELCHAIN, 0, ingressBlock, chain(8)); !errIs(err, syscall.EINVAL, "Cannot find specified filter chain") {
		t.Fatal(err)
	}
	// Creating it explicitly is allowed, and deleting it keeps the
	// action's hold.
	e.must(sched.RTM_NEWCHAIN, create, ingressBlock, chain(8))
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), kind("fake"), chain(8))
	e.must(sched.RTM_DELCHAIN, 0, ingressBlock, chain(8))
	sameLines(t, "notes", e.notes.take(), []string{
		"newchain(0x600) dev 2 parent ffff: chain 0",
		"newfilter(0x600) dev 2 parent ffff:fff2 pref 5 proto 0x300 handle 0x101 fake chain 0 [2=0 3=0x8]",
		"newchain(0x600) dev 2 parent ffff: chain 8",
		"newfilter(0x600) dev 2 parent ffff:fff2 pref 1 proto 0x300 handle 0x101 fake chain 8 [2=0]",
		"delfilter dev 2 parent ffff:fff2 pref 1 proto 0x300 fake chain 8",
		"delchain dev 2 parent ffff: chain 8",
	})
	blk := e.blockOf(2, ingressParent)
	if c := blk.Chain(8); c == nil {
		t.Fatal("the action's chain went with the user's")
	}
	// The last reference, the action's, takes it.
	e.must(sched.RTM_DELTFILTER, 0, onIngress(2, 5, 0, 0))
	if c := blk.Chain(8); c != nil {
		t.Fatal("chain 8 outlived its last reference")
	}
}

// blockOf finds the block behind a device's parent, as a dump does.
func (e *env) blockOf(dev int32, parent tc.Handle) *sched.Block {
	q := e.devs[dev].Lookup(parent.Maj())
	c := q.Discipline.(sched.Classful).Find(parent)
	b, _ := q.Discipline.(sched.BlockOwner).Block(c, nil)
	return b
}

func TestDumpFilters(t *testing.T) {
	e := newEnv(t)
	e.ingress(2, u32attr(sched.TCA_INGRESS_BLOCK, 5))
	e.clsact(3, u32attr(sched.TCA_INGRESS_BLOCK, 5))
	onBlock := func(pref, proto uint16) sched.TCMsg {
		return sched.TCMsg{Ifindex: magic, Parent: 5, Info: info(pref, proto)}
	}
	e.must(sched.RTM_NEWTFILTER, create, onBlock(1, ethIP), mall(0x10001, 0)...)
	e.must(sched.RTM_NEWTFILTER, create, onBlock(2, ethAll), kind("fake"), fakeOpts(0, 0))
	e.must(sched.RTM_NEWTFILTER, create, onBlock(2, ethAll), kind("fake"), fakeOpts(0, 1))
	e.must(sched.RTM_NEWTFILTER, create, onBlock(1, ethIP), append(mall(0x10001, 0), chain(6))...)
	all := []string{
		"newfilter block 5 pref 1 proto 0x8 matchall chain 0",
		"newfilter block 5 pref 1 proto 0x8 handle 0x1 matchall chain 0 [1=0x10001 3=0x8 4=0]",
		"newfilter block 5 pref 2 proto 0x300 fake chain 0",
		"newfilter block 5 pref 2 proto 0x300 handle 0x101 fake chain 0 [2=0]",
		"newfilter block 5 pref 2 proto 0x300 handle 0x102 fake chain 0 [2=0x1]",
		"newfilter block 5 pref 1 proto 0x8 matchall chain 6",
		"newfilter block 5 pref 1 proto 0x8 handle 0x1 matchall chain 6 [1=0x10001 3=0x8 4=0]",
	}
	sameLines(t, "by index", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5}), all)
	// Through either device: the same, addressed by block.
	sameLines(t, "by device", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 3, Parent: ingressParent}), all)
	sameLines(t, "egress", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 3, Parent: egressParent}), nil)
	sameLines(t, "chain 6", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5}, chain(6)), all[5:])
	sameLines(t, "pref 2", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5, Info: info(2, 0)}), all[2:5])
	sameLines(t, "ip", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5, Info: info(0, ethIP)}), []string{all[0], all[1], all[5], all[6]})
	// Terse: kinds without a terse dump show their proto lines only.
	terse := attr{sched.TCA_DUMP_FLAGS, append(u32(1), u32(1)...)}
	sameLines(t, "terse", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5}, terse), []string{all[0], all[2], all[5]})
	// Dump policy and silent misses.
	for _, c := range []struct {
		as    []attr
		errno syscall.Errno
	}{
		{[]attr{{sched.TCA_DUMP_FLAGS, u32(1)}}, syscall.ERANGE},
		{[]attr{{sched.TCA_DUMP_FLAGS, append(u32(2), u32(2)...)}}, syscall.EINVAL},
		{[]attr{{sched.TCA_DUMP_FLAGS, append(u32(1), u32(0)...)}}, syscall.EINVAL},
		{[]attr{{sched.TCA_CHAIN, []byte{1}}}, syscall.ERANGE},
	} {
		if _, err := e.dump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: magic, Parent: 5}, c.as...); !errIs(err, c.errno, "Attribute failed policy validation") {
			t.Errorf("%v: %v", c.as, err)
		}
	}
	for _, m := range []sched.TCMsg{
		{Ifindex: magic, Parent: 6}, {Ifindex: 9}, {Ifindex: 2}, {Ifindex: 2, Parent: 0x70000},
		{Ifindex: 3, Parent: 0xFFFF0000}, {Ifindex: 3, Parent: 0xFFFF0007},
	} {
		sameLines(t, "nothing", e.mustDump(sched.RTM_GETTFILTER, m), nil)
	}
	sameLines(t, "chains", e.mustDump(sched.RTM_GETCHAIN, sched.TCMsg{Ifindex: 2, Parent: ingressParent}), []string{
		"newchain block 5 chain 0", "newchain block 5 chain 6",
	})
	sameLines(t, "chain 6", e.mustDump(sched.RTM_GETCHAIN, sched.TCMsg{Ifindex: magic, Parent: 5}, chain(6)), []string{
		"newchain block 5 chain 6",
	})
}

// Classification: chain 0 only, protocols, priorities in order, goto
// chain, the reclassify limit; prio takes the class of matchall.
func TestClassify(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	blk := e.blockOf(2, ingressParent)
	classify := func(proto uint16, mark uint32) (int, tc.Handle) {
		p := &pkt.Packet{Protocol: proto, Mark: mark}
		var res sched.Result
		v := blk.Classify(p, &res)
		return v, res.ClassID
	}
	check := func(what string, proto uint16, mark uint32, wantV int, wantC tc.Handle) {
		t.Helper()
		if v, c := classify(proto, mark); v != wantV || c != wantC {
			t.Errorf("%s: got %d %s, want %d %s", what, v, c, wantV, wantC)
		}
	}
	check("empty", 0x0800, 0, sched.ActUnspec, 0)
	// A filter in another chain is not reached without a jump.
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), append(mall(0x10009, 0), chain(4))...)
	check("chain 4 only", 0x0800, 0, sched.ActUnspec, 0)
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 5, ethIPv6, 0), mall(0x10006, 0)...)
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 7, ethAll, 0), mall(0x10007, 0)...)
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIP, 0), kind("fake"), opts(u32attr(fakeClassID, 0x10003), u32attr(fakeMark, 1)))
	check("ipv4 unmarked", 0x0800, 0, sched.ActOK, 0x10007)
	check("ipv6", 0x86DD, 0, sched.ActOK, 0x10006)
	check("ipv4 marked", 0x0800, 1, sched.ActOK, 0x10003)
	// Mark 2 jumps to chain 4, whose matchall answers.
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 2, ethAll, 0), kind("fake"), opts(u32attr(fakeGoto, 4), u32attr(fakeMark, 2)))
	check("goto", 0x0800, 2, sched.ActOK, 0x10009)
	// Mark 3 reclassifies forever: dropped after the limit.
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 2, ethAll, 0), kind("fake"), opts(u32attr(fakeVerdict, sched.ActReclassify), u32attr(fakeMark, 3)))
	check("reclassify loop", 0x0800, 3, sched.ActShot, 0)

	// prio follows matchall's class.
	e.prio(3)
	e.must(sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 3, Parent: 0x10000, Info: info(1, ethAll)}, mall(0x10003, 0)...)
	q := e.devs[3].Root()
	p := &pkt.Packet{Protocol: 0x0800, Data: make([]byte, 60)}
	p.PktLen = 60
	if v := q.Enqueue(p); v != sched.Success {
		t.Fatalf("enqueue: %v", v)
	}
	cf := q.Discipline.(sched.Classful)
	if l := cf.Leaf(cf.Find(0x10003)); l.QLen != 1 {
		t.Errorf("band 3 holds %d packets, want 1", l.QLen)
	}
	// The hit counter counts.
	lines := e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 3, Parent: 0x10000})
	sameLines(t, "hits", lines[1:], []string{"newfilter dev 3 parent 1: pref 1 proto 0x300 handle 0x1 matchall chain 0 [1=0x10003 3=0x8 4=1]"})
}

// Filters that name a class follow its creation and deletion
// (tc_bind_tclass), and let go of it when they go.
func TestBindClass(t *testing.T) {
	e := newEnv(t)
	e.root(2, "cfq")
	cls := func(typ uint16, id tc.Handle) error {
		_, err := e.req(typ, create, sched.TCMsg{Ifindex: 2, Parent: 0x10000, Handle: id})
		return err
	}
	q := e.devs[2].Root().Discipline.(*cfq)
	if err := cls(sched.RTM_NEWTCLASS, 0x10001); err != nil {
		t.Fatal(err)
	}
	// A filter on class 1:1's block names 1:2, which does not exist yet;
	// one on the qdisc's own block names 1:1.
	e.must(sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0x10001, Info: info(1, ethAll)}, mall(0x10002, 0)...)
	e.must(sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0x10000, Info: info(1, ethAll)}, mall(0x10001, 0)...)
	if n := q.bound(0x10001); n != 1 {
		t.Fatalf("1:1 bound by %d filters, want 1", n)
	}
	if err := cls(sched.RTM_NEWTCLASS, 0x10002); err != nil {
		t.Fatal(err)
	}
	if n := q.bound(0x10002); n != 1 {
		t.Fatalf("1:2 bound by %d filters after its creation, want 1", n)
	}
	// Deleting a class unbinds its filters even when the qdisc refuses.
	if err := cls(sched.RTM_DELTCLASS, 0x10002); !errIs(err, syscall.EBUSY, "cfq class in use by filters") {
		t.Fatal(err)
	}
	if n := q.bound(0x10002); n != 0 {
		t.Fatalf("1:2 still bound by %d filters", n)
	}
	// A deleted filter lets go.
	e.must(sched.RTM_DELTFILTER, 0, sched.TCMsg{Ifindex: 2, Parent: 0x10000, Info: info(1, 0)})
	if n := q.bound(0x10001); n != 0 {
		t.Fatalf("1:1 still bound by %d filters", n)
	}
	_ = nl.NLM_F_CREATE
}

// Packets classify while filters come and go, on a private block (under
// the ingress qdisc's lock) and on a shared one (under the block's own):
// run with -race.
func TestClassifyWhileChanging(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	e.clsact(3, u32attr(sched.TCA_INGRESS_BLOCK, 5))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		p := &pkt.Packet{Protocol: 0x0800, Data: make([]byte, 60)}
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.devs[2].Receive(p)
			e.devs[3].Receive(p)
		}
	}()
	for i := 0; i < 200; i++ {
		e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), append(mall(0x10001, 0), chain(uint32(i%3)))...)
		e.must(sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: magic, Parent: 5, Info: info(1, ethAll)}, mall(0x10001, 0)...)
		e.must(sched.RTM_DELTFILTER, 0, sched.TCMsg{Ifindex: magic, Parent: 5})
		e.must(sched.RTM_DELTFILTER, 0, onIngress(2, 0, 0, 0), chain(uint32(i%3)))
	}
	close(stop)
	<-done
}
