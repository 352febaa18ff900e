package hfsc

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of a class's TCA_OPTIONS (TCA_HFSC_*): its real-time,
// link-sharing (fair) and upper-limit curves.
const (
	TCA_HFSC_UNSPEC = iota
	TCA_HFSC_RSC
	TCA_HFSC_FSC
	TCA_HFSC_USC
	TCA_HFSC_MAX = TCA_HFSC_USC
)

// Sizes of the structures on the wire.
const (
	scLen     = 12 // struct tc_service_curve
	qoptLen   = 2  // struct tc_hfsc_qopt
	xstatsLen = 24 // struct tc_hfsc_stats
)

// policy is hfsc_policy: each curve at least a whole tc_service_curve.
var policy = map[uint16]nl.PolicyEntry{
	TCA_HFSC_RSC: {Type: nl.Unspec, Len: scLen},
	TCA_HFSC_FSC: {Type: nl.Unspec, Len: scLen},
	TCA_HFSC_USC: {Type: nl.Unspec, Len: scLen},
}

// ServiceCurve is struct tc_service_curve: slope M1 (bytes per second) for
// D microseconds, then slope M2.
type ServiceCurve struct {
	M1, D, M2 uint32
}

// DecodeServiceCurve reads a tc_service_curve (at least scLen bytes).
func DecodeServiceCurve(b []byte) (ServiceCurve, error) {
	if len(b) < scLen {
		return ServiceCurve{}, syscall.EINVAL
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return ServiceCurve{M1: u(0), D: u(1), M2: u(2)}, nil
}

// Append writes the 12-byte tc_service_curve.
func (sc ServiceCurve) Append(b []byte) []byte {
	for _, v := range []uint32{sc.M1, sc.D, sc.M2} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// zero reports two zero slopes: the kernel ignores such a curve.
func (sc ServiceCurve) zero() bool { return sc.M1 == 0 && sc.M2 == 0 }

// Qopt is struct tc_hfsc_qopt: the minor of the default class.
type Qopt struct {
	DefCls uint16
}

// DecodeQopt reads a tc_hfsc_qopt.
func DecodeQopt(b []byte) (Qopt, error) {
	if len(b) < qoptLen {
		return Qopt{}, syscall.EINVAL
	}
	return Qopt{DefCls: binary.NativeEndian.Uint16(b)}, nil
}

// Append writes the 2-byte tc_hfsc_qopt.
func (o Qopt) Append(b []byte) []byte { return binary.NativeEndian.AppendUint16(b, o.DefCls) }

// Xstats is struct tc_hfsc_stats: a class's total and real-time work
// (bytes), its virtual-time period, and its level.
type Xstats struct {
	Work, RTWork  uint64
	Period, Level uint32
}

// DecodeXstats reads a tc_hfsc_stats.
func DecodeXstats(b []byte) (Xstats, error) {
	if len(b) < xstatsLen {
		return Xstats{}, syscall.EINVAL
	}
	return Xstats{
		Work:   binary.NativeEndian.Uint64(b),
		RTWork: binary.NativeEndian.Uint64(b[8:]),
		Period: binary.NativeEndian.Uint32(b[16:]),
		Level:  binary.NativeEndian.Uint32(b[20:]),
	}, nil
}

// Append writes the 24-byte tc_hfsc_stats.
func (x Xstats) Append(b []byte) []byte {
	b = binary.NativeEndian.AppendUint64(b, x.Work)
	b = binary.NativeEndian.AppendUint64(b, x.RTWork)
	b = binary.NativeEndian.AppendUint32(b, x.Period)
	return binary.NativeEndian.AppendUint32(b, x.Level)
}

// classOptions is what a class change carries: each curve, nil when absent
// or with two zero slopes.
type classOptions struct {
	rsc, fsc, usc *ServiceCurve
}

// decodeClassOptions parses a class's options as hfsc_change_class does,
// without an extack: policy errors carry no text.
func decodeClassOptions(opt *nl.Attr) (classOptions, error) {
	var o classOptions
	tb, err := sched.ParseOptions(opt.Data, TCA_HFSC_MAX, policy)
	if err != nil {
		return o, sched.Quiet(err)
	}
	get := func(t uint16) *ServiceCurve {
		a := tb.Get(t)
		if a == nil {
			return nil
		}
		sc, _ := DecodeServiceCurve(a.Data) // the policy checked the length
		if sc.zero() {
			return nil
		}
		return &sc
	}
	o.rsc, o.fsc, o.usc = get(TCA_HFSC_RSC), get(TCA_HFSC_FSC), get(TCA_HFSC_USC)
	return o, nil
}
