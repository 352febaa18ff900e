package prio

import (
	"encoding/binary"
	"syscall"
)

// Bands limits (TCQ_PRIO_BANDS, TCQ_MIN_PRIO_BANDS).
const (
	MaxBands = 16
	MinBands = 2
)

// Config is struct tc_prio_qopt: the number of bands and the map from
// priority (0..15) to band.
type Config struct {
	Bands   int32
	Priomap [16]uint8
}

// qoptLen is sizeof(struct tc_prio_qopt).
const qoptLen = 20

// TCA_PRIO_MQ is the nested attribute tc adds for "multiqueue" (ignored by
// the kernel since prio lost multiqueue support).
const TCA_PRIO_MQ = 1

// Decode reads tc_prio_qopt from the start of a TCA_OPTIONS payload.
func Decode(b []byte) (Config, error) {
	if len(b) < qoptLen {
		return Config{}, syscall.EINVAL
	}
	var c Config
	c.Bands = int32(binary.NativeEndian.Uint32(b))
	copy(c.Priomap[:], b[4:20])
	return c, nil
}

// Encode writes tc_prio_qopt.
func (c Config) Encode() []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, qoptLen), uint32(c.Bands))
	return append(b, c.Priomap[:]...)
}

// Validate checks bands and map as prio_tune does (EINVAL, no message).
func (c Config) Validate() error {
	if c.Bands > MaxBands || c.Bands < MinBands {
		return syscall.EINVAL
	}
	for _, b := range c.Priomap {
		if int32(b) >= c.Bands {
			return syscall.EINVAL
		}
	}
	return nil
}
