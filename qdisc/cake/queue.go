package cake

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/pkt/inet"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// What a queued packet keeps in its Cb (struct cobalt_skb_cb): when it was
// enqueued (ns) and its overhead-adjusted length, and the truesize it was
// charged against the memory limit.
const (
	cbEnqueueTime = 0
	cbAdjustedLen = 1
	cbTruesize    = 2
)

func (f *flow) add(p *pkt.Packet) {
	p.Next = nil
	if f.head == nil {
		f.head = p
	} else {
		f.tail.Next = p
	}
	f.tail = p
}

func (f *flow) popHead() *pkt.Packet {
	p := f.head
	if p != nil {
		f.head = p.Next
		p.Next = nil
	}
	return p
}

func ewma(avg, sample uint64, shift uint) uint64 {
	avg -= avg >> shift
	avg += sample >> shift
	return avg
}

// calcOverhead is cake_calc_overhead: the length as the link sees it,
// with the configured overhead in place of the MAC header, at least the
// MPU, in whole ATM cells or with PTM's 64b/65b.
func (c *cake) calcOverhead(length, off uint32) uint32 {
	q := &c.cfg
	if q.rateFlags&flagOverhead != 0 {
		length -= off
	}
	if uint32(c.maxNetlen) < length {
		c.maxNetlen = uint16(length)
	}
	if uint32(c.minNetlen) > length {
		c.minNetlen = uint16(length)
	}
	length = uint32(max(int32(length)+int32(q.rateOverhead), int32(q.rateMPU)))
	switch q.atmMode {
	case ATMATM:
		length = (length + 47) / 48 * 53
	case ATMPTM:
		length += (length + 63) / 64
	}
	if uint32(c.maxAdjlen) < length {
		c.maxAdjlen = uint16(length)
	}
	if uint32(c.minAdjlen) > length {
		c.minAdjlen = uint16(length)
	}
	return length
}

// overhead is cake_overhead for an unsegmented packet.
func (c *cake) overhead(p *pkt.Packet) uint32 {
	off := uint32(0)
	if p.Network > 0 {
		off = uint32(p.Network)
	}
	c.avgNetoff = uint32(ewma(uint64(c.avgNetoff), uint64(off)<<16, 8))
	return c.calcOverhead(p.PktLen, off)
}

// The overflow heap: every queue of every tin, the longest at the top.
func (c *cake) heapSwap(i, j uint16) {
	ii, jj := c.heap[i], c.heap[j]
	c.heap[i], c.heap[j] = jj, ii
	c.tins[ii.t].overflowIdx[ii.b] = j
	c.tins[jj.t].overflowIdx[jj.b] = i
}

func (c *cake) heapBacklog(i uint16) uint32 {
	e := c.heap[i]
	return c.tins[e.t].backlogs[e.b]
}

func (c *cake) heapify(i uint16) {
	const a = MaxTins * queues
	mb := c.heapBacklog(i)
	m := uint32(i)
	for m < a {
		l := m + m + 1
		r := l + 1
		if l < a {
			if lb := c.heapBacklog(uint16(l)); lb > mb {
				m, mb = l, lb
			}
		}
		if r < a {
			if rb := c.heapBacklog(uint16(r)); rb > mb {
				m, mb = r, rb
			}
		}
		if m == uint32(i) {
			break
		}
		c.heapSwap(i, uint16(m))
		i = uint16(m)
	}
}

func (c *cake) heapifyUp(i uint16) {
	for i > 0 && i < MaxTins*queues {
		p := (i - 1) >> 1
		if c.heapBacklog(i) <= c.heapBacklog(p) {
			break
		}
		c.heapSwap(i, p)
		i = p
	}
}

// advanceShaper charges the packet's time to the tin and the global
// shaper (cake_advance_shaper).
func (c *cake) advanceShaper(b *tin, p *pkt.Packet, now int64, drop bool) uint32 {
	l := uint32(p.Cb[cbAdjustedLen])
	if c.rateNs != 0 {
		tinDur := int64((uint64(l) * b.rateNs) >> b.rateShft)
		globalDur := int64((uint64(l) * c.rateNs) >> c.rateShft)
		failsafeDur := globalDur + globalDur>>1
		if b.timeNextPacket < now {
			b.timeNextPacket += tinDur
		} else if b.timeNextPacket < now+tinDur {
			b.timeNextPacket = now + tinDur
		}
		c.timeNextPacket += globalDur
		if !drop {
			c.failsafeNextPacket += failsafeDur
		}
	}
	return l
}

