package sched

import (
	"fmt"
	"syscall"

	"github.com/netsched/netsched/nl"
)

// Making actions from a list of TCA_ACT_* nests (tcf_action_init): every
// kind is looked up first, then each action is made or found in order; a
// failure releases what the request made and took. The new actions enter
// their tables together at the end (tcf_idr_insert_many).

// actionPolicy is tcf_action_policy.
var actionPolicy = map[uint16]nl.PolicyEntry{
	TCA_ACT_KIND:     {Type: nl.String},
	TCA_ACT_INDEX:    {Type: nl.U32},
	TCA_ACT_COOKIE:   {Type: nl.Binary, Len: tcCookieMaxSize},
	TCA_ACT_OPTIONS:  {Type: nl.Nested},
	TCA_ACT_FLAGS:    {Type: nl.Unspec},
	TCA_ACT_HW_STATS: {Type: nl.Unspec},
}

// parseAction parses one action nest against tcf_action_policy, with the
// bitfield checks of TCA_ACT_FLAGS and TCA_ACT_HW_STATS.
func parseAction(data []byte) (nl.Attrs, error) {
	tb, err := ParseOptions(data, TCA_ACT_MAX, actionPolicy)
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		t     uint16
		valid uint32
	}{{TCA_ACT_FLAGS, ActFlagNoPercpuStats | ActFlagSkipHW | ActFlagSkipSW}, {TCA_ACT_HW_STATS, TCA_ACT_HW_STATS_ANY}} {
		if errno := bitfieldCheck(tb.Get(c.t), c.valid); errno != 0 {
			return nil, Err(errno, "Attribute failed policy validation")
		}
	}
	return tb, nil
}

// bitfieldCheck is NLA_POLICY_BITFIELD32's check (validate_nla_bitfield32):
// exactly 8 bytes (else ERANGE), no bit outside valid and no value bit not
// selected (else EINVAL).
func bitfieldCheck(a *nl.Attr, valid uint32) syscall.Errno {
	if a == nil {
		return 0
	}
	if len(a.Data) != 8 {
		return syscall.ERANGE
	}
	v, sel := bitfield(a)
	if sel&^valid != 0 || v&^valid != 0 || v&^sel != 0 {
		return syscall.EINVAL
	}
	return 0
}

func bitfield(a *nl.Attr) (value, selector uint32) {
	return (&nl.Attr{Data: a.Data[0:4]}).U32(), (&nl.Attr{Data: a.Data[4:8]}).U32()
}

// loadActionKind is tc_action_load_ops: the kind a nest names, or police
// for a filter's old police attribute.
func loadActionKind(n *Net, nla *nl.Attr, police bool) (*ActionKind, error) {
	name := "police"
	if !police {
		tb, err := parseAction(nla.Data)
		if err != nil {
			return nil, err
		}
		kind := tb.Get(TCA_ACT_KIND)
		if kind == nil {
			return nil, Err(syscall.EINVAL, "TC action kind must be specified")
		}
		if nameTooLong(kind) {
			return nil, Err(syscall.EINVAL, "TC action name too long")
		}
		name = kind.Str()
	}
	var k *ActionKind
	if n.Kinds != nil {
		k = n.Kinds.Action(name)
	}
	if k == nil {
		return nil, Err(syscall.ENOENT, "Failed to load TC action module")
	}
	return k, nil
}

// initOne is tcf_action_init_1: one action from its nest (or, with
// ActFlagPolice, from the old police attribute itself).
func initOne(n *Net, tp *Proto, nla, est *nl.Attr, k *ActionKind, flags uint32, ext *Ext) (*Action, bool, error) {
	r := &ActInit{Net: n, Kind: k, Est: est, Proto: tp, Flags: flags, Ext: ext}
	var tb nl.Attrs
	hwStats := uint8(TCA_ACT_HW_STATS_ANY)
	if flags&ActFlagPolice == 0 {
		var err error
		if tb, err = parseAction(nla.Data); err != nil {
			return nil, false, err
		}
		if a := tb.Get(TCA_ACT_HW_STATS); a != nil {
			v, _ := bitfield(a)
			hwStats = uint8(v)
		}
		if a := tb.Get(TCA_ACT_FLAGS); a != nil {
			v, _ := bitfield(a)
			if v&(ActFlagSkipHW|ActFlagSkipSW) == ActFlagSkipHW|ActFlagSkipSW {
				return nil, false, syscall.EINVAL
			}
			r.Flags |= v
		}
		r.Options = tb.Get(TCA_ACT_OPTIONS)
	} else {
		r.Options = nla
	}
	a, created, err := k.Init(r)
	if err != nil {
		return nil, false, err
	}
	if flags&ActFlagPolice == 0 {
		if c := tb.Get(TCA_ACT_COOKIE); c != nil {
			a.cookie = append([]byte(nil), c.Data...)
		}
		a.HWStats = hwStats
	}
	return a, created, nil
}

