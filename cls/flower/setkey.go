package flower

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/cls/clsutil"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// setVal is fl_set_key_val: the value, and its mask or all ones.
func setVal(tb nl.Attrs, k, m *key, f field) {
	a := tb.Get(f.val)
	if a == nil {
		return
	}
	copy(k[f.off:f.off+f.len], a.Data)
	if f.mask == 0 || !tb.Has(f.mask) {
		for i := f.off; i < f.off+f.len; i++ {
			m[i] = 0xff
		}
		return
	}
	copy(m[f.off:f.off+f.len], tb.Get(f.mask).Data)
}

func be16(a *nl.Attr) uint16 { return binary.BigEndian.Uint16(a.Data) }

func isVLAN(t uint16) bool { return t == clsutil.EthVLAN || t == clsutil.EthQinQ }

// isVLANKey is is_vlan_key: an EtherType attribute that is a VLAN TPID
// (or enough tags asked) leads to the tag's keys; another sets n_proto.
func isVLANKey(a *nl.Attr, ethertype *uint16, k, m *key, vthresh uint8) bool {
	good := k[offNumVLANs] > vthresh
	if a == nil {
		*ethertype = 0
		return good
	}
	*ethertype = be16(a)
	if good || isVLAN(*ethertype) {
		return true
	}
	k.put16(offNProto, *ethertype)
	m.put16(offNProto, 0xffff)
	return false
}

// setVLAN is fl_set_key_vlan for the outer (cvlan false) or inner tag.
func setVLAN(tb nl.Attrs, ethertype uint16, k, m *key, inner bool) {
	idA, prioA, nextA := uint16(TCA_FLOWER_KEY_VLAN_ID), uint16(TCA_FLOWER_KEY_VLAN_PRIO), uint16(TCA_FLOWER_KEY_VLAN_ETH_TYPE)
	offID, offPrio, offTPID, offEth := offVLANID, offVLANPrio, offVLANTPID, offVLANEth
	if inner {
		idA, prioA, nextA = TCA_FLOWER_KEY_CVLAN_ID, TCA_FLOWER_KEY_CVLAN_PRIO, TCA_FLOWER_KEY_CVLAN_ETH_TYPE
		offID, offPrio, offTPID, offEth = offCVLANID, offCVLANPrio, offCVLANTPID, offCVLANEth
	}
	if a := tb.Get(idA); a != nil {
		k.putU16(offID, a.U16()&0x0fff)
		m.putU16(offID, 0x0fff)
	}
	if a := tb.Get(prioA); a != nil {
		k[offPrio] = a.U8() & 7
		m[offPrio] = 7
	}
	if ethertype != 0 {
		k.put16(offTPID, ethertype)
		m.put16(offTPID, 0xffff)
	}
	if a := tb.Get(nextA); a != nil {
		k.put16(offEth, be16(a))
		m.put16(offEth, 0xffff)
	}
}

