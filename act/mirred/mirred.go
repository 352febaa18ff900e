// Package mirred mirrors or redirects packets to a device of the namespace
// (act_mirred.c), to its egress (transmit) or its ingress (receive), or to
// every device holding a shared filter block (blockcast) but the one the
// packet is on: a redirect mirrors to all of them but the last, which gets
// the redirect.
// Mirroring sends a copy and returns the action's verdict (pipe by
// default); redirecting sends the packet itself from an ingress hook when
// the verdict would have consumed it anyway (the kernel's reinsert), a
// copy otherwise, and returns stolen. The packet travels through the
// namespace's sched.Forwarder, after the hook that ran the action returns
// (see sched.Forwarder). A packet that made MIRRED_NEST_LIMIT mirred hops
// is dropped, as the kernel's per-CPU recursion limit does.
package mirred

import (
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is mirred.
var Kind = &sched.ActionKind{ID: "mirred", Type: TCA_ID_MIRRED, Init: initMirred, Offload: true, Syntax: Syntax}

// nestLimit is MIRRED_NEST_LIMIT.
const nestLimit = 4

// params are what a change replaces: a device or a block.
type params struct {
	eaction int32
	ifindex int32
	dev     *sched.Dev
	blockid uint32
}

type mirred struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*mirred)(nil)

func isRedirect(e int32) bool   { return e == TCA_EGRESS_REDIR || e == TCA_INGRESS_REDIR }
func wantsIngress(e int32) bool { return e == TCA_INGRESS_REDIR || e == TCA_INGRESS_MIRROR }
func canReinsert(v int32) bool {
	return v == actutil.Shot || v == actutil.Stolen || v == actutil.Queued || v == actutil.Trap
}
func devUsable(d *sched.Dev) bool { return d != nil && d.Link().IsUp() && d.Link().Carrier() }

// Act mirrors or redirects p (tcf_mirred_act).
func (m *mirred) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	if p.MirredNest >= nestLimit {
		// Packet exceeded mirred recursion limit.
		return sched.ActShot
	}
	a.LastUse()
	a.UpdateBstats(p)
	pr := m.p.Load()
	retval := int32(a.Control())
	if pr.blockid != 0 {
		return blockcast(a, p, pr, retval)
	}
	return toDev(a, p, pr.dev, pr.eaction, retval)
}

// toDev sends p, or a copy, to d (tcf_mirred_to_dev).
func toDev(a *sched.Action, p *pkt.Packet, d *sched.Dev, eaction, retval int32) int {
	fw := a.Net().Forwarder
	if !devUsable(d) || fw == nil {
		return cantDo(a, eaction, retval)
	}
	redirect := isRedirect(eaction)
	reinsert := p.AtIngress && redirect && canReinsert(retval)
	p2 := p
	if !reinsert {
		p2 = p.Clone()
	}
	p2.MirredNest = p.MirredNest + 1
	p2.AtIngress = false
	ok := fw.Forward(d, p2, wantsIngress(eaction))
	if reinsert {
		if !ok {
			a.IncOverlimits()
		}
		return sched.ActConsumed
	}
	if !ok {
		return cantDo(a, eaction, retval)
	}
	return int(retval)
}

// blockcast sends p to the devices holding block pr.blockid but the one
// p is on (tcf_blockcast): a mirror to each; a redirect as mirrors to all
// but the last, which gets the redirect. No such block, or one without
// devices, counts an overlimit.
func blockcast(a *sched.Action, p *pkt.Packet, pr *params, retval int32) int {
	ports := a.Net().BlockPorts(pr.blockid)
	if len(ports) == 0 {
		a.IncOverlimits()
		return int(retval)
	}
	var except int32
	if d, ok := p.Dev.(*sched.Dev); ok && d != nil {
		except = d.Ifindex()
	}
	if !isRedirect(pr.eaction) {
		for _, d := range ports {
			if d.Ifindex() != except {
				toDev(a, p, d, pr.eaction, retval)
			}
		}
		return int(retval)
	}
	mirror := int32(TCA_EGRESS_MIRROR)
	if wantsIngress(pr.eaction) {
		mirror = TCA_INGRESS_MIRROR
	}
	var prev *sched.Dev
	for _, d := range ports {
		if d.Ifindex() == except {
			continue
		}
		if prev != nil {
			toDev(a, p, prev, mirror, retval)
		}
		prev = d
	}
	if prev == nil {
		return int(retval)
	}
	return toDev(a, p, prev, pr.eaction, retval)
}

// cantDo counts an overlimit; a redirect that cannot go drops.
func cantDo(a *sched.Action, eaction, retval int32) int {
	a.IncOverlimits()
	if isRedirect(eaction) {
		return sched.ActShot
	}
	return int(retval)
}

// Dump writes TCA_MIRRED_PARMS and TCA_MIRRED_TM. A device that went away
// shows as ifindex 0, as the kernel's forgotten device does.
func (m *mirred) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := m.p.Load()
	gen := a.Parms(bind, ref)
	opt := Parms{Gen: actutil.DecodeGen(gen[:]), Eaction: pr.eaction}
	if fw := a.Net().Forwarder; pr.dev != nil && fw != nil && fw.Device(pr.ifindex) == pr.dev {
		opt.Ifindex = uint32(pr.ifindex)
	}
	b.Put(TCA_MIRRED_PARMS, opt.Encode())
	if pr.blockid != 0 {
		b.PutU32(TCA_MIRRED_BLOCKID, pr.blockid)
	}
	actutil.PutTm(b, TCA_MIRRED_TM, a)
	return nil
}
