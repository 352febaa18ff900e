package cake

import (
	"fmt"
	"io"
	"strings"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Syntax is cake's tc face (q_cake.c of iproute2 6.1).
var Syntax tc.QdiscSyntax = syntax{}

type syntax struct{}

var _ tc.XstatsPrinter = syntax{}

const usage = "Usage: ... cake [ bandwidth RATE | unlimited* | autorate-ingress ]\n" +
	"                [ rtt TIME | datacentre | lan | metro | regional |\n" +
	"                  internet* | oceanic | satellite | interplanetary ]\n" +
	"                [ besteffort | diffserv8 | diffserv4 | diffserv3* ]\n" +
	"                [ flowblind | srchost | dsthost | hosts | flows |\n" +
	"                  dual-srchost | dual-dsthost | triple-isolate* ]\n" +
	"                [ nat | nonat* ]\n" +
	"                [ wash | nowash* ]\n" +
	"                [ split-gso* | no-split-gso ]\n" +
	"                [ ack-filter | ack-filter-aggressive | no-ack-filter* ]\n" +
	"                [ memlimit LIMIT ]\n" +
	"                [ fwmark MASK ]\n" +
	"                [ ptm | atm | noatm* ] [ overhead N | conservative | raw* ]\n" +
	"                [ mpu N ] [ ingress | egress* ]\n" +
	"                (* marks defaults)"

// presets are the rtt keywords: target and interval in us.
var presets = []struct {
	name             string
	target, interval uint32
}{
	{"datacentre", 5, 100},
	{"lan", 50, 1000},
	{"metro", 500, 10000},
	{"regional", 1500, 30000},
	{"internet", 5000, 100000},
	{"oceanic", 15000, 300000},
	{"satellite", 50000, 1000000},
	{"interplanetary", 50000000, 1000000000},
}

var diffservNames = [DiffservMax]string{"diffserv3", "diffserv4", "diffserv8", "besteffort", "precedence"}

var flowModeNames = [FlowMax]string{"flowblind", "srchost", "dsthost", "hosts", "flows",
	"dual-srchost", "dual-dsthost", "triple-isolate"}

// framing keywords: ATM mode (-1: unchanged), overhead added, MPU (0:
// unchanged).
var framings = map[string]struct {
	atm      int
	overhead int
	mpu      int
}{
	"ipoa-vcmux":      {ATMATM, 8, 0},
	"ipoa-llcsnap":    {ATMATM, 16, 0},
	"bridged-vcmux":   {ATMATM, 24, 0},
	"bridged-llcsnap": {ATMATM, 32, 0},
	"pppoa-vcmux":     {ATMATM, 10, 0},
	"pppoa-llc":       {ATMATM, 14, 0},
	"pppoe-vcmux":     {ATMATM, 32, 0},
	"pppoe-llcsnap":   {ATMATM, 40, 0},
	"pppoe-ptm":       {ATMPTM, 30, 0},
	"bridged-ptm":     {ATMPTM, 22, 0},
	"ethernet":        {-1, 38, 84},
	"ether-vlan":      {-1, 4, 0},
	"docsis":          {ATMNone, 18, 64},
}

// ParseQdisc reads cake's words as cake_parse_opt.
func (syntax) ParseQdisc(a *tc.Args, b *nl.Builder) error {
	var bandwidth uint64
	unlimited := false
	var interval, target, memlimit, fwmark uint32
	diffserv, ackFilter, splitGSO, flowmode, autorate, ingress, wash, nat, atm := -1, -1, -1, -1, -1, -1, -1, -1, -1
	overhead, mpu := 0, 0
	overheadSet, overheadOverride := false, false
	presetSet := ""
	for a.More() {
		w := a.Next()
		if fr, ok := framings[w]; ok {
			if fr.atm != -1 {
				atm = fr.atm
			}
			overhead += fr.overhead
			overheadSet = true
			if fr.mpu != 0 {
				mpu = fr.mpu
			}
			continue
		}
		found := false
		for _, p := range presets {
			if w == p.name {
				if presetSet != "" {
					return tc.DupArg(w, presetSet)
				}
				presetSet = w
				target, interval = p.target, p.interval
				found = true
			}
		}
		if found {
			continue
		}
		switch w {
		case "bandwidth":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if bandwidth, err = tc.ParseRate64(s); err != nil {
				return tc.Usagef("Illegal \"bandwidth\"")
			}
			unlimited = false
			autorate = 0
		case "unlimited":
			bandwidth, unlimited, autorate = 0, true, 0
		case "autorate-ingress":
			autorate = 1
		case "rtt":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if interval, err = tc.ParseTime(s); err != nil {
				return tc.Usagef("Illegal \"rtt\"")
			}
			target = max(interval/20, 1)
		case "besteffort":
			diffserv = Besteffort
		case "precedence":
			diffserv = Precedence
		case "diffserv8":
			diffserv = Diffserv8
		case "diffserv4", "diffserv":
			diffserv = Diffserv4
		case "diffserv3":
			diffserv = Diffserv3
		case "nowash":
			wash = 0
		case "wash":
			wash = 1
		case "split-gso":
			splitGSO = 1
		case "no-split-gso":
			splitGSO = 0
		case "flowblind", "srchost", "dsthost", "hosts", "flows", "dual-srchost", "dual-dsthost", "triple-isolate":
			for i, n := range flowModeNames {
				if n == w {
					flowmode = i
				}
			}
		case "nat":
			nat = 1
		case "nonat":
			nat = 0
		case "ptm":
			atm = ATMPTM
		case "atm":
			atm = ATMATM
		case "noatm":
			atm = ATMNone
		case "raw":
			atm, overhead, overheadSet, overheadOverride = ATMNone, 0, true, true
		case "conservative":
			// One whole ATM cell plus ATM framing: safe when the
			// overhead is unknown.
			atm, overhead, overheadSet = ATMATM, 48, true
		case "via-ethernet":
			// Ignored: cake compensates for the Ethernet header itself.
		case "overhead":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, n, _ := tc.Strtol(s, 10)
			if n != len(s) || n == 0 || v < -64 || v > 256 {
				return rawError(a, `Illegal "overhead", valid range is -64 to 256\n`)
			}
			overhead, overheadSet = int(v), true
		case "mpu":
			s, err := a.Value()
			if err != nil {
				return err
			}
			v, n, _ := tc.Strtol(s, 10)
			if n != len(s) || n == 0 || v < 0 || v > 256 {
				return rawError(a, `Illegal "mpu", valid range is 0 to 256\n`)
			}
			mpu = int(v)
		case "ingress":
			ingress = 1
		case "egress":
			ingress = 0
		case "no-ack-filter":
			ackFilter = AckNone
		case "ack-filter":
			ackFilter = AckFilter
		case "ack-filter-aggressive":
			ackFilter = AckAggressive
		case "memlimit":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if memlimit, err = tc.ParseSize(s); err != nil {
				return tc.Usagef("Illegal value for \"memlimit\": \"%s\"", s)
			}
		case "fwmark":
			s, err := a.Value()
			if err != nil {
				return err
			}
			if fwmark, err = tc.GetU32(s, 0); err != nil {
				return tc.Usagef("Illegal value for \"fwmark\": \"%s\"", s)
			}
		case "help":
			return tc.Usagef("%s", usage)
		default:
			return tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	b.Nest(sched.TCA_OPTIONS)
	if bandwidth != 0 || unlimited {
		b.PutU64(TCA_CAKE_BASE_RATE64, bandwidth)
	}
	put := func(t uint16, v int) {
		if v != -1 {
			b.PutU32(t, uint32(v))
		}
	}
	put(TCA_CAKE_DIFFSERV_MODE, diffserv)
	put(TCA_CAKE_ATM, atm)
	put(TCA_CAKE_FLOW_MODE, flowmode)
	if overheadSet {
		b.PutU32(TCA_CAKE_OVERHEAD, uint32(int32(overhead)))
	}
	if overheadOverride {
		b.PutU32(TCA_CAKE_RAW, 0)
	}
	if mpu > 0 {
		b.PutU32(TCA_CAKE_MPU, uint32(mpu))
	}
	if interval != 0 {
		b.PutU32(TCA_CAKE_RTT, interval)
	}
	if target != 0 {
		b.PutU32(TCA_CAKE_TARGET, target)
	}
	put(TCA_CAKE_AUTORATE, autorate)
	if memlimit != 0 {
		b.PutU32(TCA_CAKE_MEMORY, memlimit)
	}
	if fwmark != 0 {
		b.PutU32(TCA_CAKE_FWMARK, fwmark)
	}
	put(TCA_CAKE_NAT, nat)
	put(TCA_CAKE_WASH, wash)
	put(TCA_CAKE_SPLIT_GSO, splitGSO)
	put(TCA_CAKE_INGRESS, ingress)
	put(TCA_CAKE_ACK_FILTER, ackFilter)
	b.EndNest()
	return nil
}

// rawError prints msg with no newline after it, as q_cake.c's messages
// whose "\\n" is escaped end the line without one, and fails.
func rawError(a *tc.Args, msg string) error {
	if a.Stderr != nil {
		io.WriteString(a.Stderr, msg)
	}
	return &tc.UsageError{Code: 1}
}

func printMode(p *tc.Printer, v uint32, names []string, key string) {
	if int(v) < len(names) && names[v] != "" {
		p.String(tc.Any, key, "%s ", names[v])
		return
	}
	p.String(tc.JSON, key, "", "unknown")
	p.String(tc.Text, "", "(?%s?)", key)
}

// PrintQdisc prints as cake_print_opt.
func (syntax) PrintQdisc(p *tc.Printer, opt []byte) error {
	tb := nl.Parse(opt, TCA_CAKE_MAX)
	u := func(t uint16) (uint32, bool) {
		if a := tb.Get(t); a != nil && len(a.Data) >= 4 {
			return a.U32(), true
		}
		return 0, false
	}
	if a := tb.Get(TCA_CAKE_BASE_RATE64); a != nil && len(a.Data) >= 8 {
		if bw := a.U64(); bw != 0 {
			p.Rate(tc.Any, "bandwidth", "bandwidth %s ", bw)
		} else {
			p.String(tc.Any, "bandwidth", "bandwidth %s ", "unlimited")
		}
	}
	if v, ok := u(TCA_CAKE_AUTORATE); ok {
		if v == 1 {
			p.String(tc.Any, "autorate", "%s ", "autorate-ingress")
		} else if v != 0 {
			p.String(tc.Any, "autorate", "(?autorate?) ", "unknown")
		}
	}
	if v, ok := u(TCA_CAKE_DIFFSERV_MODE); ok {
		printMode(p, v, diffservNames[:], "diffserv")
	}
	if v, ok := u(TCA_CAKE_FLOW_MODE); ok {
		printMode(p, v, flowModeNames[:], "flowmode")
	}
	nat, _ := u(TCA_CAKE_NAT)
	if nat != 0 {
		p.Text("nat ")
	} else {
		p.Text("nonat ")
	}
	p.Bool(tc.JSON, "nat", "", nat != 0)
	wash, _ := u(TCA_CAKE_WASH)
	atm, _ := u(TCA_CAKE_ATM)
	var overhead int32
	if a := tb.Get(TCA_CAKE_OVERHEAD); a != nil && len(a.Data) >= 4 {
		overhead = int32(a.U32())
	}
	mpu, _ := u(TCA_CAKE_MPU)
	ingress, _ := u(TCA_CAKE_INGRESS)
	ack, _ := u(TCA_CAKE_ACK_FILTER)
	split, _ := u(TCA_CAKE_SPLIT_GSO)
	raw := tb.Get(TCA_CAKE_RAW) != nil
	interval, _ := u(TCA_CAKE_RTT)
	memlimit, _ := u(TCA_CAKE_MEMORY)
	fwmark, _ := u(TCA_CAKE_FWMARK)
	if wash != 0 {
		p.Text("wash ")
	} else {
		p.Text("nowash ")
	}
	p.Bool(tc.JSON, "wash", "", wash != 0)
	if ingress != 0 {
		p.Text("ingress ")
	}
	p.Bool(tc.JSON, "ingress", "", ingress != 0)
	switch ack {
	case AckAggressive:
		p.String(tc.Any, "ack-filter", "ack-filter-%s ", "aggressive")
	case AckFilter:
		p.String(tc.Any, "ack-filter", "ack-filter ", "enabled")
	default:
		p.String(tc.Any, "ack-filter", "no-ack-filter ", "disabled")
	}
	if split != 0 {
		p.Text("split-gso ")
	} else {
		p.Text("no-split-gso ")
	}
	p.Bool(tc.JSON, "split_gso", "", split != 0)
	if interval != 0 {
		p.String(tc.Text, "", "rtt %s ", tc.TimeString(interval))
	}
	p.Uint(tc.JSON, "rtt", "", uint64(interval))
	if raw {
		p.Text("raw ")
	}
	p.Bool(tc.JSON, "raw", "", raw)
	switch {
	case atm == ATMATM:
		p.String(tc.Any, "atm", "%s ", "atm")
	case atm == ATMPTM:
		p.String(tc.Any, "atm", "%s ", "ptm")
	case !raw:
		p.String(tc.Any, "atm", "%s ", "noatm")
	}
	p.Int(tc.Any, "overhead", "overhead %d ", int64(overhead))
	if mpu != 0 {
		p.Uint(tc.Any, "mpu", "mpu %d ", uint64(mpu))
	}
	if memlimit != 0 {
		p.Size(tc.Any, "memlimit", "memlimit %s ", memlimit)
	}
	if fwmark != 0 {
		p.Uint(tc.Text, "", "fwmark 0x%x ", uint64(fwmark))
	}
	p.Hex(tc.JSON, "fwmark", "", uint64(fwmark))
	return nil
}

// PrintXstats prints cake's statistics as cake_print_xstats, qdisc or
// class.
func (syntax) PrintXstats(p *tc.Printer, x []byte) error {
	st := nl.Parse(x, TCA_CAKE_STATS_MAX)
	u := func(t uint16) uint32 { return le32(st.Get(t)) }
	has := func(t uint16) bool { return st.Get(t) != nil }
	if has(TCA_CAKE_STATS_MEMORY_USED) && has(TCA_CAKE_STATS_MEMORY_LIMIT) {
		p.String(tc.Text, "", " memory used: %s", tc.SizeString(u(TCA_CAKE_STATS_MEMORY_USED)))
		p.String(tc.Text, "", " of %s\n", tc.SizeString(u(TCA_CAKE_STATS_MEMORY_LIMIT)))
		p.Uint(tc.JSON, "memory_used", "", uint64(u(TCA_CAKE_STATS_MEMORY_USED)))
		p.Uint(tc.JSON, "memory_limit", "", uint64(u(TCA_CAKE_STATS_MEMORY_LIMIT)))
	}
	if a := st.Get(TCA_CAKE_STATS_CAPACITY_ESTIMATE64); a != nil {
		p.Rate(tc.Any, "capacity_estimate", " capacity estimate: %s\n", le64(a))
	}
	if has(TCA_CAKE_STATS_MIN_NETLEN) && has(TCA_CAKE_STATS_MAX_NETLEN) {
		p.Uint(tc.Any, "min_network_size", " min/max network layer size: %12d", uint64(u(TCA_CAKE_STATS_MIN_NETLEN)))
		p.Uint(tc.Any, "max_network_size", " /%8d\n", uint64(u(TCA_CAKE_STATS_MAX_NETLEN)))
	}
	if has(TCA_CAKE_STATS_MIN_ADJLEN) && has(TCA_CAKE_STATS_MAX_ADJLEN) {
		p.Uint(tc.Any, "min_adj_size", " min/max overhead-adjusted size: %8d", uint64(u(TCA_CAKE_STATS_MIN_ADJLEN)))
		p.Uint(tc.Any, "max_adj_size", " /%8d\n", uint64(u(TCA_CAKE_STATS_MAX_ADJLEN)))
	}
	if has(TCA_CAKE_STATS_AVG_NETOFF) {
		p.Uint(tc.Any, "avg_hdr_offset", " average network hdr offset: %12d\n\n", uint64(u(TCA_CAKE_STATS_AVG_NETOFF)))
	}
	if has(TCA_CAKE_STATS_DEFICIT) {
		p.Int(tc.Any, "deficit", "  deficit %d", int64(int32(u(TCA_CAKE_STATS_DEFICIT))))
	}
	if has(TCA_CAKE_STATS_COBALT_COUNT) {
		p.Uint(tc.Any, "count", " count %d", uint64(u(TCA_CAKE_STATS_COBALT_COUNT)))
	}
	if has(TCA_CAKE_STATS_DROPPING) && u(TCA_CAKE_STATS_DROPPING) != 0 {
		p.Bool(tc.Any, "dropping", " dropping", true)
		if has(TCA_CAKE_STATS_DROP_NEXT_US) {
			dn := int32(u(TCA_CAKE_STATS_DROP_NEXT_US))
			if dn < 0 {
				p.String(tc.Text, "", " drop_next -%s", tc.TimeString(uint32(-dn)))
			} else {
				p.Uint(tc.JSON, "drop_next", "", uint64(dn))
				p.String(tc.Text, "", " drop_next %s", tc.TimeString(uint32(dn)))
			}
		}
	}
	if has(TCA_CAKE_STATS_P_DROP) {
		p.Uint(tc.Any, "blue_prob", " blue_prob %d", uint64(u(TCA_CAKE_STATS_P_DROP)))
		if has(TCA_CAKE_STATS_BLUE_TIMER_US) {
			bt := int32(u(TCA_CAKE_STATS_BLUE_TIMER_US))
			if bt < 0 {
				// tc prints the negative value itself here.
				p.String(tc.Text, "", " blue_timer -%s", tc.TimeString(uint32(bt)))
			} else {
				p.Uint(tc.JSON, "blue_timer", "", uint64(bt))
				p.String(tc.Text, "", " blue_timer %s", tc.TimeString(uint32(bt)))
			}
		}
	}
	if a := st.Get(TCA_CAKE_STATS_TIN_STATS); a != nil {
		printTins(p, a.Data)
	}
	return nil
}

func le32(a *nl.Attr) uint32 {
	if a == nil || len(a.Data) < 4 {
		return 0
	}
	return a.U32()
}

func le64(a *nl.Attr) uint64 {
	if a == nil || len(a.Data) < 8 {
		return 0
	}
	return a.U64()
}

// printTins prints the per-tin table (or JSON array) of cake_print_xstats.
func printTins(p *tc.Printer, data []byte) {
	tins := nl.Parse(data, MaxTins)
	var ts []nl.Attrs
	for i := 1; i <= MaxTins && tins.Get(uint16(i)) != nil; i++ {
		ts = append(ts, nl.Parse(tins.Get(uint16(i)).Data, TCA_CAKE_TIN_STATS_MAX))
	}
	if len(ts) == 0 {
		return
	}
	if p.IsJSON() {
		p.OpenArray(tc.JSON, "tins", "")
		for _, t := range ts {
			p.OpenObject("")
			for _, f := range []struct {
				key  string
				attr uint16
				u64  bool
			}{
				{"threshold_rate", TCA_CAKE_TIN_STATS_THRESHOLD_RATE64, true},
				{"sent_bytes", TCA_CAKE_TIN_STATS_SENT_BYTES64, true},
				{"backlog_bytes", TCA_CAKE_TIN_STATS_BACKLOG_BYTES, false},
				{"target_us", TCA_CAKE_TIN_STATS_TARGET_US, false},
				{"interval_us", TCA_CAKE_TIN_STATS_INTERVAL_US, false},
				{"peak_delay_us", TCA_CAKE_TIN_STATS_PEAK_DELAY_US, false},
				{"avg_delay_us", TCA_CAKE_TIN_STATS_AVG_DELAY_US, false},
				{"base_delay_us", TCA_CAKE_TIN_STATS_BASE_DELAY_US, false},
				{"sent_packets", TCA_CAKE_TIN_STATS_SENT_PACKETS, false},
				{"way_indirect_hits", TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS, false},
				{"way_misses", TCA_CAKE_TIN_STATS_WAY_MISSES, false},
				{"way_collisions", TCA_CAKE_TIN_STATS_WAY_COLLISIONS, false},
				{"drops", TCA_CAKE_TIN_STATS_DROPPED_PACKETS, false},
				{"ecn_mark", TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS, false},
				{"ack_drops", TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS, false},
				{"sparse_flows", TCA_CAKE_TIN_STATS_SPARSE_FLOWS, false},
				{"bulk_flows", TCA_CAKE_TIN_STATS_BULK_FLOWS, false},
				{"unresponsive_flows", TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS, false},
				{"max_pkt_len", TCA_CAKE_TIN_STATS_MAX_SKBLEN, false},
				{"flow_quantum", TCA_CAKE_TIN_STATS_FLOW_QUANTUM, false},
			} {
				if a := t.Get(f.attr); a != nil {
					if f.u64 {
						p.Uint(tc.JSON, f.key, "", le64(a))
					} else {
						p.Uint(tc.JSON, f.key, "", uint64(le32(a)))
					}
				}
			}
			p.CloseObject()
		}
		p.CloseArray(tc.JSON, "")
		return
	}
	var s strings.Builder
	switch len(ts) {
	case 3:
		s.WriteString("                   Bulk  Best Effort        Voice\n")
	case 4:
		s.WriteString("                   Bulk  Best Effort        Video        Voice\n")
	default:
		s.WriteString("          ")
		for i := range ts {
			fmt.Fprintf(&s, "        Tin %d", i)
		}
		s.WriteString(p.SL())
	}
	row := func(name string, attr uint16, val func(a *nl.Attr) string) {
		if ts[0].Get(attr) == nil {
			return
		}
		s.WriteString(name)
		for _, t := range ts {
			fmt.Fprintf(&s, " %12s", val(t.Get(attr)))
		}
		s.WriteString(p.SL())
	}
	rate := func(a *nl.Attr) string { return tc.RateString(le64(a), p.IEC) }
	tm := func(a *nl.Attr) string { return tc.TimeString(le32(a)) }
	size := func(a *nl.Attr) string { return tc.SizeString(le32(a)) }
	num := func(a *nl.Attr) string { return fmt.Sprint(le32(a)) }
	num64 := func(a *nl.Attr) string { return fmt.Sprint(le64(a)) }
	row("  thresh  ", TCA_CAKE_TIN_STATS_THRESHOLD_RATE64, rate)
	row("  target  ", TCA_CAKE_TIN_STATS_TARGET_US, tm)
	row("  interval", TCA_CAKE_TIN_STATS_INTERVAL_US, tm)
	row("  pk_delay", TCA_CAKE_TIN_STATS_PEAK_DELAY_US, tm)
	row("  av_delay", TCA_CAKE_TIN_STATS_AVG_DELAY_US, tm)
	row("  sp_delay", TCA_CAKE_TIN_STATS_BASE_DELAY_US, tm)
	row("  backlog ", TCA_CAKE_TIN_STATS_BACKLOG_BYTES, size)
	row("  pkts    ", TCA_CAKE_TIN_STATS_SENT_PACKETS, num)
	row("  bytes   ", TCA_CAKE_TIN_STATS_SENT_BYTES64, num64)
	row("  way_inds", TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS, num)
	row("  way_miss", TCA_CAKE_TIN_STATS_WAY_MISSES, num)
	row("  way_cols", TCA_CAKE_TIN_STATS_WAY_COLLISIONS, num)
	row("  drops   ", TCA_CAKE_TIN_STATS_DROPPED_PACKETS, num)
	row("  marks   ", TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS, num)
	row("  ack_drop", TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS, num)
	row("  sp_flows", TCA_CAKE_TIN_STATS_SPARSE_FLOWS, num)
	row("  bk_flows", TCA_CAKE_TIN_STATS_BULK_FLOWS, num)
	row("  un_flows", TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS, num)
	row("  max_len ", TCA_CAKE_TIN_STATS_MAX_SKBLEN, num)
	row("  quantum ", TCA_CAKE_TIN_STATS_FLOW_QUANTUM, num)
	p.Text(s.String())
}
