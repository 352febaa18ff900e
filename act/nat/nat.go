// Package nat is stateless NAT (act_nat.c): the IPv4 source (egress) or
// destination (ingress) address under a mask is rewritten, with the IP,
// TCP, UDP and ICMP checksums following, and the inner header of ICMP
// errors rewritten the other way.
package nat

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is nat.
var Kind = &sched.ActionKind{ID: "nat", Type: TCA_ID_NAT, Init: initNat, Syntax: Syntax}

type params struct {
	oldAddr, newAddr, mask uint32 // host order of the network-order bytes
	flags                  uint32
}

type nat struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*nat)(nil)

// Act rewrites p (tcf_nat_act).
func (n *nat) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	a.LastUse()
	a.UpdateBstats(p)
	action := a.Control()
	pr := n.p.Load()
	egress := pr.flags&TCA_NAT_FLAG_EGRESS != 0
	drop := func() int {
		a.IncDrops()
		return sched.ActShot
	}
	if action == sched.ActShot {
		return drop()
	}
	noff := actutil.NetworkOffset(p)
	if noff+20 > len(p.Data) {
		return drop()
	}
	iph := p.Data[noff:]
	addrAt := 16
	if egress {
		addrAt = 12
	}
	addr := binary.BigEndian.Uint32(iph[addrAt:])
	newAddr := pr.newAddr
	fragment := binary.BigEndian.Uint16(iph[6:])&0x1fff != 0
	if (pr.oldAddr^addr)&pr.mask == 0 {
		newAddr = newAddr&pr.mask | addr&^pr.mask
		binary.BigEndian.PutUint32(iph[addrAt:], newAddr)
		actutil.Replace4(iph[10:12], addr, newAddr)
	} else if fragment || iph[9] != 1 {
		return action
	}
	ihl := int(iph[0]&0xf) * 4
	proto := iph[9]
	if fragment {
		proto = 0
	}
	switch proto {
	case 6: // TCP
		if noff+ihl+20 > len(p.Data) {
			return drop()
		}
		actutil.Replace4(p.Data[noff+ihl+16:], addr, newAddr)
	case 17: // UDP
		if noff+ihl+8 > len(p.Data) {
			return drop()
		}
		c := p.Data[noff+ihl+6:]
		if binary.BigEndian.Uint16(c) != 0 {
			actutil.Replace4(c, addr, newAddr)
			if binary.BigEndian.Uint16(c) == 0 {
				binary.BigEndian.PutUint16(c, 0xffff)
			}
		}
	case 1: // ICMP
		if noff+ihl+8 > len(p.Data) {
			return drop()
		}
		icmp := p.Data[noff+ihl:]
		if !icmpIsErr(icmp[0]) {
			break
		}
		if noff+ihl+8+20 > len(p.Data) {
			return drop()
		}
		inner := icmp[8:]
		at := 12
		if egress {
			at = 16
		}
		addr = binary.BigEndian.Uint32(inner[at:])
		if (pr.oldAddr^addr)&pr.mask != 0 {
			break
		}
		newAddr = pr.newAddr&pr.mask | addr&^pr.mask
		binary.BigEndian.PutUint32(inner[at:], newAddr)
		actutil.Replace4(icmp[2:4], addr, newAddr)
	}
	return action
}

// icmpIsErr is icmp_is_err: destination unreachable, source quench,
// redirect, time exceeded, parameter problem.
func icmpIsErr(t uint8) bool {
	switch t {
	case 3, 4, 5, 11, 12:
		return true
	}
	return false
}

// Dump writes TCA_NAT_PARMS and TCA_NAT_TM.
func (n *nat) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := n.p.Load()
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.BigEndian.PutUint32(opt[20:], pr.oldAddr)
	binary.BigEndian.PutUint32(opt[24:], pr.newAddr)
	binary.BigEndian.PutUint32(opt[28:], pr.mask)
	binary.NativeEndian.PutUint32(opt[32:], pr.flags)
	b.Put(TCA_NAT_PARMS, opt)
	actutil.PutTm(b, TCA_NAT_TM, a)
	return nil
}
