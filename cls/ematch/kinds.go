package ematch

import (
	"bytes"
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
)

// cmp (em_cmp.c): a value of 1, 2 or 4 bytes at an offset of a layer,
// masked, compared with =, < or >.

const (
	cmpLen   = 12 // struct tcf_em_cmp
	cmpTrans = 1  // TCF_EM_CMP_TRANS: the value is little-endian
	opEQ     = 0  // TCF_EM_OPND_EQ
	opGT     = 1  // TCF_EM_OPND_GT
	opLT     = 2  // TCF_EM_OPND_LT
)

type cmp struct {
	val, mask uint32
	off       uint16
	align     uint8 // 1, 2, 4
	flags     uint8
	layer     uint8
	opnd      uint8
}

func newCmp(d []byte) (matcher, int, error) {
	ne := binary.NativeEndian
	return &cmp{
		val: ne.Uint32(d[0:]), mask: ne.Uint32(d[4:]), off: ne.Uint16(d[8:]),
		align: d[10] & 0xf, flags: d[10] >> 4, layer: d[11] & 0xf, opnd: d[11] >> 4,
	}, len(d), nil
}

func (c *cmp) match(p *pkt.Packet) bool {
	off := base(p, c.layer) + int(c.off)
	b := clsutil.Load(p, off, int(c.align))
	if b == nil {
		return false
	}
	var v uint32
	switch c.align {
	case 1:
		v = uint32(b[0])
	case 2:
		v = uint32(binary.BigEndian.Uint16(b))
		if c.flags&cmpTrans != 0 {
			v = uint32(binary.LittleEndian.Uint16(b))
		}
	case 4:
		v = binary.BigEndian.Uint32(b)
		if c.flags&cmpTrans != 0 {
			v = binary.LittleEndian.Uint32(b)
		}
	default:
		return false
	}
	if c.mask != 0 {
		v &= c.mask
	}
	switch c.opnd {
	case opEQ:
		return v == c.val
	case opLT:
		return v < c.val
	case opGT:
		return v > c.val
	}
	return false
}

// nbyte (em_nbyte.c): a byte string at an offset of a layer.

const nbyteHdrLen = 4 // struct tcf_em_nbyte

type nbyte struct {
	off     uint16
	layer   uint8
	pattern []byte
}

func newNbyte(d []byte) (matcher, int, error) {
	ne := binary.NativeEndian
	lw := ne.Uint16(d[2:])
	n := int(lw & 0xfff)
	if len(d) < nbyteHdrLen+n {
		return nil, 0, syscall.EINVAL
	}
	return &nbyte{off: ne.Uint16(d[0:]), layer: uint8(lw >> 12), pattern: append([]byte(nil), d[4:4+n]...)},
		nbyteHdrLen + n, nil
}

func (m *nbyte) match(p *pkt.Packet) bool {
	b := clsutil.Load(p, base(p, m.layer)+int(m.off), len(m.pattern))
	return b != nil && bytes.Equal(b, m.pattern)
}

// u32 (em_u32.c): one u32 key, from the network header.

const u32KeyLen = 16 // struct tc_u32_key

type u32 struct {
	mask, val uint32 // big-endian values of the wire bytes
	off       int32
}

func newU32(d []byte) (matcher, int, error) {
	return &u32{
		mask: binary.BigEndian.Uint32(d[0:]),
		val:  binary.BigEndian.Uint32(d[4:]),
		off:  int32(binary.NativeEndian.Uint32(d[8:])),
	}, len(d), nil
}

// match: basic, cgroup and flow pass no packet info, so the next-header
// offset is not added.
func (m *u32) match(p *pkt.Packet) bool {
	b := clsutil.Load(p, clsutil.NetworkOffset(p)+int(m.off), 4)
	return b != nil && (binary.BigEndian.Uint32(b)^m.val)&m.mask == 0
}

// canid (em_canid.c): CAN identifiers, standard (11-bit) and extended.

const (
	canEFFFlag  = 0x80000000
	canSFFMask  = 0x7ff
	canEFFMask  = 0x1fffffff
	canRulesMax = 500
)

type canRule struct{ id, mask uint32 }

type canid struct {
	eff []canRule
	sff []canRule
	bit [1 << 11 / 64]uint64 // standard ids that match
}

func newCanID(d []byte) (matcher, int, error) {
	if len(d) == 0 || len(d)%8 != 0 || len(d) > 8*canRulesMax {
		return nil, 0, syscall.EINVAL
	}
	c := &canid{}
	ne := binary.NativeEndian
	var all []canRule
	for i := 0; i < len(d); i += 8 {
		all = append(all, canRule{ne.Uint32(d[i:]), ne.Uint32(d[i+4:])})
	}
	for _, r := range all {
		if r.id&canEFFFlag != 0 && r.mask&canEFFFlag != 0 {
			c.eff = append(c.eff, r)
		}
	}
	for _, r := range all {
		if r.id&canEFFFlag != 0 && r.mask&canEFFFlag != 0 {
			continue
		}
		c.sff = append(c.sff, r)
		c.addSFF(r)
	}
	return c, len(d), nil
}

func (c *canid) addSFF(r canRule) {
	mask := r.mask & canSFFMask
	id := r.id & mask
	for i := uint32(0); i < 1<<11; i++ {
		if i&mask == id {
			c.bit[i/64] |= 1 << (i % 64)
		}
	}
}

// dump writes the rules extended first, as the kernel keeps them.
func (c *canid) dumpData(b *nl.Builder) {
	for _, rs := range [][]canRule{c.eff, c.sff} {
		for _, r := range rs {
			b.U32Raw(r.id)
			b.U32Raw(r.mask)
		}
	}
}

func (c *canid) match(p *pkt.Packet) bool {
	if clsutil.Protocol(p) != clsutil.EthCAN || len(p.Data) < 4 {
		return false
	}
	id := binary.NativeEndian.Uint32(p.Data)
	if id&canEFFFlag != 0 {
		for _, r := range c.eff {
			if (r.id^id)&r.mask == 0 {
				return true
			}
		}
		return false
	}
	id &= canSFFMask
	return c.bit[id/64]&(1<<(id%64)) != 0
}
