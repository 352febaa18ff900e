package rtnl

import (
	"errors"
	"net/netip"
	"syscall"
	"time"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// HandlePing answers a datagram that holds one NSCHED_PING request. It
// must be called without the control lock: it takes the lock to send each
// echo request and releases it while it waits for replies. A close of
// stop ends the ping early, as SIGINT ends iputils' ping: the answer then
// holds what was counted so far. Replies come only on an engine that runs
// on the host's clock (the daemon; see New).
func (c *Conn) HandlePing(dgram []byte, stop <-chan struct{}) [][]byte {
	msgs, err := nl.Split(dgram)
	if err != nil || len(msgs) != 1 || msgs[0].Type != NSCHED_PING {
		return [][]byte{c.ackBytes(&nl.Msg{Header: nl.ParseHeader(dgram)}, syscall.EINVAL,
			"NSCHED_PING must be alone in its datagram")}
	}
	m := &msgs[0]
	req, err := ParsePingRequest(m.Data)
	if err != nil {
		return [][]byte{c.ackBytes(m, sched.ErrnoOf(err), sched.MsgOf(err))}
	}
	ans := c.runPing(req, stop)
	b := nl.NewBuilder()
	b.Begin(NSCHED_PING, 0, m.Seq, c.Port)
	ans.Put(b)
	b.End()
	return [][]byte{b.Bytes()}
}

// ping is what dispatch does with an NSCHED_PING that shares its datagram
// with other messages: it runs under the control lock, where a ping cannot
// wait, so it is refused.
func (c *Conn) ping(m *nl.Msg) error {
	return sched.Err(syscall.EINVAL, "NSCHED_PING must be alone in its datagram")
}

// iputils' timing constants.
const (
	pingMinInterval = 10  // ms: MININTERVAL, the flood rate without replies
	pingMaxNoResMs  = 500 // ms: the longest wait after ENOBUFS
)

// pingRun is one ping: iputils' main loop (ping_common.c) and its state,
// with the kernel's socket replaced by a netdev.Pinger.
type pingRun struct {
	e    *Engine
	ns   *netdev.Namespace
	req  PingRequest
	oif  *netdev.Device // SO_BINDTODEVICE, nil when unbound
	src  netip.Addr     // bound source (-I ADDRESS), else invalid
	pg   *netdev.Pinger
	stop <-chan struct{}

	ntransmitted, nreceived, nrepeats int64
	acked                             uint16
	pipesize                          int64
	rcvd                              map[uint16]bool
	sent                              map[uint16]int64 // send time by sequence, ns
	tmin, tmax, tsum                  int64            // µs
	tsum2                             uint64
	rtt                               int64 // smoothed, ×8, µs

	start, cur int64 // ns: setup, last send
	curSet     bool
	tokens     int64 // ms
	oom        int64
	waittime   int64 // µs, once the last packet is out
	exitAt     int64 // ns, 0: not yet
	deadlineAt int64 // ns, 0: no -w
	exiting    bool

	events []PingEvent
}

func (r *pingRun) now() int64 { return r.e.clock.Now() }

// runPing sets the ping up as iputils does before its first packet (bind
// to the device, probe the route for the source) and, unless only the
// probe was asked for, runs it.
func (c *Conn) runPing(req PingRequest, stop <-chan struct{}) PingAnswer {
	e := c.e
	r := &pingRun{e: e, ns: c.ns, req: req, stop: stop, rcvd: map[uint16]bool{},
		sent: map[uint16]int64{}, tmin: 1<<63 - 1}
	e.mu.Lock()
	ans := r.setup()
	if ans.Errno != 0 || req.Flags&PING_F_PROBE != 0 {
		e.mu.Unlock()
		return ans
	}
	r.pg = r.ns.Host().NewPinger()
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		r.pg.Close()
		e.mu.Unlock()
	}()
	r.loop()
	ans.Stats = PingStats{Transmitted: uint32(r.ntransmitted), Received: uint32(r.nreceived),
		Repeats: uint32(r.nrepeats), RTT: uint32(r.rtt), PipeSize: uint32(r.pipesize)}
	if r.curSet {
		ans.Stats.TimeUs = uint64(max(r.cur-r.start, 0) / 1000)
	}
	if r.tmin != 1<<63-1 {
		ans.Stats.TMin = uint64(r.tmin)
	}
	ans.Stats.TMax = uint64(r.tmax)
	ans.Stats.TSum, ans.Stats.TSum2 = uint64(r.tsum), r.tsum2
	ans.Events = r.events
	return ans
}