// setKey is fl_set_key.
func setKey(n *sched.Net, tb nl.Attrs, k, m *key, r *portRange) error {
	if a := tb.Get(TCA_FLOWER_INDEV); a != nil {
		i, err := sched.ChangeIndev(n, a)
		if err != nil {
			return err
		}
		k.putU32(offIndev, uint32(i))
		m.putU32(offIndev, 0xffffffff)
	}
	setVal(tb, k, m, fEthDst)
	setVal(tb, k, m, fEthSrc)
	setVal(tb, k, m, fNumVLANs)
	var et uint16
	if isVLANKey(tb.Get(TCA_FLOWER_KEY_ETH_TYPE), &et, k, m, 0) {
		setVLAN(tb, et, k, m, false)
		if isVLANKey(tb.Get(TCA_FLOWER_KEY_VLAN_ETH_TYPE), &et, k, m, 1) {
			setVLAN(tb, et, k, m, true)
			setVal(tb, k, m, field{TCA_FLOWER_KEY_CVLAN_ETH_TYPE, 0, offNProto, 2})
		}
	}
	for _, t := range []uint16{TCA_FLOWER_KEY_PPPOE_SID, TCA_FLOWER_KEY_PPP_PROTO, TCA_FLOWER_KEY_L2TPV3_SID,
		TCA_FLOWER_KEY_CFM, TCA_FLOWER_KEY_ENC_OPTS, TCA_FLOWER_KEY_MPLS_OPTS, TCA_FLOWER_KEY_ENC_FLAGS, TCA_FLOWER_L2_MISS} {
		if tb.Has(t) {
			return sched.Err(syscall.EOPNOTSUPP, "Key is not supported by netsched's flower")
		}
	}
	nproto := binary.BigEndian.Uint16(k[offNProto:])
	if nproto == clsutil.EthIPv4 || nproto == clsutil.EthIPv6 {
		setVal(tb, k, m, fIPProto)
		setVal(tb, k, m, fTOS)
		setVal(tb, k, m, fTTL)
	}
	switch {
	case tb.Has(TCA_FLOWER_KEY_IPV4_SRC) || tb.Has(TCA_FLOWER_KEY_IPV4_DST):
		k[offAddrType], m[offAddrType] = 4, 0xff
		setVal(tb, k, m, fV4Src)
		setVal(tb, k, m, fV4Dst)
	case tb.Has(TCA_FLOWER_KEY_IPV6_SRC) || tb.Has(TCA_FLOWER_KEY_IPV6_DST):
		k[offAddrType], m[offAddrType] = 6, 0xff
		setVal(tb, k, m, fV6Src)
		setVal(tb, k, m, fV6Dst)
	}
	proto := k[offIPProto]
	switch {
	case proto == 6:
		setVal(tb, k, m, fTCPSrc)
		setVal(tb, k, m, fTCPDst)
		setVal(tb, k, m, fTCPFlags)
	case proto == 17:
		setVal(tb, k, m, fUDPSrc)
		setVal(tb, k, m, fUDPDst)
	case proto == 132:
		setVal(tb, k, m, fSCTPSrc)
		setVal(tb, k, m, fSCTPDst)
	case nproto == clsutil.EthIPv4 && proto == 1:
		setVal(tb, k, m, fICMP4T)
		setVal(tb, k, m, fICMP4C)
	case nproto == clsutil.EthIPv6 && proto == 58:
		setVal(tb, k, m, fICMP6T)
		setVal(tb, k, m, fICMP6C)
	case nproto == clsutil.EthMPLSUC || nproto == clsutil.EthMPLSMC:
		if err := setMPLS(tb, k, m); err != nil {
			return err
		}
	case nproto == clsutil.EthARP || nproto == clsutil.EthRARP:
		for _, f := range []field{fARPSip, fARPTip, fARPOp, fARPSha, fARPTha} {
			setVal(tb, k, m, f)
		}
	}
	if proto == 6 || proto == 17 || proto == 132 {
		if err := setPortRange(tb, r); err != nil {
			return err
		}
	}
	if tb.Has(TCA_FLOWER_KEY_SPI) {
		if proto != 50 && proto != 51 {
			return sched.Err(syscall.EINVAL, "Protocol must be either ESP or AH")
		}
		setVal(tb, k, m, fSPI)
	}
	switch {
	case tb.Has(TCA_FLOWER_KEY_ENC_IPV4_SRC) || tb.Has(TCA_FLOWER_KEY_ENC_IPV4_DST):
		k[offEncAddr], m[offEncAddr] = 4, 0xff
		setVal(tb, k, m, fEncV4Src)
		setVal(tb, k, m, fEncV4Dst)
	case tb.Has(TCA_FLOWER_KEY_ENC_IPV6_SRC) || tb.Has(TCA_FLOWER_KEY_ENC_IPV6_DST):
		k[offEncAddr], m[offEncAddr] = 6, 0xff
		setVal(tb, k, m, fEncV6Src)
		setVal(tb, k, m, fEncV6Dst)
	}
	for _, f := range []field{fEncKeyID, fEncSPort, fEncDPort, fEncTOS, fEncTTL, fHash} {
		setVal(tb, k, m, f)
	}
	// Connection tracking is not built in: its keys are refused as a
	// kernel without CONFIG_NF_CONNTRACK refuses them.
	switch {
	case tb.Has(TCA_FLOWER_KEY_CT_STATE):
		return sched.Err(syscall.EOPNOTSUPP, "Conntrack isn't enabled")
	case tb.Has(TCA_FLOWER_KEY_CT_ZONE):
		return sched.Err(syscall.EOPNOTSUPP, "Conntrack zones isn't enabled")
	case tb.Has(TCA_FLOWER_KEY_CT_MARK):
		return sched.Err(syscall.EOPNOTSUPP, "Conntrack mark isn't enabled")
	case tb.Has(TCA_FLOWER_KEY_CT_LABELS):
		return sched.Err(syscall.EOPNOTSUPP, "Conntrack labels aren't enabled")
	}
	if a := tb.Get(TCA_FLOWER_KEY_FLAGS); a != nil {
		ma := tb.Get(TCA_FLOWER_KEY_FLAGS_MASK)
		if ma == nil {
			return sched.Err(syscall.EINVAL, "Missing flags mask")
		}
		kv, mv := binary.BigEndian.Uint32(a.Data), binary.BigEndian.Uint32(ma.Data)
		if (kv|mv)&^(KeyFlagIsFragment|KeyFlagFragIsFirst) != 0 {
			return sched.Err(syscall.EINVAL, "Attribute failed policy validation")
		}
		// The user's bits map to FLOW_DIS_* (the same two bits).
		k.putU32(offFlags, kv&mv)
		m.putU32(offFlags, mv)
	}
	return nil
}

