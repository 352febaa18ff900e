package flower

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

const usage = `Usage: ... flower	[ MATCH-LIST ] [ verbose ]
			[ skip_sw | skip_hw ]
			[ action ACTION-SPEC ] [ classid CLASSID ]

Where: MATCH-LIST := [ MATCH-LIST ] MATCH
       MATCH      := {	indev DEV-NAME |
			num_of_vlans VLANS_COUNT |
			vlan_id VID |
			vlan_prio PRIORITY |
			vlan_ethtype [ ipv4 | ipv6 | ETH-TYPE ] |
			cvlan_id VID |
			cvlan_prio PRIORITY |
			cvlan_ethtype [ ipv4 | ipv6 | ETH-TYPE ] |
			pppoe_sid PSID |
			ppp_proto [ ipv4 | ipv6 | mpls_uc | mpls_mc | PPP_PROTO ]			dst_mac MASKED-LLADDR |
			src_mac MASKED-LLADDR |
			ip_proto [tcp | udp | sctp | icmp | icmpv6 | IP-PROTO ] |
			ip_tos MASKED-IP_TOS |
			ip_ttl MASKED-IP_TTL |
			mpls LSE-LIST |
			mpls_label LABEL |
			mpls_tc TC |
			mpls_bos BOS |
			mpls_ttl TTL |
			dst_ip PREFIX |
			src_ip PREFIX |
			dst_port PORT-NUMBER |
			src_port PORT-NUMBER |
			tcp_flags MASKED-TCP_FLAGS |
			type MASKED-ICMP-TYPE |
			code MASKED-ICMP-CODE |
			arp_tip IPV4-PREFIX |
			arp_sip IPV4-PREFIX |
			arp_op [ request | reply | OP ] |
			arp_tha MASKED-LLADDR |
			arp_sha MASKED-LLADDR |
			enc_dst_ip [ IPV4-ADDR | IPV6-ADDR ] |
			enc_src_ip [ IPV4-ADDR | IPV6-ADDR ] |
			enc_key_id [ KEY-ID ] |
			enc_tos MASKED-IP_TOS |
			enc_ttl MASKED-IP_TTL |
			geneve_opts MASKED-OPTIONS |
			vxlan_opts MASKED-OPTIONS |
                       erspan_opts MASKED-OPTIONS |
			gtp_opts MASKED-OPTIONS |
			ip_flags IP-FLAGS |
			enc_dst_port [ port_number ] |
			ct_state MASKED_CT_STATE |
			ct_label MASKED_CT_LABEL |
			ct_mark MASKED_CT_MARK |
			ct_zone MASKED_CT_ZONE }
	LSE-LIST := [ LSE-LIST ] LSE
	LSE := lse depth DEPTH { label LABEL | tc TC | bos BOS | ttl TTL }
	FILTERID := X:Y:Z
	MASKED_LLADDR := { LLADDR | LLADDR/MASK | LLADDR/BITS }
	MASKED_CT_STATE := combination of {+|-} and flags trk,est,new,rel,rpl,inv
	ACTION-SPEC := ... look at individual actions

NOTE:	CLASSID, IP-PROTO are parsed as hexadecimal input.
NOTE:	There can be only used one mask per one prio. If user needs
	to specify different mask, he has to use different prio.`

var ethTypes = map[string]uint16{"ip": 0x0800, "ipv4": 0x0800, "ipv6": 0x86DD, "arp": 0x0806, "rarp": 0x8035,
	"802.1Q": 0x8100, "802.1ad": 0x88A8, "mpls_uc": 0x8847, "mpls_mc": 0x8848, "all": 0x0003}

func ethType(s string) (uint16, bool) {
	if v, ok := ethTypes[s]; ok {
		return v, true
	}
	v, err := tc.GetU16(s, 16)
	return v, err == nil
}