// setup binds and probes (ping4_run up to the first packet); the caller
// holds the control lock.
func (r *pingRun) setup() PingAnswer {
	var ans PingAnswer
	h := r.ns.Host()
	if r.req.Device != "" {
		r.oif = r.ns.ByName(r.req.Device)
		if r.oif == nil {
			return PingAnswer{Errno: syscall.ENODEV, Where: "SO_BINDTODEVICE " + r.req.Device}
		}
	}
	if r.req.Source.IsValid() {
		// -I ADDRESS: the socket is bound to it and no probe is made.
		r.src = r.req.Source
		ans.Source = r.src
		return ans
	}
	rt, err := h.Route(r.req.Dest, r.oif)
	if err != nil {
		return PingAnswer{Errno: errnoOf(err), Where: "connect"}
	}
	ans.Source = rt.Src
	if r.oif != nil {
		onDev := false
		for _, a := range r.oif.Addrs() {
			if a.Prefix.Addr() == rt.Src {
				onDev = true
			}
		}
		if !onDev {
			ans.Flags |= PING_F_SRC_ELSEWHERE
		} else if rt.Src == r.req.Dest {
			// Pinging the device's own address: ping unbinds so that
			// the kernel routes it through lo.
			r.oif = nil
		}
	}
	return ans
}

func errnoOf(err error) syscall.Errno {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en
	}
	return syscall.EINVAL
}

// send transmits echo request seq (sendmsg); the route is looked up for
// every packet, as for an unconnected raw socket.
func (r *pingRun) send(seq uint16, now int64) error {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if r.oif != nil && r.ns.ByIndex(r.oif.Ifindex()) != r.oif {
		return syscall.ENODEV
	}
	h := r.ns.Host()
	rt, err := h.Route(r.req.Dest, r.oif)
	if err != nil {
		return err
	}
	if r.src.IsValid() {
		rt.Src = r.src
	}
	return r.pg.Send(rt, netdev.Echo{Seq: seq, DataLen: int(r.req.Size), TOS: r.req.TOS, Stamp: now})
}

// loop is main_loop: send what is due, wait for replies until the next
// send, the exit timer, the deadline or stop.
func (r *pingRun) loop() {
	r.start = r.now()
	if r.req.Deadline > 0 {
		r.deadlineAt = r.start + int64(r.req.Deadline)*1e9
	}
	npackets := int64(r.req.Count)
	for {
		if r.exiting || (npackets > 0 && r.nreceived >= npackets) {
			return
		}
		var next int64
		for {
			next = r.scheduleExit(r.pinger())
			if next > 0 {
				break
			}
		}
		now := r.now()
		wake := now + next*1e6
		if r.exitAt != 0 && r.exitAt < wake {
			wake = r.exitAt
		}
		if r.deadlineAt != 0 && r.deadlineAt < wake {
			wake = r.deadlineAt
		}
		t := time.NewTimer(time.Duration(max(wake-now, 0)))
		select {
		case <-r.pg.Ready():
			for _, rp := range r.pg.Take() {
				r.gather(rp)
			}
		case <-t.C:
		case <-r.stop:
			r.exiting = true
		}
		t.Stop()
		if n := r.now(); (r.exitAt != 0 && n >= r.exitAt) || (r.deadlineAt != 0 && n >= r.deadlineAt) {
			r.exiting = true
		}
	}
}

func schint(ms int64) int64 { return max(ms, pingMinInterval) }

// inFlight is in_flight: requests not yet answered.
func (r *pingRun) inFlight() int64 {
	diff := uint16(r.ntransmitted) - r.acked
	if diff <= 0x7fff {
		return int64(diff)
	}
	return r.ntransmitted - r.nreceived
}

