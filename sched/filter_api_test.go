package sched_test

import (
	"strings"
	"syscall"
	"testing"

	"github.com/netsched/netsched/cls/matchall"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/prio"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Qdisc setups.
func (e *env) ingress(dev int32, as ...attr) {
	e.t.Helper()
	e.must(sched.RTM_NEWQDISC, create, sched.TCMsg{Ifindex: dev, Parent: tc.Ingress, Handle: 0xFFFF0000}, append([]attr{kind("ingress")}, as...)...)
}

func (e *env) clsact(dev int32, as ...attr) {
	e.t.Helper()
	e.must(sched.RTM_NEWQDISC, create, sched.TCMsg{Ifindex: dev, Parent: tc.Ingress, Handle: 0xFFFF0000}, append([]attr{kind("clsact")}, as...)...)
}

func (e *env) prio(dev int32) {
	e.t.Helper()
	c := prio.Config{Bands: 3, Priomap: [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}}
	e.must(sched.RTM_NEWQDISC, create, sched.TCMsg{Ifindex: dev, Parent: tc.Root, Handle: 0x10000}, kind("prio"), attr{sched.TCA_OPTIONS, c.Encode()})
}

func (e *env) root(dev int32, k string) {
	e.t.Helper()
	e.must(sched.RTM_NEWQDISC, create, sched.TCMsg{Ifindex: dev, Parent: tc.Root, Handle: 0x10000}, kind(k))
}

// mall is a matchall filter request's attributes.
func mall(classid tc.Handle, flags uint32) []attr {
	var o []attr
	if classid != 0 {
		o = append(o, u32attr(matchall.TCA_MATCHALL_CLASSID, uint32(classid)))
	}
	if flags != 0 {
		o = append(o, u32attr(matchall.TCA_MATCHALL_FLAGS, flags))
	}
	return []attr{kind("matchall"), opts(o...)}
}

func onIngress(dev int32, pref, proto uint16, handle uint32) sched.TCMsg {
	return sched.TCMsg{Ifindex: dev, Parent: ingressParent, Info: info(pref, proto), Handle: tc.Handle(handle)}
}

func TestFilterErrors(t *testing.T) {
	withIngress := func(e *env) { e.ingress(2) }
	withFilter := func(e *env) {
		e.ingress(2)
		e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIP, 7), mall(0x10001, 0)...)
	}
	long := "abcdefghijklmnop" // 16 bytes: one too many
	actions := attr{matchall.TCA_MATCHALL_ACT, encode([]attr{{1, encode([]attr{kind("gact")})}})}
	noKind := attr{matchall.TCA_MATCHALL_ACT, encode([]attr{{1, encode([]attr{u32attr(sched.TCA_ACT_INDEX, 1)})}})}
	cases := []struct {
		name  string
		setup func(e *env)
		typ   uint16
		flags uint16
		m     sched.TCMsg
		as    []attr
		errno syscall.Errno
		msg   string
	}{
		{"no device", nil, sched.RTM_NEWTFILTER, create, onIngress(9, 1, ethAll, 0), mall(0, 0), syscall.ENODEV, ""},
		{"prio 0 without create", withIngress, sched.RTM_NEWTFILTER, 0, onIngress(2, 0, ethAll, 0), mall(0, 0), syscall.ENOENT, "Invalid filter command with priority of zero"},
		{"get prio 0", withIngress, sched.RTM_GETTFILTER, 0, onIngress(2, 0, ethAll, 1), mall(0, 0), syscall.ENOENT, "Invalid filter command with priority of zero"},
		{"no parent qdisc", nil, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), mall(0, 0), syscall.EINVAL, "Parent Qdisc doesn't exists"},
		{"classless root", nil, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Info: info(1, ethAll)}, mall(0, 0), syscall.EINVAL, "Qdisc not classful"},
		{"mq has no blocks", func(e *env) { e.root(3, "mq") }, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 3, Parent: 0x10000, Info: info(1, ethAll)}, mall(0, 0), syscall.EOPNOTSUPP, "Class doesn't support blocks"},
		{"kind too long", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind(long)}, syscall.EINVAL, "Specified TC filter name too long"},
		{"no such class", func(e *env) { e.prio(2) }, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0x10009, Info: info(1, ethAll)}, mall(0, 0), syscall.ENOENT, "Specified class doesn't exist"},
		{"prio class has no block", func(e *env) { e.prio(2) }, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0x10002, Info: info(1, ethAll)}, mall(0, 0), syscall.EINVAL, ""},
		{"clsact without hook", func(e *env) { e.clsact(2) }, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0xFFFF0000, Info: info(1, ethAll)}, mall(0, 0), syscall.EINVAL, ""},
		{"clsact bad hook", func(e *env) { e.clsact(2) }, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: 2, Parent: 0xFFFF0005, Info: info(1, ethAll)}, mall(0, 0), syscall.ENOENT, "Specified class doesn't exist"},
		{"shared via device", func(e *env) { e.ingress(2, u32attr(sched.TCA_INGRESS_BLOCK, 22)) }, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), mall(0, 0), syscall.EOPNOTSUPP, "This filter block is shared. Please use the block index to manipulate the filters"},
		{"no such block", withIngress, sched.RTM_NEWTFILTER, create, sched.TCMsg{Ifindex: magic, Parent: 23, Info: info(1, ethAll)}, mall(0, 0), syscall.EINVAL, "Block of given index was not found"},
		{"chain too big", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), append(mall(0, 0), chain(1<<28)), syscall.EINVAL, "Specified chain index exceeds upper limit"},
		{"no kind", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), nil, syscall.EINVAL, "Filter kind and protocol must be specified"},
		{"no protocol", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, 0, 0), mall(0, 0), syscall.EINVAL, "Filter kind and protocol must be specified"},
		{"create without flag", withIngress, sched.RTM_NEWTFILTER, 0, onIngress(2, 1, ethAll, 0), mall(0, 0), syscall.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter"},
		{"unknown kind", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("u32")}, syscall.ENOENT, "TC classifier not found"},
		{"protocol mismatch", withFilter, sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIPv6, 0), mall(0, 0), syscall.EINVAL, "Protocol mismatch for filter with specified priority"},
		{"kind mismatch", withFilter, sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIP, 0), []attr{kind("fake")}, syscall.EINVAL, "Specified filter kind does not match existing one"},
		{"exists", withFilter, sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIP, 7), mall(0, 0), syscall.EEXIST, "Filter already exists"},
		{"matchall has one", withFilter, sched.RTM_NEWTFILTER, create, onIngress(2, 3, ethIP, 0), mall(0, 0), syscall.EEXIST, ""},
		{"matchall never changes", withFilter, sched.RTM_NEWTFILTER, nl.NLM_F_CREATE | nl.NLM_F_REPLACE, onIngress(2, 3, ethIP, 7), mall(0, 0), syscall.EEXIST, ""},
		{"change needs create", withFilter, sched.RTM_NEWTFILTER, 0, onIngress(2, 3, ethIP, 8), mall(0, 0), syscall.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter"},
		{"matchall needs options", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("matchall")}, syscall.EINVAL, ""},
		{"matchall skip both", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), mall(0, matchall.FlagSkipHW|matchall.FlagSkipSW), syscall.EINVAL, ""},
		{"matchall unknown flag", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), mall(0, 1<<5), syscall.EINVAL, ""},
		{"matchall skip_sw", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), mall(0, matchall.FlagSkipSW), syscall.EOPNOTSUPP, ""},
		{"matchall short classid", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("matchall"), opts(attr{matchall.TCA_MATCHALL_CLASSID, []byte{1}})}, syscall.ERANGE, ""},
		{"actions", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("matchall"), opts(actions)}, syscall.ENOENT, "Failed to load TC action module"},
		{"action without kind", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("matchall"), opts(noKind)}, syscall.EINVAL, "TC action kind must be specified"},
		{"auto prio blocked", func(e *env) {
			e.ingress(2)
			e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 0x8000, ethAll, 0), mall(0, 0)...)
		}, sched.RTM_NEWTFILTER, create, onIngress(2, 0, ethAll, 0), mall(0, 0), syscall.ENOSPC, "Lowest ID from auto-alloc range already in use"},
		{"template kind", func(e *env) {
			e.ingress(2)
			e.must(sched.RTM_NEWCHAIN, create, sched.TCMsg{Ifindex: 2, Parent: ingressParent}, chain(4), kind("fake"))
		}, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), append(mall(0, 0), chain(4)), syscall.EINVAL, "Chain template is set to a different filter kind"},
		{"classifier refuses", withIngress, sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), []attr{kind("fake"), opts(attr{5, nil})}, syscall.EINVAL, "fake refuses option 5"},

		{"del flush with protocol", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 0, ethIP, 0), nil, syscall.ENOENT, "Cannot flush filters with protocol, handle or kind set"},
		{"del flush with handle", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 0, 0, 1), nil, syscall.ENOENT, "Cannot flush filters with protocol, handle or kind set"},
		{"del flush with kind", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 0, 0, 0), []attr{kind("matchall")}, syscall.ENOENT, "Cannot flush filters with protocol, handle or kind set"},
		{"del flush absent chain", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 0, 0, 0), []attr{chain(5)}, 0, ""},
		{"del absent chain", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 3, 0, 0), []attr{chain(5)}, syscall.ENOENT, "Cannot find specified filter chain"},
		{"del no prio", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 4, 0, 0), nil, syscall.ENOENT, "Filter with specified priority/protocol not found"},
		{"del protocol mismatch", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 3, ethIPv6, 0), nil, syscall.EINVAL, "Protocol mismatch for filter with specified priority"},
		{"del kind mismatch", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 3, ethIP, 7), []attr{kind("fake")}, syscall.EINVAL, "Specified filter kind does not match existing one"},
		{"del no handle", withFilter, sched.RTM_DELTFILTER, 0, onIngress(2, 3, ethIP, 8), nil, syscall.ENOENT, "Specified filter handle not found"},
		{"get absent chain", withFilter, sched.RTM_GETTFILTER, 0, onIngress(2, 3, ethIP, 7), []attr{chain(5)}, syscall.EINVAL, "Cannot find specified filter chain"},
		{"get no prio", withFilter, sched.RTM_GETTFILTER, 0, onIngress(2, 4, ethIP, 7), nil, syscall.ENOENT, "Filter with specified priority/protocol not found"},
		{"get no handle", withFilter, sched.RTM_GETTFILTER, 0, onIngress(2, 3, ethIP, 8), nil, syscall.ENOENT, "Specified filter handle not found"},
		{"get kind mismatch", withFilter, sched.RTM_GETTFILTER, 0, onIngress(2, 3, ethIP, 7), []attr{kind("fake")}, syscall.EINVAL, "Specified filter kind does not match existing one"},
		{"get any protocol", withFilter, sched.RTM_GETTFILTER, 0, onIngress(2, 3, 0, 7), nil, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			_, err := e.req(c.typ, c.flags, c.m, c.as...)
			if !errIs(err, c.errno, c.msg) {
				t.Fatalf("got %v (%q), want %v (%q)", err, sched.MsgOf(err), c.errno, c.msg)
			}
		})
	}
}

