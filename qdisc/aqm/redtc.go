package aqm

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/netsched/netsched/tc"
)

// tc's side of RED (tc_red.c): how `tc qdisc add ... red` turns min, max,
// burst, avpkt, probability and bandwidth into Wlog, Plog, Scell_log and
// the idle damping table the kernel runs with. red, gred and choke share it.

// EvalP is tc_red_eval_P: Plog, the shift that makes 2^-Plog times the
// threshold gap the probability; -1 when there is none.
func EvalP(qmin, qmax uint32, prob float64) int {
	i := int32(qmax - qmin)
	if i == 0 {
		return 0
	}
	if i < 0 {
		return -1
	}
	prob /= float64(i)
	n := 0
	for ; n < 32; n++ {
		if prob > 1.0 {
			break
		}
		prob *= 2
	}
	if n >= 32 {
		return -1
	}
	return n
}

// EvalEwma is tc_red_eval_ewma: the largest weight 2^-Wlog that lets a
// burst of burst packets of avpkt bytes through from qmin without a mark.
// A burst too small gives -1 and the message tc prints.
func EvalEwma(qmin, burst, avpkt uint32) (int, string) {
	w := 0.5
	a := float64(burst) + 1 - float64(qmin)/float64(avpkt)
	if a < 1.0 {
		return -1, fmt.Sprintf("tc_red_eval_ewma() burst %d is too small ? Try burst %d", burst, 1+qmin/avpkt)
	}
	for wlog := 1; wlog < 32; wlog++ {
		if a <= (1-math.Pow(1-w, float64(burst)))/w {
			return wlog, ""
		}
		w /= 2
	}
	return -1, ""
}

// EvalIdleDamping is tc_red_eval_idle_damping: the table of shifts by
// which the average decays over an idle time (in cells of 2^Scell_log
// microseconds) at bandwidth bps with packets of avpkt bytes, and
// Scell_log; -1 when no cell size fits.
func EvalIdleDamping(wlog int, avpkt, bps uint32) (sbuf [REDStabSize]byte, clog int) {
	xmit := float64(tc.XmitTime(uint64(bps), avpkt))
	lW := -math.Log(1.0-1.0/float64(int32(1)<<wlog)) / xmit
	maxtime := 31 / lW
	for clog = 0; clog < 32; clog++ {
		if maxtime/float64(int32(1)<<uint(clog)) < 512 {
			break
		}
	}
	if clog >= 32 {
		return sbuf, -1
	}
	for i := 1; i < 255; i++ {
		// C assigns the double to an unsigned char before comparing.
		v := cUint8(float64(int32(i)<<uint(clog)) * lW)
		if v > 31 {
			v = 31
		}
		sbuf[i] = v
	}
	sbuf[255] = 31
	return sbuf, clog
}

// MaxPFromProb is tc's max_P = probability * 2^32, converted as C converts
// a double to __u32 on x86-64.
func MaxPFromProb(prob float64) uint32 { return cUint32(prob * math.Pow(2, 32)) }

func cUint32(v float64) uint32 {
	if math.IsNaN(v) || v >= 1<<63 || v < -(1<<63) {
		return 0
	}
	return uint32(int64(v))
}

func cUint8(v float64) uint8 {
	if math.IsNaN(v) || v >= 1<<31 || v < -(1<<31) {
		return 0
	}
	return uint8(int32(v))
}

// PrintREDFlags is tc_red_print_flags: the flags that are set, and all
// four as booleans in JSON.
func PrintREDFlags(p *tc.Printer, flags uint32) {
	for _, f := range []struct {
		bit  uint32
		name string
	}{{REDECN, "ecn"}, {REDHarddrop, "harddrop"}, {REDAdaptative, "adaptive"}, {REDNodrop, "nodrop"}} {
		if flags&f.bit != 0 {
			p.Bool(tc.Any, f.name, f.name+" ", true)
		} else {
			p.Bool(tc.Any, f.name, "", false)
		}
	}
}

// FormatProb prints a probability as C's "%lg".
func FormatProb(v float64) string { return tc.FormatG(v, 6) }

