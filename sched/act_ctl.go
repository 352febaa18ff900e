package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
)

// RTM_NEWACTION, RTM_DELACTION and RTM_GETACTION: actions by kind and
// index, outside any filter (tc_ctl_action and tc_dump_action). A request
// is a struct tcamsg (4 bytes) and TCA_ROOT_* attributes; Request.Attrs
// holds those.

// TCA_ROOT_* attributes of action messages.
const (
	TCA_ROOT_TAB          = 1 // TCA_ACT_TAB: the list of actions
	TCA_ROOT_FLAGS        = 2
	TCA_ROOT_COUNT        = 3
	TCA_ROOT_TIME_DELTA   = 4 // ms
	TCA_ROOT_EXT_WARN_MSG = 5
	TCA_ROOT_MAX          = TCA_ROOT_EXT_WARN_MSG

	TCA_ACT_FLAG_LARGE_DUMP_ON = 1 << 0
	TCA_ACT_FLAG_TERSE_DUMP    = 1 << 1

	// TcamsgLen is sizeof(struct tcamsg).
	TcamsgLen = 4
)

// ActionCtl answers RTM_NEWACTION, RTM_DELACTION and RTM_GETACTION
// (tc_ctl_action). A get sends its answer through reply.
func ActionCtl(n *Net, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	tab := r.Attrs.Get(TCA_ROOT_TAB)
	if tab == nil {
		return Err(syscall.EINVAL, "Netlink action attributes missing")
	}
	switch r.Type {
	case RTM_NEWACTION:
		var flags uint32
		if r.Has(nl.NLM_F_REPLACE) {
			flags = ActFlagReplace
		}
		return actionAdd(n, tab, r, flags)
	case RTM_DELACTION, RTM_GETACTION:
		return actionGetDel(n, tab, r, reply)
	}
	return Err(syscall.EOPNOTSUPP, "Unsupported message type")
}

// actionAdd is tcf_action_add: make or replace the actions (retrying, as
// the kernel does, while an index is busy), tell the listeners, and let
// go of the actions that existed before.
func actionAdd(n *Net, tab *nl.Attr, r *Request, flags uint32) error {
	var acts []*Action
	var created []bool
	var err error
	for loop := 0; loop < 10; loop++ {
		acts, created, err = actionInit(n, nil, tab, nil, flags, 0, &r.Ext)
		if err == nil || ErrnoOf(err) != syscall.EAGAIN {
			break
		}
	}
	if err != nil {
		return err
	}
	r.notify(func(b *nl.Builder) bool {
		return fillActions(b, acts, r.Pid, r.Seq, r.Flags, RTM_NEWACTION, 0, 0, &r.Ext) == nil
	})
	for i, a := range acts {
		if !created[i] {
			a.Release(false)
		}
	}
	return nil
}

// fillActions writes one action message (tca_get_fill): tcamsg, a warning
// if any, and the actions in TCA_ACT_TAB.
func fillActions(b *nl.Builder, acts []*Action, pid, seq uint32, flags, event uint16, bind, ref int, ext *Ext) error {
	b.Begin(event, flags, seq, pid)
	b.Raw(make([]byte, TcamsgLen))
	if ext != nil && ext.Msg != "" {
		b.PutString(TCA_ROOT_EXT_WARN_MSG, ext.Msg)
	}
	b.Nest(TCA_ROOT_TAB)
	if err := dumpActionList(b, acts, bind, ref, false); err != nil {
		b.Cancel()
		return err
	}
	b.EndNest()
	b.End()
	return nil
}