// A failed create leaves nothing behind: no proto, no chain.
func TestFailedCreateLeavesNothing(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	e.notes.listening = true
	_, err := e.req(sched.RTM_NEWTFILTER, create, onIngress(2, 1, ethAll, 0), append(mall(0, matchall.FlagSkipSW), chain(3))...)
	if !errIs(err, syscall.EOPNOTSUPP, "") {
		t.Fatal(err)
	}
	sameLines(t, "dump", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 2, Parent: ingressParent}), nil)
	sameLines(t, "chains", e.mustDump(sched.RTM_GETCHAIN, sched.TCMsg{Ifindex: 2, Parent: ingressParent}), nil)
	// The chain came and went, as listeners of the kernel see it.
	sameLines(t, "notes", e.notes.take(), []string{
		"newchain(0x600) dev 2 parent ffff: chain 3",
		"delchain dev 2 parent ffff: chain 3",
	})
}

func TestAutoPriorities(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	add := func(pref uint16) {
		e.must(sched.RTM_NEWTFILTER, create, onIngress(2, pref, ethAll, 0), []attr{kind("fake")}...)
	}
	add(0)     // 49152
	add(0)     // 49151
	add(60000) // above the automatic range's start: the next goes below it
	add(0)     // 49150
	add(40000)
	add(0) // 39999
	add(2)
	add(0) // still 39998: only protos at or above 32768 count
	var prefs []string
	for _, l := range e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 2, Parent: ingressParent}) {
		if !strings.Contains(l, "handle") {
			prefs = append(prefs, strings.Fields(l)[6])
		}
	}
	sameLines(t, "prefs", prefs, []string{"2", "39998", "39999", "40000", "49150", "49151", "49152", "60000"})
}

