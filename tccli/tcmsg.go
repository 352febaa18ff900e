package tccli

import (
	"encoding/binary"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// Traffic control message types and attributes (<linux/rtnetlink.h>,
// <linux/pkt_sched.h>).
const (
	rtmNewQdisc  = 36
	rtmDelQdisc  = 37
	rtmGetQdisc  = 38
	rtmNewClass  = 40
	rtmDelClass  = 41
	rtmGetClass  = 42
	rtmNewFilter = 44
	rtmDelFilter = 45
	rtmGetFilter = 46
	rtmNewAction = 48
	rtmDelAction = 49
	rtmGetAction = 50
	rtmNewChain  = 100
	rtmDelChain  = 101
	rtmGetChain  = 102

	tcaKind          = 1
	tcaOptions       = 2
	tcaStats         = 3
	tcaXstats        = 4
	tcaRate          = 5
	tcaStats2        = 7
	tcaStab          = 8
	tcaDumpInvisible = 10
	tcaChain         = 11
	tcaHwOffload     = 12
	tcaIngressBlock  = 13
	tcaEgressBlock   = 14
	tcaDumpFlags     = 15
	tcaMax           = 16

	tcaStabBase = 1
	tcaStabData = 2

	tcmsgLen = 20

	// tcm_ifindex of a request on a shared block.
	tcmIfindexMagicBlock = 0xFFFFFFFF

	rtnlGroupTC = 4
)

// tcmsg is struct tcmsg.
type tcmsg struct {
	family  uint8
	ifindex int32
	handle  tc.Handle
	parent  tc.Handle
	info    uint32
}

func (t tcmsg) bytes() []byte {
	var b [tcmsgLen]byte
	b[0] = t.family
	binary.NativeEndian.PutUint32(b[4:], uint32(t.ifindex))
	binary.NativeEndian.PutUint32(b[8:], uint32(t.handle))
	binary.NativeEndian.PutUint32(b[12:], uint32(t.parent))
	binary.NativeEndian.PutUint32(b[16:], t.info)
	return b[:]
}

func parseTcmsg(b []byte) tcmsg {
	var x [tcmsgLen]byte
	copy(x[:], b)
	return tcmsg{
		family:  x[0],
		ifindex: int32(binary.NativeEndian.Uint32(x[4:])),
		handle:  tc.Handle(binary.NativeEndian.Uint32(x[8:])),
		parent:  tc.Handle(binary.NativeEndian.Uint32(x[12:])),
		info:    binary.NativeEndian.Uint32(x[16:]),
	}
}

// setTcmsg rewrites the tcmsg of a message being built (the request's
// fields that are known only after the words are read).
func setTcmsg(b *nl.Builder, t tcmsg) { copy(b.B[nl.HdrLen:], t.bytes()) }

// rtaParse builds an attribute table as iproute2's parse_rtattr_flags with
// NLA_F_NESTED masked: the first occurrence of a type wins.
func rtaParse(b []byte, max uint16) nl.Attrs {
	tb := make(nl.Attrs, int(max)+1)
	nl.Walk(b, func(a nl.Attr) bool {
		if a.Type <= max && tb[a.Type] == nil {
			a := a
			tb[a.Type] = &a
		}
		return true
	})
	return tb
}

// payload returns the bytes after a message's fixed header of n bytes.
func payload(m *nl.Msg, n int) []byte {
	if len(m.Data) < n {
		return nil
	}
	return m.Data[n:]
}

// attrStr reads a string attribute as rta_getattr_str.
func attrStr(a *nl.Attr) string { return a.Str() }

func attrU32(a *nl.Attr) uint32 {
	var x [4]byte
	copy(x[:], a.Data)
	return binary.NativeEndian.Uint32(x[:])
}

func attrU8(a *nl.Attr) uint8 {
	if len(a.Data) == 0 {
		return 0
	}
	return a.Data[0]
}
