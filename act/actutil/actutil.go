// Package actutil holds what every action kind's faces share: the control
// verdict words tc reads and prints (iproute2's action_a2n, action_n2a,
// parse_action_control and print_action_control), the tcf_t times of a
// dump (print_tm), the struct tc_gen head of every kind's parameters, and
// the kernel-side sequence most kinds' Init follow.
package actutil

import (
	"encoding/binary"
	"errors"
	"strconv"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Control verdicts (TC_ACT_*).
const (
	Unspec     int32 = -1
	OK         int32 = 0
	Reclassify int32 = 1
	Shot       int32 = 2
	Pipe       int32 = 3
	Stolen     int32 = 4
	Queued     int32 = 5
	Repeat     int32 = 6
	Redirect   int32 = 7
	Trap       int32 = 8
	Jump       int32 = 1 << 28
	GotoChain  int32 = 2 << 28
	ExtMask          = 0xF0000000
	ExtValMask       = 0x0FFFFFFF
)

// GenLen is sizeof(struct tc_gen): index, capab, action, refcnt, bindcnt.
const GenLen = 20

// Gen is struct tc_gen, the head of every kind's parameters.
type Gen struct {
	Index   uint32
	Capab   uint32
	Action  int32
	Refcnt  int32
	Bindcnt int32
}

// DecodeGen reads a tc_gen from the start of b (len(b) >= GenLen).
func DecodeGen(b []byte) Gen {
	return Gen{
		Index:   binary.NativeEndian.Uint32(b[0:]),
		Capab:   binary.NativeEndian.Uint32(b[4:]),
		Action:  int32(binary.NativeEndian.Uint32(b[8:])),
		Refcnt:  int32(binary.NativeEndian.Uint32(b[12:])),
		Bindcnt: int32(binary.NativeEndian.Uint32(b[16:])),
	}
}

// Put writes g into the first GenLen bytes of b.
func (g Gen) Put(b []byte) {
	binary.NativeEndian.PutUint32(b[0:], g.Index)
	binary.NativeEndian.PutUint32(b[4:], g.Capab)
	binary.NativeEndian.PutUint32(b[8:], uint32(g.Action))
	binary.NativeEndian.PutUint32(b[12:], uint32(g.Refcnt))
	binary.NativeEndian.PutUint32(b[16:], uint32(g.Bindcnt))
}

// Fixed returns b padded with zeros to n bytes, as a C struct read from a
// shorter attribute reads (RTA_DATA of a short payload).
func Fixed(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	out := make([]byte, n)
	copy(out, b)
	return out
}

// Obtain is the sequence most kinds' Init follow once their options are
// read (tcf_idr_check_alloc and tcf_idr_create): find the action of that
// index or make a new one with ops. bound is set when a filter binds an
// existing action, which then stays as it is; an existing action without
// NLM_F_REPLACE is EEXIST.
func Obtain(r *sched.ActInit, index uint32, ops func() sched.ActionOps) (a *sched.Action, created, bound bool, err error) {
	a, exists, err := r.CheckAlloc(&index)
	if err != nil {
		return nil, false, false, err
	}
	if !exists {
		a, err = r.Create(index, ops())
		if err != nil {
			r.Cleanup(index)
			return nil, false, false, err
		}
		return a, true, false, nil
	}
	if r.Bind() {
		return a, false, true, nil
	}
	if !r.Replace() {
		a.Release(r.Bind())
		return nil, false, false, syscall.EEXIST
	}
	return a, false, false, nil
}

// Abandon undoes CheckAlloc for a kind that found its options wrong after
// it: the reservation goes, or the reference to the existing action.
func Abandon(r *sched.ActInit, a *sched.Action, exists bool, index uint32) {
	if exists {
		a.Release(r.Bind())
	} else {
		r.Cleanup(index)
	}
}

// PutTm writes TCA_*_TM (struct tcf_t); x86 needs no pad before it.
func PutTm(b *nl.Builder, attr uint16, a *sched.Action) { b.Put(attr, a.Tm()) }

// Parms returns the tc_gen head for a dump, counts less bind and ref.
func Parms(a *sched.Action, bind, ref int) [GenLen]byte { return a.Parms(bind, ref) }

// controlNames is action_a2n's table, in its order.
var controlNames = []struct {
	name string
	v    int32
}{
	{"continue", Unspec}, {"drop", Shot}, {"shot", Shot}, {"pass", OK}, {"ok", OK},
	{"reclassify", Reclassify}, {"pipe", Pipe}, {"goto", GotoChain}, {"jump", Jump}, {"trap", Trap},
}

// A2N is action_a2n: a control word (or prefix), or with allowNum a number.
func A2N(w string, allowNum bool) (int32, bool) {
	for _, c := range controlNames {
		if tc.Matches(w, c.name) {
			return c.v, true
		}
	}
	if !allowNum {
		return 0, false
	}
	v, err := tc.GetInteger(w, 10)
	return v, err == nil
}

// IsControl reports whether w is a control word (action_a2n without
// numbers), as parse_action decides a word starts a gact action.
func IsControl(w string) bool {
	_, ok := A2N(w, false)
	return ok
}

// N2A is action_n2a.
func N2A(v int32) string {
	switch uint32(v) & ExtMask {
	case uint32(GotoChain):
		return "goto"
	case uint32(Jump):
		return "jump"
	}
	switch v {
	case Unspec:
		return "continue"
	case OK:
		return "pass"
	case Shot:
		return "drop"
	case Reclassify:
		return "reclassify"
	case Pipe:
		return "pipe"
	case Stolen:
		return "stolen"
	case Trap:
		return "trap"
	}
	return strconv.Itoa(int(v))
}

// controlWords reads a control verdict from the front of rest without
// taking anything (__parse_action_control): the verdict and how many
// words it spans; ok false when the first word is not a verdict. A goto
// or jump lacking its argument is tc's incomplete-command exit; a bad
// chain index or jump count is an error with tc's message.
func controlWords(rest []string, allowNum bool) (v int32, n int, ok bool, err error) {
	if len(rest) == 0 {
		return 0, 0, false, nil
	}
	v, ok = A2N(rest[0], allowNum)
	if !ok {
		return 0, 0, false, nil
	}
	switch v {
	case GotoChain:
		if len(rest) < 2 {
			return 0, 0, false, tc.Incomplete()
		}
		if !tc.Matches(rest[1], "chain") {
			return 0, 0, false, tc.Usagef("\"chain index\" expected")
		}
		if len(rest) < 3 {
			return 0, 0, false, tc.Incomplete()
		}
		idx, err := tc.GetU32(rest[2], 10)
		if err != nil || idx > ExtValMask {
			return 0, 0, false, tc.Usagef("Illegal \"chain index\"")
		}
		return v | int32(idx), 3, true, nil
	case Jump:
		if len(rest) < 2 {
			return 0, 0, false, tc.Incomplete()
		}
		cnt, err := tc.GetU32(rest[1], 10)
		if err != nil || cnt > ExtValMask {
			return 0, 0, false, tc.Usagef("Invalid \"jump count\" (%s)", rest[1])
		}
		return v | int32(cnt), 2, true, nil
	}
	return v, 1, true, nil
}

// ParseControl is parse_action_control: a control word (goto chain N,
// jump N) or, with allowNum, a number, taken on success. ok is false,
// with nothing taken, when the next word is not one.
func ParseControl(a *tc.Args, allowNum bool) (int32, bool, error) {
	v, n, ok, err := controlWords(a.Rest(), allowNum)
	if err != nil || !ok {
		return 0, false, err
	}
	for ; n > 0; n-- {
		a.Next()
	}
	return v, true, nil
}

// ParseControlDefault is parse_action_control_dflt: the control word if
// one follows, else dflt with nothing taken. A malformed goto or jump
// prints its complaint (to a.Stderr) and falls back to dflt, as tc does;
// only a missing argument ends the command.
func ParseControlDefault(a *tc.Args, allowNum bool, dflt int32) (int32, error) {
	v, ok, err := ParseControl(a, allowNum)
	if err != nil {
		var ue *tc.UsageError
		if errors.As(err, &ue) && ue.Exit {
			return 0, err
		}
		a.Warn(ErrText(err))
		return dflt, nil
	}
	if !ok {
		return dflt, nil
	}
	return v, nil
}

// PrintControl is print_action_control: prefix, the verdict's name (with
// its chain or jump count), suffix; in JSON a control_action object.
func PrintControl(p *tc.Printer, prefix string, v int32, suffix string) {
	p.Text(prefix)
	p.OpenObject("control_action")
	p.String(tc.Any, "type", "%s", N2A(v))
	switch uint32(v) & ExtMask {
	case uint32(GotoChain):
		p.Uint(tc.Any, "chain", " chain %d", uint64(uint32(v)&ExtValMask))
	case uint32(Jump):
		p.Uint(tc.Any, "jump", " %d", uint64(uint32(v)&ExtValMask))
	}
	p.CloseObject()
	p.Text(suffix)
}

// userHZ is what iproute2's get_user_hz answers (sysconf(_SC_CLK_TCK)).
const userHZ = 100

// PrintTm is print_tm: the times of a struct tcf_t payload, in seconds.
func PrintTm(p *tc.Printer, tm []byte) {
	if len(tm) < 32 {
		return
	}
	install := binary.NativeEndian.Uint64(tm[0:])
	lastuse := binary.NativeEndian.Uint64(tm[8:])
	expires := binary.NativeEndian.Uint64(tm[16:])
	firstuse := binary.NativeEndian.Uint64(tm[24:])
	if install != 0 {
		p.Uint(tc.Any, "installed", " installed %d sec", install/userHZ)
	}
	if lastuse != 0 {
		p.Uint(tc.Any, "last_used", " used %d sec", lastuse/userHZ)
	}
	if firstuse != 0 {
		p.Uint(tc.Any, "first_used", " firstused %d sec", firstuse/userHZ)
	}
	if expires != 0 {
		p.Uint(tc.Any, "expires", " expires %d sec", expires/userHZ)
	}
}

// PrintIndex prints the usual second line's start: index, ref, bind.
func PrintIndex(p *tc.Printer, g Gen) {
	p.Uint(tc.Any, "index", "\t index %d", uint64(g.Index))
	p.Int(tc.Any, "ref", " ref %d", int64(g.Refcnt))
	p.Int(tc.Any, "bind", " bind %d", int64(g.Bindcnt))
}

// ErrText is the message of a tc usage error, or the error's text.
func ErrText(err error) string {
	var ue *tc.UsageError
	if errors.As(err, &ue) {
		return ue.Msg
	}
	return err.Error()
}