// maskedLLAddr reads LLADDR[/MASK|/BITS].
func maskedLLAddr(s string) (addr, mask []byte, ok bool) {
	a, m, hasMask := strings.Cut(s, "/")
	hw, err := net.ParseMAC(a)
	if err != nil || len(hw) != 6 {
		return nil, nil, false
	}
	mask = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if hasMask {
		if bits, err := strconv.Atoi(m); err == nil {
			if bits < 0 || bits > 48 {
				return nil, nil, false
			}
			mask = make([]byte, 6)
			for i := 0; i < bits; i++ {
				mask[i/8] |= 0x80 >> (i % 8)
			}
		} else if mm, err := net.ParseMAC(m); err == nil && len(mm) == 6 {
			mask = mm
		} else {
			return nil, nil, false
		}
	}
	return hw, mask, true
}

// maskedU8 reads VALUE[/MASK].
func maskedU8(s string) (uint8, uint8, bool) {
	v, m, hasMask := strings.Cut(s, "/")
	x, err := tc.GetU8(v, 0)
	if err != nil {
		return 0, 0, false
	}
	mask := uint8(0xff)
	if hasMask {
		if mask, err = tc.GetU8(m, 0); err != nil {
			return 0, 0, false
		}
	}
	return x, mask, true
}

func prefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func putPrefix(b *nl.Builder, p netip.Prefix, v4, v4m, v6, v6m uint16) {
	raw := p.Addr().AsSlice()
	mask := make([]byte, len(raw))
	for i := 0; i < p.Bits(); i++ {
		mask[i/8] |= 0x80 >> (i % 8)
	}
	if p.Addr().Is4() {
		b.Put(v4, raw)
		b.Put(v4m, mask)
	} else {
		b.Put(v6, raw)
		b.Put(v6m, mask)
	}
}

