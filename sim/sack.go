package sim

// SACK (RFC 2018) and SACK-based loss recovery (RFC 6675), as Linux runs
// by default: the receiver reports the blocks it holds beyond the
// cumulative ACK, and the sender keeps them in a scoreboard, counts what
// is still in the network (the "pipe") and resends the holes that have
// three segments' worth of data SACKed above them, several per round trip.

import "encoding/binary"

// spanSet is a sorted set of disjoint byte ranges in a fixed array: the
// receiver's out-of-order data and the sender's scoreboard.
type spanSet struct {
	s [tcpMaxSpans]span
	n int
}

// add merges [start, end); with no room left the range is dropped (a
// receiver out of memory; the sender will resend).
func (ss *spanSet) add(start, end uint64) {
	if start >= end {
		return
	}
	sp := ss.s[:ss.n]
	i := 0
	for i < len(sp) && sp[i].end < start {
		i++
	}
	if i < len(sp) && sp[i].start <= end {
		sp[i].start = min(sp[i].start, start)
		sp[i].end = max(sp[i].end, end)
		j := i + 1
		for j < len(sp) && sp[j].start <= sp[i].end {
			sp[i].end = max(sp[i].end, sp[j].end)
			j++
		}
		k := copy(sp[i+1:], sp[j:])
		ss.n = i + 1 + k
		return
	}
	if ss.n == tcpMaxSpans {
		return
	}
	copy(ss.s[i+1:ss.n+1], ss.s[i:ss.n])
	ss.s[i] = span{start, end}
	ss.n++
}

// trim forgets everything below una, and returns how far una moves over
// ranges that start at or below it (the receiver's in-order advance).
func (ss *spanSet) trim(una uint64) uint64 {
	k := 0
	for k < ss.n && ss.s[k].start <= una {
		una = max(una, ss.s[k].end)
		k++
	}
	if k > 0 {
		ss.n = copy(ss.s[:], ss.s[k:ss.n])
	}
	return una
}

// drop forgets what lies below una.
func (ss *spanSet) drop(una uint64) {
	k := 0
	for k < ss.n && ss.s[k].end <= una {
		k++
	}
	if k > 0 {
		ss.n = copy(ss.s[:], ss.s[k:ss.n])
	}
	if ss.n > 0 && ss.s[0].start < una {
		ss.s[0].start = una
	}
}

// next returns the start of the first range beginning after seq.
func (ss *spanSet) next(seq uint64) (uint64, bool) {
	for i := 0; i < ss.n; i++ {
		if ss.s[i].start > seq {
			return ss.s[i].start, true
		}
	}
	return 0, false
}

// covering returns the range holding seq.
func (ss *spanSet) covering(seq uint64) (span, bool) {
	for i := 0; i < ss.n; i++ {
		if ss.s[i].start <= seq && seq < ss.s[i].end {
			return ss.s[i], true
		}
		if ss.s[i].start > seq {
			break
		}
	}
	return span{}, false
}

// holes returns the bytes of [from, to) that no range covers.
func (ss *spanSet) holes(from, to uint64) uint64 {
	if from >= to {
		return 0
	}
	n := to - from
	for i := 0; i < ss.n; i++ {
		lo, hi := max(ss.s[i].start, from), min(ss.s[i].end, to)
		if lo < hi {
			n -= hi - lo
		}
	}
	return n
}

// sackBlocks are the most blocks an ACK carries: 4 fit in the 40 bytes of
// TCP options without timestamps (2 NOPs, kind, length, 4 × 8 bytes).
const sackBlocks = 4

