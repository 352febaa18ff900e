package tunnelkey

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netsched/netsched/act/actutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Syntax is tunnel_key's tc face (m_tunnel_key.c).
var Syntax tc.ActionKindSyntax = syntax{}

type syntax struct{}

const explain = "Usage: tunnel_key unset\n" +
	"       tunnel_key set <TUNNEL_KEY>\n" +
	"Where TUNNEL_KEY is a combination of:\n" +
	"id <TUNNELID>\n" +
	"src_ip <IP> (mandatory)\n" +
	"dst_ip <IP> (mandatory)\n" +
	"dst_port <UDP_PORT>\n" +
	"geneve_opts | vxlan_opts | erspan_opts <OPTIONS>\n" +
	"csum | nocsum (default is \"csum\")"

// parseAddr is get_addr(AF_UNSPEC): IPv6 when the word has a colon.
func parseAddr(s string) ([]byte, bool) {
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return nil, false
		}
		b := a.As16()
		return b[:], true
	}
	var out [4]byte
	for i := 0; i < 4; i++ {
		n, used, over := tc.Strtoul(s, 0)
		if over || used == 0 || n > 255 {
			return nil, false
		}
		out[i] = byte(n)
		s = s[used:]
		if s == "" {
			return out[:], true
		}
		if i == 3 || s[0] != '.' {
			return nil, false
		}
		s = s[1:]
	}
	return out[:], true
}

// tosTTL is tunnel_key_parse_tos_ttl: decimal, else hex.
func tosTTL(s string) (uint8, bool) {
	if v, err := tc.GetU8(s, 10); err == nil {
		return v, true
	}
	v, err := tc.GetU8(s, 16)
	return v, err == nil
}

func wordsGeneve(s string, b *nl.Builder) bool {
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS)
	for _, opt := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' }) {
		b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_GENEVE)
		for i, tok := range strings.FieldsFunc(opt, func(r rune) bool { return r == ':' }) {
			switch i + 1 {
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS:
				v, err := tc.GetU16(tok, 16)
				if err != nil {
					return false
				}
				var be [2]byte
				binary.BigEndian.PutUint16(be[:], v)
				b.Put(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS, be[:])
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE:
				v, err := tc.GetU8(tok, 16)
				if err != nil {
					return false
				}
				b.PutU8(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE, v)
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA:
				d, err := hex.DecodeString(tok[:len(tok)/2*2])
				if err != nil {
					return false
				}
				b.Put(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA, d)
			default:
				return false
			}
		}
		b.EndNest()
	}
	b.EndNest()
	return true
}

func wordsVXLAN(s string, b *nl.Builder) bool {
	v, err := tc.GetU32(s, 0)
	if err != nil {
		return false
	}
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS | nl.NLA_F_NESTED)
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_VXLAN | nl.NLA_F_NESTED)
	b.PutU32(TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP, v)
	b.EndNest()
	b.EndNest()
	return true
}

func wordsERSPAN(s string, b *nl.Builder) bool {
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS | nl.NLA_F_NESTED)
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN | nl.NLA_F_NESTED)
	for i, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' }) {
		switch i + 1 {
		case TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID:
			v, err := tc.GetU8(tok, 0)
			if err != nil {
				return false
			}
			b.PutU8(uint16(i+1), v)
		case TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX:
			v, err := tc.GetU32(tok, 0)
			if err != nil {
				return false
			}
			var be [4]byte
			binary.BigEndian.PutUint32(be[:], v)
			b.Put(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX, be[:])
		default:
			return false
		}
	}
	b.EndNest()
	b.EndNest()
	return true
}

