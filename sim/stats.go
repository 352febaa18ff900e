package sim

import "math/bits"

// histogram counts non-negative values (ns) in log-linear buckets: exact
// below 64, then 32 buckets per power of two (a relative error under
// 1.6%), up to about 2^40 ns (18 minutes); larger values land in the last
// bucket. Recording allocates nothing once the buckets exist.
type histogram struct {
	counts   []uint32
	n        uint64
	sum      int64
	min, max int64
}

const (
	histSub     = 6
	histBuckets = (40-histSub+1)<<(histSub-1) + 1<<histSub
)

func histBucket(v int64) int {
	if v < 1<<histSub {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - histSub
	i := e<<(histSub-1) + int(uint64(v)>>e)
	if i >= histBuckets {
		return histBuckets - 1
	}
	return i
}

// histValue is the middle of bucket i.
func histValue(i int) int64 {
	if i < 1<<histSub {
		return int64(i)
	}
	e := i>>(histSub-1) - 1
	m := int64(i&(1<<(histSub-1)-1) + 1<<(histSub-1))
	lo := m << e
	return lo + (int64(1)<<e)/2
}

func (h *histogram) add(v int64) {
	if h.counts == nil {
		h.counts = make([]uint32, histBuckets)
		h.min = v
	}
	h.counts[histBucket(v)]++
	h.n++
	h.sum += v
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

// quantile returns the q-quantile (0..1), the exact maximum for 1.
func (h *histogram) quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(q*float64(h.n-1)) + 1
	var c uint64
	for i, x := range h.counts {
		c += uint64(x)
		if c >= rank {
			v := histValue(i)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() float64 {
	if h.n == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.n)
}

// rxStats is what a flow's receiving end saw.
type rxStats struct {
	packets, bytes uint64 // all data packets, frame bytes
	// Within the measurement window.
	wPackets, wBytes uint64
	wGood            uint64 // payload bytes delivered in order (goodput)
	good             uint64
	delay            histogram
	// IPDV: mean absolute difference of consecutive one-way delays.
	lastDelay int64
	haveLast  bool
	ipdvSum   int64
	ipdvN     uint64
	maxSeq    uint64
	reordered uint64
	first     int64
	last      int64
}

// txStats is what a flow's sending end did.
type txStats struct {
	packets, bytes uint64
	localDrops     uint64 // refused by a qdisc of the sending host
}
