package tccli

import (
	"strconv"
	"strings"

	"github.com/netsched/netsched/tc"
)

// ethPAll is ETH_P_ALL, the protocol of a filter added without one.
const ethPAll = 0x0003

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// llProtos is iproute2 6.1's table of link-layer protocol names
// (lib/ll_proto.c), in its order: the first name of an id prints, any
// name parses (case-insensitive).
var llProtos = []struct {
	id   uint16
	name string
}{
	{0x0060, "loop"}, {0x0200, "pup"}, {0x0201, "pupat"}, {0x0800, "ip"},
	{0x0805, "x25"}, {0x0806, "arp"}, {0x08FF, "bpq"}, {0x0a00, "ieeepup"},
	{0x0a01, "ieeepupat"}, {0x6000, "dec"}, {0x6001, "dna_dl"}, {0x6002, "dna_rc"},
	{0x6003, "dna_rt"}, {0x6004, "lat"}, {0x6005, "diag"}, {0x6006, "cust"},
	{0x6007, "sca"}, {0x8035, "rarp"}, {0x809B, "atalk"}, {0x80F3, "aarp"},
	{0x8137, "ipx"}, {0x86DD, "ipv6"}, {0x8863, "ppp_disc"}, {0x8864, "ppp_ses"},
	{0x884c, "atmmpoa"}, {0x8884, "atmfate"}, {0x0001, "802_3"}, {0x0002, "ax25"},
	{0x0003, "all"}, {0x0004, "802_2"}, {0x0005, "snap"}, {0x0006, "ddcmp"},
	{0x0007, "wan_ppp"}, {0x0008, "ppp_mp"}, {0x0009, "localtalk"}, {0x000C, "can"},
	{0x0010, "ppptalk"}, {0x0011, "tr_802_2"}, {0x0015, "mobitex"}, {0x0016, "control"},
	{0x0017, "irda"}, {0x0018, "econet"}, {0x88CA, "tipc"}, {0x8892, "profinet"},
	{0x88A2, "aoe"}, {0x88A4, "ethercat"}, {0x8100, "802.1Q"}, {0x88A8, "802.1ad"},
	{0x8847, "mpls_uc"}, {0x8848, "mpls_mc"}, {0x6558, "teb"},
	{0x8100, "802.1Q"}, {0x88cc, "LLDP"}, {0x0800, "ipv4"},
}

// protoByName is ll_proto_a2n: a name of the table or a number (get_u16,
// base 0), in network order.
func protoByName(s string) (uint16, bool) {
	for _, p := range llProtos {
		if strings.EqualFold(p.name, s) {
			return htons(p.id), true
		}
	}
	v, err := tc.GetU16(s, 0)
	if err != nil {
		return 0, false
	}
	return htons(v), true
}

// protoName is ll_proto_n2a: the table's name, or "[N]" (always with -N).
func (t *tool) protoName(id uint16) string {
	h := htons(id)
	if t.numeric == 0 {
		for _, p := range llProtos {
			if p.id == h {
				return p.name
			}
		}
	}
	return "[" + strconv.Itoa(int(h)) + "]"
}