// setMPLS is fl_set_key_mpls for the first label stack entry.
func setMPLS(tb nl.Attrs, k, m *key) error {
	if a := tb.Get(TCA_FLOWER_KEY_MPLS_TTL); a != nil {
		k[offMPLSTTL], m[offMPLSTTL] = a.U8(), 0xff
	}
	if a := tb.Get(TCA_FLOWER_KEY_MPLS_BOS); a != nil {
		if a.U8()&^1 != 0 {
			return sched.Err(syscall.EINVAL, "Bottom Of Stack (BOS) must be 0 or 1")
		}
		k[offMPLSBOS], m[offMPLSBOS] = a.U8(), 1
	}
	if a := tb.Get(TCA_FLOWER_KEY_MPLS_TC); a != nil {
		if a.U8()&^7 != 0 {
			return sched.Err(syscall.EINVAL, "Traffic Class (TC) must be between 0 and 7")
		}
		k[offMPLSTC], m[offMPLSTC] = a.U8(), 7
	}
	if a := tb.Get(TCA_FLOWER_KEY_MPLS_LABEL); a != nil {
		if a.U32()&^0xFFFFF != 0 {
			return sched.Err(syscall.EINVAL, "Label must be between 0 and 1048575")
		}
		k.putU32(offMPLSLabel, a.U32())
		m.putU32(offMPLSLabel, 0xFFFFF)
	}
	return nil
}

