package cake

import (
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/aqm"
)

// Flow sets (CAKE_SET_*): which rotation a queue is in.
const (
	setNone = iota
	setSparse
	setSparseWait // counted as sparse, rotating with the bulk flows
	setBulk
	setDecaying
)

// flow is one queue (struct cake_flow): a FIFO, its credit, its COBALT
// state, its hosts, and its place in a rotation.
type flow struct {
	head, tail *pkt.Packet
	deficit    int32
	dropped    uint32
	cvars      cobaltVars
	srchost    uint16
	dsthost    uint16
	set        uint8
	idx        uint16 // its index in the tin

	list       *flowList // nil when on no rotation (list_empty)
	prev, next *flow
}

// flowList is a rotation (new_flows, old_flows, decaying_flows).
type flowList struct{ head, tail *flow }

func (l *flowList) empty() bool { return l.head == nil }

func (l *flowList) pushBack(f *flow) {
	f.list, f.prev, f.next = l, l.tail, nil
	if l.tail == nil {
		l.head = f
	} else {
		l.tail.next = f
	}
	l.tail = f
}

func (l *flowList) remove(f *flow) {
	if f.prev == nil {
		l.head = f.next
	} else {
		f.prev.next = f.next
	}
	if f.next == nil {
		l.tail = f.prev
	} else {
		f.next.prev = f.prev
	}
	f.list, f.prev, f.next = nil, nil, nil
}

// moveTail is list_move_tail.
func (f *flow) moveTail(to *flowList) {
	if f.list != nil {
		f.list.remove(f)
	}
	to.pushBack(f)
}

// host is struct cake_host: a host's tags and bulk flow counts.
type host struct {
	srcTag, dstTag   uint32
	srcBulk, dstBulk uint16
}

// heapEntry names a queue in the overflow heap: tin and queue.
type heapEntry struct {
	t uint8
	b uint16
}

// tin is struct cake_tin_data.
type tin struct {
	flows       [queues]flow
	backlogs    [queues]uint32
	tags        [queues]uint32
	overflowIdx [queues]uint16
	hosts       [queues]host
	flowQuantum uint16

	cparams           cobaltParams
	dropOverlimit     uint32
	bulkCount         uint16
	sparseCount       uint16
	decayingCount     uint16
	unresponsiveCount uint16
	maxSkblen         uint32

	newFlows, oldFlows, decayingFlows flowList

	timeNextPacket int64
	rateNs         uint64
	rateBps        uint64
	rateShft       uint16

	quantum  uint16 // tin_quantum
	deficit  int32  // tin_deficit
	backlog  uint32 // tin_backlog
	dropped  uint32
	ecnMark  uint32
	packets  uint32
	bytes    uint64
	ackDrops uint32

	avgDelay, peakDelay, baseDelay uint64 // ns, moving averages

	wayDirects, wayHits, wayMisses, wayCollisions uint32
}

// Diffserv tables: DSCP to tin (sch_cake.c).
var (
	precedenceMap = [64]uint8{
		0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
		2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
		4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
		6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7,
	}
	diffserv8Map = [64]uint8{
		2, 0, 1, 2, 4, 2, 2, 2, 1, 2, 1, 2, 1, 2, 1, 2,
		5, 2, 4, 2, 4, 2, 4, 2, 3, 2, 3, 2, 3, 2, 3, 2,
		6, 2, 3, 2, 3, 2, 3, 2, 6, 2, 2, 2, 6, 2, 6, 2,
		7, 2, 2, 2, 2, 2, 2, 2, 7, 2, 2, 2, 2, 2, 2, 2,
	}
	diffserv4Map = [64]uint8{
		0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0,
		3, 0, 2, 0, 2, 0, 2, 0, 3, 0, 0, 0, 3, 0, 3, 0,
		3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
	}
	diffserv3Map = [64]uint8{
		0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0,
		2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
	}
	besteffortMap [64]uint8
	normalOrder   = []uint8{0, 1, 2, 3, 4, 5, 6, 7}
	bulkOrder     = []uint8{1, 0, 2, 3}
)

