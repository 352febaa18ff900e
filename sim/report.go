package sim

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/netsched/netsched/tc"
)

// Result is what a run measured. Its JSON form is the simulator's output
// for scripts: the same scenario and seed give the same bytes.
type Result struct {
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	Duration float64 `json:"duration_s"`
	// The measurement window: rates, goodput and delay percentiles count
	// only what happened from WindowStart (the end of the warm-up) on.
	WindowStart float64       `json:"window_start_s"`
	Notes       []string      `json:"notes,omitempty"`
	Flows       []FlowResult  `json:"flows"`
	Groups      []GroupResult `json:"groups"`
	Qdiscs      []TCResult    `json:"qdiscs"`
	Classes     []TCResult    `json:"classes"`
	Links       []LinkResult  `json:"links"`
	Hosts       []HostResult  `json:"hosts"`
	TC          []TCRun       `json:"tc_commands,omitempty"`
	TCStats     []DeviceTC    `json:"tc_stats"`
	// PacketHops counts packets put on a wire: the simulator's unit of work.
	PacketHops uint64    `json:"packet_hops"`
	Series     SeriesSet `json:"series"`
}

// Delay is a distribution of delays, in milliseconds.
type Delay struct {
	Samples uint64  `json:"samples"`
	Min     float64 `json:"min_ms"`
	Mean    float64 `json:"mean_ms"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

func delayOf(h *histogram) Delay {
	ms := func(v int64) float64 { return round6(float64(v) / 1e6) }
	if h.n == 0 {
		return Delay{}
	}
	return Delay{Samples: h.n, Min: ms(h.min), Mean: round6(h.mean() / 1e6), P50: ms(h.quantile(0.5)),
		P90: ms(h.quantile(0.9)), P99: ms(h.quantile(0.99)), Max: ms(h.max)}
}

// FlowResult is one flow. Sent counts what the source sent; Recv what
// reached the destination (for request/response: the responses back at
// the client). Throughput counts frames, Goodput payload delivered in
// order, both in bits per second over the window.
type FlowResult struct {
	Name        string  `json:"name"`
	Group       string  `json:"group"`
	Type        string  `json:"type"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	Src         string  `json:"src"`
	Dst         string  `json:"dst"`
	Priority    string  `json:"priority,omitempty"`
	SentPackets uint64  `json:"sent_packets"`
	SentBytes   uint64  `json:"sent_bytes"`
	RecvPackets uint64  `json:"recv_packets"`
	RecvBytes   uint64  `json:"recv_bytes"`
	Lost        uint64  `json:"lost_packets"`
	LocalDrops  uint64  `json:"local_drops"`
	Reordered   uint64  `json:"reordered"`
	Throughput  float64 `json:"throughput_bps"`
	Goodput     float64 `json:"goodput_bps"`
	Delay       Delay   `json:"delay"`
	// Jitter is the mean absolute difference between the one-way delays
	// of consecutive packets (IPDV, RFC 3393), in milliseconds.
	Jitter float64   `json:"jitter_ms"`
	TCP    *TCPStats `json:"tcp,omitempty"`
	RR     *RRStats  `json:"reqresp,omitempty"`
}

// TCPStats are a TCP flow's sender counters.
type TCPStats struct {
	CC            string  `json:"cc"`
	ECN           bool    `json:"ecn"`
	MSS           uint32  `json:"mss"`
	Segments      uint64  `json:"segments"`
	Retransmits   uint64  `json:"retransmits"`
	FastRecovery  uint64  `json:"fast_recoveries"`
	Timeouts      uint64  `json:"timeouts"`
	Reductions    uint64  `json:"cwr_reductions"`
	SRTT          float64 `json:"srtt_ms"`
	MinRTT        float64 `json:"min_rtt_ms"`
	Cwnd          uint32  `json:"cwnd"`
	Ssthresh      uint32  `json:"ssthresh"`
	BytesAcked    uint64  `json:"bytes_acked"`
	CompletedAt   float64 `json:"completed_s,omitempty"`
	AcksSent      uint64  `json:"acks_sent"`
	RetransmitPct float64 `json:"retransmit_pct"`
}

// RRStats are a request/response flow's transactions.
type RRStats struct {
	Requests  uint64 `json:"requests"`
	Completed uint64 `json:"completed"`
	Failed    uint64 `json:"failed"`
	Latency   Delay  `json:"latency"`
}

