package conformance

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// tdc's scapyPlugin sends, after the command under test, the packets a
// case lists: for each {iface, count, packet}, `count` times sendp(packet,
// iface). The packet is a scapy expression, layers joined by "/". The
// runner builds the same frames for the layers and fields the cases use
// (Ether, IP, TCP, UDP, ICMP with scapy's defaults) and sends them out of
// the device as a packet socket does; a case whose packet needs more is
// skipped, saying what.

// ScapySend is one entry of a case's "scapy" field.
type ScapySend struct {
	Iface  string `json:"iface"`
	Count  int    `json:"count"`
	Packet string `json:"packet"`
}

// parseScapy reads the "scapy" field: one object or a list of them.
func parseScapy(raw json.RawMessage) ([]ScapySend, error) {
	var list []ScapySend
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var one ScapySend
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []ScapySend{one}, nil
}

// scapyLayer is one `Name(key=value, ...)` of an expression.
type scapyLayer struct {
	name string
	args map[string]string
}

// parseScapyExpr splits a scapy expression into its layers.
func parseScapyExpr(expr string) ([]scapyLayer, error) {
	var out []scapyLayer
	s := strings.TrimSpace(expr)
	for s != "" {
		open := strings.IndexByte(s, '(')
		if open <= 0 {
			return nil, fmt.Errorf("layer %q is not Name(...)", s)
		}
		l := scapyLayer{name: strings.TrimSpace(s[:open]), args: map[string]string{}}
		rest := s[open+1:]
		for {
			rest = strings.TrimLeft(rest, " ,")
			if rest == "" {
				return nil, fmt.Errorf("%s: no closing parenthesis", l.name)
			}
			if rest[0] == ')' {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 {
				return nil, fmt.Errorf("%s: argument %q is not key=value", l.name, rest)
			}
			key := strings.TrimSpace(rest[:eq])
			rest = strings.TrimLeft(rest[eq+1:], " ")
			var val string
			if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
				end := strings.IndexByte(rest[1:], rest[0])
				if end < 0 {
					return nil, fmt.Errorf("%s: unterminated string", l.name)
				}
				val, rest = rest[1:end+1], rest[end+2:]
			} else {
				end := strings.IndexAny(rest, ",)")
				if end < 0 {
					return nil, fmt.Errorf("%s: no closing parenthesis", l.name)
				}
				val, rest = strings.TrimSpace(rest[:end]), rest[end:]
			}
			l.args[key] = val
		}
		out = append(out, l)
		rest = strings.TrimSpace(rest)
		if rest != "" {
			if rest[0] != '/' {
				return nil, fmt.Errorf("%q after %s", rest, l.name)
			}
			rest = strings.TrimSpace(rest[1:])
		}
		s = rest
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty packet")
	}
	return out, nil
}

