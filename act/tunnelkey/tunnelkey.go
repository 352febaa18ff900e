// Package tunnelkey is tunnel_key (act_tunnel_key.c): set attaches tunnel
// metadata to a packet (endpoints, key id, port, TOS, TTL, checksum and
// fragmentation flags, geneve, vxlan or erspan options) for a tunnel
// device to encapsulate with; unset drops it. netsched has no tunnel
// devices: the metadata is kept on the packet (pkt.Packet.Tunnel) where a
// later classifier or test can read it.
package tunnelkey

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is tunnel_key.
var Kind = &sched.ActionKind{ID: "tunnel_key", Type: TCA_ID_TUNNEL_KEY, Init: initTunnelKey, Offload: true, Syntax: Syntax}

// TUNNEL_* flags of the metadata (ip_tunnel_key.tun_flags).
const (
	FlagCsum         = 0x01
	FlagKey          = 0x04
	FlagDontFragment = 0x0100
	FlagGeneveOpt    = 0x0800
	FlagVXLANOpt     = 0x1000
	FlagERSPANOpt    = 0x4000
)

type params struct {
	action int32
	info   *pkt.TunnelInfo // set only
	opts   []opt           // as given, for the dump
}

type tunnelKey struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*tunnelKey)(nil)

// Act sets or drops the packet's tunnel metadata (tunnel_key_act).
func (t *tunnelKey) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	pr := t.p.Load()
	a.LastUse()
	a.UpdateBstats(p)
	switch pr.action {
	case TCA_TUNNEL_KEY_ACT_RELEASE:
		p.Tunnel = nil
	case TCA_TUNNEL_KEY_ACT_SET:
		p.Tunnel = pr.info
	}
	return a.Control()
}

// Dump writes the parameters and, for set, the metadata (tunnel_key_dump).
func (t *tunnelKey) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := t.p.Load()
	gen := a.Parms(bind, ref)
	opt := make([]byte, ParmsLen)
	copy(opt, gen[:])
	binary.NativeEndian.PutUint32(opt[20:], uint32(pr.action))
	b.Put(TCA_TUNNEL_KEY_PARMS, opt)
	if pr.action == TCA_TUNNEL_KEY_ACT_SET {
		in := pr.info
		if in.Flags&FlagKey != 0 {
			var k [4]byte
			binary.BigEndian.PutUint32(k[:], in.KeyID)
			b.Put(TCA_TUNNEL_KEY_ENC_KEY_ID, k[:])
		}
		if in.IPv6 {
			b.Put(TCA_TUNNEL_KEY_ENC_IPV6_SRC, in.Src[:])
			b.Put(TCA_TUNNEL_KEY_ENC_IPV6_DST, in.Dst[:])
		} else {
			b.Put(TCA_TUNNEL_KEY_ENC_IPV4_SRC, in.Src[:4])
			b.Put(TCA_TUNNEL_KEY_ENC_IPV4_DST, in.Dst[:4])
		}
		if in.DstPort != 0 {
			var pt [2]byte
			binary.BigEndian.PutUint16(pt[:], in.DstPort)
			b.Put(TCA_TUNNEL_KEY_ENC_DST_PORT, pt[:])
		}
		noCsum := uint8(1)
		if in.Flags&FlagCsum != 0 {
			noCsum = 0
		}
		b.PutU8(TCA_TUNNEL_KEY_NO_CSUM, noCsum)
		if in.Flags&FlagDontFragment != 0 {
			b.PutFlag(TCA_TUNNEL_KEY_NO_FRAG)
		}
		dumpOpts(b, pr.opts)
		if in.TOS != 0 {
			b.PutU8(TCA_TUNNEL_KEY_ENC_TOS, in.TOS)
		}
		if in.TTL != 0 {
			b.PutU8(TCA_TUNNEL_KEY_ENC_TTL, in.TTL)
		}
	}
	actutil.PutTm(b, TCA_TUNNEL_KEY_TM, a)
	return nil
}
