package sched

// ClassBlockWalker is a classful kind that knows which of its classes may
// have filters in their blocks: those whose block it ever handed out. The
// filters of a class can only get there through BlockOwner.Block, so the
// others have empty blocks.
type ClassBlockWalker interface {
	// WalkBlockClasses calls fn for each class whose block may hold
	// filters, until fn returns false.
	WalkBlockClasses(fn func(c Class) bool)
}

// walkClassBlocks is the walk of tc_bind_tclass: every class, in the
// kernel, whose block is then searched for filters naming the class. With
// thousands of classes that walk on every class added or deleted makes
// building a tree quadratic; a kind that knows which blocks may hold
// filters lets it visit only those, with the same outcome.
func walkClassBlocks(cf Classful, fn func(c Class) bool) {
	if w, ok := cf.(ClassBlockWalker); ok {
		w.WalkBlockClasses(fn)
		return
	}
	cf.Walk(fn)
}