// scapyFrame builds the frame of expr as sendp would send it out of a
// device whose hardware address is src.
func scapyFrame(expr string, src net.HardwareAddr) ([]byte, error) {
	ls, err := parseScapyExpr(expr)
	if err != nil {
		return nil, err
	}
	if ls[0].name != "Ether" {
		return nil, fmt.Errorf("the first layer is %s, not Ether", ls[0].name)
	}
	var out []gopacket.SerializableLayer
	var ip *layers.IPv4
	var next layers.EthernetType = 0x9000 // scapy's default type with no payload (LOOP)
	for i, l := range ls {
		num := func(key string, def uint64, bits int) (uint64, error) {
			v, ok := l.args[key]
			delete(l.args, key)
			if !ok {
				return def, nil
			}
			return strconv.ParseUint(v, 0, bits)
		}
		addr := func(key, def string) (net.IP, error) {
			v, ok := l.args[key]
			delete(l.args, key)
			if !ok {
				v = def
			}
			a := net.ParseIP(v).To4()
			if a == nil {
				return nil, fmt.Errorf("%s: %s %q is not an IPv4 address", l.name, key, v)
			}
			return a, nil
		}
		var perr error
		check := func(err error) {
			if err != nil && perr == nil {
				perr = fmt.Errorf("%s: %w", l.name, err)
			}
		}
		switch l.name {
		case "Ether":
			if i != 0 {
				return nil, fmt.Errorf("Ether after another layer")
			}
			e := &layers.Ethernet{SrcMAC: src, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
			for key, v := range map[string]*net.HardwareAddr{"dst": &e.DstMAC, "src": &e.SrcMAC} {
				if s, ok := l.args[key]; ok {
					m, err := net.ParseMAC(s)
					check(err)
					*v = m
					delete(l.args, key)
				}
			}
			t, err := num("type", 0, 16)
			check(err)
			e.EthernetType = layers.EthernetType(t)
			out = append(out, e)
		case "IP":
			p := &layers.IPv4{Version: 4, IHL: 5, Id: 1, TTL: 64}
			var err error
			p.SrcIP, err = addr("src", "0.0.0.0")
			check(err)
			p.DstIP, err = addr("dst", "127.0.0.1")
			check(err)
			ttl, err := num("ttl", 64, 8)
			check(err)
			tos, err := num("tos", 0, 8)
			check(err)
			p.TTL, p.TOS = uint8(ttl), uint8(tos)
			next, ip = layers.EthernetTypeIPv4, p
			out = append(out, p)
		case "TCP", "UDP", "ICMP":
			if ip == nil || i != 2 {
				return nil, fmt.Errorf("%s is not right after IP", l.name)
			}
			switch l.name {
			case "TCP":
				sp, err := num("sport", 20, 16)
				check(err)
				dp, err := num("dport", 80, 16)
				check(err)
				t := &layers.TCP{SrcPort: layers.TCPPort(sp), DstPort: layers.TCPPort(dp), SYN: true, Window: 8192}
				check(t.SetNetworkLayerForChecksum(ip))
				ip.Protocol = layers.IPProtocolTCP
				out = append(out, t)
			case "UDP":
				sp, err := num("sport", 53, 16)
				check(err)
				dp, err := num("dport", 53, 16)
				check(err)
				u := &layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}
				check(u.SetNetworkLayerForChecksum(ip))
				ip.Protocol = layers.IPProtocolUDP
				out = append(out, u)
			case "ICMP":
				typ, err := num("type", 8, 8)
				check(err)
				code, err := num("code", 0, 8)
				check(err)
				ip.Protocol = layers.IPProtocolICMPv4
				out = append(out, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(uint8(typ), uint8(code))})
			}
		default:
			return nil, fmt.Errorf("layer %s is not emulated", l.name)
		}
		if perr != nil {
			return nil, perr
		}
		for key := range l.args {
			return nil, fmt.Errorf("%s: field %s is not emulated", l.name, key)
		}
	}
	if e := out[0].(*layers.Ethernet); e.EthernetType == 0 {
		e.EthernetType = next
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, out...); err != nil {
		return nil, err
	}
	// gopacket pads a short frame to Ethernet's 60 bytes; a packet
	// socket sends the frame as it is (the device pads on the wire).
	n := 14
	if ip != nil {
		n += int(ip.Length)
	}
	return buf.Bytes()[:n], nil
}

// scapyPackets builds every frame a case sends, or says why it cannot.
func scapyPackets(c *Case) error {
	for _, s := range c.Scapy {
		if _, err := scapyFrame(s.Packet, net.HardwareAddr{0, 0, 0, 0, 0, 0}); err != nil {
			return fmt.Errorf("scapy packet %q: %w", s.Packet, err)
		}
	}
	return nil
}

// sendScapy is scapyPlugin's post_execute: each packet, count times, out
// of its interface (found in the case's namespaces: $DEV0 lives in the
// stand-in for the root namespace).
func (x *caseEnv) sendScapy(c *Case) error {
	e := x.r.daemon.e
	for _, s := range c.Scapy {
		name := x.names.Substitute(s.Iface)
		e.Lock()
		var err error
		func() {
			defer e.Unlock()
			w := e.World()
			for _, nsName := range []string{x.host, x.ns} {
				ns := w.Lookup(nsName)
				if ns == nil {
					continue
				}
				d := ns.ByName(name)
				if d == nil {
					continue
				}
				hw := d.HWAddr()
				frame, ferr := scapyFrame(s.Packet, hw[:])
				if ferr != nil {
					err = ferr
					return
				}
				for range s.Count {
					d.SendFrame(frame)
				}
				return
			}
			err = fmt.Errorf("no device %s for scapy to send on", name)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}