// ParseAction reads `tunnel_key unset | set KEY... [CONTROL] [index N]`
// (parse_tunnel_key).
func (syntax) ParseAction(a *tc.Args, attr uint16, b *nl.Builder) error {
	if !tc.Matches(a.Peek(), "tunnel_key") {
		return tc.Usagef("")
	}
	b.Nest(attr)
	a.Next()
	if !a.More() {
		return tc.Incomplete()
	}
	var action int32
	hasSrc, hasDst := false, false
	csum := true
	// value is NEXT_ARG: the option's argument, left for the a.Next()
	// at the end of the loop.
	value := func() (string, error) {
		a.Next()
		if !a.More() {
			return "", tc.Incomplete()
		}
		return a.Peek(), nil
	}
loop:
	for a.More() {
		w := a.Peek()
		switch {
		case tc.Matches(w, "unset"), tc.Matches(w, "set"):
			if action != 0 {
				return tc.Usagef("unexpected \"%s\" - action already specified\n%s", w, explain)
			}
			action = TCA_TUNNEL_KEY_ACT_SET
			if tc.Matches(w, "unset") {
				action = TCA_TUNNEL_KEY_ACT_RELEASE
			}
		case tc.Matches(w, "src_ip"), tc.Matches(w, "dst_ip"):
			v, err := value()
			if err != nil {
				return err
			}
			addr, ok := parseAddr(v)
			src := tc.Matches(w, "src_ip")
			if !ok {
				// get_addr exits.
				return tc.Exitf(1, "Error: any valid address is expected rather than \"%s\".", v)
			}
			t4, t6 := uint16(TCA_TUNNEL_KEY_ENC_IPV4_DST), uint16(TCA_TUNNEL_KEY_ENC_IPV6_DST)
			if src {
				t4, t6 = TCA_TUNNEL_KEY_ENC_IPV4_SRC, TCA_TUNNEL_KEY_ENC_IPV6_SRC
				hasSrc = true
			} else {
				hasDst = true
			}
			if len(addr) == 4 {
				b.Put(t4, addr)
			} else {
				b.Put(t6, addr)
			}
		case tc.Matches(w, "id"):
			v, err := value()
			if err != nil {
				return err
			}
			id, err := tc.GetU32(v, 10)
			if err != nil {
				return tc.Usagef("Illegal \"id\"")
			}
			var be [4]byte
			binary.BigEndian.PutUint32(be[:], id)
			b.Put(TCA_TUNNEL_KEY_ENC_KEY_ID, be[:])
		case tc.Matches(w, "dst_port"):
			v, err := value()
			if err != nil {
				return err
			}
			port, err := tc.GetU16(v, 10)
			if err != nil {
				return tc.Usagef("Illegal \"dst port\"")
			}
			var be [2]byte
			binary.BigEndian.PutUint16(be[:], port)
			b.Put(TCA_TUNNEL_KEY_ENC_DST_PORT, be[:])
		case tc.Matches(w, "geneve_opts"), tc.Matches(w, "vxlan_opts"), tc.Matches(w, "erspan_opts"):
			v, err := value()
			if err != nil {
				return err
			}
			name, f := "geneve_opts", wordsGeneve
			switch {
			case tc.Matches(w, "vxlan_opts"):
				name, f = "vxlan_opts", wordsVXLAN
			case tc.Matches(w, "erspan_opts"):
				name, f = "erspan_opts", wordsERSPAN
			}
			if !f(v, b) {
				return tc.Usagef("Illegal \"%s\"", name)
			}
		case tc.Matches(w, "tos"), tc.Matches(w, "ttl"):
			v, err := value()
			if err != nil {
				return err
			}
			x, ok := tosTTL(v)
			if tc.Matches(w, "tos") {
				if !ok {
					return tc.Usagef("Illegal \"tos\"")
				}
				b.PutU8(TCA_TUNNEL_KEY_ENC_TOS, x)
			} else {
				if !ok {
					return tc.Usagef("Illegal \"ttl\"")
				}
				b.PutU8(TCA_TUNNEL_KEY_ENC_TTL, x)
			}
		case tc.Matches(w, "csum"):
			csum = true
		case tc.Matches(w, "nocsum"):
			csum = false
		case tc.Matches(w, "help"):
			return tc.Exitf(255, "%s", explain)
		default:
			break loop
		}
		a.Next()
	}
	noCsum := uint8(0)
	if !csum {
		noCsum = 1
	}
	b.PutU8(TCA_TUNNEL_KEY_NO_CSUM, noCsum)
	var gen actutil.Gen
	ctl, err := actutil.ParseControlDefault(a, false, actutil.Pipe)
	if err != nil {
		return err
	}
	gen.Action = ctl
	if a.More() && tc.Matches(a.Peek(), "index") {
		a.Next()
		v, err := a.Value()
		if err != nil {
			return err
		}
		if gen.Index, err = tc.GetU32(v, 10); err != nil {
			return tc.Usagef("tunnel_key: Illegal \"index\"")
		}
	}
	if action == TCA_TUNNEL_KEY_ACT_SET && (!hasSrc || !hasDst) {
		return tc.Usagef("set needs tunnel_key parameters\n%s", explain)
	}
	parms := make([]byte, ParmsLen)
	gen.Put(parms)
	binary.NativeEndian.PutUint32(parms[20:], uint32(action))
	b.Put(TCA_TUNNEL_KEY_PARMS, parms)
	b.EndNest()
	return nil
}