// actionGetDel is tca_action_gd: get or delete the actions named by kind
// and index, or flush a kind (a delete with NLM_F_ROOT).
func actionGetDel(n *Net, tab *nl.Attr, r *Request, reply func(fill func(b *nl.Builder) bool)) error {
	tb := nl.Parse(tab.Data, TCA_ACT_MAX_PRIO)
	if r.Type == RTM_DELACTION && r.Has(nl.NLM_F_ROOT) {
		if tb.Has(1) {
			return actionFlush(n, tb.Get(1), r)
		}
		return Err(syscall.EINVAL, "Invalid netlink attributes while flushing TC action")
	}
	var acts []*Action
	for i := uint16(1); i <= TCA_ACT_MAX_PRIO && tb.Has(i); i++ {
		a, err := actionGetOne(n, tb.Get(i))
		if err != nil {
			putActions(acts)
			return err
		}
		acts = append(acts, a)
	}
	if r.Type == RTM_GETACTION {
		var ferr error
		reply(func(b *nl.Builder) bool {
			ferr = fillActions(b, acts, r.Pid, r.Seq, 0, RTM_GETACTION, 0, 1, nil)
			return ferr == nil
		})
		putActions(acts)
		if ferr != nil {
			return Err(syscall.EINVAL, "Failed to fill netlink attributes while adding TC action")
		}
		return nil
	}
	// tcf_del_notify: the message is made before the actions go.
	var msg *nl.Builder
	if r.wanted() {
		msg = nl.NewBuilder()
		if fillActions(msg, acts, r.Pid, r.Seq, 0, RTM_DELACTION, 0, 2, &r.Ext) != nil {
			putActions(acts)
			return Err(syscall.EINVAL, "Failed to fill netlink TC action attributes")
		}
	}
	for i, a := range acts {
		acts[i] = nil
		if a.Release(false) {
			continue
		}
		if err := deleteIndex(a.table, a.Index); err != nil {
			putActions(nonNil(acts))
			return Err(ErrnoOf(err), "Failed to delete TC action")
		}
	}
	if msg != nil {
		r.notify(func(b *nl.Builder) bool { b.Raw(msg.Bytes()); return true })
	}
	return nil
}

