package fifo

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

// Config is struct tc_fifo_qopt: the limit, in packets or bytes.
type Config struct {
	Limit uint32
}

const qoptLen = 4

func decode(b []byte) (Config, error) {
	if len(b) < qoptLen {
		return Config{}, syscall.EINVAL
	}
	return Config{Limit: binary.NativeEndian.Uint32(b)}, nil
}

func encode(c Config) []byte { return binary.NativeEndian.AppendUint32(nil, c.Limit) }

// CreateDefault makes a fifo child of parent with a limit, as
// fifo_create_dflt does for tbf and friends (handle parent's major:1).
func CreateDefault(parent *sched.Qdisc, k *sched.Kind, limit uint32, ext *sched.Ext) (*sched.Qdisc, error) {
	d := parent.Dev()
	q := d.CreateDefault(parent.Queue(), k, tc.Make(uint32(parent.Handle), 1), ext)
	if q == nil {
		return nil, syscall.ENOMEM
	}
	if err := SetLimit(q, limit); err != nil {
		q.Put()
		return nil, err
	}
	return q, nil
}

// SetLimit changes a fifo's limit (fifo_set_limit); other kinds are left
// alone, as the kernel does for non-fifo children.
func SetLimit(q *sched.Qdisc, limit uint32) error {
	f, ok := q.Discipline.(*fifo)
	if !ok {
		return nil
	}
	return f.Change(&nl.Attr{Type: sched.TCA_OPTIONS, Data: encode(Config{Limit: limit})}, nil)
}
