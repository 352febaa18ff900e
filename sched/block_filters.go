package sched

// HasFilters reports whether chain 0 of the block holds a filter: the
// kernel's q->filter_list != NULL, which kinds with an internal classifier
// (fq_codel, fq_pie, sfb) test before falling back to their own hash.
func (b *Block) HasFilters() bool { return b != nil && b.chain0 != nil && b.chain0.head != nil }
