package cake

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
)

// The ACK filter (cake_ack_filter): when a TCP ACK is queued behind older
// pure ACKs of the same connection that it makes redundant (its
// cumulative ACK and SACK cover theirs, their timestamps are not newer,
// they carry no data and no option the receiver would miss), the oldest
// of them is dropped, once two are found, or at once in aggressive mode
// when the two are adjacent. It reads the real IPv4, IPv6 and 6in4 and
// TCP headers of the packets.

// TCP flag bits in the 4th 32-bit word of the header (tcp_flag_word).
const (
	tcpFlagCWR = 0x00800000
	tcpFlagECE = 0x00400000
	tcpFlagACK = 0x00100000
	tcpFlagSYN = 0x00020000
)

// TCP option kinds.
const (
	optEOL       = 0
	optNOP       = 1
	optMSS       = 2
	optWindow    = 3
	optSACKPerm  = 4
	optSACK      = 5
	optTimestamp = 8
	optMD5       = 19
	optFastOpen  = 34
	optExp       = 254
	lenTimestamp = 10
)

// ipHdr is what the filter needs of the IP header.
type ipHdr struct {
	version  uint8
	src, dst []byte // 4 or 16 bytes
	seglen   int    // payload length after the IP header (IPv4: total - ihl)
}

// tcpHdr is a TCP header with its options.
type tcpHdr []byte

func (t tcpHdr) hdrLen() int      { return int(t[12]>>4) * 4 }
func (t tcpHdr) flagWord() uint32 { return binary.BigEndian.Uint32(t[12:]) }
func (t tcpHdr) ackSeq() uint32   { return binary.BigEndian.Uint32(t[8:]) }
func (t tcpHdr) ports() (a, b uint16) {
	return binary.BigEndian.Uint16(t[0:]), binary.BigEndian.Uint16(t[2:])
}

// headers finds the IP (after 6in4, the inner IPv6) and TCP headers of a
// packet (cake_get_iphdr, cake_get_tcphdr); ok is false for anything
// else.
func headers(p *pkt.Packet) (ip ipHdr, tcp tcpHdr, ok bool) {
	off := int(p.Network)
	if off < 0 {
		off = int(p.MACLen)
	}
	d := p.Data
	if off < 0 || off+20 > len(d) {
		return ip, nil, false
	}
	h := d[off:]
	var l4 int
	switch h[0] >> 4 {
	case 4:
		ihl := int(h[0]&0x0f) * 4
		if ihl < 20 || ihl > len(h) {
			return ip, nil, false
		}
		if h[9] == 41 { // 6in4
			inner := h[ihl:]
			if len(inner) < 40 || inner[0]>>4 != 6 || inner[6] != 6 {
				return ip, nil, false
			}
			ip = ipHdr{version: 6, src: inner[8:24], dst: inner[24:40], seglen: int(binary.BigEndian.Uint16(inner[4:]))}
			l4 = off + ihl + 40
			break
		}
		if h[9] != 6 {
			return ip, nil, false
		}
		ip = ipHdr{version: 4, src: h[12:16], dst: h[16:20], seglen: int(binary.BigEndian.Uint16(h[2:])) - ihl}
		l4 = off + ihl
	case 6:
		if len(h) < 40 || h[6] != 6 {
			return ip, nil, false
		}
		ip = ipHdr{version: 6, src: h[8:24], dst: h[24:40], seglen: int(binary.BigEndian.Uint16(h[4:]))}
		l4 = off + 40
	default:
		return ip, nil, false
	}
	if l4+20 > len(d) {
		return ip, nil, false
	}
	t := tcpHdr(d[l4:])
	if t[12]>>4 < 5 || l4+t.hdrLen() > len(d) {
		return ip, nil, false
	}
	return ip, t[:t.hdrLen()], true
}

// option finds a TCP option, returning its contents and total length
// (cake_get_tcpopt).
func (t tcpHdr) option(code byte) ([]byte, int) {
	opts := t[20:]
	for len(opts) > 0 {
		op := opts[0]
		if op == optEOL {
			break
		}
		if op == optNOP {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			break
		}
		size := int(opts[1])
		if size < 2 || size > len(opts) {
			break
		}
		if op == code {
			return opts[2:size], size
		}
		opts = opts[size:]
	}
	return nil, 0
}

func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }
func seqAfter(a, b uint32) bool  { return seqBefore(b, a) }