var ipProtos = map[string]uint8{"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58, "esp": 50, "ah": 51}

func parseFilter(a *tc.Args, handle string, b *nl.Builder) (uint32, error) {
	var fh uint32
	if handle != "" {
		v, err := tc.GetU32(handle, 0)
		if err != nil {
			return 0, tc.Usagef("Illegal \"handle\"")
		}
		fh = v
	}
	b.Nest(sched.TCA_OPTIONS | nl.NLA_F_NESTED)
	var flags uint32
	var ipProto uint8
	nproto := uint16(0)
	if a.Protocol != 0 {
		nproto = a.Protocol
	}
	vlanEth, cvlanEth := uint16(0), uint16(0)
	bad := func(what, v string) error { return tc.Usagef("Illegal \"%s\"", what) }
	for a.More() {
		w := a.Next()
		val := func() (string, error) { return a.Value() }
		switch {
		case w == "classid" || w == "flowid":
			v, err := val()
			if err != nil {
				return 0, err
			}
			id, ok := clsutil.ParseClassID(v)
			if !ok {
				return 0, bad("classid", v)
			}
			b.PutU32(TCA_FLOWER_CLASSID, id)
		case w == "skip_hw":
			flags |= clsutil.FlagSkipHW
		case w == "skip_sw":
			flags |= clsutil.FlagSkipSW
		case w == "verbose":
			flags |= clsutil.FlagVerbose
		case w == "indev":
			v, err := val()
			if err != nil {
				return 0, err
			}
			b.PutString(TCA_FLOWER_INDEV, v)
		case w == "num_of_vlans":
			v, err := val()
			if err != nil {
				return 0, err
			}
			n, e := tc.GetU8(v, 0)
			if e != nil {
				return 0, bad("num_of_vlans", v)
			}
			b.PutU8(TCA_FLOWER_KEY_NUM_OF_VLANS, n)
		case w == "vlan_id" || w == "cvlan_id":
			v, err := val()
			if err != nil {
				return 0, err
			}
			id, e := tc.GetU16(v, 10)
			if e != nil || id&^0xfff != 0 {
				return 0, bad(w, v)
			}
			t := uint16(TCA_FLOWER_KEY_VLAN_ID)
			if w == "cvlan_id" {
				t = TCA_FLOWER_KEY_CVLAN_ID
			}
			b.PutU16(t, id)
		case w == "vlan_prio" || w == "cvlan_prio":
			v, err := val()
			if err != nil {
				return 0, err
			}
			pr, e := tc.GetU8(v, 10)
			if e != nil || pr&^7 != 0 {
				return 0, bad(w, v)
			}
			t := uint16(TCA_FLOWER_KEY_VLAN_PRIO)
			if w == "cvlan_prio" {
				t = TCA_FLOWER_KEY_CVLAN_PRIO
			}
			b.PutU8(t, pr)
		case w == "vlan_ethtype" || w == "cvlan_ethtype":
			v, err := val()
			if err != nil {
				return 0, err
			}
			et, ok := ethType(v)
			if !ok {
				return 0, bad(w, v)
			}
			var x [2]byte
			binary.BigEndian.PutUint16(x[:], et)
			if w == "vlan_ethtype" {
				b.Put(TCA_FLOWER_KEY_VLAN_ETH_TYPE, x[:])
				vlanEth = et
			} else {
				b.Put(TCA_FLOWER_KEY_CVLAN_ETH_TYPE, x[:])
				cvlanEth = et
			}
		case w == "dst_mac" || w == "src_mac" || w == "arp_tha" || w == "arp_sha":
			v, err := val()
			if err != nil {
				return 0, err
			}
			ad, mk, ok := maskedLLAddr(v)
			if !ok {
				return 0, bad(w, v)
			}
			t := map[string][2]uint16{
				"dst_mac": {TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK},
				"src_mac": {TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK},
				"arp_tha": {TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK},
				"arp_sha": {TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK},
			}[w]
			b.Put(t[0], ad)
			b.Put(t[1], mk)
		case w == "ip_proto":
			v, err := val()
			if err != nil {
				return 0, err
			}
			p, ok := ipProtos[v]
			if !ok {
				x, e := tc.GetU8(v, 16)
				if e != nil {
					return 0, bad("ip_proto", v)
				}
				p = x
			}
			ipProto = p
			b.PutU8(TCA_FLOWER_KEY_IP_PROTO, p)
		case w == "ip_tos" || w == "ip_ttl" || w == "enc_tos" || w == "enc_ttl" || w == "type" || w == "code":
			v, err := val()
			if err != nil {
				return 0, err
			}
			x, m, ok := maskedU8(v)
			if !ok {
				return 0, bad(w, v)
			}
			t := map[string][2]uint16{
				"ip_tos": {TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK}, "ip_ttl": {TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK},
				"enc_tos": {TCA_FLOWER_KEY_ENC_IP_TOS, TCA_FLOWER_KEY_ENC_IP_TOS_MASK}, "enc_ttl": {TCA_FLOWER_KEY_ENC_IP_TTL, TCA_FLOWER_KEY_ENC_IP_TTL_MASK},
			}[w]
			if w == "type" || w == "code" {
				v6 := ipProto == 58
				switch {
				case w == "type" && !v6:
					t = [2]uint16{TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK}
				case w == "type":
					t = [2]uint16{TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK}
				case !v6:
					t = [2]uint16{TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK}
				default:
					t = [2]uint16{TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK}
				}
			}
			b.PutU8(t[0], x)
			b.PutU8(t[1], m)
		case w == "mpls_label" || w == "mpls_tc" || w == "mpls_bos" || w == "mpls_ttl":
			v, err := val()
			if err != nil {
				return 0, err
			}
			x, e := tc.GetU32(v, 0)
			if e != nil {
				return 0, bad(w, v)
			}
			switch w {
			case "mpls_label":
				b.PutU32(TCA_FLOWER_KEY_MPLS_LABEL, x)
			case "mpls_tc":
				b.PutU8(TCA_FLOWER_KEY_MPLS_TC, uint8(x))
			case "mpls_bos":
				b.PutU8(TCA_FLOWER_KEY_MPLS_BOS, uint8(x))
			default:
				b.PutU8(TCA_FLOWER_KEY_MPLS_TTL, uint8(x))
			}
		case w == "dst_ip" || w == "src_ip" || w == "enc_dst_ip" || w == "enc_src_ip":
			v, err := val()
			if err != nil {
				return 0, err
			}
			p, ok := prefix(v)
			if !ok {
				return 0, bad(w, v)
			}
			t := map[string][4]uint16{
				"dst_ip":     {TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK},
				"src_ip":     {TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK},
				"enc_dst_ip": {TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK, TCA_FLOWER_KEY_ENC_IPV6_DST, TCA_FLOWER_KEY_ENC_IPV6_DST_MASK},
				"enc_src_ip": {TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK, TCA_FLOWER_KEY_ENC_IPV6_SRC, TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK},
			}[w]
			putPrefix(b, p, t[0], t[1], t[2], t[3])
		case w == "arp_tip" || w == "arp_sip":
			v, err := val()
			if err != nil {
				return 0, err
			}
			p, ok := prefix(v)
			if !ok || !p.Addr().Is4() {
				return 0, bad(w, v)
			}
			if w == "arp_tip" {
				putPrefix(b, p, TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK, 0, 0)
			} else {
				putPrefix(b, p, TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK, 0, 0)
			}
		case w == "arp_op":
			v, err := val()
			if err != nil {
				return 0, err
			}
			op, m := uint8(0), uint8(0xff)
			switch v {
			case "request":
				op = 1
			case "reply":
				op = 2
			default:
				var ok bool
				if op, m, ok = maskedU8(v); !ok {
					return 0, bad(w, v)
				}
			}
			b.PutU8(TCA_FLOWER_KEY_ARP_OP, op)
			b.PutU8(TCA_FLOWER_KEY_ARP_OP_MASK, m)
		case w == "dst_port" || w == "src_port":
			v, err := val()
			if err != nil {
				return 0, err
			}
			if err := putPort(b, w == "dst_port", ipProto, v); err != nil {
				return 0, err
			}
		case w == "enc_dst_port" || w == "enc_src_port":
			v, err := val()
			if err != nil {
				return 0, err
			}
			port, e := tc.GetU16(v, 10)
			if e != nil {
				return 0, bad(w, v)
			}
			var x [2]byte
			binary.BigEndian.PutUint16(x[:], port)
			if w == "enc_dst_port" {
				b.Put(TCA_FLOWER_KEY_ENC_UDP_DST_PORT, x[:])
			} else {
				b.Put(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT, x[:])
			}
		case w == "enc_key_id":
			v, err := val()
			if err != nil {
				return 0, err
			}
			id, e := tc.GetU32(v, 10)
			if e != nil {
				return 0, bad(w, v)
			}
			var x [4]byte
			binary.BigEndian.PutUint32(x[:], id)
			b.Put(TCA_FLOWER_KEY_ENC_KEY_ID, x[:])
		case w == "tcp_flags":
			v, err := val()
			if err != nil {
				return 0, err
			}
			f, m, hasMask := strings.Cut(v, "/")
			fv, e := tc.GetU16(f, 16)
			mv := uint16(0xffff)
			if e == nil && hasMask {
				mv, e = tc.GetU16(m, 16)
			}
			if e != nil {
				return 0, bad(w, v)
			}
			var x, y [2]byte
			binary.BigEndian.PutUint16(x[:], fv)
			binary.BigEndian.PutUint16(y[:], mv)
			b.Put(TCA_FLOWER_KEY_TCP_FLAGS, x[:])
			b.Put(TCA_FLOWER_KEY_TCP_FLAGS_MASK, y[:])
		case w == "ip_flags":
			v, err := val()
			if err != nil {
				return 0, err
			}
			var kv, mv uint32
			for _, f := range strings.Split(v, "/") {
				no := strings.HasPrefix(f, "no")
				name := strings.TrimPrefix(f, "no")
				var bit uint32
				switch name {
				case "frag":
					bit = KeyFlagIsFragment
				case "firstfrag":
					bit = KeyFlagFragIsFirst
				default:
					return 0, tc.Usagef("Unknown ip_flags \"%s\"\nIllegal \"ip_flags\"", f)
				}
				mv |= bit
				if !no {
					kv |= bit
				}
			}
			var x, y [4]byte
			binary.BigEndian.PutUint32(x[:], kv)
			binary.BigEndian.PutUint32(y[:], mv)
			b.Put(TCA_FLOWER_KEY_FLAGS, x[:])
			b.Put(TCA_FLOWER_KEY_FLAGS_MASK, y[:])
		case w == "ct_state" || w == "ct_zone" || w == "ct_mark" || w == "ct_label":
			if _, err := val(); err != nil {
				return 0, err
			}
			// Sent as an empty-valued key; the kernel side refuses it
			// (no conntrack).
			t := map[string]uint16{"ct_state": TCA_FLOWER_KEY_CT_STATE, "ct_zone": TCA_FLOWER_KEY_CT_ZONE,
				"ct_mark": TCA_FLOWER_KEY_CT_MARK, "ct_label": TCA_FLOWER_KEY_CT_LABELS}[w]
			if t == TCA_FLOWER_KEY_CT_LABELS {
				b.Put(t, make([]byte, 16))
			} else if t == TCA_FLOWER_KEY_CT_MARK {
				b.PutU32(t, 0)
			} else {
				b.PutU16(t, 0)
			}
		case tc.Matches(w, "action"):
			if err := clsutil.ParseActions(a, TCA_FLOWER_ACT, b); err != nil {
				return 0, err
			}
		case w == "help":
			return 0, tc.Usagef("%s", usage)
		default:
			return 0, tc.Usagef("What is \"%s\"?\n%s", w, usage)
		}
	}
	_ = vlanEth
	_ = cvlanEth
	if flags&(clsutil.FlagSkipHW|clsutil.FlagSkipSW) == clsutil.FlagSkipHW|clsutil.FlagSkipSW {
		return 0, tc.Usagef("skip_hw and skip_sw are mutually exclusive")
	}
	b.PutU32(TCA_FLOWER_FLAGS, flags)
	if nproto != 0 && nproto != 0x0003 {
		var x [2]byte
		binary.BigEndian.PutUint16(x[:], nproto)
		b.Put(TCA_FLOWER_KEY_ETH_TYPE, x[:])
	}
	b.EndNest()
	return fh, nil
}

// putPort reads PORT or MIN-MAX for the transport protocol given before.
func putPort(b *nl.Builder, dst bool, proto uint8, v string) error {
	what := "src_port"
	if dst {
		what = "dst_port"
	}
	lo, hi, isRange := strings.Cut(v, "-")
	pmin, e := tc.GetU16(lo, 10)
	if e != nil {
		return tc.Usagef("Illegal \"%s\"", what)
	}
	if isRange {
		pmax, e := tc.GetU16(hi, 10)
		if e != nil || pmax <= pmin || (proto != 6 && proto != 17 && proto != 132) {
			return tc.Usagef("Illegal \"%s\"", what)
		}
		tmin, tmax := uint16(TCA_FLOWER_KEY_PORT_SRC_MIN), uint16(TCA_FLOWER_KEY_PORT_SRC_MAX)
		if dst {
			tmin, tmax = TCA_FLOWER_KEY_PORT_DST_MIN, TCA_FLOWER_KEY_PORT_DST_MAX
		}
		var x, y [2]byte
		binary.BigEndian.PutUint16(x[:], pmin)
		binary.BigEndian.PutUint16(y[:], pmax)
		b.Put(tmin, x[:])
		b.Put(tmax, y[:])
		return nil
	}
	t, ok := map[uint8][2]uint16{
		6: {TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_DST}, 17: {TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_DST},
		132: {TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_DST},
	}[proto]
	if !ok {
		return tc.Usagef("Illegal \"%s\"", what)
	}
	var x [2]byte
	binary.BigEndian.PutUint16(x[:], pmin)
	if dst {
		b.Put(t[1], x[:])
	} else {
		b.Put(t[0], x[:])
	}
	return nil
}

var _ = fmt.Sprint