// setRate sets a tin's shaper and COBALT parameters from its rate
// (cake_set_rate): time per byte as a fixed-point multiplier, and target
// and interval widened at low rates to at least 1.5 MTU times.
func (b *tin) setRate(rate uint64, mtu uint32, targetNs, rttNs uint64) {
	const minRate = 64
	var rateNs uint64
	var shft uint16
	if rate != 0 {
		b.flowQuantum = uint16(max(min(rate>>12, 1514), 300))
		shft = 34
		rateNs = (uint64(1e9) << shft) / max(minRate, rate)
		for rateNs>>34 != 0 {
			rateNs >>= 1
			shft--
		}
	} else {
		b.flowQuantum = 1514
	}
	b.rateBps = rate
	b.rateNs = rateNs
	b.rateShft = shft
	if mtu == 0 {
		return
	}
	byteTargetNs := (uint64(mtu) * rateNs) >> shft
	b.cparams.target = max(byteTargetNs*3/2, targetNs)
	b.cparams.interval = max(rttNs+b.cparams.target-targetNs, b.cparams.target*2)
	b.cparams.mtuTime = byteTargetNs
	b.cparams.pInc = 1 << 24 // 1/256
	b.cparams.pDec = 1 << 20 // 1/4096
}

// configureRates lays the tins out for the diffserv mode
// (cake_configure_rates and cake_config_*).
func (c *cake) configureRates(rate uint64, rateAdjust bool) {
	var mtu uint32
	if !rateAdjust {
		mtu = aqm.PschedMTU(c.q)
	}
	target, interval := c.cfg.target*1000, c.cfg.interval*1000
	t := c.tins
	ft := 0
	switch c.cfg.tinMode {
	case Besteffort:
		c.tinCnt, c.tinIndex, c.tinOrder = 1, &besteffortMap, normalOrder
		t[0].setRate(rate, mtu, target, interval)
		t[0].quantum = 65535
	case Precedence, Diffserv8:
		c.tinCnt, c.tinOrder = 8, normalOrder
		c.tinIndex = &precedenceMap
		if c.cfg.tinMode == Diffserv8 {
			c.tinIndex = &diffserv8Map
		}
		quantum := uint32(256)
		for i := 0; i < int(c.tinCnt); i++ {
			t[i].setRate(rate, mtu, target, interval)
			t[i].quantum = uint16(max(1, quantum))
			rate = rate * 7 >> 3
			quantum = quantum * 7 >> 3
		}
	case Diffserv4:
		c.tinCnt, c.tinIndex, c.tinOrder = 4, &diffserv4Map, bulkOrder
		t[0].setRate(rate, mtu, target, interval)
		t[1].setRate(rate>>4, mtu, target, interval)
		t[2].setRate(rate>>1, mtu, target, interval)
		t[3].setRate(rate>>2, mtu, target, interval)
		t[0].quantum, t[1].quantum, t[2].quantum, t[3].quantum = 1024, 1024>>4, 1024>>1, 1024>>2
	default:
		c.tinCnt, c.tinIndex, c.tinOrder = 3, &diffserv3Map, bulkOrder
		t[0].setRate(rate, mtu, target, interval)
		t[1].setRate(rate>>4, mtu, target, interval)
		t[2].setRate(rate>>2, mtu, target, interval)
		t[0].quantum, t[1].quantum, t[2].quantum = 1024, 1024>>4, 1024>>2
	}
	for i := int(c.tinCnt); i < MaxTins; i++ {
		c.clearTin(uint16(i))
		t[i].cparams.mtuTime = t[ft].cparams.mtuTime
	}
	c.rateNs = t[ft].rateNs
	c.rateShft = t[ft].rateShft
}

// reconfigure applies the configuration and sizes the memory limit
// (cake_reconfigure): by default four intervals' worth of the rate, at
// least 4 MiB, and no more than the packet limit of MTUs.
func (c *cake) reconfigure() {
	q := &c.cfg
	c.configureRates(q.rateBps, false)
	var limit uint32
	switch {
	case q.bufferConfigLimit != 0:
		limit = q.bufferConfigLimit
	case q.rateBps != 0:
		t := q.rateBps * q.interval / (1000000 / 4)
		limit = max(uint32(t), 4<<20) // max_t(u32, ...) truncates first
	default:
		limit = ^uint32(0)
	}
	c.bufferLimit = min(limit, max(c.limit*aqm.PschedMTU(c.q), q.bufferConfigLimit))
}

// clearTin drops what a tin no longer in use holds (cake_clear_tin).
func (c *cake) clearTin(t uint16) {
	c.curTin = t
	for c.curFlow = 0; c.curFlow < queues; c.curFlow++ {
		for p := c.dequeueOne(); p != nil; p = c.dequeueOne() {
			p.Free()
		}
	}
}