// sackCompare is cake_tcph_sack_compare: -1 when A SACKs something B does
// not (or has a DSACK), 1 when B covers A and SACKs more, 0 when equal.
func sackCompare(a, b tcpHdr) int {
	ackA := a.ackSeq()
	sa, la := a.option(optSACK)
	sb, lb := b.option(optSACK)
	la -= 2
	lb -= 2
	hasA := sa != nil && la >= 8
	hasB := sb != nil && lb >= 8
	switch {
	case hasA && !hasB:
		return -1
	case hasB && !hasA:
		return 1
	case !hasA && !hasB:
		return 0
	}
	var bytesA, bytesB uint32
	first := true
	for ; la >= 8; la, sa = la-8, sa[8:] {
		startA := binary.BigEndian.Uint32(sa)
		endA := binary.BigEndian.Uint32(sa[4:])
		if seqBefore(startA, ackA) {
			return -1 // a DSACK: never drop it
		}
		bytesA += endA - startA
		found := false
		tmp, lt := sb, lb
		for ; lt >= 8; lt, tmp = lt-8, tmp[8:] {
			startB := binary.BigEndian.Uint32(tmp)
			endB := binary.BigEndian.Uint32(tmp[4:])
			if first {
				bytesB += endB - startB
			}
			if !seqAfter(startB, startA) && !seqBefore(endB, endA) {
				found = true
				if !first {
					break
				}
			}
		}
		if !found {
			return -1
		}
		first = false
	}
	if bytesB > bytesA {
		return 1
	}
	return 0
}

// timestamp reads the timestamp option's values.
func (t tcpHdr) timestamp() (tsval, tsecr uint32) {
	if o, n := t.option(optTimestamp); o != nil && n == lenTimestamp {
		return binary.BigEndian.Uint32(o), binary.BigEndian.Uint32(o[4:])
	}
	return 0, 0
}

// mayDrop is cake_tcph_may_drop: a pure ACK with only options the new
// ACK makes redundant.
func (t tcpHdr) mayDrop(tsNew, tsecrNew uint32) bool {
	if t.flagWord()&0x0F3F0000 != tcpFlagACK {
		return false
	}
	opts := t[20:]
	for len(opts) > 0 {
		op := opts[0]
		if op == optEOL {
			break
		}
		if op == optNOP {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			break
		}
		size := int(opts[1])
		if size < 2 || size > len(opts) {
			break
		}
		switch op {
		case optMD5:
		case optSACK:
			if size%8 != 2 {
				return false
			}
		case optTimestamp:
			if size != lenTimestamp {
				return false
			}
			ts := binary.BigEndian.Uint32(opts[2:])
			tsecr := binary.BigEndian.Uint32(opts[6:])
			if seqAfter(ts, tsNew) || seqAfter(tsecr, tsecrNew) {
				return false
			}
		default:
			// MSS, window, SACK-permitted, fast open, experimental
			// and unknown options: keep the packet.
			return false
		}
		opts = opts[size:]
	}
	return true
}

func bytesEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ackFilter looks for an ACK in the flow that its tail makes redundant,
// unlinks it and returns it, or nil (cake_ack_filter).
func (c *cake) ackFilter(f *flow) *pkt.Packet {
	aggressive := c.cfg.ackFilter == AckAggressive
	if f.head == f.tail {
		return nil
	}
	skb := f.tail
	iph, tcph, ok := headers(skb)
	if !ok {
		return nil
	}
	tsval, tsecr := tcph.timestamp()
	if tcph.flagWord()&(tcpFlagACK|tcpFlagSYN) != tcpFlagACK {
		return nil
	}
	var eligAck, eligPrev, prev *pkt.Packet
	var eligFlags uint32
	numFound := 0
	sport, dport := tcph.ports()
	for chk := f.head; chk != nil && chk != skb; prev, chk = chk, chk.Next {
		ipc, tc, ok := headers(chk)
		if !ok || ipc.version != iph.version {
			continue
		}
		if s, d := tc.ports(); s != sport || d != dport {
			continue
		}
		if !bytesEqual(ipc.src, iph.src) || !bytesEqual(ipc.dst, iph.dst) {
			continue
		}
		// Changed ECE/CWR flags carry information: the earlier
		// eligible ACK must stay.
		if eligAck != nil && tc.flagWord()&(tcpFlagECE|tcpFlagCWR) != eligFlags {
			eligAck, eligPrev = nil, nil
			numFound--
		}
		if !tc.mayDrop(tsval, tsecr) || ipc.seglen-tc.hdrLen() != 0 || seqAfter(tc.ackSeq(), tcph.ackSeq()) {
			continue
		}
		cmp := sackCompare(tc, tcph)
		if cmp < 0 || tc.ackSeq() == tcph.ackSeq() && cmp == 0 {
			continue
		}
		if eligAck == nil {
			eligAck, eligPrev = chk, prev
			eligFlags = tc.flagWord() & (tcpFlagECE | tcpFlagCWR)
		}
		if numFound > 0 {
			return unlinkAck(f, eligAck, eligPrev)
		}
		numFound++
	}
	if eligAck != nil && aggressive && eligAck.Next == skb && eligFlags == tcph.flagWord()&(tcpFlagECE|tcpFlagCWR) {
		return unlinkAck(f, eligAck, eligPrev)
	}
	return nil
}

func unlinkAck(f *flow, ack, prev *pkt.Packet) *pkt.Packet {
	if prev != nil {
		prev.Next = ack.Next
	} else {
		f.head = ack.Next
	}
	ack.Next = nil
	return ack
}