// actionInit is tcf_action_init: the actions of the list nla, made or
// found in order. flFlags are the filter's TCA_CLS_FLAGS (skip_sw,
// skip_hw) for actions bound to a filter.
func actionInit(n *Net, tp *Proto, nla, est *nl.Attr, flags, flFlags uint32, ext *Ext) ([]*Action, []bool, error) {
	tb := nl.Parse(nla.Data, TCA_ACT_MAX_PRIO+1)
	if tb.Has(TCA_ACT_MAX_PRIO + 1) {
		return nil, nil, Errorf(syscall.EINVAL, "Only %d actions supported per filter", TCA_ACT_MAX_PRIO)
	}
	var kinds []*ActionKind
	for i := uint16(1); i <= TCA_ACT_MAX_PRIO && tb.Has(i); i++ {
		k, err := loadActionKind(n, tb.Get(i), flags&ActFlagPolice != 0)
		if err != nil {
			return nil, nil, err
		}
		kinds = append(kinds, k)
	}
	bind := flags&ActFlagBind != 0
	acts := make([]*Action, 0, len(kinds))
	created := make([]bool, 0, len(kinds))
	fail := func(err error) ([]*Action, []bool, error) {
		destroyActions(acts, bind)
		return nil, nil, err
	}
	for i, k := range kinds {
		a, c, err := initOne(n, tp, tb.Get(uint16(i+1)), est, k, flags, ext)
		if err != nil {
			return fail(err)
		}
		acts = append(acts, a)
		created = append(created, c)
		if bind {
			skipSW, skipHW := flFlags&clsFlagSkipSW != 0, flFlags&clsFlagSkipHW != 0
			if a.Flags&ActFlagBind != 0 {
				// Made by this filter: its flags must not ask for more
				// than the filter's, and it takes the filter's.
				if (a.Flags&ActFlagSkipSW != 0 && !skipSW) || (a.Flags&ActFlagSkipHW != 0 && !skipHW) {
					return fail(Err(syscall.EINVAL, "Mismatch between action and filter offload flags"))
				}
				if skipSW {
					a.Flags |= ActFlagSkipSW
				}
				if skipHW {
					a.Flags |= ActFlagSkipHW
				}
				continue
			}
			// A standalone action must match the filter exactly.
			if skipSW != (a.Flags&ActFlagSkipSW != 0) || skipHW != (a.Flags&ActFlagSkipHW != 0) {
				return fail(Err(syscall.EINVAL, "Mismatch between action and filter offload flags"))
			}
		} else if a.Flags&ActFlagSkipSW != 0 && a.Flags&ActFlagSkipHW == 0 {
			// tcf_action_offload_add: no device here offloads, so an
			// action that must live in hardware has nowhere to go.
			if !k.Offload {
				return fail(syscall.EOPNOTSUPP)
			}
			return fail(syscall.EINVAL)
		}
	}
	insertActions(acts, created)
	return acts, created, nil
}

// TCA_CLS_FLAGS_* of a filter, as tcf_action_init reads them.
const (
	clsFlagSkipHW = 1 << 0
	clsFlagSkipSW = 1 << 1
)

// insertActions puts the new actions in their tables in place of the
// reservations (tcf_idr_insert_many).
func insertActions(acts []*Action, created []bool) {
	for i, a := range acts {
		if created[i] {
			a.table.byIndex[a.Index] = a
		}
	}
}

// destroyActions drops the request's reference (and binding) on each
// action; those that lose their last reference go (tcf_action_destroy).
func destroyActions(acts []*Action, bind bool) {
	for _, a := range acts {
		a.Release(bind)
	}
}

// putActions drops a reference without a binding (tcf_action_put_many).
func putActions(acts []*Action) {
	for _, a := range acts {
		a.Release(false)
	}
}

// String names the action for messages: "gact index 3".
func (a *Action) String() string { return fmt.Sprintf("%s index %d", a.Kind.ID, a.Index) }