// ParseBandwidth reads the bandwidth word of red, gred and choke: a rate,
// or a percentage of the device's speed (get_percent_rate, get_rate), into
// bytes per second within 32 bits. A bad value fails with what tc prints.
func ParseBandwidth(s, dev string) (uint32, error) {
	const illegal = "Illegal \"bandwidth\""
	if strings.Contains(s, "%") {
		r, err := tc.ParsePercentRate64(s, dev)
		if err != nil {
			return 0, tc.Usagef("%s\n%s", err.Error(), illegal)
		}
		if r >= 1<<32 {
			return 0, tc.Usagef(illegal)
		}
		return uint32(r), nil
	}
	r, err := tc.ParseRate(s)
	if err != nil {
		return 0, tc.Usagef(illegal)
	}
	return r, nil
}

// ParseProbability reads a probability as sscanf("%lg") does: a leading
// number, whatever follows it.
func ParseProbability(s string) (float64, bool) {
	v, n := tc.Strtod(s)
	return v, n > 0
}

// REDShape is the outcome of tc's RED computation for a set of words.
type REDShape struct {
	Wlog, Plog, ScellLog uint8
	Stab                 [REDStabSize]byte
	MaxP                 uint32
}

// ComputeRED runs tc's RED computation (the tail of red_parse_opt and
// gred_parse_opt): EWMA weight, probability log and idle damping, with the
// messages tc prints, prefixed by who ("RED", "GRED", "CHOKE"). warn gets
// the warnings tc prints and goes on after.
func ComputeRED(who string, qmin, qmax, burst, avpkt, rate uint32, prob float64, warn func(string)) (REDShape, error) {
	var s REDShape
	wlog, msg := EvalEwma(qmin, burst, avpkt)
	if wlog < 0 {
		if msg != "" {
			return s, tc.Usagef("%s\n%s: failed to calculate EWMA constant.", msg, who)
		}
		return s, tc.Usagef("%s: failed to calculate EWMA constant.", who)
	}
	if wlog >= 10 {
		warn(fmt.Sprintf("%s: WARNING. Burst %d seems to be too large.", who, burst))
	}
	s.Wlog = uint8(wlog)
	plog := EvalP(qmin, qmax, prob)
	if plog < 0 {
		return s, tc.Usagef("%s: failed to calculate probability.", who)
	}
	s.Plog = uint8(plog)
	stab, clog := EvalIdleDamping(wlog, avpkt, rate)
	if clog < 0 {
		return s, tc.Usagef("%s: failed to calculate idle damping table.", who)
	}
	s.Stab, s.ScellLog = stab, uint8(clog)
	s.MaxP = MaxPFromProb(prob)
	return s, nil
}

// REDQoptLen is sizeof(struct tc_red_qopt).
const REDQoptLen = 16

// REDQopt is struct tc_red_qopt (also choke's): thresholds in bytes (packets
// for choke), logs, and the historic flags byte.
type REDQopt struct {
	Limit    uint32
	QthMin   uint32
	QthMax   uint32
	Wlog     uint8
	Plog     uint8
	ScellLog uint8
	Flags    uint8
}

// DecodeREDQopt reads a tc_red_qopt of at least REDQoptLen bytes.
func DecodeREDQopt(b []byte) REDQopt {
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return REDQopt{u(0), u(1), u(2), b[12], b[13], b[14], b[15]}
}

// Encode writes the 16-byte tc_red_qopt.
func (o *REDQopt) Encode() []byte {
	b := make([]byte, 0, REDQoptLen)
	for _, v := range []uint32{o.Limit, o.QthMin, o.QthMax} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return append(b, o.Wlog, o.Plog, o.ScellLog, o.Flags)
}

// PrintREDDetails prints what -d adds for red and choke: ewma, then the
// probability if the kernel sent it, else Plog, then Scell_log.
func PrintREDDetails(p *tc.Printer, o REDQopt, maxP uint32) {
	if !p.Details {
		return
	}
	p.Uint(tc.Any, "ewma", "ewma %d ", uint64(o.Wlog))
	if maxP != 0 {
		prob := float64(maxP) / math.Pow(2, 32)
		p.Float(tc.JSON, "probability", "", prob)
		p.String(tc.Text, "", "probability %s ", FormatProb(prob))
	} else {
		p.Uint(tc.Any, "Plog", "Plog %d ", uint64(o.Plog))
	}
	p.Uint(tc.Any, "Scell_log", "Scell_log %d", uint64(o.ScellLog))
}
