package cake

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
)

// cake has no conntrack: with nat set, the kernel asks conntrack for the
// packet's pre-NAT tuple and finds no entry for traffic it did not track
// (cake_update_flowkeys answers false), which is what happens here for
// every packet. See README.md.

func dsrc(mode uint8) bool { return mode&FlowDualSrc == FlowDualSrc }
func ddst(mode uint8) bool { return mode&FlowDualDst == FlowDualDst }

func (b *tin) decSrcBulk(f *flow, mode uint8) {
	if dsrc(mode) && b.hosts[f.srchost].srcBulk != 0 {
		b.hosts[f.srchost].srcBulk--
	}
}

func (b *tin) incSrcBulk(f *flow, mode uint8) {
	if dsrc(mode) && b.hosts[f.srchost].srcBulk < queues {
		b.hosts[f.srchost].srcBulk++
	}
}

func (b *tin) decDstBulk(f *flow, mode uint8) {
	if ddst(mode) && b.hosts[f.dsthost].dstBulk != 0 {
		b.hosts[f.dsthost].dstBulk--
	}
}

func (b *tin) incDstBulk(f *flow, mode uint8) {
	if ddst(mode) && b.hosts[f.dsthost].dstBulk < queues {
		b.hosts[f.dsthost].dstBulk++
	}
}

// flowQuantumOf is cake_get_flow_quantum: the tin's quantum divided by
// the load of the flow's busiest host, dithered.
func (c *cake) flowQuantumOf(b *tin, f *flow) int32 {
	mode := c.cfg.flowMode
	load := uint16(1)
	if dsrc(mode) {
		load = max(load, b.hosts[f.srchost].srcBulk)
	}
	if ddst(mode) {
		load = max(load, b.hosts[f.dsthost].dstBulk)
	}
	return int32((uint32(b.flowQuantum)*uint32(quantumDiv[load]) + uint32(c.rnd.Uint16())) >> 16)
}

// hash picks the packet's queue in tin b (cake_hash): the flow hash of
// the isolation mode, or what a filter chose, set-associatively placed in
// the tin's queues with host slots for the dual and triple modes.
func (c *cake) hash(b *tin, p *pkt.Packet, flowOverride, hostOverride uint16) uint32 {
	mode := c.cfg.flowMode
	if mode == FlowNone {
		return 0
	}
	hashFlows := flowOverride == 0 && mode&FlowFlows != 0
	hashHosts := hostOverride == 0 && mode&FlowHosts != 0
	natEnabled := mode&natFlag != 0
	useSkbHash := p.Hash != 0 // skb->l4_hash
	var flowHash, srcHash, dstHash uint32
	if !((!hashFlows || (useSkbHash && !natEnabled)) && !hashHosts) {
		var keys inet.Keys
		inet.Dissect(p, &keys)
		// No conntrack: the keys stay as they are, even with nat.
		if !(useSkbHash && !hashHosts) {
			switch {
			case keys.NProto == inet.ProtoIPv4 && hasIPv4(p), keys.NProto == inet.ProtoIPv6 && hasIPv6(p):
				dstHash = hostHash(&keys.Dst, keys.NProto)
				srcHash = hostHash(&keys.Src, keys.NProto)
			}
			if hashFlows && !useSkbHash {
				flowHash = keys.Hash(inet.HashRnd)
			}
		}
	}
	if flowOverride != 0 {
		flowHash = uint32(flowOverride) - 1
	} else if useSkbHash && mode&FlowFlows != 0 {
		flowHash = p.Hash
	}
	if hostOverride != 0 {
		dstHash = uint32(hostOverride) - 1
		srcHash = uint32(hostOverride) - 1
	}
	if mode&FlowFlows == 0 {
		if mode&FlowSrcIP != 0 {
			flowHash ^= srcHash
		}
		if mode&FlowDstIP != 0 {
			flowHash ^= dstHash
		}
	}
	reduced := flowHash % queues
	if b.tags[reduced] == flowHash && b.flows[reduced].set != 0 {
		b.wayDirects++
		return reduced
	}
	inner := reduced % setWays
	outer := reduced - inner
	allocSrc, allocDst := false, false
	k := inner
	found := false
	for i := 0; i < setWays; i, k = i+1, (k+1)%setWays {
		if b.tags[outer+k] == flowHash {
			if i != 0 {
				b.wayHits++
			}
			if b.flows[outer+k].set == 0 {
				allocSrc, allocDst = dsrc(mode), ddst(mode)
			}
			found = true
			break
		}
	}
	if !found {
		for i := 0; i < setWays; i, k = i+1, (k+1)%setWays {
			if b.flows[outer+k].set == 0 {
				b.wayMisses++
				allocSrc, allocDst = dsrc(mode), ddst(mode)
				found = true
				break
			}
		}
	}
	if !found {
		// No free queue in the set: take the collision.
		b.wayCollisions++
		allocSrc, allocDst = dsrc(mode), ddst(mode)
		if f := &b.flows[outer+k]; f.set == setBulk {
			b.decSrcBulk(f, mode)
			b.decDstBulk(f, mode)
		}
	}
	reduced = outer + k
	b.tags[reduced] = flowHash
	f := &b.flows[reduced]
	if allocSrc {
		f.srchost = b.hostSlot(srcHash, true)
		if f.set == setBulk {
			b.incSrcBulk(f, mode)
		}
	}
	if allocDst {
		f.dsthost = b.hostSlot(dstHash, false)
		if f.set == setBulk {
			b.incDstBulk(f, mode)
		}
	}
	return reduced
}

// hostSlot finds the host slot tagged with hash in its set, else takes
// one with no bulk flows (or the last tried) and tags it.
func (b *tin) hostSlot(hash uint32, src bool) uint16 {
	idx := hash % queues
	inner := idx % setWays
	outer := idx - inner
	k := inner
	tag := func(h *host) *uint32 {
		if src {
			return &h.srcTag
		}
		return &h.dstTag
	}
	for i := 0; i < setWays; i, k = i+1, (k+1)%setWays {
		if *tag(&b.hosts[outer+k]) == hash {
			return uint16(outer + k)
		}
	}
	for i := 0; i < setWays; i, k = i+1, (k+1)%setWays {
		h := &b.hosts[outer+k]
		if src && h.srcBulk == 0 || !src && h.dstBulk == 0 {
			break
		}
	}
	*tag(&b.hosts[outer+k]) = hash
	return uint16(outer + k)
}

// hasIPv4 and hasIPv6 say whether the dissector found addresses (the
// kernel's addr_type).
func hasIPv4(p *pkt.Packet) bool { return netLen(p) >= 20 }
func hasIPv6(p *pkt.Packet) bool { return netLen(p) >= 40 }

func netLen(p *pkt.Packet) int {
	off := int(p.Network)
	if off < 0 {
		off = int(p.MACLen)
	}
	if off < 0 || off > len(p.Data) {
		return 0
	}
	return len(p.Data) - off
}

// hostHash is the hash of one host address, standing for the kernel's
// flow_hash_from_keys of the keys with ports, protocol, label and the
// other address cleared (a salted hash whose values no one sees): two
// rounds of a 64-bit mixer instead of jhash over eleven words, as cake
// hashes both hosts of every packet in the host-isolating modes.
func hostHash(a *[16]byte, nproto uint16) uint32 {
	h := uint64(nproto)<<32 | uint64(inet.HashRnd)
	h = mix64(h ^ binary.LittleEndian.Uint64(a[0:]))
	h = mix64(h ^ binary.LittleEndian.Uint64(a[8:]))
	return uint32(h>>32) ^ uint32(h)
}

// mix64 is splitmix64's finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
