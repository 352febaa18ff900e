package conformance

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
	"testing"
)

// onesSum is the Internet checksum's folded sum (0xffff over a part whose
// checksum is right).
func onesSum(b []byte, init uint32) uint16 {
	s := init
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// The frame tdc's qdisc cases send, field by field as scapy builds it.
func TestScapyFrameTCP(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	f, err := scapyFrame("Ether(type=0x800)/IP(src='10.0.0.10',dst='10.0.0.20')/TCP(sport=5000,dport=10)", mac)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 14+20+20 {
		t.Fatalf("frame of %d bytes, want 54", len(f))
	}
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00, // broadcast, our MAC, IPv4
		0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, // v4 ihl 5, len 40, id 1, ttl 64, TCP
	}
	if !bytes.Equal(f[:len(want)], want) {
		t.Fatalf("header\n got % x\nwant % x", f[:len(want)], want)
	}
	if !bytes.Equal(f[26:34], []byte{10, 0, 0, 10, 10, 0, 0, 20}) {
		t.Fatalf("addresses % x", f[26:34])
	}
	if onesSum(f[14:34], 0) != 0xffff {
		t.Fatal("IPv4 header checksum wrong")
	}
	tcp := f[34:]
	if binary.BigEndian.Uint16(tcp[0:]) != 5000 || binary.BigEndian.Uint16(tcp[2:]) != 10 {
		t.Fatalf("ports % x", tcp[:4])
	}
	if tcp[12] != 0x50 || tcp[13] != 0x02 || binary.BigEndian.Uint16(tcp[14:]) != 8192 {
		t.Fatalf("offset, flags, window: % x (scapy: 50 02 20 00)", tcp[12:16])
	}
	pseudo := uint32(0x0a00+0x000a+0x0a00+0x0014) + 6 + 20
	if onesSum(tcp, pseudo) != 0xffff {
		t.Fatal("TCP checksum wrong")
	}
}

func TestScapyFrameICMPAndDefaults(t *testing.T) {
	f, err := scapyFrame("Ether()/IP(dst='10.10.10.1', src='10.10.10.10')/ICMP()", net.HardwareAddr{2, 0, 0, 0, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[23] != 1 || len(f) != 14+20+8 {
		t.Fatalf("type %x proto %d len %d", binary.BigEndian.Uint16(f[12:]), f[23], len(f))
	}
	if f[34] != 8 || f[35] != 0 || onesSum(f[34:], 0) != 0xffff {
		t.Fatalf("ICMP % x: want an echo request with a right checksum", f[34:])
	}
}

// What the runner cannot build is refused with the reason the case is
// then skipped for.
func TestScapyFrameRefusals(t *testing.T) {
	for expr, why := range map[string]string{
		"Ether()/IPv6(dst='::1')/UDP()":          "layer IPv6 is not emulated",
		"IP(dst='1.2.3.4')":                      "the first layer is IP",
		"Ether()/IP(dst='1.2.3.4', flags='DF')":  "field flags is not emulated",
		"Ether()/IP(dst='1.2.3.4')/TCP(sport=x)": "invalid syntax",
		"Ether()/IP(dst='1.2.3.4'":               "no closing parenthesis",
		"Ether()/TCP()":                          "not right after IP",
	} {
		_, err := scapyFrame(expr, net.HardwareAddr{0, 0, 0, 0, 0, 0})
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v, want an error saying %q", expr, err, why)
		}
	}
}

func TestParseScapyField(t *testing.T) {
	cs, err := ParseCases([]byte(`[
		{"id": "a", "scapy": {"iface": "$DEV0", "count": 5, "packet": "Ether()/IP()/ICMP()"}},
		{"id": "b", "scapy": [{"iface": "$DEV0", "count": 1, "packet": "Ether()"}, {"iface": "$DEV1", "count": 2, "packet": "Ether()"}]}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs[0].Scapy) != 1 || cs[0].Scapy[0].Count != 5 || cs[0].Scapy[0].Iface != "$DEV0" {
		t.Fatalf("one object: %+v", cs[0].Scapy)
	}
	if len(cs[1].Scapy) != 2 || cs[1].Scapy[1].Iface != "$DEV1" {
		t.Fatalf("a list: %+v", cs[1].Scapy)
	}
}
