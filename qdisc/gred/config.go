package gred

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

func modErr(msg string) error { return sched.Err(syscall.EINVAL, "sch_gred: "+msg) }

// Init takes the table setup only: the number of VQs, the default one,
// grio, the flags and the limit (gred_init); VQs come with later changes.
func (g *gred) Init(opt *nl.Attr, _ *sched.Ext) error {
	g.rnd = aqm.NewRand(aqm.Seed(g.q))
	if opt == nil {
		return syscall.EINVAL
	}
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if o.parms != nil || o.stab != nil {
		return modErr("virtual queue configuration can't be specified at initialization time")
	}
	if o.limit != nil {
		g.limit = *o.limit
	} else {
		g.limit = g.q.Dev().Link().TxQueueLen() * aqm.PschedMTU(g.q)
	}
	return g.changeTable(o.dps)
}

// Change sets up the table (no VQ parameters) or one VQ (gred_change).
func (g *gred) Change(opt *nl.Attr, _ *sched.Ext) error {
	o, err := parseOptions(opt)
	if err != nil {
		return err
	}
	if o.parms == nil && o.stab == nil {
		if o.limit != nil {
			g.limit = *o.limit
		}
		return g.changeTable(o.dps)
	}
	if o.parms == nil || o.stab == nil || o.limit != nil {
		return modErr("can't configure Qdisc and virtual queue at the same time")
	}
	ctl := o.parms
	if ctl.DP >= g.dps {
		return modErr("virtual queue index above virtual queue count")
	}
	if o.vqList != nil {
		if err := g.validateVQs(ctl.DP, o.vqList); err != nil {
			return err
		}
	}
	prio := uint8(DefPrio)
	if g.rio {
		if ctl.Prio == 0 {
			// "GRED: DP %u does not have a prio setting default to %d"
			if d := g.tab[g.def]; d != nil {
				prio = d.prio
			}
		} else {
			prio = ctl.Prio
		}
	}
	if err := g.changeVQ(ctl, prio, o.stab, o.maxP); err != nil {
		return err
	}
	if o.vqList != nil {
		g.applyVQs(o.vqList)
	}
	if g.rio {
		g.wred = g.wredCheck()
	}
	return nil
}

// changeTable is gred_change_table_def.
func (g *gred) changeTable(dps *Sopt) error {
	if dps == nil {
		return syscall.EINVAL
	}
	switch {
	case dps.DPs > MaxDPs:
		return modErr("number of virtual queues too high")
	case dps.DPs == 0:
		return modErr("number of virtual queues can't be 0")
	case dps.DefDP >= dps.DPs:
		return modErr("default virtual queue above virtual queue count")
	case dps.Flags != 0 && g.perVQFlagsUsed():
		return modErr("can't set per-Qdisc RED flags when per-virtual queue flags are used")
	}
	g.dps = dps.DPs
	g.def = dps.DefDP
	changed := g.redFlags != uint32(dps.Flags)
	g.redFlags = uint32(dps.Flags)
	if dps.Grio != 0 {
		g.rio = true
		g.wred = g.wredCheck()
	} else {
		g.rio, g.wred = false, false
	}
	if changed {
		for i := uint32(0); i < g.dps; i++ {
			if g.tab[i] != nil {
				g.tab[i].redFlags = g.redFlags & VQFlags
			}
		}
	}
	// VQs beyond the new count are destroyed ("GRED: Warning:
	// Destroying shadowed VQ").
	for i := g.dps; i < MaxDPs; i++ {
		g.tab[i] = nil
	}
	return nil
}

// perVQFlagsUsed is gred_per_vq_red_flags_used.
func (g *gred) perVQFlagsUsed() bool {
	if g.redFlags != 0 {
		return false
	}
	for _, v := range g.tab {
		if v != nil && v.redFlags != 0 {
			return true
		}
	}
	return false
}

// changeVQ is gred_change_vq: a new VQ takes the table's flags; its limit
// is capped by the qdisc's.
func (g *gred) changeVQ(ctl *Qopt, prio uint8, stab []byte, maxP uint32) error {
	if !aqm.REDCheckParams(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.ScellLog, stab) {
		return modErr("invalid RED parameters")
	}
	v := g.tab[ctl.DP]
	if v == nil {
		v = &vq{redFlags: g.redFlags & VQFlags}
		g.tab[ctl.DP] = v
	}
	v.dp = ctl.DP
	v.prio = prio
	v.limit = min(ctl.Limit, g.limit)
	if v.backlog == 0 {
		v.vars.EndIdle()
	}
	v.parms.Set(ctl.QthMin, ctl.QthMax, ctl.Wlog, ctl.Plog, ctl.ScellLog, stab, maxP)
	v.vars.SetVars()
	return nil
}

// validateVQs is gred_vqs_validate: entries only, each naming an existing
// VQ (or the one being configured) with valid flags.
func (g *gred) validateVQs(cdp uint32, list []byte) error {
	var err error
	rem := len(list)
	nl.Walk(list, func(a nl.Attr) bool {
		rem -= nl.Align(nl.AttrHdrLen + len(a.Data))
		if a.Type != TCA_GRED_VQ_ENTRY {
			err = modErr("GRED_VQ_LIST can contain only entry attributes")
			return false
		}
		if len(a.Data) != 0 && len(a.Data) < nl.AttrHdrLen {
			err = sched.Err(syscall.ERANGE, "Attribute failed policy validation")
			return false
		}
		err = g.validateVQ(cdp, a.Data)
		return err == nil
	})
	if err != nil {
		return err
	}
	if rem > 0 {
		return modErr("Trailing data after parsing virtual queue list")
	}
	return nil
}

func (g *gred) validateVQ(cdp uint32, entry []byte) error {
	tb, err := sched.ParseOptions(entry, TCA_GRED_VQ_MAX, vqPolicy)
	if err != nil {
		return err
	}
	a := tb.Get(TCA_GRED_VQ_DP)
	if a == nil {
		return modErr("Virtual queue with no index specified")
	}
	dp := a.U32()
	if dp >= g.dps {
		return modErr("Virtual queue with index out of bounds")
	}
	if dp != cdp && g.tab[dp] == nil {
		return modErr("Virtual queue not yet instantiated")
	}
	if f := tb.Get(TCA_GRED_VQ_FLAGS); f != nil {
		flags := f.U32()
		if g.redFlags != 0 && g.redFlags != flags {
			return modErr("can't change per-virtual queue RED flags when per-Qdisc flags are used")
		}
		if flags&^VQFlags != 0 {
			return modErr("invalid RED flags specified")
		}
	}
	return nil
}

// applyVQs sets the per-VQ flags of a validated list (gred_vqs_apply).
func (g *gred) applyVQs(list []byte) {
	nl.Walk(list, func(a nl.Attr) bool {
		if a.Type != TCA_GRED_VQ_ENTRY {
			return true
		}
		tb, _ := sched.ParseOptions(a.Data, TCA_GRED_VQ_MAX, vqPolicy)
		if f := tb.Get(TCA_GRED_VQ_FLAGS); f != nil {
			g.tab[tb.Get(TCA_GRED_VQ_DP).U32()].redFlags = f.U32()
		}
		return true
	})
}
