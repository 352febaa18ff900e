package aqm

import (
	"math/bits"

	"github.com/netsched/netsched/pkt"
)

// Truesize is the memory the kernel charges for a packet (skb->truesize),
// which fq_codel's and fq_pie's memory_limit count: the sk_buff and its
// shared info (256 and 320 bytes once cache-aligned on x86-64) and a data
// buffer from kmalloc, a power of two holding the frame behind NET_SKB_PAD
// headroom. netsched's packets have no such buffers; this is the size an
// skb of the same frame would have.
func Truesize(p *pkt.Packet) uint32 {
	const skbStruct, shinfo, headroom = 256, 320, 64
	data := uint32(headroom+len(p.Data)+63)&^63 + shinfo
	size := uint32(1) << (32 - bits.LeadingZeros32(data-1))
	return size + skbStruct
}
