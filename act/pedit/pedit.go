// Package pedit is the generic packet editor (act_pedit.c): a list of
// keys, each a 32-bit word at an offset from a header (network by
// default; Ethernet, IPv4, IPv6, TCP or UDP with extended keys) that is
// masked and then set or, with extended keys, added to. An offset may be
// taken from a byte of the packet (at, offmask, shift). A key it cannot
// apply counts an overlimit and the rest of the list is skipped. Updating
// checksums is csum's job.
package pedit

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// Kind is pedit.
var Kind = &sched.ActionKind{ID: "pedit", Type: TCA_ID_PEDIT, Init: initPedit, Offload: true, Syntax: Syntax}

// Key is struct tc_pedit_key.
type Key struct {
	Mask, Val, Off, At, Offmask, Shift uint32
}

// KeyEx is an extended key's header type and command.
type KeyEx struct {
	HType, Cmd uint16
}

type params struct {
	keys   []Key
	keysEx []KeyEx // nil: legacy keys, network-relative sets
	flags  uint8
}

type pedit struct {
	p atomic.Pointer[params]
}

var _ sched.ActionOps = (*pedit)(nil)

// hdrOffset is pedit_skb_hdr_offset: where a header type starts.
func hdrOffset(p *pkt.Packet, htype uint16) (int, bool) {
	switch htype {
	case TCA_PEDIT_KEY_EX_HDR_TYPE_ETH:
		return 0, true
	case TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6:
		return actutil.NetworkOffset(p), true
	case TCA_PEDIT_KEY_EX_HDR_TYPE_TCP:
		return l4Offset(p, 6)
	case TCA_PEDIT_KEY_EX_HDR_TYPE_UDP:
		return l4Offset(p, 17)
	}
	return 0, false
}

// l4Offset is pedit_l4_skb_offset: after the IPv4 header, or the IPv6
// header chain up to the wanted protocol (ipv6_find_hdr).
func l4Offset(p *pkt.Packet, proto uint8) (int, bool) {
	noff := actutil.NetworkOffset(p)
	switch p.Protocol {
	case actutil.EthPIP:
		if noff+20 > len(p.Data) {
			return 0, false
		}
		return noff + int(p.Data[noff]&0xf)*4, true
	case actutil.EthPIPv6:
		return ipv6FindHdr(p.Data, noff, proto)
	}
	return 0, false
}

// ipv6FindHdr walks the extension headers to proto.
func ipv6FindHdr(d []byte, noff int, proto uint8) (int, bool) {
	if noff+40 > len(d) {
		return 0, false
	}
	next := d[noff+6]
	off := noff + 40
	for {
		if next == proto {
			return off, true
		}
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if off+8 > len(d) {
				return 0, false
			}
			next, off = d[off], off+(int(d[off+1])+1)*8
		case 44: // fragment: only the first fragment has the header
			if off+8 > len(d) || binary.BigEndian.Uint16(d[off+2:])&0xfff8 != 0 {
				return 0, false
			}
			next, off = d[off], off+8
		case 51: // authentication header
			if off+8 > len(d) {
				return 0, false
			}
			next, off = d[off], off+(int(d[off+1])+2)*4
		default:
			return 0, false
		}
	}
}

// Act applies the keys (tcf_pedit_act).
func (e *pedit) Act(a *sched.Action, p *pkt.Packet, res *sched.Result) int {
	pr := e.p.Load()
	a.LastUse()
	a.UpdateBstats(p)
	htype := uint16(TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK)
	cmd := uint16(TCA_PEDIT_KEY_EX_CMD_SET)
	for i, k := range pr.keys {
		if pr.keysEx != nil {
			htype, cmd = pr.keysEx[i].HType, pr.keysEx[i].Cmd
		}
		hoff, ok := hdrOffset(p, htype)
		if !ok {
			a.IncOverlimits()
			break
		}
		off := int(int32(k.Off))
		if k.Offmask != 0 {
			at := hoff + int(int32(k.At))
			if at < 0 || at >= len(p.Data) {
				a.IncOverlimits()
				break
			}
			off += int((uint32(p.Data[at]) & k.Offmask) >> k.Shift)
			if off%4 != 0 {
				a.IncOverlimits()
				break
			}
		}
		pos := hoff + off
		if pos < 0 || pos+4 > len(p.Data) {
			a.IncOverlimits()
			break
		}
		cur := binary.NativeEndian.Uint32(p.Data[pos:])
		var val uint32
		switch cmd {
		case TCA_PEDIT_KEY_EX_CMD_SET:
			val = k.Val
		case TCA_PEDIT_KEY_EX_CMD_ADD:
			val = (cur + k.Val) &^ k.Mask
		default:
			a.IncOverlimits()
			return a.Control()
		}
		binary.NativeEndian.PutUint32(p.Data[pos:], cur&k.Mask^val)
	}
	return a.Control()
}

// Dump writes the keys (tcf_pedit_dump): with extended keys, their list
// and the parameters as TCA_PEDIT_PARMS_EX.
func (e *pedit) Dump(a *sched.Action, b *nl.Builder, bind, ref int) error {
	pr := e.p.Load()
	sel := Sel{Gen: actutil.DecodeGen(func() []byte { g := a.Parms(bind, ref); return g[:] }()), Flags: pr.flags, Keys: pr.keys}
	if pr.keysEx != nil {
		b.Nest(TCA_PEDIT_KEYS_EX)
		for _, x := range pr.keysEx {
			b.Nest(TCA_PEDIT_KEY_EX)
			b.PutU16(TCA_PEDIT_KEY_EX_HTYPE, x.HType)
			b.PutU16(TCA_PEDIT_KEY_EX_CMD, x.Cmd)
			b.EndNest()
		}
		b.EndNest()
		b.Put(TCA_PEDIT_PARMS_EX, sel.Encode())
	} else {
		b.Put(TCA_PEDIT_PARMS, sel.Encode())
	}
	actutil.PutTm(b, TCA_PEDIT_TM, a)
	return nil
}
