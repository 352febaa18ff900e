package inet

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
)

// Keys are the flow dissector's keys of a packet (struct flow_keys, the
// parts that identify a flow): network protocol, transport protocol,
// addresses and ports. Keys compare with ==, as choke compares digests.
type Keys struct {
	NProto   uint16 // EtherType
	IPProto  uint8
	Src, Dst [16]byte // IPv4 addresses in the first four bytes
	SPort    uint16
	DPort    uint16
	Label    uint32 // IPv6 flow label
	Frag     bool   // a fragment: no ports
}

// Dissect fills k from p (skb_flow_dissect_flow_keys). Headers it cannot
// read leave the rest of the keys zero, as the kernel stops there.
func Dissect(p *pkt.Packet, k *Keys) {
	*k = Keys{NProto: p.Protocol}
	var l4 []byte
	switch p.Protocol {
	case ProtoIPv4:
		h := network(p, 20)
		if h == nil {
			return
		}
		ihl := int(h[0]&0x0f) * 4
		if ihl < 20 {
			return
		}
		k.IPProto = h[9]
		copy(k.Src[:4], h[12:16])
		copy(k.Dst[:4], h[16:20])
		frag := binary.BigEndian.Uint16(h[6:8])
		if frag&0x3fff != 0 {
			// More fragments or an offset: the kernel reads ports
			// of the first fragment only.
			k.Frag = true
			if frag&0x1fff != 0 {
				return
			}
		}
		if ihl <= len(h) {
			l4 = h[ihl:]
		}
	case ProtoIPv6:
		h := network(p, 40)
		if h == nil {
			return
		}
		k.Label = binary.BigEndian.Uint32(h[0:4]) & 0x000fffff
		k.IPProto = h[6]
		copy(k.Src[:], h[8:24])
		copy(k.Dst[:], h[24:40])
		l4 = h[40:]
	default:
		return
	}
	if t := int(p.Transport); t >= 0 && t <= len(p.Data) {
		l4 = p.Data[t:]
	}
	switch k.IPProto {
	case 6, 17, 33, 132, 136: // TCP, UDP, DCCP, SCTP, UDP-Lite
		if len(l4) >= 4 {
			k.SPort = binary.BigEndian.Uint16(l4[0:2])
			k.DPort = binary.BigEndian.Uint16(l4[2:4])
		}
	}
}

// HashRnd is the boot-time random seed of skb_get_hash (hashrnd). It is a
// constant here so that runs repeat.
var HashRnd uint32 = 0x5bd1e995

// Hash is the flow hash of the keys with a seed (flow_hash_from_keys): the
// keys are made direction-independent first, as the kernel does, so both
// directions of a connection hash alike; 0 becomes 1.
func (k *Keys) Hash(seed uint32) uint32 {
	src, dst, sp, dp := &k.Src, &k.Dst, k.SPort, k.DPort
	if c := compare16(dst, src); c < 0 || (c == 0 && dp < sp) {
		src, dst, sp, dp = dst, src, dp, sp
	}
	var w [11]uint32
	for i := 0; i < 4; i++ {
		w[i] = binary.LittleEndian.Uint32(src[4*i:])
		w[4+i] = binary.LittleEndian.Uint32(dst[4*i:])
	}
	w[8] = uint32(sp)<<16 | uint32(dp)
	w[9] = uint32(k.IPProto)<<16 | uint32(k.NProto)
	w[10] = k.Label
	h := jhash2(w[:], seed)
	if h == 0 {
		h = 1
	}
	return h
}

func compare16(a, b *[16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// SkbHash is skb_get_hash: the packet's hash if it has one (a socket or
// the driver set it), else the flow hash of its keys with HashRnd, which
// is then kept in p.Hash as the kernel keeps it in the skb.
func SkbHash(p *pkt.Packet) uint32 {
	if p.Hash != 0 {
		return p.Hash
	}
	var k Keys
	Dissect(p, &k)
	p.Hash = k.Hash(HashRnd)
	return p.Hash
}

// HashPerturb is skb_get_hash_perturb: the flow hash of the packet's keys
// with a qdisc's own perturbation, whatever hash the packet carries.
func HashPerturb(p *pkt.Packet, perturb uint32) uint32 {
	var k Keys
	Dissect(p, &k)
	return k.Hash(perturb)
}

// ReciprocalScale maps a 32-bit value onto [0, n) (reciprocal_scale).
func ReciprocalScale(v, n uint32) uint32 { return uint32(uint64(v) * uint64(n) >> 32) }

func rol32(x uint32, k uint) uint32 { return x<<k | x>>(32-k) }

// jhash2 is Bob Jenkins' lookup3 hashword, the kernel's jhash2.
func jhash2(k []uint32, initval uint32) uint32 {
	a := 0xdeadbeef + uint32(len(k))<<2 + initval
	b, c := a, a
	for len(k) > 3 {
		a += k[0]
		b += k[1]
		c += k[2]
		a -= c
		a ^= rol32(c, 4)
		c += b
		b -= a
		b ^= rol32(a, 6)
		a += c
		c -= b
		c ^= rol32(b, 8)
		b += a
		a -= c
		a ^= rol32(c, 16)
		c += b
		b -= a
		b ^= rol32(a, 19)
		a += c
		c -= b
		c ^= rol32(b, 4)
		b += a
		k = k[3:]
	}
	switch len(k) {
	case 3:
		c += k[2]
		fallthrough
	case 2:
		b += k[1]
		fallthrough
	case 1:
		a += k[0]
		c ^= b
		c -= rol32(b, 14)
		a ^= c
		a -= rol32(c, 11)
		b ^= a
		b -= rol32(a, 25)
		c ^= b
		c -= rol32(b, 16)
		a ^= c
		a -= rol32(c, 4)
		b ^= a
		b -= rol32(a, 14)
		c ^= b
		c -= rol32(b, 24)
	}
	return c
}

// Digest is make_flow_keys_digest: protocols, ports and the two IPv4
// address words of the keys in 16 bytes. For IPv6 the kernel reads the
// IPv4 view of its address union there: the first eight bytes of the
// source address.
func (k *Keys) Digest() [2]uint64 {
	src, dst := k.Src[0:4], k.Dst[0:4]
	if k.NProto == ProtoIPv6 {
		src, dst = k.Src[0:4], k.Src[4:8]
	}
	lo := uint64(k.NProto) | uint64(k.IPProto)<<16 | uint64(k.SPort)<<32 | uint64(k.DPort)<<48
	hi := uint64(binary.BigEndian.Uint32(src)) | uint64(binary.BigEndian.Uint32(dst))<<32
	return [2]uint64{lo, hi}
}

// HashWord hashes one word with a seed (jhash_1word), as a qdisc hashes a
// filter's class id with its perturbation.
func HashWord(v, seed uint32) uint32 { return jhash2([]uint32{v}, seed) }
