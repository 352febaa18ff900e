package tunnelkey

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Encapsulation options: geneve TLVs (class, type, data), vxlan's group
// policy, or erspan's version with its index or direction and hardware id.
type opt struct {
	kind    uint16 // TCA_TUNNEL_KEY_ENC_OPTS_*
	class   uint16 // geneve
	typ     uint8
	data    []byte
	gbp     uint32 // vxlan
	ver     uint8  // erspan
	index   uint32
	dir     uint8
	hwid    uint8
	size    int // bytes in the kernel's option area
	hasIdx  bool
	hasDirs bool
}

// ipTunnelOptsMax is IP_TUNNEL_OPTS_MAX.
const ipTunnelOptsMax = 255

// vxlanGBPMask is VXLAN_GBP_MASK: dont-learn, policy-applied, the id.
const vxlanGBPMask = 0x0048FFFF

func parseGeneve(a *nl.Attr) (opt, error) {
	tb, err := sched.ParseOptions(a.Data, TCA_TUNNEL_KEY_ENC_OPT_GENEVE_MAX, map[uint16]nl.PolicyEntry{
		TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS: {Type: nl.U16},
		TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE:  {Type: nl.U8},
		TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA:  {Type: nl.Binary, Len: 128},
	})
	if err != nil {
		return opt{}, err
	}
	cl, ty, da := tb.Get(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS), tb.Get(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE), tb.Get(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA)
	if cl == nil || ty == nil || da == nil {
		return opt{}, sched.Err(syscall.EINVAL, "Missing tunnel key geneve option class, type or data")
	}
	if len(da.Data) < 4 {
		return opt{}, sched.Err(syscall.ERANGE, "Tunnel key geneve option data is less than 4 bytes long")
	}
	if len(da.Data)%4 != 0 {
		return opt{}, sched.Err(syscall.ERANGE, "Tunnel key geneve option data is not a multiple of 4 bytes long")
	}
	return opt{kind: TCA_TUNNEL_KEY_ENC_OPTS_GENEVE, class: binary.BigEndian.Uint16(cl.Data), typ: ty.U8(),
		data: append([]byte(nil), da.Data...), size: 4 + len(da.Data)}, nil
}