// A proto holds many filters (fake); deleting the last takes the proto,
// deleting the proto takes its chain unless explicit.
func TestDeleteSemantics(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	m := onIngress(2, 5, ethAll, 0)
	e.must(sched.RTM_NEWTFILTER, create, m, kind("fake"), fakeOpts(0x10001, 0))
	e.must(sched.RTM_NEWTFILTER, create, m, kind("fake"), fakeOpts(0x10002, 0))
	// A change in place keeps the handle and notifies a replace.
	e.notes.listening = true
	m.Handle = 0x101
	e.must(sched.RTM_NEWTFILTER, 0, m, kind("fake"), fakeOpts(0x10003, 2))
	sameLines(t, "change note", e.notes.take(), []string{
		"newfilter dev 2 parent ffff:fff2 pref 5 proto 0x300 handle 0x101 fake chain 0 [1=0x10003 2=0x2]",
	})
	e.must(sched.RTM_DELTFILTER, 0, m)
	sameLines(t, "del note", e.notes.take(), []string{
		"delfilter dev 2 parent ffff:fff2 pref 5 proto 0x300 handle 0x101 fake chain 0 [1=0x10003 2=0x2]",
	})
	m.Handle = 0x102
	e.must(sched.RTM_DELTFILTER, 0, m)
	sameLines(t, "last del notes", e.notes.take(), []string{
		"delfilter dev 2 parent ffff:fff2 pref 5 proto 0x300 handle 0x102 fake chain 0 [1=0x10002 2=0]",
		"delchain dev 2 parent ffff: chain 0",
	})
	sameLines(t, "empty", e.mustDump(sched.RTM_GETTFILTER, sched.TCMsg{Ifindex: 2, Parent: ingressParent}), nil)

	// A whole priority, then flushing a chain.
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 5, ethAll, 0), kind("fake"), fakeOpts(0, 0))
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 6, ethIP, 0), kind("fake"), fakeOpts(0, 0), chain(2))
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 7, ethIP, 0), kind("fake"), fakeOpts(0, 0), chain(2))
	e.notes.take()
	e.must(sched.RTM_DELTFILTER, 0, onIngress(2, 5, 0, 0))
	e.must(sched.RTM_DELTFILTER, 0, onIngress(2, 0, 0, 0), chain(2))
	sameLines(t, "flush notes", e.notes.take(), []string{
		"delfilter dev 2 parent ffff:fff2 pref 5 proto 0x300 fake chain 0",
		"delchain dev 2 parent ffff: chain 0",
		"delfilter dev 2 parent ffff:fff2 pref 6 proto 0x8 fake chain 2",
		"delfilter dev 2 parent ffff:fff2 pref 7 proto 0x8 fake chain 2",
		"delchain dev 2 parent ffff: chain 2",
	})
}

