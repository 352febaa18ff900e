package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// Exts are the actions of one filter (struct tcf_exts): classifiers keep one
// per filter, validate it from the filter's options, run it when the filter
// matches and dump it with the filter. A classifier that changes a filter
// validates new Exts and then destroys the old ones (tcf_exts_change).
type Exts struct {
	action uint16 // the classifier's TCA_*_ACT attribute, 0 if none
	police uint16 // the classifier's TCA_*_POLICE attribute, 0 if none
	acts   []*Action
	compat bool // made from the police attribute (TCA_OLD_COMPAT)
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

// Validate reads the actions a filter's options name (tcf_exts_validate):
// tb is the classifier's parsed options, rate the request's TCA_RATE.
func (e *Exts) Validate(tp *Proto, tb nl.Attrs, rate *nl.Attr, flags FilterFlags, ext *Ext) error {
	return e.ValidateEx(tp, tb, rate, flags, 0, ext)
}

// ValidateEx is tcf_exts_validate_ex: clsFlags are the filter's
// TCA_CLS_FLAGS (skip_sw, skip_hw), which actions made for it inherit and
// standalone actions bound to it must match.
func (e *Exts) ValidateEx(tp *Proto, tb nl.Attrs, rate *nl.Attr, flags FilterFlags, clsFlags uint32, ext *Ext) error {
	n := tp.Block().net
	af := actFlagsOf(flags)
	switch {
	case e.police != 0 && tb.Has(e.police):
		af |= ActFlagPolice | ActFlagBind
		k, err := loadActionKind(n, tb.Get(e.police), true)
		if err != nil {
			return err
		}
		a, created, err := initOne(n, tp, tb.Get(e.police), rate, k, af, ext)
		if err != nil {
			return err
		}
		a.Compat = true
		e.acts, e.compat = []*Action{a}, true
		insertActions(e.acts, []bool{created})
	case e.action != 0 && tb.Has(e.action):
		af |= ActFlagBind
		acts, _, err := actionInit(n, tp, tb.Get(e.action), rate, af, clsFlags, ext)
		if err != nil {
			return err
		}
		e.acts = acts
	}
	return nil
}

// actFlagsOf turns the core's filter flags into TCA_ACT_FLAGS_*.
func actFlagsOf(f FilterFlags) uint32 {
	var af uint32
	if f&FilterReplace != 0 {
		af |= ActFlagReplace
	}
	if f&FilterAtIngress != 0 {
		af |= ActFlagAtIngress
	}
	if f&FilterAtIngressOrClsact != 0 {
		af |= ActFlagAtIngressOrClsact
	}
	return af
}

// HasActions reports whether any action is attached (tcf_exts_has_actions).
func (e *Exts) HasActions() bool { return len(e.acts) > 0 }

// Actions returns the filter's actions in order.
func (e *Exts) Actions() []*Action { return e.acts }

// Exec runs the actions on a matched packet (tcf_exts_exec): with none the
// verdict is ActOK, and the filter's result stands.
func (e *Exts) Exec(p *pkt.Packet, res *Result) int {
	if len(e.acts) == 0 {
		return ActOK
	}
	return ExecActions(e.acts, p, res)
}

// Dump writes the actions inside the filter's options (tcf_exts_dump): the
// list in the classifier's action attribute, or an old-style policer in
// its police attribute.
func (e *Exts) Dump(b *nl.Builder) error {
	if e.action == 0 || len(e.acts) == 0 {
		return nil
	}
	if !e.compat {
		b.Nest(e.action)
		if err := dumpActionList(b, e.acts, 0, 0, false); err != nil {
			b.CancelNest()
			return err
		}
		b.EndNest()
		return nil
	}
	if e.police != 0 {
		a := e.acts[0]
		b.Nest(e.police)
		if err := a.Ops.Dump(a, b, 0, 0); err != nil {
			b.CancelNest()
			return err
		}
		b.EndNest()
	}
	return nil
}

// TerseDump writes the actions for a terse dump (tcf_exts_terse_dump).
func (e *Exts) TerseDump(b *nl.Builder) error {
	if e.action == 0 || len(e.acts) == 0 {
		return nil
	}
	b.Nest(e.action)
	if err := dumpActionList(b, e.acts, 0, 0, true); err != nil {
		b.CancelNest()
		return err
	}
	b.EndNest()
	return nil
}

// DumpStats writes the statistics of an old-style policer after the
// filter's options, as struct tc_stats (tcf_exts_dump_stats); other
// actions carry their statistics in their own dump.
func (e *Exts) DumpStats(b *nl.Builder) error {
	if len(e.acts) > 0 && e.acts[0].Compat {
		copyCompatStats(b, e.acts[0])
	}
	return nil
}

// Destroy releases the actions and their bindings (tcf_exts_destroy).
func (e *Exts) Destroy() {
	destroyActions(e.acts, true)
	e.acts = nil
}

// nameTooLong is the IFNAMSIZ test of nla_strscpy: a kind name must fit in
// 15 bytes and a NUL.
func nameTooLong(a *nl.Attr) bool {
	n := len(a.Data)
	if n > 0 && a.Data[n-1] == 0 {
		n--
	}
	return n >= 16
}
