package sched

import (
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Request is a decoded traffic-control request: the netlink header, the
// tcmsg and the TCA_* attribute table, with whom to notify.
type Request struct {
	nl.Header
	TCM   TCMsg
	Attrs nl.Attrs // indexed by TCA_*
	// Notify sends notifications; nil sends none.
	Notify Notifier
	// Ext collects a warning for the ACK (NL_SET_ERR_MSG on success).
	Ext Ext
}

// Notifier delivers the notifications a request causes.
type Notifier interface {
	// Notify sends the messages fill writes to the RTNLGRP_TC listeners of
	// the namespace, and to the requester when it asked for NLM_F_ECHO.
	// fill returns false when it wrote nothing worth sending.
	Notify(req *Request, fill func(b *nl.Builder) bool)
	// Wanted reports whether a notification for req would reach anyone
	// (rtnl_notify_needed).
	Wanted(req *Request) bool
}

// Kind returns TCA_KIND and whether it was given.
func (r *Request) Kind() (string, bool) {
	if a := r.Attrs.Get(TCA_KIND); a != nil {
		return a.Str(), true
	}
	return "", false
}

// kindIs reports whether TCA_KIND is absent or names k (the kernel's
// "tca[TCA_KIND] && nla_strcmp(...)" tests, negated).
func (r *Request) kindIs(id string) bool {
	k, ok := r.Kind()
	return !ok || k == id
}

// Has reports whether the request sets a flag.
func (r *Request) Has(flag uint16) bool { return r.Flags&flag != 0 }

func (r *Request) createOrReplace() bool {
	return r.Has(nl.NLM_F_CREATE) && r.Has(nl.NLM_F_REPLACE)
}

func (r *Request) createExclusive() bool {
	return r.Has(nl.NLM_F_CREATE) && r.Has(nl.NLM_F_EXCL)
}

func (r *Request) isChange() bool {
	return !r.Has(nl.NLM_F_CREATE) && !r.Has(nl.NLM_F_REPLACE) && !r.Has(nl.NLM_F_EXCL)
}

func (r *Request) notify(fill func(b *nl.Builder) bool) {
	if r.Notify != nil {
		r.Notify.Notify(r, fill)
	}
}

func (r *Request) wanted() bool { return r.Notify != nil && r.Notify.Wanted(r) }

// TCAPolicy is rtm_tca_policy.
var TCAPolicy = map[uint16]nl.PolicyEntry{
	TCA_KIND:           {Type: nl.String},
	TCA_RATE:           {Type: nl.Binary, Len: estimatorLen},
	TCA_STAB:           {Type: nl.Nested},
	TCA_DUMP_INVISIBLE: {Type: nl.Flag},
	TCA_CHAIN:          {Type: nl.U32},
	TCA_INGRESS_BLOCK:  {Type: nl.U32},
	TCA_EGRESS_BLOCK:   {Type: nl.U32},
}

// handleOf is a convenience for kinds and tests.
func handleOf(maj uint16, min uint16) tc.Handle { return tc.Handle(uint32(maj)<<16 | uint32(min)) }
