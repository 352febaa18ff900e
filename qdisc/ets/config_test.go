package ets_test

import (
	"syscall"
	"testing"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/qdisc/ets"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/schedtest"
)

// opts builds a TCA_OPTIONS attribute; nested says whether it carries
// NLA_F_NESTED.
func opts(nested bool, fill func(b *nl.Builder)) *nl.Attr {
	b := nl.NewBuilder()
	t := uint16(sched.TCA_OPTIONS)
	if nested {
		t |= nl.NLA_F_NESTED
	}
	b.Nest(t)
	fill(b)
	b.EndNest()
	return nl.Parse(b.Bytes(), sched.TCA_MAX).Get(sched.TCA_OPTIONS)
}

func nest(b *nl.Builder, typ uint16, flag bool, fill func()) {
	if flag {
		typ |= nl.NLA_F_NESTED
	}
	b.Nest(typ)
	fill()
	b.EndNest()
}

// The kernel's strict parse and ets_qdisc_change's checks, with their
// extack texts.
func TestDecodeConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		nested bool
		fill   func(b *nl.Builder)
		errno  syscall.Errno
		msg    string
	}{
		{"no NLA_F_NESTED", false, func(b *nl.Builder) { b.PutU8(ets.TCA_ETS_NBANDS, 2) },
			syscall.EINVAL, "NLA_F_NESTED is missing"},
		{"no bands", true, func(b *nl.Builder) {}, syscall.EINVAL, "sch_ets: Number of bands is a required argument"},
		{"zero bands", true, func(b *nl.Builder) { b.PutU8(ets.TCA_ETS_NBANDS, 0) },
			syscall.EINVAL, "sch_ets: Invalid number of bands"},
		{"17 bands", true, func(b *nl.Builder) { b.PutU8(ets.TCA_ETS_NBANDS, 17) },
			syscall.EINVAL, "sch_ets: Invalid number of bands"},
		{"strict above bands", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			b.PutU8(ets.TCA_ETS_NSTRICT, 3)
		}, syscall.EINVAL, "sch_ets: Invalid number of strict bands"},
		{"u32 bands", true, func(b *nl.Builder) { b.PutU32(ets.TCA_ETS_NBANDS, 2) },
			syscall.EINVAL, "invalid attribute length"},
		{"unknown type", true, func(b *nl.Builder) { b.PutU8(9, 2) }, syscall.EINVAL, "Unknown attribute type"},
		{"band outside nest", true, func(b *nl.Builder) { b.PutU32(ets.TCA_ETS_QUANTA_BAND, 2) },
			syscall.EINVAL, "Unsupported attribute"},
		{"quanta not flagged", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			nest(b, ets.TCA_ETS_QUANTA, false, func() { b.PutU32(ets.TCA_ETS_QUANTA_BAND, 1000) })
		}, syscall.EINVAL, "NLA_F_NESTED is missing"},
		{"more quanta than bands", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			b.PutU8(ets.TCA_ETS_NSTRICT, 1)
			nest(b, ets.TCA_ETS_QUANTA, true, func() {
				b.PutU32(ets.TCA_ETS_QUANTA_BAND, 1000)
				b.PutU32(ets.TCA_ETS_QUANTA_BAND, 1000)
			})
		}, syscall.EINVAL, "sch_ets: ETS quanta has more values than bands"},
		{"priomap band too high", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			nest(b, ets.TCA_ETS_PRIOMAP, true, func() { b.PutU8(ets.TCA_ETS_PRIOMAP_BAND, 2) })
		}, syscall.EINVAL, "sch_ets: Invalid band number in ETS priomap"},
		{"17 priorities", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			nest(b, ets.TCA_ETS_PRIOMAP, true, func() {
				for i := 0; i < 17; i++ {
					b.PutU8(ets.TCA_ETS_PRIOMAP_BAND, 1)
				}
			})
		}, syscall.EINVAL, "sch_ets: Too many priorities in ETS priomap"},
		{"quantum in priomap", true, func(b *nl.Builder) {
			b.PutU8(ets.TCA_ETS_NBANDS, 2)
			nest(b, ets.TCA_ETS_PRIOMAP, true, func() { b.PutU32(ets.TCA_ETS_QUANTA_BAND, 1) })
		}, syscall.EINVAL, "Unsupported attribute"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ets.DecodeConfig(opts(tt.nested, tt.fill), 1514)
			if sched.ErrnoOf(err) != tt.errno || sched.MsgOf(err) != tt.msg {
				t.Fatalf("got %v (%d), want %q (%d)", err, sched.ErrnoOf(err), tt.msg, tt.errno)
			}
		})
	}
}