func TestNotifications(t *testing.T) {
	e := newEnv(t)
	e.ingress(2)
	// Nobody listens: only the echo.
	e.must(sched.RTM_NEWTFILTER, create|nl.NLM_F_ECHO, onIngress(2, 1, ethAll, 0), kind("fake"), fakeOpts(0x10001, 0))
	sameLines(t, "echo", e.notes.take(), []string{
		"echo newfilter(0x600) dev 2 parent ffff:fff2 pref 1 proto 0x300 handle 0x101 fake chain 0 [1=0x10001 2=0]",
	})
	e.notes.listening = true
	// matchall's change hands back no filter: its notification names none.
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 2, ethAll, 0), mall(0x10001, 0)...)
	e.must(sched.RTM_NEWTFILTER, create, onIngress(2, 2, ethAll, 0), append(mall(0x10001, 0), chain(7))...)
	sameLines(t, "listeners", e.notes.take(), []string{
		"newfilter(0x600) dev 2 parent ffff:fff2 pref 2 proto 0x300 matchall chain 0",
		"newchain(0x600) dev 2 parent ffff: chain 7",
		"newfilter(0x600) dev 2 parent ffff:fff2 pref 2 proto 0x300 matchall chain 7",
	})
	// A get answers the requester alone, with the request's flags.
	got := e.must(sched.RTM_GETTFILTER, nl.NLM_F_ECHO, onIngress(2, 2, ethAll, 1), chain(7))
	sameLines(t, "get", got, []string{
		"newfilter dev 2 parent ffff:fff2 pref 2 proto 0x300 handle 0x1 matchall chain 7 [1=0x10001 3=0x8 4=0]",
	})
	sameLines(t, "get notes", e.notes.take(), nil)
	// An explicit chain's creation is announced without echo.
	e.must(sched.RTM_NEWCHAIN, create|nl.NLM_F_ECHO, sched.TCMsg{Ifindex: 2, Parent: ingressParent}, chain(9))
	e.must(sched.RTM_DELCHAIN, 0, sched.TCMsg{Ifindex: 2, Parent: ingressParent}, chain(7))
	sameLines(t, "chains", e.notes.take(), []string{
		"newchain(0x600) dev 2 parent ffff: chain 9",
		"delfilter dev 2 parent ffff:fff2 pref 2 proto 0x300 matchall chain 7",
		"delchain dev 2 parent ffff: chain 7",
	})
}
