package clstest

import (
	"errors"
	"strings"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// RawFilter sends RTM_NEWTFILTER (create) for kind with opts as its
// TCA_OPTIONS payload on an ingress qdisc of eth0, made on first use.
func (b *Bed) RawFilter(kind string, prio uint16, handle uint32, opts []byte) error {
	if b.Dev.Sched.IngressQueue() == nil || b.Dev.Sched.IngressQueue().Qdisc() == nil ||
		b.Dev.Sched.IngressQueue().Qdisc().Handle != tc.Handle(0xffff0000) {
		b.Tc("qdisc add dev eth0 ingress")
	}
	m := sched.TCMsg{Parent: tc.Handle(0xfffffff1), Handle: tc.Handle(handle), Info: uint32(prio)<<16 | 0x0300}
	return b.Do(sched.RTM_NEWTFILTER, nl.NLM_F_CREATE, m, func(nb *nl.Builder) {
		nb.PutString(sched.TCA_KIND, kind)
		nb.Put(sched.TCA_OPTIONS, opts)
	})
}

// FuzzSyntax checks a kind's tc face on arbitrary words: no panic, errors
// are tc's usage errors, and what it sends prints without panicking.
func FuzzSyntax(t *testing.T, s tc.FilterSyntax, words, handle string) {
	b := nl.NewBuilder()
	_, err := s.ParseFilter(tc.NewArgs(Words(words)), handle, b)
	if err != nil {
		var ue *tc.UsageError
		if !errors.As(err, &ue) {
			t.Fatalf("%q: not a usage error: %v", words, err)
		}
		return
	}
	if o := nl.Parse(b.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS); o != nil {
		p := tc.NewPrinter(false, false)
		_ = s.PrintFilter(p, 1, o.Data)
		p = tc.NewPrinter(true, false)
		p.OpenObject("")
		_ = s.PrintFilter(p, 1, o.Data)
		p.CloseObject()
	}
}

// FuzzOptions hands arbitrary bytes to a kind's kernel side as a filter's
// options (create, then dump), and to its printer.
func FuzzOptions(t *testing.T, b *Bed, kind string, s tc.FilterSyntax, opts []byte) {
	for _, h := range []uint32{0, 1} {
		if err := b.RawFilter(kind, 1, h, opts); err == nil {
			if _, err := b.Tc("filter show dev eth0 ingress"); err != nil && strings.Contains(err.Error(), "panic") {
				t.Fatal(err)
			}
		}
	}
	b.Tc("filter del dev eth0 ingress")
	_ = s.PrintFilter(tc.NewPrinter(false, false), 0x80000800, opts)
}