// pinger sends the next request when its time has come and returns the
// ms until the one after (pinger in ping_common.c, token bucket included).
func (r *pingRun) pinger() int64 {
	interval := int64(r.req.IntervalMs)
	npackets := int64(r.req.Count)
	if r.exiting || (npackets > 0 && r.ntransmitted >= npackets && r.req.Deadline == 0) {
		return 1000
	}
	now := r.now()
	if !r.curSet {
		r.cur, r.curSet, r.tokens = now, true, 0
	} else {
		ntokens := (now - r.cur) / 1e6
		if interval == 0 && ntokens < pingMinInterval && r.inFlight() >= 1 {
			return pingMinInterval - ntokens
		}
		ntokens = min(ntokens+r.tokens, interval)
		if ntokens < interval {
			return interval - ntokens
		}
		r.cur = now
		r.tokens = ntokens - interval
	}
	seq := uint16(r.ntransmitted + 1)
	err := r.send(seq, now)
	if err == nil {
		r.oom = 0
		r.advance()
		r.sent[seq] = now
		r.events = append(r.events, PingEvent{Kind: PingSent, Seq: seq})
		return interval - r.tokens
	}
	if errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) {
		// The device queue dropped it: try again later, unless that has
		// gone on for longer than the linger time.
		r.tokens = 0
		nores := min(schint(interval/2), pingMaxNoResMs)
		r.oom++
		if r.oom*nores < int64(r.req.LingerMs) {
			return nores
		}
	}
	// A hard local error: the packet counts as sent.
	r.advance()
	r.events = append(r.events, PingEvent{Kind: PingError, Seq: seq, Errno: uint32(errnoOf(err))})
	r.tokens = 0
	return schint(interval)
}

// advance is advance_ntransmitted.
func (r *pingRun) advance() {
	r.ntransmitted++
	delete(r.rcvd, uint16(r.ntransmitted))
	if uint16(r.ntransmitted)-r.acked > 0x7fff {
		r.acked = uint16(r.ntransmitted) + 1
	}
}

// scheduleExit arms the exit timer once the last request is out: twice
// the longest rtt (at least the interval) after a reply, else the linger
// time (-W).
func (r *pingRun) scheduleExit(next int64) int64 {
	if !(r.req.Count > 0 && r.ntransmitted >= int64(r.req.Count) && r.req.Deadline == 0) || r.waittime != 0 {
		return next
	}
	if r.nreceived > 0 {
		r.waittime = max(2*r.tmax, 1000*int64(r.req.IntervalMs))
	} else {
		r.waittime = 1000 * int64(r.req.LingerMs)
	}
	if next < 0 || next < r.waittime/1000 {
		next = r.waittime / 1000
	}
	if r.waittime != 0 {
		r.exitAt = r.now() + r.waittime*1000
	}
	return next
}

// gather is gather_statistics for one reply.
func (r *pingRun) gather(rp netdev.EchoReply) {
	sentAt, ours := r.sent[rp.Seq]
	if !ours {
		return
	}
	r.nreceived++
	r.acknowledge(rp.Seq)
	ev := PingEvent{Kind: PingReply, Seq: rp.Seq, TTL: rp.TTL, Bytes: uint32(rp.Bytes), From: rp.From}
	if r.req.Size >= 16 {
		trip := max((rp.At-sentAt)/1000, 0)
		ev.Timed, ev.RTTUs = true, uint32(trip)
		r.tsum += trip
		r.tsum2 += uint64(trip * trip)
		r.tmin = min(r.tmin, trip)
		r.tmax = max(r.tmax, trip)
		if r.rtt == 0 {
			r.rtt = trip * 8
		} else {
			r.rtt += trip - r.rtt/8
		}
	}
	if r.rcvd[rp.Seq] {
		r.nrepeats++
		r.nreceived--
		ev.Dup = true
	} else {
		r.rcvd[rp.Seq] = true
	}
	r.events = append(r.events, ev)
}

// acknowledge is acknowledge(): the highest sequence answered, and the
// pipe size it shows.
func (r *pingRun) acknowledge(seq uint16) {
	diff := uint16(r.ntransmitted) - seq
	if diff <= 0x7fff {
		r.pipesize = max(r.pipesize, int64(diff)+1)
		if int16(seq-r.acked) > 0 || uint16(r.ntransmitted)-r.acked > 0x7fff {
			r.acked = seq
		}
	}
}