func addrString(d []byte) (string, bool) {
	switch len(d) {
	case 4:
		return netip.AddrFrom4([4]byte(d)).String(), true
	case 16:
		return netip.AddrFrom16([16]byte(d)).String(), true
	}
	return "", false
}

// PrintAction prints a tunnel_key action (print_tunnel_key).
func (syntax) PrintAction(p *tc.Printer, opt []byte) error {
	p.String(tc.Any, "kind", "%s ", "tunnel_key")
	if opt == nil {
		return nil
	}
	tb := nl.Parse(opt, TCA_TUNNEL_KEY_MAX)
	pa := tb.Get(TCA_TUNNEL_KEY_PARMS)
	if pa == nil {
		return tc.Fail("Missing tunnel_key parameters")
	}
	d := actutil.Fixed(pa.Data, ParmsLen)
	g := actutil.DecodeGen(d)
	switch binary.NativeEndian.Uint32(d[20:]) {
	case TCA_TUNNEL_KEY_ACT_RELEASE:
		p.String(tc.Any, "mode", " %s", "unset")
	case TCA_TUNNEL_KEY_ACT_SET:
		p.String(tc.Any, "mode", " %s", "set")
		for _, x := range []struct {
			t   uint16
			key string
		}{{TCA_TUNNEL_KEY_ENC_IPV4_SRC, "src_ip"}, {TCA_TUNNEL_KEY_ENC_IPV4_DST, "dst_ip"},
			{TCA_TUNNEL_KEY_ENC_IPV6_SRC, "src_ip"}, {TCA_TUNNEL_KEY_ENC_IPV6_DST, "dst_ip"}} {
			if at := tb.Get(x.t); at != nil {
				if s, ok := addrString(at.Data); ok {
					p.NL()
					p.String(tc.Any, x.key, "\t"+x.key+" %s", s)
				}
			}
		}
		if at := tb.Get(TCA_TUNNEL_KEY_ENC_KEY_ID); at != nil && len(at.Data) >= 4 {
			p.NL()
			p.Uint(tc.Any, "key_id", "\tkey_id %d", uint64(binary.BigEndian.Uint32(at.Data)))
		}
		if at := tb.Get(TCA_TUNNEL_KEY_ENC_DST_PORT); at != nil && len(at.Data) >= 2 {
			p.NL()
			p.Uint(tc.Any, "dst_port", "\tdst_port %d", uint64(binary.BigEndian.Uint16(at.Data)))
		}
		if at := tb.Get(TCA_TUNNEL_KEY_ENC_OPTS); at != nil {
			printOpts(p, at.Data)
		}
		if at := tb.Get(TCA_TUNNEL_KEY_NO_CSUM); at != nil && len(at.Data) >= 1 {
			p.NL()
			flag := "csum"
			if at.U8() != 0 {
				flag = "nocsum"
			}
			p.String(tc.Any, "flag", "\t%s", flag)
		}
		if at := tb.Get(TCA_TUNNEL_KEY_ENC_TOS); at != nil && len(at.Data) >= 1 && at.U8() != 0 {
			p.NL()
			p.Uint(tc.Any, "tos", "\ttos 0x%x", uint64(at.U8()))
		}
		if at := tb.Get(TCA_TUNNEL_KEY_ENC_TTL); at != nil && len(at.Data) >= 1 && at.U8() != 0 {
			p.NL()
			p.Uint(tc.Any, "ttl", "\tttl %d", uint64(at.U8()))
		}
	}
	actutil.PrintControl(p, " ", g.Action, "")
	p.NL()
	actutil.PrintIndex(p, g)
	if p.Stats {
		if tm := tb.Get(TCA_TUNNEL_KEY_TM); tm != nil {
			actutil.PrintTm(p, tm.Data)
		}
	}
	p.NL()
	return nil
}

