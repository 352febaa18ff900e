package matchall

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

// TCA_MATCHALL_* attributes inside TCA_OPTIONS.
const (
	TCA_MATCHALL_UNSPEC = iota
	TCA_MATCHALL_CLASSID
	TCA_MATCHALL_ACT
	TCA_MATCHALL_FLAGS
	TCA_MATCHALL_PCNT
	TCA_MATCHALL_PAD
	TCA_MATCHALL_MAX = TCA_MATCHALL_PAD
)

// TCA_CLS_FLAGS_* bits of TCA_MATCHALL_FLAGS.
const (
	FlagSkipHW  = 1 << 0 // TCA_CLS_FLAGS_SKIP_HW
	FlagSkipSW  = 1 << 1 // TCA_CLS_FLAGS_SKIP_SW
	FlagInHW    = 1 << 2 // TCA_CLS_FLAGS_IN_HW
	FlagNotInHW = 1 << 3 // TCA_CLS_FLAGS_NOT_IN_HW
	FlagVerbose = 1 << 4 // TCA_CLS_FLAGS_VERBOSE
)

// Config is what a matchall filter's options carry.
type Config struct {
	ClassID    tc.Handle
	HasClassID bool
	Flags      uint32
}

// policy is mall_policy.
var policy = map[uint16]nl.PolicyEntry{
	TCA_MATCHALL_CLASSID: {Type: nl.U32},
	TCA_MATCHALL_FLAGS:   {Type: nl.U32},
}

// Decode reads TCA_OPTIONS; tb is the parsed table (for the actions). A
// malformed attribute is ERANGE, with no message: matchall parses without
// an extack.
func Decode(opt []byte) (Config, nl.Attrs, error) {
	var c Config
	tb := nl.Parse(opt, TCA_MATCHALL_MAX)
	if err, _ := tb.Validate(policy); err != nil {
		return c, nil, syscall.ERANGE
	}
	if a := tb.Get(TCA_MATCHALL_CLASSID); a != nil {
		c.ClassID, c.HasClassID = tc.Handle(a.U32()), true
	}
	if a := tb.Get(TCA_MATCHALL_FLAGS); a != nil {
		c.Flags = a.U32()
	}
	return c, tb, nil
}

// flagsValid is tc_flags_valid: known bits only, not both skips.
func flagsValid(f uint32) bool {
	if f&^(FlagSkipHW|FlagSkipSW|FlagVerbose) != 0 {
		return false
	}
	return f&(FlagSkipHW|FlagSkipSW) != FlagSkipHW|FlagSkipSW
}

// encode writes the options of a dump: the class if set, the flags if any,
// and the hit counter (struct tc_matchall_pcnt). x86 needs no pad before a
// 64-bit attribute, so none is written.
func (c Config) encode(b *nl.Builder, hits uint64) {
	if c.ClassID != 0 {
		b.PutU32(TCA_MATCHALL_CLASSID, uint32(c.ClassID))
	}
	if c.Flags != 0 {
		b.PutU32(TCA_MATCHALL_FLAGS, c.Flags)
	}
	var pcnt [8]byte
	binary.NativeEndian.PutUint64(pcnt[:], hits)
	b.Put(TCA_MATCHALL_PCNT, pcnt[:])
}

// Encode writes a request's TCA_OPTIONS payload attributes (what tc sends).
func (c Config) Encode(b *nl.Builder) {
	if c.HasClassID {
		b.PutU32(TCA_MATCHALL_CLASSID, uint32(c.ClassID))
	}
	if c.Flags != 0 {
		b.PutU32(TCA_MATCHALL_FLAGS, c.Flags)
	}
}