// setPortRange is fl_set_key_port_range.
func setPortRange(tb nl.Attrs, r *portRange) error {
	get := func(t uint16) (uint16, bool) {
		if a := tb.Get(t); a != nil {
			return be16(a), true
		}
		return 0, false
	}
	dMin, hdMin := get(TCA_FLOWER_KEY_PORT_DST_MIN)
	dMax, hdMax := get(TCA_FLOWER_KEY_PORT_DST_MAX)
	sMin, hsMin := get(TCA_FLOWER_KEY_PORT_SRC_MIN)
	sMax, hsMax := get(TCA_FLOWER_KEY_PORT_SRC_MAX)
	if hdMin != hdMax {
		return sched.Err(syscall.EINVAL, "Both min and max destination ports must be specified")
	}
	if hsMin != hsMax {
		return sched.Err(syscall.EINVAL, "Both min and max source ports must be specified")
	}
	if hdMin && dMax <= dMin {
		return sched.Err(syscall.EINVAL, "Invalid destination port range (min must be strictly smaller than max)")
	}
	if hsMin && sMax <= sMin {
		return sched.Err(syscall.EINVAL, "Invalid source port range (min must be strictly smaller than max)")
	}
	*r = portRange{sMin: sMin, sMax: sMax, dMin: dMin, dMax: dMax}
	return nil
}

// dumpVal is fl_dump_key_val: nothing for a zero mask.
func dumpVal(b *nl.Builder, k, m *key, f field) {
	zero := true
	for i := f.off; i < f.off+f.len; i++ {
		if m[i] != 0 {
			zero = false
		}
	}
	if zero {
		return
	}
	b.Put(f.val, k[f.off:f.off+f.len])
	if f.mask != 0 {
		b.Put(f.mask, m[f.off:f.off+f.len])
	}
}

func nonzero(m *key, off, n int) bool {
	for i := off; i < off+n; i++ {
		if m[i] != 0 {
			return true
		}
	}
	return false
}

