// Package csum recomputes checksums of a packet's headers (act_csum.c):
// the IPv4 header, and ICMP, IGMP, TCP, UDP, UDP-Lite and SCTP over IPv4
// or IPv6, under up to any number of VLAN tags; what it cannot reach
// drops the packet.
package csum

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is csum.
var Kind = &sched.ActionKind{ID: "csum", Type: TCA_ID_CSUM, Init: initCsum, Offload: true, Syntax: Syntax}

type csum struct {
	flags atomic.Uint32
}

var _ sched.ActionOps = (*csum)(nil)

// Act updates the checksums (tcf_csum_act).
func (c *csum) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	flags := c.flags.Load()
	a.LastUse()
	a.UpdateBstats(p)
	action := a.Control()
	if action == sched.ActShot {
		a.IncDrops()
		return sched.ActShot
	}
	proto := actutil.Protocol(p, false)
	noff := actutil.NetworkOffset(p)
	outerTag := false
	for {
		ok := true
		switch proto {
		case actutil.EthPIP:
			ok = ipv4(p.Data, noff, flags)
		case actutil.EthPIPv6:
			ok = ipv6(p.Data, noff, flags)
		case actutil.EthP8021Q, actutil.EthP8021AD:
			if actutil.TagPresent(p) && !outerTag {
				proto, outerTag = p.Protocol, true
			} else {
				if noff+actutil.VLANHLen > len(p.Data) {
					ok = false
					break
				}
				proto = binary.BigEndian.Uint16(p.Data[noff+2:])
				noff += actutil.VLANHLen
			}
			continue
		}
		if !ok {
			a.IncDrops()
			return sched.ActShot
		}
		return action
	}
}

// Dump writes TCA_CSUM_PARMS and TCA_CSUM_TM.
func (c *csum) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint32(opt[20:], c.flags.Load())
	b.Put(TCA_CSUM_PARMS, opt)
	actutil.PutTm(b, TCA_CSUM_TM, a)
	return nil
}
