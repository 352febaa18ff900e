package flower

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/tc"
)

// llNames is ll_proto_n2a's table for the EtherTypes flower shows.
var llNames = map[uint16]string{0x0800: "ip", 0x86DD: "ipv6", 0x0806: "arp", 0x8035: "rarp",
	0x8100: "802.1Q", 0x88A8: "802.1ad", 0x8847: "mpls_uc", 0x8848: "mpls_mc"}

func llName(v uint16) string {
	if n, ok := llNames[v]; ok {
		return n
	}
	return fmt.Sprintf("%04x", v)
}

// ethName is flower_print_eth_type: four protocols by name, others in
// hex.
func ethName(v uint16) string {
	switch v {
	case 0x0800:
		return "ipv4"
	case 0x86DD:
		return "ipv6"
	case 0x0806:
		return "arp"
	case 0x8035:
		return "rarp"
	}
	return fmt.Sprintf("%04x", v)
}

var protoNames = map[uint8]string{6: "tcp", 17: "udp", 132: "sctp", 1: "icmp", 58: "icmpv6", 50: "esp", 51: "ah"}

// maskLen is the prefix length of a contiguous mask, -1 otherwise.
func maskLen(m []byte) int {
	n := 0
	for _, c := range m {
		for i := 7; i >= 0; i-- {
			if c&(1<<i) == 0 {
				goto rest
			}
			n++
		}
	}
	return n
rest:
	for i := n + 1; i < len(m)*8; i++ {
		if m[i/8]&(0x80>>(i%8)) != 0 {
			return -1
		}
	}
	return n
}