// GroupResult sums the flows of one traffic entry.
type GroupResult struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Flows       int     `json:"flows"`
	SentPackets uint64  `json:"sent_packets"`
	RecvPackets uint64  `json:"recv_packets"`
	Lost        uint64  `json:"lost_packets"`
	Throughput  float64 `json:"throughput_bps"`
	Goodput     float64 `json:"goodput_bps"`
	// MinThroughput and MaxThroughput are over the group's flows.
	MinThroughput float64 `json:"min_flow_throughput_bps"`
	MaxThroughput float64 `json:"max_flow_throughput_bps"`
	// Fairness is Jain's index of the flows' throughputs (1: equal).
	Fairness float64 `json:"jain_fairness"`
}

// TCResult is a qdisc or class at the end of the run, as tc -s counts it.
type TCResult struct {
	Host       string  `json:"host"`
	Dev        string  `json:"dev"`
	Kind       string  `json:"kind"`
	Handle     string  `json:"handle"`
	Parent     string  `json:"parent"`
	Bytes      uint64  `json:"bytes"`
	Packets    uint64  `json:"packets"`
	Drops      uint32  `json:"drops"`
	Overlimits uint32  `json:"overlimits"`
	Requeues   uint32  `json:"requeues"`
	Backlog    uint32  `json:"backlog_bytes"`
	Qlen       uint32  `json:"qlen"`
	Rate       float64 `json:"rate_bps"` // over the window
	// QueueDelay estimates the time a packet waits here from the samples
	// by Little's law: backlog divided by the rate it drains at. It is a
	// distribution over sample intervals, not over packets.
	QueueDelay Delay `json:"queue_delay_est"`
}

// LinkResult is one direction of a cable.
type LinkResult struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Rate        uint64  `json:"rate_bps"`
	Delay       float64 `json:"delay_ms"`
	Packets     uint64  `json:"packets"`
	Bytes       uint64  `json:"bytes"`
	Lost        uint64  `json:"lost"`
	Utilisation float64 `json:"utilisation"`
	// Sojourn is the time packets spent in the sending device's qdiscs.
	Sojourn Delay `json:"sojourn"`
}

// HostResult holds what a host's stack dropped.
type HostResult struct {
	Name        string `json:"name"`
	Forward     bool   `json:"forward"`
	NoRoute     uint64 `json:"no_route"`
	TTLExceeded uint64 `json:"ttl_exceeded"`
	NotLocal    uint64 `json:"not_local"`
	NoSocket    uint64 `json:"no_socket"`
	NotIP       uint64 `json:"not_ip"`
}

// DeviceTC is `tc -s qdisc show` and `tc -s class show` of a device at
// the end.
type DeviceTC struct {
	Host    string `json:"host"`
	Dev     string `json:"dev"`
	Qdiscs  string `json:"qdiscs"`
	Classes string `json:"classes"`
}

// SeriesSet are the time series, one point per sample interval ending at
// T[i] seconds.
type SeriesSet struct {
	Interval float64   `json:"interval_s"`
	T        []float64 `json:"t"`
	// Flows: received bits per second, per flow (up to maxFlowSeries
	// flows) and per traffic entry.
	Flows  []Series `json:"flows"`
	Groups []Series `json:"groups"`
	Cwnd   []Series `json:"cwnd"`
	// Classes: bits per second each class sent.
	Classes []Series `json:"classes"`
	// Qdiscs: packets queued at each sample.
	Qdiscs []Series `json:"qdisc_qlen"`
	// Sojourn: mean and max time in the sending device's qdiscs, ms.
	Sojourn    []Series `json:"sojourn_mean_ms"`
	SojournMax []Series `json:"sojourn_max_ms"`
	Util       []Series `json:"link_utilisation"`
}

// Series is one named curve.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// maxFlowSeries bounds the per-flow series kept in a result.
const maxFlowSeries = 64

func (pt *port) String() string { return pt.h.name + ":" + pt.name }

func hostPort(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a, port).String()
}

func handleString(h uint32, class bool) string {
	if h == 0xFFFFFFFF {
		return "root"
	}
	if class {
		return tc.Handle(h).String()
	}
	return tc.Handle(h).QdiscString()
}

// rateString prints bits per second the way tc does ("18.9Mbit").
func rateString(bps float64) string {
	switch {
	case bps >= 1e9:
		return strconv.FormatFloat(bps/1e9, 'f', 3, 64) + "Gbit"
	case bps >= 1e6:
		return strconv.FormatFloat(bps/1e6, 'f', 3, 64) + "Mbit"
	case bps >= 1e3:
		return strconv.FormatFloat(bps/1e3, 'f', 1, 64) + "Kbit"
	}
	return fmt.Sprintf("%.0fbit", bps)
}
