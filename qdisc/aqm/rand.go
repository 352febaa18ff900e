package aqm

import "github.com/netsched/netsched/sched"

// Rand is a small seeded random source (splitmix64) standing in for the
// kernel's get_random_*: each qdisc gets its own, seeded from its identity,
// so that a simulation repeats exactly. It allocates nothing.
type Rand struct{ s uint64 }

// NewRand returns a source with that seed.
func NewRand(seed uint64) Rand { return Rand{s: seed} }

// Seed is the seed of a qdisc's random source: its device's ifindex, its
// handle and its kind mixed together, so two qdiscs of a simulation draw
// different numbers and every run draws the same.
func Seed(q *sched.Qdisc) uint64 {
	var idx int32
	if d := q.Dev(); d != nil && d.Link() != nil {
		idx = d.Link().Ifindex()
	}
	s := uint64(uint32(idx))<<32 | uint64(q.Handle)
	if k := q.Kind(); k != nil {
		for i := 0; i < len(k.ID); i++ {
			s = s*31 + uint64(k.ID[i])
		}
	}
	r := NewRand(s)
	return r.Uint64()
}

// Uint64 returns 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Uint32 returns 32 random bits (get_random_u32).
func (r *Rand) Uint32() uint32 { return uint32(r.Uint64() >> 32) }

// Uint16 returns 16 random bits (get_random_u16).
func (r *Rand) Uint16() uint16 { return uint16(r.Uint64() >> 48) }

// Below returns a number in [0, n) (get_random_u32_below); 0 for n 0.
func (r *Rand) Below(n uint32) uint32 { return uint32(uint64(r.Uint32()) * uint64(n) >> 32) }

// PschedMTU is psched_mtu: the device's MTU plus its link-layer header,
// the largest packet a qdisc of the device sees.
func PschedMTU(q *sched.Qdisc) uint32 {
	l := q.Dev().Link()
	return l.MTU() + l.HardHeaderLen()
}