func printFilter(p *tc.Printer, fh uint32, opt []byte) error {
	tb := clsutil.ParseSized(opt, TCA_FLOWER_MAX, printSizes)
	if fh != 0 {
		p.Uint(tc.JSON, "handle", "%d", uint64(fh))
		p.Printf("handle 0x%x ", fh)
	}
	if a := tb.Get(TCA_FLOWER_CLASSID); a != nil {
		h := a.U32()
		if m := h & 0xffff; m < 0xFFE0 || m > 0xFFE0+15 {
			p.String(tc.Any, "classid", "classid %s ", clsutil.ClassIDString(h))
		} else {
			p.Uint(tc.Any, "hw_tc", "hw_tc %d ", uint64(m-0xFFE0))
		}
	}
	if a := tb.Get(TCA_FLOWER_INDEV); a != nil {
		p.NL()
		p.String(tc.Any, "indev", "  indev %s", a.Str())
	}
	p.OpenObject("keys")
	line := func(key, format string, v any) {
		p.NL()
		switch x := v.(type) {
		case string:
			p.String(tc.Any, key, "  "+key+" "+format, x)
		case uint64:
			p.Uint(tc.Any, key, "  "+key+" "+format, x)
		}
	}
	if a := tb.Get(TCA_FLOWER_KEY_NUM_OF_VLANS); a != nil {
		line("num_of_vlans", "%d", uint64(a.U8()))
	}
	for _, v := range []struct {
		id, prio, eth uint16
		pre           string
	}{{TCA_FLOWER_KEY_VLAN_ID, TCA_FLOWER_KEY_VLAN_PRIO, TCA_FLOWER_KEY_VLAN_ETH_TYPE, ""},
		{TCA_FLOWER_KEY_CVLAN_ID, TCA_FLOWER_KEY_CVLAN_PRIO, TCA_FLOWER_KEY_CVLAN_ETH_TYPE, "c"}} {
		if a := tb.Get(v.id); a != nil {
			line(v.pre+"vlan_id", "%d", uint64(a.U16()))
		}
		if a := tb.Get(v.prio); a != nil {
			line(v.pre+"vlan_prio", "%d", uint64(a.U8()))
		}
		if a := tb.Get(v.eth); a != nil && len(a.Data) >= 2 {
			line(v.pre+"vlan_ethtype", "%s", llName(binary.BigEndian.Uint16(a.Data)))
		}
	}
	lladdr := func(key string, va, ma uint16) {
		a := tb.Get(va)
		if a == nil || len(a.Data) < 6 {
			return
		}
		s := net.HardwareAddr(a.Data[:6]).String()
		if m := tb.Get(ma); m != nil && len(m.Data) >= 6 {
			if n := maskLen(m.Data[:6]); n < 0 {
				s += "/" + net.HardwareAddr(m.Data[:6]).String()
			} else if n < 48 {
				s += fmt.Sprintf("/%d", n)
			}
		}
		line(key, "%s", s)
	}
	lladdr("dst_mac", TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK)
	lladdr("src_mac", TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK)
	var ethType uint16
	if a := tb.Get(TCA_FLOWER_KEY_ETH_TYPE); a != nil && len(a.Data) >= 2 {
		ethType = binary.BigEndian.Uint16(a.Data)
		line("eth_type", "%s", ethName(ethType))
	}
	var ipProto uint8
	if a := tb.Get(TCA_FLOWER_KEY_IP_PROTO); a != nil {
		ipProto = a.U8()
		n, ok := protoNames[ipProto]
		if !ok {
			n = fmt.Sprintf("%02x", ipProto)
		}
		line("ip_proto", "%s", n)
	}
	u8m := func(key string, va, ma uint16) {
		a := tb.Get(va)
		if a == nil {
			return
		}
		s := fmt.Sprintf("%d", a.U8())
		if m := tb.Get(ma); m != nil && m.U8() != 0xff {
			s += fmt.Sprintf("/0x%x", m.U8())
		}
		line(key, "%s", s)
	}
	ipAttr := func(key string, va, ma uint16) {
		a := tb.Get(va)
		if a == nil {
			return
		}
		if !p.IsJSON() {
			u8m(key, va, ma)
			return
		}
		p.Uint(tc.JSON, key, "%d", uint64(a.U8()))
		if m := tb.Get(ma); m != nil && m.U8() != 0xff {
			p.String(tc.JSON, key+"_mask", "%s", fmt.Sprintf("%x", m.U8()))
		}
	}
	ipAttr("ip_tos", TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK)
	ipAttr("ip_ttl", TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK)
	if a := tb.Get(TCA_FLOWER_KEY_MPLS_LABEL); a != nil {
		line("mpls_label", "%d", uint64(a.U32()))
	}
	for _, x := range []struct {
		k string
		t uint16
	}{{"mpls_tc", TCA_FLOWER_KEY_MPLS_TC}, {"mpls_bos", TCA_FLOWER_KEY_MPLS_BOS}, {"mpls_ttl", TCA_FLOWER_KEY_MPLS_TTL}} {
		if a := tb.Get(x.t); a != nil {
			line(x.k, "%s", fmt.Sprint(a.U8()))
		}
	}
	ipaddr := func(key string, v4, v4m, v6, v6m uint16) {
		va, ma := tb.Get(v4), tb.Get(v4m)
		if va == nil {
			va, ma = tb.Get(v6), tb.Get(v6m)
		}
		if va == nil {
			return
		}
		ad, ok := netip.AddrFromSlice(va.Data)
		if !ok {
			return
		}
		s := ad.String()
		if ma != nil && len(ma.Data) == len(va.Data) {
			if n := maskLen(ma.Data); n >= 0 && n != len(va.Data)*8 {
				s += fmt.Sprintf("/%d", n)
			} else if n < 0 {
				m, _ := netip.AddrFromSlice(ma.Data)
				s += "/" + m.String()
			}
		}
		line(key, "%s", s)
	}
	ipaddr("dst_ip", TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK)
	ipaddr("src_ip", TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK)
	ports := map[uint8][2]uint16{6: {TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_SRC},
		17: {TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_SRC}, 132: {TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_SRC}}
	if pt, ok := ports[ipProto]; ok {
		for i, key := range []string{"dst_port", "src_port"} {
			if a := tb.Get(pt[i]); a != nil && len(a.Data) >= 2 {
				line(key, "%d", uint64(binary.BigEndian.Uint16(a.Data)))
			}
		}
	}
	for _, r := range []struct {
		k        string
		min, max uint16
	}{{"dst_port", TCA_FLOWER_KEY_PORT_DST_MIN, TCA_FLOWER_KEY_PORT_DST_MAX}, {"src_port", TCA_FLOWER_KEY_PORT_SRC_MIN, TCA_FLOWER_KEY_PORT_SRC_MAX}} {
		lo, hi := tb.Get(r.min), tb.Get(r.max)
		if lo != nil && hi != nil && len(lo.Data) >= 2 && len(hi.Data) >= 2 {
			l, h := binary.BigEndian.Uint16(lo.Data), binary.BigEndian.Uint16(hi.Data)
			if p.IsJSON() {
				p.OpenObject(r.k)
				p.Uint(tc.JSON, "start", "%d", uint64(l))
				p.Uint(tc.JSON, "end", "%d", uint64(h))
				p.CloseObject()
			} else {
				line(r.k, "%s", fmt.Sprintf("%d-%d", l, h))
			}
		}
	}
	if a := tb.Get(TCA_FLOWER_KEY_TCP_FLAGS); a != nil && len(a.Data) >= 2 {
		s := fmt.Sprintf("0x%x", binary.BigEndian.Uint16(a.Data))
		if m := tb.Get(TCA_FLOWER_KEY_TCP_FLAGS_MASK); m != nil && len(m.Data) >= 2 && binary.BigEndian.Uint16(m.Data) != 0xffff {
			s += fmt.Sprintf("/%x", binary.BigEndian.Uint16(m.Data))
		}
		line("tcp_flags", "%s", s)
	}
	if ipProto == 1 {
		u8m("icmp_type", TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK)
		u8m("icmp_code", TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK)
	} else if ipProto == 58 {
		u8m("icmp_type", TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK)
		u8m("icmp_code", TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK)
	}
	ipaddr("arp_sip", TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK, 0, 0)
	ipaddr("arp_tip", TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK, 0, 0)
	if a := tb.Get(TCA_FLOWER_KEY_ARP_OP); a != nil {
		m := tb.Get(TCA_FLOWER_KEY_ARP_OP_MASK)
		switch {
		case (m == nil || m.U8() == 0xff) && a.U8() == 1:
			line("arp_op", "%s", "request")
		case (m == nil || m.U8() == 0xff) && a.U8() == 2:
			line("arp_op", "%s", "reply")
		default:
			u8m("arp_op", TCA_FLOWER_KEY_ARP_OP, TCA_FLOWER_KEY_ARP_OP_MASK)
		}
	}
	lladdr("arp_sha", TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK)
	lladdr("arp_tha", TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK)
	ipaddr("enc_dst_ip", TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK, TCA_FLOWER_KEY_ENC_IPV6_DST, TCA_FLOWER_KEY_ENC_IPV6_DST_MASK)
	ipaddr("enc_src_ip", TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK, TCA_FLOWER_KEY_ENC_IPV6_SRC, TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK)
	if a := tb.Get(TCA_FLOWER_KEY_ENC_KEY_ID); a != nil && len(a.Data) >= 4 {
		line("enc_key_id", "%d", uint64(binary.BigEndian.Uint32(a.Data)))
	}
	for _, e := range []struct {
		k string
		t uint16
	}{{"enc_dst_port", TCA_FLOWER_KEY_ENC_UDP_DST_PORT}, {"enc_src_port", TCA_FLOWER_KEY_ENC_UDP_SRC_PORT}} {
		if a := tb.Get(e.t); a != nil && len(a.Data) >= 2 {
			line(e.k, "%d", uint64(binary.BigEndian.Uint16(a.Data)))
		}
	}
	ipAttr("enc_tos", TCA_FLOWER_KEY_ENC_IP_TOS, TCA_FLOWER_KEY_ENC_IP_TOS_MASK)
	ipAttr("enc_ttl", TCA_FLOWER_KEY_ENC_IP_TTL, TCA_FLOWER_KEY_ENC_IP_TTL_MASK)
	if a, m := tb.Get(TCA_FLOWER_KEY_FLAGS), tb.Get(TCA_FLOWER_KEY_FLAGS_MASK); a != nil && m != nil && len(a.Data) >= 4 && len(m.Data) >= 4 {
		kv, mv := binary.BigEndian.Uint32(a.Data), binary.BigEndian.Uint32(m.Data)
		s := ""
		for _, f := range []struct {
			bit  uint32
			name string
		}{{KeyFlagIsFragment, "frag"}, {KeyFlagFragIsFirst, "firstfrag"}} {
			if mv&f.bit == 0 {
				continue
			}
			if s != "" {
				s += "/"
			}
			if kv&f.bit == 0 {
				s += "no"
			}
			s += f.name
		}
		if p.IsJSON() {
			p.OpenObject("ip_flags")
			for _, f := range []struct {
				bit  uint32
				name string
			}{{KeyFlagIsFragment, "frag"}, {KeyFlagFragIsFirst, "firstfrag"}} {
				if mv&f.bit != 0 {
					p.Bool(tc.JSON, f.name, "", kv&f.bit != 0)
				}
			}
			p.CloseObject()
		} else {
			line("ip_flags", "%s", s)
		}
	}
	p.CloseObject()
	if a := tb.Get(TCA_FLOWER_FLAGS); a != nil {
		f := a.U32()
		if f&clsutil.FlagSkipHW != 0 {
			p.NL()
			p.Bool(tc.Any, "skip_hw", "  skip_hw", true)
		}
		if f&clsutil.FlagSkipSW != 0 {
			p.NL()
			p.Bool(tc.Any, "skip_sw", "  skip_sw", true)
		}
		if f&clsutil.FlagInHW != 0 {
			p.NL()
			p.Bool(tc.Any, "in_hw", "  in_hw", true)
			if c := tb.Get(TCA_FLOWER_IN_HW_COUNT); c != nil {
				p.Uint(tc.Any, "in_hw_count", " in_hw_count %d", uint64(c.U32()))
			}
		} else if f&clsutil.FlagNotInHW != 0 {
			p.NL()
			p.Bool(tc.Any, "not_in_hw", "  not_in_hw", true)
		}
	}
	if a := tb.Get(TCA_FLOWER_ACT); a != nil {
		return clsutil.PrintActions(p, a.Data)
	}
	return nil
}

// printSizes are the sizes the printer reads of each attribute.
var printSizes = func() map[uint16]int {
	m := map[uint16]int{TCA_FLOWER_CLASSID: 4, TCA_FLOWER_FLAGS: 4, TCA_FLOWER_IN_HW_COUNT: 4,
		TCA_FLOWER_KEY_VLAN_ID: 2, TCA_FLOWER_KEY_CVLAN_ID: 2, TCA_FLOWER_KEY_VLAN_PRIO: 1, TCA_FLOWER_KEY_CVLAN_PRIO: 1,
		TCA_FLOWER_KEY_NUM_OF_VLANS: 1, TCA_FLOWER_KEY_MPLS_LABEL: 4, TCA_FLOWER_KEY_MPLS_TC: 1,
		TCA_FLOWER_KEY_MPLS_BOS: 1, TCA_FLOWER_KEY_MPLS_TTL: 1}
	for _, f := range []field{fIPProto, fTOS, fTTL, fICMP4T, fICMP4C, fICMP6T, fICMP6C, fARPOp, fEncTOS, fEncTTL} {
		m[f.val] = 1
		if f.mask != 0 {
			m[f.mask] = 1
		}
	}
	return m
}()
