package qfq_test

import (
	"encoding/binary"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/qfq"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tc"
)

// dumpOptions dumps the device's classes and prints the options of class
// id as tc would.
func dumpOptions(t *testing.T, b *schedtest.Bed, id string) string {
	t.Helper()
	want, err := tc.ParseClassID(id)
	if err != nil {
		t.Fatal(err)
	}
	conn := b.E.Connect("bench", 0, true, func([]byte) {})
	nb := nl.NewBuilder()
	nb.Begin(sched.RTM_GETTCLASS, nl.NLM_F_REQUEST|nl.NLM_F_DUMP, 1, 0)
	(&sched.TCMsg{Ifindex: b.Dev.Ifindex()}).Encode(nb)
	nb.End()
	for _, out := range conn.Handle(nb.Bytes()) {
		msgs, _ := nl.Split(out)
		for _, m := range msgs {
			if m.Type != sched.RTM_NEWTCLASS || len(m.Data) < 20 {
				continue
			}
			h := tc.Handle(binary.NativeEndian.Uint32(m.Data[8:])) // tcm_handle
			if h != want {
				continue
			}
			tb := nl.Parse(m.Data[20:], sched.TCA_MAX)
			p := tc.NewPrinter(false, false)
			if o := tb.Get(sched.TCA_OPTIONS); o != nil {
				qfq.Syntax.(tc.ClassSyntax).PrintClass(p, o.Data)
			}
			return string(p.Bytes())
		}
	}
	t.Fatalf("class %s not dumped", id)
	return ""
}