// dumpKey is fl_dump_key.
func dumpKey(n *sched.Net, b *nl.Builder, k, m *key, r portRange) {
	ne := binary.NativeEndian
	if nonzero(m, offIndev, 4) {
		if name := n.DeviceName(int32(ne.Uint32(k[offIndev:]))); name != "" {
			b.PutString(TCA_FLOWER_INDEV, name)
		}
	}
	dumpVal(b, k, m, fEthDst)
	dumpVal(b, k, m, fEthSrc)
	dumpVal(b, k, m, field{TCA_FLOWER_KEY_ETH_TYPE, 0, offNProto, 2})
	if m[offNumVLANs] != 0 {
		b.PutU8(TCA_FLOWER_KEY_NUM_OF_VLANS, k[offNumVLANs])
	}
	if nonzero(m, offMPLSTTL, 7) {
		if m[offMPLSTTL] != 0 {
			b.PutU8(TCA_FLOWER_KEY_MPLS_TTL, k[offMPLSTTL])
		}
		if m[offMPLSTC] != 0 {
			b.PutU8(TCA_FLOWER_KEY_MPLS_TC, k[offMPLSTC])
		}
		if nonzero(m, offMPLSLabel, 4) {
			b.PutU32(TCA_FLOWER_KEY_MPLS_LABEL, ne.Uint32(k[offMPLSLabel:]))
		}
		if m[offMPLSBOS] != 0 {
			b.PutU8(TCA_FLOWER_KEY_MPLS_BOS, k[offMPLSBOS])
		}
	}
	dumpVLAN := func(idA, prioA uint16, offID, offPrio int) {
		if nonzero(m, offID, 2) {
			b.PutU16(idA, ne.Uint16(k[offID:]))
		}
		if m[offPrio] != 0 {
			b.PutU8(prioA, k[offPrio])
		}
	}
	dumpVLAN(TCA_FLOWER_KEY_VLAN_ID, TCA_FLOWER_KEY_VLAN_PRIO, offVLANID, offVLANPrio)
	dumpVLAN(TCA_FLOWER_KEY_CVLAN_ID, TCA_FLOWER_KEY_CVLAN_PRIO, offCVLANID, offCVLANPrio)
	if nonzero(m, offCVLANTPID, 2) {
		b.Put(TCA_FLOWER_KEY_VLAN_ETH_TYPE, k[offCVLANTPID:offCVLANTPID+2])
	}
	if nonzero(m, offNProto, 2) {
		if nonzero(m, offCVLANEth, 2) {
			b.Put(TCA_FLOWER_KEY_CVLAN_ETH_TYPE, k[offNProto:offNProto+2])
		} else if nonzero(m, offVLANEth, 2) {
			b.Put(TCA_FLOWER_KEY_VLAN_ETH_TYPE, k[offVLANEth:offVLANEth+2])
		}
	}
	nproto := binary.BigEndian.Uint16(k[offNProto:])
	proto := k[offIPProto]
	if nproto == clsutil.EthIPv4 || nproto == clsutil.EthIPv6 {
		dumpVal(b, k, m, fIPProto)
		dumpVal(b, k, m, fTOS)
		dumpVal(b, k, m, fTTL)
	}
	switch k[offAddrType] {
	case 4:
		dumpVal(b, k, m, fV4Src)
		dumpVal(b, k, m, fV4Dst)
	case 6:
		dumpVal(b, k, m, fV6Src)
		dumpVal(b, k, m, fV6Dst)
	}
	switch {
	case proto == 6:
		dumpVal(b, k, m, fTCPSrc)
		dumpVal(b, k, m, fTCPDst)
		dumpVal(b, k, m, fTCPFlags)
	case proto == 17:
		dumpVal(b, k, m, fUDPSrc)
		dumpVal(b, k, m, fUDPDst)
	case proto == 132:
		dumpVal(b, k, m, fSCTPSrc)
		dumpVal(b, k, m, fSCTPDst)
	case nproto == clsutil.EthIPv4 && proto == 1:
		dumpVal(b, k, m, fICMP4T)
		dumpVal(b, k, m, fICMP4C)
	case nproto == clsutil.EthIPv6 && proto == 58:
		dumpVal(b, k, m, fICMP6T)
		dumpVal(b, k, m, fICMP6C)
	case nproto == clsutil.EthARP || nproto == clsutil.EthRARP:
		for _, f := range []field{fARPSip, fARPTip, fARPOp, fARPSha, fARPTha} {
			dumpVal(b, k, m, f)
		}
	}
	if proto == 6 || proto == 17 || proto == 132 {
		put := func(t uint16, v uint16) {
			if v != 0 || r != (portRange{}) {
				var x [2]byte
				binary.BigEndian.PutUint16(x[:], v)
				b.Put(t, x[:])
			}
		}
		if r.dMin != 0 || r.dMax != 0 {
			put(TCA_FLOWER_KEY_PORT_DST_MIN, r.dMin)
			put(TCA_FLOWER_KEY_PORT_DST_MAX, r.dMax)
		}
		if r.sMin != 0 || r.sMax != 0 {
			put(TCA_FLOWER_KEY_PORT_SRC_MIN, r.sMin)
			put(TCA_FLOWER_KEY_PORT_SRC_MAX, r.sMax)
		}
	}
	if proto == 50 || proto == 51 {
		dumpVal(b, k, m, fSPI)
	}
	switch k[offEncAddr] {
	case 4:
		dumpVal(b, k, m, fEncV4Src)
		dumpVal(b, k, m, fEncV4Dst)
	case 6:
		dumpVal(b, k, m, fEncV6Src)
		dumpVal(b, k, m, fEncV6Dst)
	}
	for _, f := range []field{fEncKeyID, fEncSPort, fEncDPort, fEncTOS, fEncTTL} {
		dumpVal(b, k, m, f)
	}
	if mf := ne.Uint32(m[offFlags:]); mf != 0 {
		var kv, mv [4]byte
		binary.BigEndian.PutUint32(kv[:], ne.Uint32(k[offFlags:]))
		binary.BigEndian.PutUint32(mv[:], mf)
		b.Put(TCA_FLOWER_KEY_FLAGS, kv[:])
		b.Put(TCA_FLOWER_KEY_FLAGS_MASK, mv[:])
	}
	dumpVal(b, k, m, fHash)
}
