package netem

// prng is the kernel's rnd_state: L'Ecuyer's maximally equidistributed
// combined Tausworthe generator (lfsr113), which netem draws its loss,
// duplication, reordering and delay decisions from. Seeded the same way,
// it gives the kernel's sequence exactly, so TCA_NETEM_PRNG_SEED repeats a
// run bit for bit here as there.
type prng struct{ s1, s2, s3, s4 uint32 }

func seedMin(x, m uint32) uint32 {
	if x < m {
		return x + m
	}
	return x
}

// seed is prandom_seed_state.
func (r *prng) seed(seed uint64) {
	i := uint32((seed >> 32) ^ (seed << 10) ^ seed)
	r.s1 = seedMin(i, 2)
	r.s2 = seedMin(i, 8)
	r.s3 = seedMin(i, 16)
	r.s4 = seedMin(i, 128)
}

// u32 is prandom_u32_state.
func (r *prng) u32() uint32 {
	r.s1 = ((r.s1 & 4294967294) << 18) ^ (((r.s1 << 6) ^ r.s1) >> 13)
	r.s2 = ((r.s2 & 4294967288) << 2) ^ (((r.s2 << 2) ^ r.s2) >> 27)
	r.s3 = ((r.s3 & 4294967280) << 7) ^ (((r.s3 << 13) ^ r.s3) >> 21)
	r.s4 = ((r.s4 & 4294967168) << 13) ^ (((r.s4 << 3) ^ r.s4) >> 12)
	return r.s1 ^ r.s2 ^ r.s3 ^ r.s4
}

// crndstate is a correlated random number generator's state: the last
// value and the correlation rho (scaled to 32 bits).
type crndstate struct{ last, rho uint32 }

// get is get_crandom: a uniform number, or with a correlation a weighted
// mix of a new one and the last.
func (s *crndstate) get(r *prng) uint32 {
	if s == nil || s.rho == 0 {
		return r.u32()
	}
	value := uint64(r.u32())
	rho := uint64(s.rho) + 1
	answer := uint32((value*((1<<32)-rho) + uint64(s.last)*rho) >> 32)
	s.last = answer
	return answer
}
