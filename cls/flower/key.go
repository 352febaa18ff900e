package flower

import (
	"encoding/binary"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
)

// A flow key is a flat byte array (struct fl_flow_key): each field at a
// fixed offset, stored as its attribute carries it (network order where
// the attribute is big-endian), so masking is a byte-wise AND, a mask's
// significant bytes are one range, and a masked key is a map key.
const (
	offIndev      = 0  // u32: ingress ifindex
	offEthDst     = 4  // 6
	offEthSrc     = 10 // 6
	offNProto     = 16 // be16
	offIPProto    = 18 // u8
	offAddrType   = 19 // u8: 4 or 6 when addresses are matched
	offNumVLANs   = 20 // u8
	offVLANID     = 21 // u16 (host order, as TCA_FLOWER_KEY_VLAN_ID)
	offVLANPrio   = 23 // u8
	offVLANTPID   = 24 // be16
	offVLANEth    = 26 // be16
	offCVLANID    = 28
	offCVLANPrio  = 30
	offCVLANTPID  = 31
	offCVLANEth   = 33
	offV4Src      = 35 // 4
	offV4Dst      = 39 // 4
	offV6Src      = 43 // 16
	offV6Dst      = 59 // 16
	offSPort      = 75 // be16
	offDPort      = 77 // be16
	offTCPFlags   = 79 // be16
	offTOS        = 81
	offTTL        = 82
	offICMPType   = 83
	offICMPCode   = 84
	offARPSip     = 85 // 4
	offARPTip     = 89 // 4
	offARPOp      = 93
	offARPSha     = 94  // 6
	offARPTha     = 100 // 6
	offMPLSTTL    = 106
	offMPLSBOS    = 107
	offMPLSTC     = 108
	offMPLSLabel  = 109 // u32 host order
	offFlags      = 113 // u32: FLOW_DIS_* bits
	offEncAddr    = 117 // u8
	offEncV4Src   = 118
	offEncV4Dst   = 122
	offEncV6Src   = 126
	offEncV6Dst   = 142
	offEncKeyID   = 158 // be32
	offEncSPort   = 162 // be16
	offEncDPort   = 164 // be16
	offEncTOS     = 166
	offEncTTL     = 167
	offHash       = 168 // u32 host order
	offSPI        = 172 // be32
	keyLen        = 176
	tunnelFlagKey = 0x04 // TUNNEL_KEY
)

type key [keyLen]byte

func (k *key) put16(off int, v uint16)  { binary.BigEndian.PutUint16(k[off:], v) }
func (k *key) putU16(off int, v uint16) { binary.NativeEndian.PutUint16(k[off:], v) }
func (k *key) putU32(off int, v uint32) { binary.NativeEndian.PutUint32(k[off:], v) }

// skbKey fills k with p's key fields as the flow dissector finds them
// (fl_classify's dissection: meta, tunnel metadata, hash and headers).
func skbKey(p *pkt.Packet, k *key, h *clsutil.Headers, needHash bool) {
	*k = key{}
	clsutil.Parse(p, h)
	k.putU32(offIndev, uint32(p.InIfindex))
	if h.HasEth {
		copy(k[offEthDst:], h.EthDst[:])
		copy(k[offEthSrc:], h.EthSrc[:])
	}
	k.put16(offNProto, h.NProto)
	k[offNumVLANs] = uint8(h.NumVLANs)
	vlans := [2][4]int{{offVLANID, offVLANPrio, offVLANTPID, offVLANEth}, {offCVLANID, offCVLANPrio, offCVLANTPID, offCVLANEth}}
	for i := 0; i < h.NumVLANs && i < 2; i++ {
		v := h.VLANs[i]
		o := vlans[i]
		k.putU16(o[0], v.ID())
		k[o[1]] = v.Prio()
		k.put16(o[2], v.TPID)
		next := h.NProto
		if i+1 < h.NumVLANs {
			next = h.VLANs[i+1].TPID
		}
		k.put16(o[3], next)
	}
	switch h.IPVer {
	case 4:
		k[offAddrType] = 4
		copy(k[offV4Src:], h.Src[:4])
		copy(k[offV4Dst:], h.Dst[:4])
	case 6:
		k[offAddrType] = 6
		copy(k[offV6Src:], h.Src[:])
		copy(k[offV6Dst:], h.Dst[:])
	}
	if h.IPVer != 0 {
		k[offIPProto] = h.IPProto
		k[offTOS], k[offTTL] = h.TOS, h.TTL
	}
	if h.HasPorts {
		k.put16(offSPort, h.SPort)
		k.put16(offDPort, h.DPort)
		k.put16(offTCPFlags, h.TCPFlags)
	}
	if h.HasICMP {
		k[offICMPType], k[offICMPCode] = h.ICMPType, h.ICMPCode
	}
	if h.HasARP {
		copy(k[offARPSip:], h.ARPSip[:])
		copy(k[offARPTip:], h.ARPTip[:])
		k[offARPOp] = h.ARPOp
		copy(k[offARPSha:], h.ARPSha[:])
		copy(k[offARPTha:], h.ARPTha[:])
	}
	if h.NumMPLS > 0 {
		lse := h.MPLS[0]
		k[offMPLSTTL] = uint8(lse)
		k[offMPLSBOS] = uint8(lse>>8) & 1
		k[offMPLSTC] = uint8(lse>>9) & 7
		k.putU32(offMPLSLabel, lse>>12)
	}
	if (h.IPProto == 50 || h.IPProto == 51) && h.Trans >= 0 {
		// ESP's SPI is its first word, AH's its second.
		o := h.Trans
		if h.IPProto == 51 {
			o += 4
		}
		if b := clsutil.Load(p, o, 4); b != nil {
			copy(k[offSPI:], b)
		}
	}
	k.putU32(offFlags, uint32(h.Frag))
	if t := p.Tunnel; t != nil {
		if t.IPv6 {
			k[offEncAddr] = 6
			copy(k[offEncV6Src:], t.Src[:])
			copy(k[offEncV6Dst:], t.Dst[:])
		} else {
			k[offEncAddr] = 4
			copy(k[offEncV4Src:], t.Src[:4])
			copy(k[offEncV4Dst:], t.Dst[:4])
		}
		if t.Flags&tunnelFlagKey != 0 {
			binary.BigEndian.PutUint32(k[offEncKeyID:], t.KeyID)
		}
		binary.NativeEndian.PutUint16(k[offEncDPort:], t.DstPort) // network order as kept
		k[offEncTOS], k[offEncTTL] = t.TOS, t.TTL
	}
	if needHash {
		k.putU32(offHash, inet.SkbHash(p))
	}
}
