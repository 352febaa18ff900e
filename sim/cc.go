package sim

import (
	"fmt"
	"math"
)

// congestion is a TCP congestion control algorithm: how the window grows
// in congestion avoidance and how far it falls on a loss. Slow start,
// fast retransmit and recovery (NewReno), the RTO and ECN are the
// connection's (tcp.go), as tcp_cong_ops leaves them to the TCP core.
type congestion interface {
	// avoid grows the window for acked segments in congestion avoidance
	// (cong_avoid past slow start).
	avoid(c *tcpConn, acked uint32, now int64)
	// ssthresh is the window to fall to on a loss or a CE mark.
	ssthresh(c *tcpConn) uint32
	// reset forgets the algorithm's history (after an RTO).
	reset()
}

func newCongestion(name string) (congestion, error) {
	switch name {
	case "", "reno", "newreno":
		return &reno{}, nil
	case "cubic":
		return &cubic{}, nil
	}
	return nil, fmt.Errorf("unknown congestion control %q (reno, cubic)", name)
}

// aiIncrease is tcp_cong_avoid_ai: one segment more for every w segments
// acked (byte counting: delayed ACKs do not slow it down).
func aiIncrease(c *tcpConn, w, acked uint32) {
	if c.cwndCnt >= w {
		c.cwndCnt = 0
		c.cwnd++
	}
	c.cwndCnt += acked
	if c.cwndCnt >= w {
		d := c.cwndCnt / w
		c.cwndCnt -= d * w
		c.cwnd += d
	}
	if c.cwnd > c.cwndClamp {
		c.cwnd = c.cwndClamp
	}
}

// reno is RFC 5681's congestion avoidance: one segment per window.
type reno struct{}

func (reno) avoid(c *tcpConn, acked uint32, _ int64) { aiIncrease(c, c.cwnd, acked) }
func (reno) ssthresh(c *tcpConn) uint32              { return max(c.cwnd/2, 2) }
func (reno) reset()                                  {}

// cubic is CUBIC (RFC 9438) in the shape Linux runs it: the window follows
// W(t) = C(t-K)^3 + Wmax from the last reduction, never slower than the
// Reno-friendly estimate, with fast convergence; growth is expressed as
// "one segment per cnt segments acked".
type cubic struct {
	wLastMax   float64 // segments
	epochStart int64   // ns; 0: no epoch
	originW    float64
	k          float64 // seconds
	wEst       float64 // Reno-friendly window estimate
	ackCnt     float64
}

const (
	cubicC    = 0.4
	cubicBeta = 0.7
)

func (cu *cubic) reset() { *cu = cubic{} }

func (cu *cubic) ssthresh(c *tcpConn) uint32 {
	cu.epochStart = 0
	w := float64(c.cwnd)
	if w < cu.wLastMax {
		// Fast convergence: give up bandwidth to newer flows.
		cu.wLastMax = w * (1 + cubicBeta) / 2
	} else {
		cu.wLastMax = w
	}
	return max(uint32(w*cubicBeta), 2)
}

func (cu *cubic) avoid(c *tcpConn, acked uint32, now int64) {
	w := float64(c.cwnd)
	if cu.epochStart == 0 {
		cu.epochStart = now
		cu.ackCnt = float64(acked)
		cu.wEst = w
		if w < cu.wLastMax {
			cu.k = math.Cbrt((cu.wLastMax - w) / cubicC)
			cu.originW = cu.wLastMax
		} else {
			cu.k = 0
			cu.originW = w
		}
	} else {
		cu.ackCnt += float64(acked)
	}
	rtt := float64(c.minRTT) / 1e9
	t := float64(now-cu.epochStart)/1e9 + rtt
	target := cu.originW + cubicC*math.Pow(t-cu.k, 3)
	var cnt float64
	if target > w {
		cnt = w / (target - w)
	} else {
		cnt = 100 * w // hardly grow near the plateau
	}
	// The Reno-friendly region: a Reno flow's window with CUBIC's beta
	// grows by 3(1-beta)/(1+beta) segments per window.
	alpha := 3 * (1 - cubicBeta) / (1 + cubicBeta)
	for cu.ackCnt >= cu.wEst/alpha && cu.wEst > 0 {
		cu.ackCnt -= cu.wEst / alpha
		cu.wEst++
	}
	if cu.wEst > w {
		if m := w / (cu.wEst - w); m < cnt {
			cnt = m
		}
	}
	cnt = min(max(cnt, 2), 1e9)
	aiIncrease(c, uint32(cnt), acked)
}