// putSACK writes the SACK option for the receiver's out-of-order data
// into opt (the bytes after the fixed TCP header) and returns its length:
// the block holding the latest segment first (RFC 2018), then the others
// from the highest down.
func (c *tcpConn) putSACK(opt []byte) int {
	if c.ooo.n == 0 {
		return 0
	}
	var blocks [sackBlocks]span
	n := 0
	if sp, ok := c.ooo.covering(c.lastSeg); ok {
		blocks[0] = sp
		n = 1
	}
	for i := c.ooo.n - 1; i >= 0 && n < sackBlocks; i-- {
		if n > 0 && c.ooo.s[i] == blocks[0] {
			continue
		}
		blocks[n] = c.ooo.s[i]
		n++
	}
	opt[0], opt[1] = 1, 1 // NOP, NOP
	opt[2], opt[3] = 5, byte(2+8*n)
	for i := 0; i < n; i++ {
		binary.BigEndian.PutUint32(opt[4+8*i:], tcpISS+1+uint32(blocks[i].start))
		binary.BigEndian.PutUint32(opt[8+8*i:], tcpISS+1+uint32(blocks[i].end))
	}
	return 4 + 8*n
}

// readSACK adds an ACK's SACK blocks to the scoreboard; it reports
// whether they told something new.
func (c *tcpConn) readSACK(tcp []byte) bool {
	hl := int(tcp[12]>>4) * 4
	if hl <= tcpLen || hl > len(tcp) {
		return false
	}
	opts := tcp[tcpLen:hl]
	news := false
	for len(opts) > 0 {
		kind := opts[0]
		if kind == 0 {
			break
		}
		if kind == 1 {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			break
		}
		l := int(opts[1])
		if kind == 5 {
			for b := opts[2:l]; len(b) >= 8; b = b[8:] {
				start := c.unwrap(binary.BigEndian.Uint32(b)-tcpISS-1, c.sndUna)
				end := c.unwrap(binary.BigEndian.Uint32(b[4:])-tcpISS-1, c.sndUna)
				start = max(start, c.sndUna)
				end = min(end, c.sndMax)
				if start < end {
					before := c.sacked.holes(start, end)
					c.sacked.add(start, end)
					if before > 0 {
						news = true
					}
				}
			}
		}
		opts = opts[l:]
	}
	return news
}

// lostEdge is RFC 6675's IsLost as a boundary: a hole below it has at
// least three segments' worth of SACKed data above it.
func (c *tcpConn) lostEdge() uint64 {
	need := 3 * uint64(c.mss)
	var got uint64
	for i := c.sacked.n - 1; i >= 0; i-- {
		sp := c.sacked.s[i]
		got += sp.end - sp.start
		if got >= need {
			return sp.start
		}
	}
	return c.sndUna // nothing is known lost
}

// pipe is RFC 6675's SetPipe: bytes not SACKed and not lost, plus the
// lost bytes already resent in this recovery.
func (c *tcpConn) pipe(edge uint64) uint64 {
	return c.sacked.holes(max(edge, c.sndUna), c.sndNxt) + c.sacked.holes(c.sndUna, min(c.highRxt, edge))
}

// sackRecover sends what the window allows during SACK recovery: the
// lost holes first (NextSeg rule 1), then new data (rule 2).
func (c *tcpConn) sackRecover() {
	mss := uint64(c.mss)
	wnd := uint64(c.cwnd) * mss
	edge := c.lostEdge()
	for {
		p := c.pipe(edge)
		if p+mss > wnd {
			return
		}
		// Rule 1: the first lost hole at or after highRxt.
		seq := max(c.highRxt, c.sndUna)
		for seq < edge {
			sp, ok := c.sacked.covering(seq)
			if !ok {
				break
			}
			seq = sp.end
		}
		if seq < edge {
			n := min(mss, edge-seq)
			for i := 0; i < c.sacked.n; i++ {
				if s := c.sacked.s[i].start; s > seq {
					n = min(n, s-seq)
					break
				}
			}
			c.sendData(seq, n)
			c.highRxt = seq + n
			continue
		}
		// Rule 2: new data.
		if c.sndNxt >= c.limit || c.sndNxt+min(mss, c.limit-c.sndNxt) > c.sndUna+c.rwnd ||
			c.tsqBytes >= c.tsqLimit() {
			return
		}
		n := min(mss, c.limit-c.sndNxt)
		c.sendData(c.sndNxt, n)
		c.sndNxt += n
		c.sndMax = max(c.sndMax, c.sndNxt)
	}
}
