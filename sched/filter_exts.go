package sched

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// Exts are the actions of one filter (struct tcf_exts): classifiers keep one
// per filter, validate it from the filter's options, run it when the filter
// matches and dump it with the filter.
//
// This is the seam where act_api plugs in. Until action kinds exist, a
// filter that names actions is refused the way the kernel refuses an action
// kind it cannot load, never silently accepted.
type Exts struct {
	action uint16 // the classifier's TCA_*_ACT attribute, 0 if none
	police uint16 // the classifier's TCA_*_POLICE attribute, 0 if none
}

// NewExts returns empty extensions for a classifier whose options carry
// actions in attribute action and an old-style policer in police (0 where
// the classifier has none) (tcf_exts_init).
func NewExts(action, police uint16) Exts { return Exts{action: action, police: police} }

// Action attributes of one action in a list (TCA_ACT_*).
const (
	TCA_ACT_KIND    = 1
	TCA_ACT_OPTIONS = 2
	TCA_ACT_INDEX   = 3
	TCA_ACT_COOKIE  = 6

	// TCA_ACT_MAX_PRIO is the most actions one list holds.
	TCA_ACT_MAX_PRIO = 32
	// tcCookieMaxSize is TC_COOKIE_MAX_SIZE.
	tcCookieMaxSize = 16
)

var actionPolicy = map[uint16]nl.PolicyEntry{
	TCA_ACT_KIND:    {Type: nl.String},
	TCA_ACT_INDEX:   {Type: nl.U32},
	TCA_ACT_COOKIE:  {Type: nl.Binary, Len: tcCookieMaxSize},
	TCA_ACT_OPTIONS: {Type: nl.Nested},
}

// Validate reads the actions a filter's options name (tcf_exts_validate_ex):
// tb is the classifier's parsed options, rate the request's TCA_RATE.
func (e *Exts) Validate(tp *Proto, tb nl.Attrs, rate *nl.Attr, flags FilterFlags, ext *Ext) error {
	if e.police != 0 && tb.Has(e.police) {
		return loadActionKind(tp, "police")
	}
	if e.action == 0 || !tb.Has(e.action) {
		return nil
	}
	list := nl.Parse(tb.Get(e.action).Data, TCA_ACT_MAX_PRIO)
	// tcf_action_init looks every kind up before it makes any action.
	for i := uint16(1); i <= TCA_ACT_MAX_PRIO && list.Has(i); i++ {
		at := nl.Parse(list.Get(i).Data, TCA_ACT_COOKIE)
		if err, msg := at.Validate(actionPolicy); err != nil {
			return &Error{Errno: ErrnoOf(err), Msg: msg}
		}
		kind := at.Get(TCA_ACT_KIND)
		if kind == nil {
			return Err(syscall.EINVAL, "TC action kind must be specified")
		}
		if nameTooLong(kind) {
			return Err(syscall.EINVAL, "TC action name too long")
		}
		if err := loadActionKind(tp, kind.Str()); err != nil {
			return err
		}
	}
	return nil
}

// loadActionKind is tc_action_load_ops's lookup. No action kind can be
// instantiated yet, so a kind the registry lacks is the kernel's "cannot
// load" and one it has is refused as unsupported.
func loadActionKind(tp *Proto, kind string) error {
	var k *ActionKind
	if b := tp.Block(); b.net != nil && b.net.Kinds != nil {
		k = b.net.Kinds.actions[kind]
	}
	if k == nil {
		return Err(syscall.ENOENT, "Failed to load TC action module")
	}
	return Err(syscall.EOPNOTSUPP, "TC actions are not available yet")
}

// HasActions reports whether any action is attached (tcf_exts_has_actions).
func (e *Exts) HasActions() bool { return false }

// Exec runs the actions on a matched packet (tcf_exts_exec): with none the
// verdict is ActOK, and the filter's result stands.
func (e *Exts) Exec(p *pkt.Packet, res *Result) int { return ActOK }

// Dump writes the actions inside the filter's options (tcf_exts_dump).
func (e *Exts) Dump(b *nl.Builder) error { return nil }

// TerseDump writes the actions for a terse dump (tcf_exts_terse_dump).
func (e *Exts) TerseDump(b *nl.Builder) error { return nil }

// DumpStats writes the first action's statistics after the filter's options
// (tcf_exts_dump_stats).
func (e *Exts) DumpStats(b *nl.Builder) error { return nil }

// Destroy releases the actions (tcf_exts_destroy).
func (e *Exts) Destroy() {}

// nameTooLong is the IFNAMSIZ test of nla_strscpy: a kind name must fit in
// 15 bytes and a NUL.
func nameTooLong(a *nl.Attr) bool {
	n := len(a.Data)
	if n > 0 && a.Data[n-1] == 0 {
		n--
	}
	return n >= 16
}