// printOpts is tunnel_key_print_key_opt.
func printOpts(p *tc.Printer, data []byte) {
	tb := nl.Parse(data, TCA_TUNNEL_KEY_ENC_OPTS_MAX)
	switch {
	case tb.Has(TCA_TUNNEL_KEY_ENC_OPTS_GENEVE):
		p.OpenArray(tc.JSON, "geneve_opts", "")
		p.NL()
		p.String(tc.Text, "", "\t%s ", "geneve_opts")
		var parts []string
		// The options come as repeated class, type, data triples.
		var cls uint16
		var typ uint8
		nl.Walk(tb.Get(TCA_TUNNEL_KEY_ENC_OPTS_GENEVE).Data, func(x nl.Attr) bool {
			switch x.Type {
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS:
				if len(x.Data) >= 2 {
					cls = binary.BigEndian.Uint16(x.Data)
				}
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE:
				if len(x.Data) >= 1 {
					typ = x.Data[0]
				}
			case TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA:
				p.OpenObject("")
				p.Uint(tc.JSON, "class", "", uint64(cls))
				p.Uint(tc.JSON, "type", "", uint64(typ))
				p.OpenArray(tc.JSON, "data", "")
				for _, c := range x.Data {
					p.Uint(tc.JSON, "", "", uint64(c))
				}
				p.CloseArray(tc.JSON, "")
				p.CloseObject()
				parts = append(parts, fmt.Sprintf("%04x:%02x:%s", cls, typ, hex.EncodeToString(x.Data)))
			}
			return true
		})
		p.String(tc.Text, "", "%s", strings.Join(parts, ","))
		p.CloseArray(tc.JSON, "")
	case tb.Has(TCA_TUNNEL_KEY_ENC_OPTS_VXLAN):
		vt := nl.Parse(tb.Get(TCA_TUNNEL_KEY_ENC_OPTS_VXLAN).Data, TCA_TUNNEL_KEY_ENC_OPT_VXLAN_MAX)
		var gbp uint32
		if x := vt.Get(TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP); x != nil && len(x.Data) >= 4 {
			gbp = x.U32()
		}
		p.NL()
		p.String(tc.Text, "", "\t%s ", "vxlan_opts")
		p.OpenArray(tc.JSON, "vxlan_opts", "")
		p.OpenObject("")
		p.Uint(tc.Any, "gbp", "%d", uint64(gbp))
		p.CloseObject()
		p.CloseArray(tc.JSON, "")
	case tb.Has(TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN):
		et := nl.Parse(tb.Get(TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN).Data, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_MAX)
		u8 := func(t uint16) uint64 {
			if x := et.Get(t); x != nil && len(x.Data) >= 1 {
				return uint64(x.Data[0])
			}
			return 0
		}
		ver := u8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER)
		var idx, dir, hwid uint64
		if ver == 1 {
			if x := et.Get(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX); x != nil && len(x.Data) >= 4 {
				idx = uint64(binary.BigEndian.Uint32(x.Data))
			}
		} else {
			dir, hwid = u8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR), u8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID)
		}
		p.NL()
		p.String(tc.Text, "", "\t%s ", "erspan_opts")
		p.OpenArray(tc.JSON, "erspan_opts", "")
		p.OpenObject("")
		p.Uint(tc.Any, "ver", "%d", ver)
		p.Uint(tc.Any, "index", ":%d", idx)
		p.Uint(tc.Any, "dir", ":%d", dir)
		p.Uint(tc.Any, "hwid", ":%d", hwid)
		p.CloseObject()
		p.CloseArray(tc.JSON, "")
	}
}