func TestDecodeConfigDefaults(t *testing.T) {
	c, err := ets.DecodeConfig(opts(true, func(b *nl.Builder) {
		b.PutU8(ets.TCA_ETS_NBANDS, 4)
		b.PutU8(ets.TCA_ETS_NSTRICT, 1)
		nest(b, ets.TCA_ETS_QUANTA, true, func() {
			b.PutU32(ets.TCA_ETS_QUANTA_BAND, 100)     // clamped up to 256
			b.PutU32(ets.TCA_ETS_QUANTA_BAND, 2000000) // clamped down to 1 MiB
		})
		nest(b, ets.TCA_ETS_PRIOMAP, true, func() { b.PutU8(ets.TCA_ETS_PRIOMAP_BAND, 0) })
	}), 9014)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bands != 4 || c.Strict != 1 || c.Quanta != [16]uint32{0, 256, 1 << 20, 9014} {
		t.Fatalf("config %+v", c)
	}
	if c.Priomap != [16]uint8{0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3} {
		t.Fatalf("priomap %v", c.Priomap)
	}
}

// Changing the qdisc moves bands between strict and sharing with their
// packets, and dropping bands purges them.
func TestChangeWithBacklog(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 8e6})
	b.TC("qdisc add root handle 1: ets bands 4 strict 2")
	for i := 0; i < 4; i++ {
		for band := uint32(1); band <= 4; band++ {
			b.Send(flow(band, 0x10000|band), 1000)
		}
	}
	q := b.Qdisc("1:")
	if q.QLen != 15 {
		t.Fatalf("qlen %d, want 15", q.QLen)
	}
	// Band 2 turns sharing with its 4 packets; band 4 goes with 4.
	b.TC("qdisc change root handle 1: ets bands 3 strict 1")
	if q.QLen != 11 || q.Backlog() != 11000 {
		t.Fatalf("after change: qlen %d backlog %d, want 11 and 11000", q.QLen, q.Backlog())
	}
	b.Run(1e9)
	for band, want := range map[uint32]uint64{1: 4, 2: 4, 3: 4, 4: 0} {
		if f := b.Sink.Flows[band]; (f == nil && want != 0) || (f != nil && f.Packets != want) {
			t.Errorf("band %d delivered %v, want %d", band, f, want)
		}
	}
	if q.QLen != 0 || q.Backlog() != 0 {
		t.Fatalf("left qlen %d backlog %d", q.QLen, q.Backlog())
	}
}

func TestClassChangeQuantumAtRuntime(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{Rate: 100e6})
	b.TC("qdisc add root handle 1: ets quanta 1000 1000")
	b.CBR(flow(1, 0x10001), 80e6, 1000, 0, 4e9)
	b.CBR(flow(2, 0x10002), 80e6, 1000, 0, 4e9)
	b.Sink.WindowStart, b.Sink.WindowEnd = 2.5e9, 4e9
	b.Run(2e9)
	b.TC("class change classid 1:2 ets quantum 3000")
	b.Run(4e9)
	r1, r2 := b.Sink.Rate(1), b.Sink.Rate(2)
	if math := r2 / r1; math < 2.97 || math > 3.03 {
		t.Fatalf("rates %.0f and %.0f: ratio %.3f, want 3", r1, r2, math)
	}
}

// A class change on a strict band with a quantum is refused; bands come
// and go only with the qdisc.
func TestClassRules(t *testing.T) {
	b := schedtest.New(t, schedtest.Options{})
	b.TC("qdisc add root handle 1: ets bands 3 strict 1")
	for _, tt := range []struct {
		cmd   string
		errno syscall.Errno
		msg   string
	}{
		{"class change classid 1:1 ets quantum 1500", syscall.EINVAL, "Strict bands do not have a configurable quantum"},
		{"class change classid 1:1 ets", 0, ""},
		{"class add parent 1: classid 1:4 ets quantum 1500", syscall.EOPNOTSUPP,
			"Fine-grained class addition and removal is not supported"},
		{"class del classid 1:2", syscall.EOPNOTSUPP, ""},
	} {
		err := b.TryTC(tt.cmd)
		if sched.ErrnoOf0(err) != tt.errno || sched.MsgOf(err) != tt.msg {
			t.Errorf("%s: %v, want %q (%d)", tt.cmd, err, tt.msg, tt.errno)
		}
	}
}
