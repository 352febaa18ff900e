package tccli

import (
	"fmt"
	"strconv"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// printLinkStats is __print_link_stats / print_stats64.
func (t *ipTool) printLinkStats(p *tc.Printer, tb nl.Attrs) {
	var s [24]uint64
	switch {
	case tb[iflaStats64] != nil:
		d := fixed(tb[iflaStats64].Data, 24*8)
		for i := range s {
			s[i] = u64at(d, 8*i)
		}
	case tb[iflaStats] != nil:
		d := fixed(tb[iflaStats].Data, 24*4)
		for i := range s {
			s[i] = uint64(u32at(d, 4*i))
		}
	default:
		return
	}
	const (
		rxPackets = iota
		txPackets
		rxBytes
		txBytes
		rxErrors
		txErrors
		rxDropped
		txDropped
		multicast
		collisions
		rxLength
		rxOver
		rxCRC
		rxFrame
		rxFIFO
		rxMissed
		txAborted
		txCarrier
		txFIFO
		txHeartbeat
		txWindow
		rxCompressed
		txCompressed
		rxNohandler
	)
	var cc *nl.Attr = tb[iflaCarrierChanges]
	var changes uint64
	if cc != nil {
		changes = uint64(attrU32(cc))
	}
	if p.IsJSON() {
		p.OpenObject("stats64")
		p.OpenObject("rx")
		for _, f := range []struct {
			k string
			v uint64
		}{{"bytes", s[rxBytes]}, {"packets", s[rxPackets]}, {"errors", s[rxErrors]}, {"dropped", s[rxDropped]},
			{"over_errors", s[rxOver]}, {"multicast", s[multicast]}} {
			p.Uint(tc.JSON, f.k, "", f.v)
		}
		if s[rxCompressed] != 0 {
			p.Uint(tc.JSON, "compressed", "", s[rxCompressed])
		}
		if t.stats > 1 {
			p.Uint(tc.JSON, "length_errors", "", s[rxLength])
			p.Uint(tc.JSON, "crc_errors", "", s[rxCRC])
			p.Uint(tc.JSON, "frame_errors", "", s[rxFrame])
			p.Uint(tc.JSON, "fifo_errors", "", s[rxFIFO])
			p.Uint(tc.JSON, "missed_errors", "", s[rxMissed])
			if s[rxNohandler] != 0 {
				p.Uint(tc.JSON, "nohandler", "", s[rxNohandler])
			}
		}
		p.CloseObject()
		p.OpenObject("tx")
		for _, f := range []struct {
			k string
			v uint64
		}{{"bytes", s[txBytes]}, {"packets", s[txPackets]}, {"errors", s[txErrors]}, {"dropped", s[txDropped]},
			{"carrier_errors", s[txCarrier]}, {"collisions", s[collisions]}} {
			p.Uint(tc.JSON, f.k, "", f.v)
		}
		if s[txCompressed] != 0 {
			p.Uint(tc.JSON, "compressed", "", s[txCompressed])
		}
		if t.stats > 1 {
			p.Uint(tc.JSON, "aborted_errors", "", s[txAborted])
			p.Uint(tc.JSON, "fifo_errors", "", s[txFIFO])
			p.Uint(tc.JSON, "window_errors", "", s[txWindow])
			p.Uint(tc.JSON, "heartbeat_errors", "", s[txHeartbeat])
			if cc != nil {
				p.Uint(tc.JSON, "carrier_changes", "", changes)
			}
		}
		p.CloseObject()
		p.CloseObject()
		return
	}
	cols := []int{10, 7, 6, 7, 7, 7, 10}
	size := func(vals ...uint64) {
		for i, v := range vals {
			if t.human > 0 {
				continue
			}
			l := len(strconv.FormatUint(v, 10))
			if l > cols[i] {
				cols[i] = l
			}
		}
	}
	size(s[rxBytes], s[rxPackets], s[rxErrors], s[rxDropped], s[rxMissed], s[multicast], s[rxCompressed])
	if t.stats > 1 {
		size(0, s[rxLength], s[rxCRC], s[rxFrame], s[rxFIFO], s[rxOver], s[rxNohandler])
	}
	size(s[txBytes], s[txPackets], s[txErrors], s[txDropped], s[txCarrier], s[collisions], s[txCompressed])
	if t.stats > 1 {
		size(0, 0, s[txAborted], s[txFIFO], s[txWindow], s[txHeartbeat], changes)
	}
	sl := p.SL()
	num := func(w int, v uint64) { p.Text(t.printNum(w, v)) }
	ifs := func(c bool, s string) string {
		if c {
			return s
		}
		return ""
	}
	p.Printf("    RX: %*s %*s %*s %*s %*s %*s %*s%s", cols[0]-4, "bytes", cols[1], "packets",
		cols[2], "errors", cols[3], "dropped", cols[4], "missed", cols[5], "mcast",
		cols[6], ifs(s[rxCompressed] != 0, "compressed"), sl)
	p.Text("    ")
	for i, v := range []uint64{s[rxBytes], s[rxPackets], s[rxErrors], s[rxDropped], s[rxMissed], s[multicast]} {
		num(cols[i], v)
	}
	if s[rxCompressed] != 0 {
		num(cols[6], s[rxCompressed])
	}
	if t.stats > 1 {
		p.Text(sl)
		p.Printf("    RX errors: %*s %*s %*s %*s %*s", cols[1], "length", cols[2], "crc",
			cols[3], "frame", cols[4], "fifo", cols[5], "overrun")
		if s[rxNohandler] != 0 {
			p.Printf(" %*s", cols[6], "nohandler")
		}
		p.Text(sl)
		p.Printf("%*s", cols[0]+5, "")
		for i, v := range []uint64{s[rxLength], s[rxCRC], s[rxFrame], s[rxFIFO], s[rxOver]} {
			num(cols[i+1], v)
		}
		if s[rxNohandler] != 0 {
			num(cols[6], s[rxNohandler])
		}
	}
	p.Text(sl)
	p.Printf("    TX: %*s %*s %*s %*s %*s %*s %*s%s", cols[0]-4, "bytes", cols[1], "packets",
		cols[2], "errors", cols[3], "dropped", cols[4], "carrier", cols[5], "collsns",
		cols[6], ifs(s[txCompressed] != 0, "compressed"), sl)
	p.Text("    ")
	for i, v := range []uint64{s[txBytes], s[txPackets], s[txErrors], s[txDropped], s[txCarrier], s[collisions]} {
		num(cols[i], v)
	}
	if s[txCompressed] != 0 {
		num(cols[6], s[txCompressed])
	}
	if t.stats > 1 {
		p.Text(sl)
		w5 := 0
		if cc != nil {
			w5 = cols[5]
		}
		p.Printf("    TX errors: %*s %*s %*s %*s %*s%s", cols[1], "aborted", cols[2], "fifo",
			cols[3], "window", cols[4], "heartbt", w5, ifs(cc != nil, "transns"), sl)
		p.Printf("%*s", cols[0]+5, "")
		for i, v := range []uint64{s[txAborted], s[txFIFO], s[txWindow], s[txHeartbeat]} {
			num(cols[i+1], v)
		}
		if cc != nil {
			num(cols[5], changes)
		}
	}
}

// printNum is print_num: a right-aligned count, or with -h a short
// human-readable one.
func (t *ipTool) printNum(width int, count uint64) string {
	base := uint64(1000)
	if t.iec > 0 {
		base = 1024
	}
	if t.human == 0 || count < base {
		return fmt.Sprintf("%*d ", width, count)
	}
	prefix := "kMGTPE"
	powi := uint64(1)
	for {
		powi *= base
		if count/base < powi {
			break
		}
		if len(prefix) < 2 {
			break
		}
		prefix = prefix[1:]
	}
	precision := 2
	powj := uint64(1)
	for ; precision > 0; precision-- {
		powj *= 10
		if count/powi < powj {
			break
		}
	}
	suffix := ""
	if t.iec > 0 {
		suffix = "i"
	}
	buf := fmt.Sprintf("%.*f%c%s", precision, float64(count)/float64(powi), prefix[0], suffix)
	return fmt.Sprintf("%*s ", width, buf)
}