// drop drops the head of the longest queue of all tins and returns its
// tin and index (cake_drop).
func (c *cake) drop(now int64) (uint16, uint16) {
	if c.overflowTimeout == 0 {
		for i := MaxTins*queues/2 - 1; i >= 0; i-- {
			c.heapify(uint16(i))
		}
	}
	c.overflowTimeout = 65535
	e := c.heap[0]
	b := &c.tins[e.t]
	f := &b.flows[e.b]
	p := f.popHead()
	if p == nil {
		// The heap went wrong: rebuild it next time.
		c.overflowTimeout = 0
		return uint16(e.t), e.b
	}
	if f.cvars.queueFull(&b.cparams, now) {
		b.unresponsiveCount++
	}
	l := p.PktLen
	q := c.q
	c.bufferUsed -= uint32(p.Cb[cbTruesize])
	b.backlog -= l
	b.backlogs[e.b] -= l
	q.Qstats.Backlog -= l
	f.dropped++
	b.dropped++
	if c.cfg.rateFlags&flagIngress != 0 {
		c.advanceShaper(b, p, now, true)
	}
	q.Drop(p)
	q.QLen--
	c.heapify(0)
	return uint16(e.t), e.b
}

// handleDiffserv reads the packet's DSCP and, with wash, clears it keeping
// ECN (cake_handle_diffserv). ARP counts as network control.
func handleDiffserv(p *pkt.Packet, wash bool) uint8 {
	off := int(p.Network)
	if off < 0 {
		off = int(p.MACLen)
	}
	switch p.Protocol {
	case inet.ProtoIPv4:
		if off < 0 || off+20 > len(p.Data) {
			return 0
		}
		h := p.Data[off:]
		dscp := h[1] >> 2
		if wash && dscp != 0 {
			old := binary.BigEndian.Uint16(h[0:2])
			h[1] &= inet.ECNMask
			nw := binary.BigEndian.Uint16(h[0:2])
			sum := uint32(^binary.BigEndian.Uint16(h[10:12])) + uint32(^old) + uint32(nw)
			sum = sum&0xffff + sum>>16
			sum = sum&0xffff + sum>>16
			binary.BigEndian.PutUint16(h[10:12], ^uint16(sum))
		}
		return dscp
	case inet.ProtoIPv6:
		if off < 0 || off+40 > len(p.Data) {
			return 0
		}
		h := p.Data[off:]
		ds := h[0]<<4 | h[1]>>4
		dscp := ds >> 2
		if wash && dscp != 0 {
			ds &= inet.ECNMask
			h[0] = h[0]&0xf0 | ds>>4
			h[1] = h[1]&0x0f | ds<<4
		}
		return dscp
	case 0x0806: // ARP
		return 0x38
	}
	return 0
}

// selectTin picks the tin: besteffort has one; then the fwmark, then a
// priority naming this qdisc, then the DSCP (cake_select_tin).
func (c *cake) selectTin(p *pkt.Packet) *tin {
	q := &c.cfg
	mark := (p.Mark & q.fwmarkMask) >> q.fwmarkShft
	wash := q.rateFlags&flagWash != 0
	var dscp uint8
	if wash {
		dscp = handleDiffserv(p, wash)
	}
	var t uint8
	prio := tc.Handle(p.Priority)
	switch {
	case q.tinMode == Besteffort:
		t = 0
	case mark != 0 && mark <= uint32(c.tinCnt):
		t = c.tinOrder[mark-1]
	case prio.Maj() == c.q.Handle && prio.Minor() > 0 && uint16(prio.Minor()) <= c.tinCnt:
		t = c.tinOrder[prio.Minor()-1]
	default:
		if !wash {
			dscp = handleDiffserv(p, wash)
		}
		t = c.tinIndex[dscp&63]
		if uint16(t) >= c.tinCnt {
			t = 0
		}
	}
	return &c.tins[t]
}

// classify runs the filters (which may choose the queue by their class
// id's minor and the host by its major), then picks tin and queue
// (cake_classify). It returns the queue, 1-based, or 0 with the verdict.
func (c *cake) classify(p *pkt.Packet) (*tin, uint32, sched.Verdict) {
	var flowOv, hostOv uint16
	if c.block.HasFilters() {
		var res sched.Result
		v := c.block.Classify(p, &res)
		switch {
		case v == sched.ActStolen || v == sched.ActQueued || v == sched.ActTrap:
			return nil, 0, sched.Success | sched.Stolen
		case v == sched.ActShot:
			return nil, 0, sched.Success | sched.Bypass
		case v >= 0:
			if m := res.ClassID.Minor(); uint32(m) <= queues {
				flowOv = m
			}
			if uint32(res.ClassID.Maj()) <= queues<<16 {
				hostOv = res.ClassID.Major()
			}
		}
	}
	b := c.selectTin(p)
	return b, c.hash(b, p, flowOv, hostOv) + 1, 0
}