// strictParse is nla_parse_nested: a type above max, or a fixed-size
// attribute of another size, is refused.
func strictParse(a *nl.Attr, max uint16, sizes map[uint16]int) (nl.Attrs, error) {
	var err error
	nl.Walk(a.Data, func(x nl.Attr) bool {
		if x.Type == 0 || x.Type > max {
			err = sched.Err(syscall.EINVAL, "Unknown attribute type")
			return false
		}
		if n, ok := sizes[x.Type]; ok && len(x.Data) != n {
			errno := syscall.EINVAL
			msg := "invalid attribute length"
			if len(x.Data) < n {
				errno, msg = syscall.ERANGE, "Attribute failed policy validation"
			}
			err = sched.Err(errno, msg)
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return nl.Parse(a.Data, max), nil
}

func parseVXLAN(a *nl.Attr) (opt, error) {
	tb, err := strictParse(a, TCA_TUNNEL_KEY_ENC_OPT_VXLAN_MAX, map[uint16]int{TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP: 4})
	if err != nil {
		return opt{}, err
	}
	g := tb.Get(TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP)
	if g == nil {
		return opt{}, sched.Err(syscall.EINVAL, "Missing tunnel key vxlan option gbp")
	}
	return opt{kind: TCA_TUNNEL_KEY_ENC_OPTS_VXLAN, gbp: g.U32() & vxlanGBPMask, size: 4}, nil
}

func parseERSPAN(a *nl.Attr) (opt, error) {
	tb, err := strictParse(a, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_MAX, map[uint16]int{
		TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER: 1, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX: 4,
		TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR: 1, TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID: 1,
	})
	if err != nil {
		return opt{}, err
	}
	v := tb.Get(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER)
	if v == nil {
		return opt{}, sched.Err(syscall.EINVAL, "Missing tunnel key erspan option ver")
	}
	o := opt{kind: TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN, ver: v.U8(), size: 12}
	switch o.ver {
	case 1:
		x := tb.Get(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX)
		if x == nil {
			return opt{}, sched.Err(syscall.EINVAL, "Missing tunnel key erspan option index")
		}
		o.index, o.hasIdx = binary.BigEndian.Uint32(x.Data), true
	case 2:
		d, h := tb.Get(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR), tb.Get(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID)
		if d == nil || h == nil {
			return opt{}, sched.Err(syscall.EINVAL, "Missing tunnel key erspan option dir or hwid")
		}
		// The metadata keeps a 1-bit direction and a 6-bit id.
		o.dir, o.hwid, o.hasDirs = d.U8()&1, h.U8()&0x3f, true
	default:
		return opt{}, sched.Err(syscall.EINVAL, "Tunnel key erspan option ver is incorrect")
	}
	return o, nil
}

// parseOpts is tunnel_key_copy_opts: a list of geneve options, or one
// vxlan or erspan option.
func parseOpts(a *nl.Attr) ([]opt, int, error) {
	// nla_validate_deprecated with enc_opts_policy: nested types.
	var verr error
	nl.Walk(a.Data, func(x nl.Attr) bool {
		if x.Type >= 1 && x.Type <= TCA_TUNNEL_KEY_ENC_OPTS_MAX && len(x.Data) != 0 && len(x.Data) < nl.AttrHdrLen {
			verr = sched.Err(syscall.ERANGE, "Attribute failed policy validation")
			return false
		}
		return true
	})
	if verr != nil {
		return nil, 0, verr
	}
	var out []opt
	total, typ := 0, uint16(0)
	var err error
	consumed := 0
	nl.Walk(a.Data, func(x nl.Attr) bool {
		consumed += nl.Align(nl.AttrHdrLen + len(x.Data))
		var o opt
		switch x.Type {
		case TCA_TUNNEL_KEY_ENC_OPTS_GENEVE:
			if typ != 0 && typ != x.Type {
				err = sched.Err(syscall.EINVAL, "Duplicate type for geneve options")
				return false
			}
			if o, err = parseGeneve(&x); err != nil {
				return false
			}
			if total+o.size > ipTunnelOptsMax {
				err = sched.Err(syscall.EINVAL, "Tunnel options exceeds max size")
				return false
			}
		case TCA_TUNNEL_KEY_ENC_OPTS_VXLAN, TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN:
			if typ != 0 {
				name := "vxlan"
				if x.Type == TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN {
					name = "erspan"
				}
				err = sched.Err(syscall.EINVAL, "Duplicate type for "+name+" options")
				return false
			}
			if x.Type == TCA_TUNNEL_KEY_ENC_OPTS_VXLAN {
				o, err = parseVXLAN(&x)
			} else {
				o, err = parseERSPAN(&x)
			}
			if err != nil {
				return false
			}
		default:
			return true
		}
		typ = x.Type
		total += o.size
		out = append(out, o)
		return true
	})
	if err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return nil, 0, sched.Err(syscall.EINVAL, "Empty list of tunnel options")
	}
	if consumed < len(a.Data) && len(a.Data)-consumed >= nl.AttrHdrLen {
		return nil, 0, sched.Err(syscall.EINVAL, "Trailing data after parsing tunnel key options attributes")
	}
	return out, total, nil
}

// optsBytes lays the options out as the kernel's option area holds them.
func optsBytes(opts []opt) ([]byte, uint16) {
	var b []byte
	var flag uint16
	for _, o := range opts {
		switch o.kind {
		case TCA_TUNNEL_KEY_ENC_OPTS_GENEVE:
			flag = FlagGeneveOpt
			h := make([]byte, 4)
			binary.BigEndian.PutUint16(h, o.class)
			h[2] = o.typ
			h[3] = uint8(len(o.data) / 4)
			b = append(append(b, h...), o.data...)
		case TCA_TUNNEL_KEY_ENC_OPTS_VXLAN:
			flag = FlagVXLANOpt
			b = binary.NativeEndian.AppendUint32(b, o.gbp)
		case TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN:
			flag = FlagERSPANOpt
			b = binary.NativeEndian.AppendUint32(b, uint32(o.ver))
			if o.ver == 1 {
				b = binary.BigEndian.AppendUint32(b, o.index)
				b = append(b, 0, 0, 0, 0)
			} else {
				b = append(b, 0, 0, 0, 0, 0, 0, o.hwid>>4&3, o.dir<<3|o.hwid&0xf)
			}
		}
	}
	return b, flag
}

// dumpOpts writes TCA_TUNNEL_KEY_ENC_OPTS (tunnel_key_opts_dump).
func dumpOpts(b *nl.Builder, opts []opt) {
	if len(opts) == 0 {
		return
	}
	b.Nest(TCA_TUNNEL_KEY_ENC_OPTS)
	switch opts[0].kind {
	case TCA_TUNNEL_KEY_ENC_OPTS_GENEVE:
		b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_GENEVE)
		for _, o := range opts {
			var c [2]byte
			binary.BigEndian.PutUint16(c[:], o.class)
			b.Put(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_CLASS, c[:])
			b.PutU8(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_TYPE, o.typ)
			b.Put(TCA_TUNNEL_KEY_ENC_OPT_GENEVE_DATA, o.data)
		}
		b.EndNest()
	case TCA_TUNNEL_KEY_ENC_OPTS_VXLAN:
		b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_VXLAN)
		b.PutU32(TCA_TUNNEL_KEY_ENC_OPT_VXLAN_GBP, opts[0].gbp)
		b.EndNest()
	case TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN:
		o := opts[0]
		b.Nest(TCA_TUNNEL_KEY_ENC_OPTS_ERSPAN)
		b.PutU8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_VER, o.ver)
		if o.ver == 1 {
			var x [4]byte
			binary.BigEndian.PutUint32(x[:], o.index)
			b.Put(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_INDEX, x[:])
		} else {
			b.PutU8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_DIR, o.dir)
			b.PutU8(TCA_TUNNEL_KEY_ENC_OPT_ERSPAN_HWID, o.hwid)
		}
		b.EndNest()
	}
	b.EndNest()
}
