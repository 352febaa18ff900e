package sim

import (
	"encoding/binary"

	"github.com/netsched/netsched/pkt"
)

// onSegment handles a segment arriving at the receiver (tcp_rcv_established
// for a receiver that only reads): in-order data advances rcvNxt and is
// acknowledged every second segment or when the delayed-ACK timer runs
// out; anything else is acknowledged at once, which the sender counts as
// duplicate ACKs.
func (c *tcpConn) onSegment(p *pkt.Packet, ip ipInfo, tcp []byte) {
	flags := tcp[13]
	if flags&tcpSYN != 0 {
		c.rcvStarted = true
		synack := uint8(tcpSYN | tcpACK)
		if c.ecn && flags&(tcpECE|tcpCWR) == tcpECE|tcpCWR {
			synack |= tcpECE
		}
		c.segment(&c.f.rev, c.f.revPort, tcpIRS, tcpISS+1, synack, 0, 0, 0, false)
		return
	}
	hl := int(tcp[12]>>4) * 4
	n := ip.end - ip.l4 - hl
	if n <= 0 {
		return
	}
	seq := c.unwrap(binary.BigEndian.Uint32(tcp[4:])-tcpISS-1, c.rcvNxt)
	end := seq + uint64(n)
	immediate := false
	if flags&tcpCWR != 0 {
		c.echoECE = false
	}
	if ip.ecn == ecnCE {
		if !c.echoECE {
			immediate = true // Linux acks at once when CE starts
		}
		c.echoECE = true
	}
	c.lastSeg = seq
	switch {
	case end <= c.rcvNxt:
		immediate = true // a duplicate: tell the sender where we are
	case seq <= c.rcvNxt:
		old := c.rcvNxt
		c.rcvNxt = end
		if c.ooo.n > 0 {
			c.rcvNxt = c.ooo.trim(c.rcvNxt)
			immediate = true // a hole filled (or shrank): ack at once
		}
		c.f.deliver(c.rcvNxt - old)
	default:
		c.ooo.add(seq, end)
		immediate = true
	}
	if immediate || !c.delackOn {
		c.sendAck()
		return
	}
	c.unacked++
	if c.unacked >= 2 {
		c.sendAck()
		return
	}
	if c.delackAt == 0 {
		c.delackAt = c.s.clk.Now() + tcpDelAck
		if _, ok := c.delack.Pending(); !ok {
			c.delack.Reset(c.delackAt)
		}
	}
}

// sendAck sends a pure ACK for rcvNxt.
func (c *tcpConn) sendAck() {
	c.unacked = 0
	c.delackAt = 0
	flags := uint8(tcpACK)
	if c.echoECE {
		flags |= tcpECE
	}
	c.st.acksSent++
	optLen := 0
	if c.sack {
		optLen = c.putSACK(c.opt[:])
	}
	c.segment(&c.f.rev, c.f.revPort, tcpIRS+1, tcpISS+1+uint32(c.rcvNxt), flags, 0, optLen, c.rcvNxt, false)
}

func (c *tcpConn) onDelack() {
	if c.delackAt == 0 {
		return
	}
	if now := c.s.clk.Now(); now < c.delackAt {
		c.delack.Reset(c.delackAt)
		return
	}
	c.sendAck()
}
