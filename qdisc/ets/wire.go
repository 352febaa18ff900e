package ets

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// Attributes of ets's TCA_OPTIONS (TCA_ETS_*). QUANTA and PRIOMAP are
// nests of QUANTA_BAND (u32) and PRIOMAP_BAND (u8) in band order; a class
// change carries one QUANTA_BAND directly.
const (
	TCA_ETS_UNSPEC = iota
	TCA_ETS_NBANDS
	TCA_ETS_NSTRICT
	TCA_ETS_QUANTA
	TCA_ETS_QUANTA_BAND
	TCA_ETS_PRIOMAP
	TCA_ETS_PRIOMAP_BAND
	TCA_ETS_MAX = TCA_ETS_PRIOMAP_BAND
)

// Limits (TCQ_ETS_MAX_BANDS, TC_PRIO_MAX) and quantum bounds.
const (
	MaxBands   = 16
	PrioMax    = 15
	MinQuantum = 256
	MaxQuantum = 1 << 20
)

// The policies (ets_policy, ets_priomap_policy, ets_quanta_policy,
// ets_class_policy); a type a policy leaves out is NLA_UNSPEC, which the
// strict parser refuses.
var (
	policy = &sched.PolicyExt{Entries: map[uint16]nl.PolicyEntry{
		TCA_ETS_NBANDS:  {Type: nl.U8},
		TCA_ETS_NSTRICT: {Type: nl.U8},
		TCA_ETS_QUANTA:  {Type: nl.Nested},
		TCA_ETS_PRIOMAP: {Type: nl.Nested},
	}}
	priomapPolicy = &sched.PolicyExt{Entries: map[uint16]nl.PolicyEntry{TCA_ETS_PRIOMAP_BAND: {Type: nl.U8}}}
	quantaPolicy  = &sched.PolicyExt{Entries: map[uint16]nl.PolicyEntry{TCA_ETS_QUANTA_BAND: {Type: nl.U32}}}
	classPolicy   = quantaPolicy
)

// Config is what a qdisc's options say, completed with the defaults the
// kernel fills in: every band past the strict ones and the given quanta
// gets max(psched_mtu, 256), and priorities not mapped go to the last band.
type Config struct {
	Bands   int
	Strict  int
	Quanta  [MaxBands]uint32 // of bands Strict..Bands-1
	Priomap [PrioMax + 1]uint8
}

// parseNested is nla_parse_nested: the nest itself must carry
// NLA_F_NESTED, and its attributes are parsed strictly.
func parseNested(a *nl.Attr, pol *sched.PolicyExt) (nl.Attrs, error) {
	return sched.ParseNestedStrict(a, TCA_ETS_MAX, pol)
}

// validateNested is __nla_validate_nested in strict mode.
func validateNested(b []byte, pol *sched.PolicyExt) error {
	_, err := sched.ParseAttrs(b, TCA_ETS_MAX, pol, sched.ValidateStrict)
	return err
}

// each calls fn for every attribute of a validated nest, in order
// (nla_for_each_nested).
func each(b []byte, fn func(a nl.Attr) error) error {
	var err error
	nl.Walk(b, func(a nl.Attr) bool {
		err = fn(a)
		return err == nil
	})
	return err
}

// DecodeConfig reads and checks a qdisc's options as ets_qdisc_change does,
// with mtu the device's psched_mtu for quanta not given.
func DecodeConfig(opt *nl.Attr, mtu uint32) (Config, error) {
	var c Config
	tb, err := parseNested(opt, policy)
	if err != nil {
		return c, err
	}
	a := tb.Get(TCA_ETS_NBANDS)
	if a == nil {
		return c, sched.Err(syscall.EINVAL, "sch_ets: Number of bands is a required argument")
	}
	c.Bands = int(a.U8())
	if c.Bands < 1 || c.Bands > MaxBands {
		return c, sched.Err(syscall.EINVAL, "sch_ets: Invalid number of bands")
	}
	for i := range c.Priomap {
		c.Priomap[i] = uint8(c.Bands - 1)
	}
	if a := tb.Get(TCA_ETS_NSTRICT); a != nil {
		if c.Strict = int(a.U8()); c.Strict > c.Bands {
			return c, sched.Err(syscall.EINVAL, "sch_ets: Invalid number of strict bands")
		}
	}
	if a := tb.Get(TCA_ETS_PRIOMAP); a != nil {
		if err := validateNested(a.Data, priomapPolicy); err != nil {
			return c, err
		}
		prio := 0
		err := each(a.Data, func(b nl.Attr) error {
			if prio > PrioMax {
				return sched.Err(syscall.EINVAL, "sch_ets: Too many priorities in ETS priomap")
			}
			band := b.U8()
			if int(band) >= c.Bands {
				return sched.Err(syscall.EINVAL, "sch_ets: Invalid band number in ETS priomap")
			}
			c.Priomap[prio] = band
			prio++
			return nil
		})
		if err != nil {
			return c, err
		}
	}
	if a := tb.Get(TCA_ETS_QUANTA); a != nil {
		if err := validateNested(a.Data, quantaPolicy); err != nil {
			return c, err
		}
		band := c.Strict
		err := each(a.Data, func(b nl.Attr) error {
			if band >= c.Bands {
				return sched.Err(syscall.EINVAL, "sch_ets: ETS quanta has more values than bands")
			}
			c.Quanta[band] = clampQuantum(b.U32())
			band++
			return nil
		})
		if err != nil {
			return c, err
		}
	}
	for i := c.Strict; i < c.Bands; i++ {
		if c.Quanta[i] == 0 {
			c.Quanta[i] = clampQuantum(mtu)
		}
	}
	return c, nil
}

// Encode writes the options as ets_qdisc_dump does: bands, strict if any,
// the quanta of the sharing bands if any, and the whole priority map.
func (c *Config) Encode(b *nl.Builder) {
	b.Nest(sched.TCA_OPTIONS)
	b.PutU8(TCA_ETS_NBANDS, uint8(c.Bands))
	if c.Strict != 0 {
		b.PutU8(TCA_ETS_NSTRICT, uint8(c.Strict))
	}
	if c.Bands > c.Strict {
		nestFlagged(b, TCA_ETS_QUANTA)
		for i := c.Strict; i < c.Bands; i++ {
			b.PutU32(TCA_ETS_QUANTA_BAND, c.Quanta[i])
		}
		b.EndNest()
	}
	nestFlagged(b, TCA_ETS_PRIOMAP)
	for _, band := range c.Priomap {
		b.PutU8(TCA_ETS_PRIOMAP_BAND, band)
	}
	b.EndNest()
	b.EndNest()
}

// nestFlagged opens a nest marked NLA_F_NESTED (nla_nest_start).
func nestFlagged(b *nl.Builder, typ uint16) { b.Nest(typ | nl.NLA_F_NESTED) }

// clampQuantum is clamp_t(u32, q, 256, 1 << 20).
func clampQuantum(q uint32) uint32 { return min(max(q, MinQuantum), MaxQuantum) }