func nonNil(acts []*Action) []*Action {
	var out []*Action
	for _, a := range acts {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// deleteIndex deletes an action no filter is bound to (tcf_idr_delete_index):
// an action with bindings is EPERM.
func deleteIndex(t *actTable, index uint32) error {
	a := t.byIndex[index]
	if a == nil {
		return syscall.ENOENT
	}
	if a.bindcnt > 0 {
		return syscall.EPERM
	}
	a.Release(false)
	return nil
}

// actionGetOne finds one action by kind and index, taking a reference
// (tcf_action_get_1).
func actionGetOne(n *Net, nla *nl.Attr) (*Action, error) {
	tb, err := parseAction(nla.Data)
	if err != nil {
		return nil, err
	}
	idx := tb.Get(TCA_ACT_INDEX)
	if idx == nil || len(idx.Data) < 4 {
		return nil, Err(syscall.EINVAL, "Invalid TC action index value")
	}
	k := lookupActionKind(n, tb.Get(TCA_ACT_KIND))
	if k == nil {
		return nil, Err(syscall.EINVAL, "Specified TC action kind not found")
	}
	a := n.table(k).byIndex[idx.U32()]
	if a == nil {
		return nil, Err(syscall.ENOENT, "TC action with specified index not found")
	}
	a.refcnt++
	return a, nil
}

// lookupActionKind is tc_lookup_action: the kind an attribute names, or
// nil.
func lookupActionKind(n *Net, kind *nl.Attr) *ActionKind {
	if kind == nil || n.Kinds == nil {
		return nil
	}
	return n.Kinds.Action(kind.Str())
}

// actionFlush deletes every action of a kind that no filter is bound to,
// in index order, stopping at the first bound one (tca_action_flush and
// tcf_del_walker); the listeners hear how many went.
func actionFlush(n *Net, nla *nl.Attr, r *Request) error {
	tb, err := parseAction(nla.Data)
	if err != nil {
		return err
	}
	k := lookupActionKind(n, tb.Get(TCA_ACT_KIND))
	if k == nil {
		return Err(syscall.EINVAL, "Cannot flush unknown TC action")
	}
	t := n.table(k)
	count := 0
	var stop error
	for _, idx := range t.sorted() {
		a := t.byIndex[idx]
		if a.bindcnt > 0 {
			stop = syscall.EPERM
			break
		}
		a.Release(false)
		count++
	}
	if stop != nil {
		if count == 0 {
			return stop
		}
		r.Ext.Warn("Unable to flush all TC actions")
	}
	if count == 0 {
		return nil
	}
	r.notify(func(b *nl.Builder) bool {
		b.Begin(RTM_DELACTION, nl.NLM_F_ROOT, r.Seq, r.Pid)
		b.Raw(make([]byte, TcamsgLen))
		b.Nest(TCA_ROOT_TAB)
		b.Nest(0)
		b.PutString(TCA_ACT_KIND, k.ID)
		b.PutU32(TCA_FCNT, uint32(count))
		b.EndNest()
		b.EndNest()
		b.End()
		return true
	})
	return nil
}

// Dump sizes: the first message of a dump fills an skb of NLMSG_GOODSIZE;
// the next ones the 32 KiB iproute2 reads with (netlink_dump with
// max_recvmsg_len), each less the skb's overhead.
const (
	dumpFirstSize = 4096 - 320
	dumpNextSize  = 32768 - 320
)

// DumpActions answers an action dump (tc_dump_action): the actions of the
// kind the first TCA_ACT_TAB nest names, in index order, 32 to a message
// unless TCA_ACT_FLAG_LARGE_DUMP_ON, each message as large as the kernel's
// buffer allows; TCA_ROOT_TIME_DELTA keeps those used in the last ms. A
// kind missing or unknown dumps nothing.
func DumpActions(n *Net, r *Request, add func(fill func(b *nl.Builder) bool)) error {
	var rootFlags uint32
	if a := r.Attrs.Get(TCA_ROOT_FLAGS); a != nil {
		if errno := bitfieldCheck(a, TCA_ACT_FLAG_LARGE_DUMP_ON|TCA_ACT_FLAG_TERSE_DUMP); errno != 0 {
			return Err(errno, "Attribute failed policy validation")
		}
		rootFlags, _ = bitfield(a)
	}
	var since int64 = -1
	if a := r.Attrs.Get(TCA_ROOT_TIME_DELTA); a != nil {
		if len(a.Data) < 4 {
			return Err(syscall.ERANGE, "Attribute failed policy validation")
		}
		if ms := a.U32(); ms != 0 {
			since = n.Clock.Now() - int64(ms)*1e6
		}
	}
	tab := r.Attrs.Get(TCA_ROOT_TAB)
	if tab == nil {
		return nil
	}
	first := nl.Parse(tab.Data, TCA_ACT_MAX_PRIO).Get(1)
	if first == nil {
		return nil
	}
	tb, err := parseAction(first.Data)
	if err != nil {
		return nil
	}
	k := lookupActionKind(n, tb.Get(TCA_ACT_KIND))
	if k == nil {
		return nil
	}
	t := n.table(k)
	var acts []*Action
	for _, idx := range t.sorted() {
		a := t.byIndex[idx]
		if since >= 0 && a.lastuse.Load() < since {
			continue
		}
		acts = append(acts, a)
	}
	large := rootFlags&TCA_ACT_FLAG_LARGE_DUMP_ON != 0
	terse := rootFlags&TCA_ACT_FLAG_TERSE_DUMP != 0
	limit := dumpFirstSize
	for len(acts) > 0 {
		msg := nl.NewBuilder()
		msg.Begin(RTM_GETACTION, nl.NLM_F_MULTI, r.Seq, r.Pid)
		msg.Raw(make([]byte, TcamsgLen))
		countAt := msg.Len()
		msg.PutU32(TCA_ROOT_COUNT, 0)
		msg.Nest(TCA_ROOT_TAB)
		ni := 0
		for ni < len(acts) && (large || ni < TCA_ACT_MAX_PRIO) {
			mark := msg.Len()
			msg.Nest(uint16(ni))
			if terse {
				dumpTerse(msg, acts[ni], true)
			} else if dumpAction(msg, acts[ni], 0, 0) != nil {
				msg.CancelNest()
				break
			}
			msg.EndNest()
			if msg.Len()+nl.HdrLen > limit && ni > 0 {
				// It did not fit: it opens the next message.
				msg.B = msg.B[:mark]
				break
			}
			ni++
		}
		if ni == 0 {
			return nil
		}
		msg.EndNest()
		msg.End()
		if large {
			putU32(msg.B[countAt+nl.AttrHdrLen:], uint32(ni))
		}
		out := msg.Bytes()
		add(func(b *nl.Builder) bool { b.Raw(out); return true })
		acts = acts[ni:]
		limit = dumpNextSize
	}
	return nil
}