// Enqueue is cake_enqueue.
func (c *cake) Enqueue(p *pkt.Packet) sched.Verdict {
	q := c.q
	l := p.PktLen
	now := q.Now()
	b, idx, v := c.classify(p)
	if idx == 0 {
		if v&sched.Bypass != 0 {
			q.Qstats.Drops++
		}
		p.Free()
		return v
	}
	tinNo := c.tinNumber(b)
	idx--
	f := &b.flows[idx]
	// Keep the shaper's state from going stale.
	if b.backlog == 0 {
		if b.timeNextPacket < now {
			b.timeNextPacket = now
		}
		if q.QLen == 0 {
			if c.timeNextPacket < now {
				c.failsafeNextPacket = now
				c.timeNextPacket = now
			} else if c.timeNextPacket > now && c.failsafeNextPacket > now {
				q.Qstats.Overlimits++
				c.wd.ScheduleNs(min(c.timeNextPacket, c.failsafeNextPacket))
			}
		}
	}
	if l > b.maxSkblen {
		b.maxSkblen = l
	}
	// netsched has no GSO packets: nothing to split.
	p.Cb[cbEnqueueTime] = uint64(now)
	p.Cb[cbAdjustedLen] = uint64(c.overhead(p))
	ts := aqm.Truesize(p)
	p.Cb[cbTruesize] = uint64(ts)
	f.add(p)
	var ackLen uint32
	var ack *pkt.Packet
	if c.cfg.ackFilter != AckNone {
		ack = c.ackFilter(f)
	}
	if ack != nil {
		b.ackDrops++
		q.Qstats.Drops++
		ackLen = ack.PktLen
		b.bytes += uint64(ackLen)
		c.bufferUsed += ts - uint32(ack.Cb[cbTruesize])
		if c.cfg.rateFlags&flagIngress != 0 {
			c.advanceShaper(b, ack, now, true)
		}
		q.TreeReduceBacklog(1, int(ackLen))
		ack.Free()
	} else {
		q.QLen++
		c.bufferUsed += ts
	}
	b.packets++
	q.Qstats.Backlog += l - ackLen
	c.avgWindowBytes += uint64(l - ackLen)
	b.bytes += uint64(l - ackLen)
	b.backlog += l - ackLen
	b.backlogs[idx] += l - ackLen
	if c.overflowTimeout != 0 {
		c.heapifyUp(b.overflowIdx[idx])
	}
	if c.cfg.rateFlags&flagAutorateIngress != 0 {
		c.autorate(now)
	} else {
		c.avgWindowBytes = 0
		c.lastPacketTime = now
	}
	mode := c.cfg.flowMode
	switch f.set {
	case setNone, setDecaying:
		if f.set == setDecaying {
			b.decayingCount--
		}
		f.moveTail(&b.newFlows)
		f.set = setSparse
		b.sparseCount++
		f.deficit = c.flowQuantumOf(b, f)
	case setSparseWait:
		// Empty, counted as sparse, but in the bulk rotation.
		f.set = setBulk
		b.sparseCount--
		b.bulkCount++
		b.incSrcBulk(f, mode)
		b.incDstBulk(f, mode)
	}
	if c.bufferUsed > c.bufferMaxUsed {
		c.bufferMaxUsed = c.bufferUsed
	}
	if c.bufferUsed <= c.bufferLimit {
		return sched.Success
	}
	prevQlen, prevBacklog := q.QLen, q.Qstats.Backlog
	same := false
	for c.bufferUsed > c.bufferLimit {
		t, i := c.drop(now)
		if t == tinNo && uint32(i) == idx {
			same = true
		}
	}
	dropped := prevQlen - q.QLen
	b.dropOverlimit += uint32(dropped)
	if same {
		q.TreeReduceBacklog(dropped-1, int(prevBacklog-q.Qstats.Backlog)-int(l))
		return sched.CN
	}
	q.TreeReduceBacklog(dropped, int(prevBacklog-q.Qstats.Backlog))
	return sched.Success
}

// autorate estimates the incoming capacity for autorate-ingress and
// follows it every 250 ms.
func (c *cake) autorate(now int64) {
	interval := uint64(now - c.lastPacketTime)
	if interval > 1e9 {
		interval = 1e9
	}
	shift := uint(8)
	if interval > c.avgPacketInterval {
		shift = 2
	}
	c.avgPacketInterval = ewma(c.avgPacketInterval, interval, shift)
	c.lastPacketTime = now
	if interval > c.avgPacketInterval {
		window := uint64(now - c.avgWindowBegin)
		var bw uint64
		if window != 0 {
			bw = c.avgWindowBytes * 1e9 / window
		}
		shift = 8
		if bw > c.avgPeakBandwidth {
			shift = 2
		}
		c.avgPeakBandwidth = ewma(c.avgPeakBandwidth, bw, shift)
		c.avgWindowBytes = 0
		c.avgWindowBegin = now
		if now > c.lastReconfigTime+250e6 {
			c.cfg.rateBps = c.avgPeakBandwidth * 15 >> 4
			c.lastReconfigTime = now
			c.reconfigure()
		}
	}
}

// tinNumber is b's index among the tins.
func (c *cake) tinNumber(b *tin) uint16 {
	for i := range c.tins {
		if &c.tins[i] == b {
			return uint16(i)
		}
	}
	return 0
}
