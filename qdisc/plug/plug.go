// Package plug is the plug qdisc (sch_plug.c): a FIFO that holds packets
// until told to release them, for output commit (Remus-style checkpoints:
// buffer an epoch's output, release it once the checkpoint is safe) or as
// a simple plug/unplug switch. tc's block inserts a plug, release lets the
// packets before the oldest plug go, release_indefinite opens the queue
// until the next block, and limit sets the byte limit.
package plug

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/qdisc/aqm"
	"github.com/netsched/netsched/sched"
)

// Actions of tc_plug_qopt (TCQ_PLUG_*).
const (
	Buffer            = 0
	ReleaseOne        = 1
	ReleaseIndefinite = 2
	Limit             = 3
)

// Kind is plug.
var Kind = &sched.Kind{
	ID:     "plug",
	New:    func(q *sched.Qdisc) sched.Discipline { return &plug{q: q} },
	Syntax: Syntax,
}

var (
	_ sched.Changer   = (*plug)(nil)
	_ sched.Destroyer = (*plug)(nil)
)

type plug struct {
	q                *sched.Qdisc
	unplugIndefinite bool   // pass-through until the next block
	throttled        bool   // dequeue returns nothing until a release
	limit            uint32 // bytes
	pktsCurrentEpoch uint32 // since the last plug
	pktsLastEpoch    uint32 // between the last two plugs
	pktsToRelease    uint32 // at the head, free to go
	wd               *sched.Watchdog
}

// Init sets the limit: txqueuelen MTU-sized packets without options, else
// the options' limit whatever their action (plug_init); the queue starts
// plugged.
func (p *plug) Init(opt *nl.Attr, _ *sched.Ext) error {
	p.pktsCurrentEpoch, p.pktsLastEpoch, p.pktsToRelease = 0, 0, 0
	p.unplugIndefinite = false
	p.wd = p.q.NewWatchdog()
	if opt == nil {
		p.limit = p.q.Dev().Link().TxQueueLen() * aqm.PschedMTU(p.q)
	} else {
		c, err := Decode(opt.Data)
		if err != nil {
			return err
		}
		p.limit = c.Limit
	}
	p.throttled = true
	return nil
}

// Change carries out one action (plug_change).
func (p *plug) Change(opt *nl.Attr, _ *sched.Ext) error {
	c, err := Decode(opt.Data)
	if err != nil {
		return err
	}
	switch c.Action {
	case Buffer:
		p.pktsLastEpoch = p.pktsCurrentEpoch
		p.pktsCurrentEpoch = 0
		if p.unplugIndefinite {
			p.throttled = true
		}
		p.unplugIndefinite = false
	case ReleaseOne:
		p.pktsToRelease += p.pktsLastEpoch
		p.pktsLastEpoch = 0
		p.throttled = false
		p.schedule()
	case ReleaseIndefinite:
		p.unplugIndefinite = true
		p.pktsToRelease, p.pktsLastEpoch, p.pktsCurrentEpoch = 0, 0, 0
		p.throttled = false
		p.schedule()
	case Limit:
		p.limit = c.Limit
	default:
		return syscall.EINVAL
	}
	return nil
}

// schedule runs the queue once the change is done (netif_schedule_queue).
// Change runs under the tree lock, so the run is left to the watchdog,
// which fires on the clock's next turn and takes the lock itself.
func (p *plug) schedule() { p.wd.ScheduleNs(p.q.Now()) }

// Enqueue queues within the byte limit (counting the packet in the
// current epoch while plugged), else drops.
func (p *plug) Enqueue(pk *pkt.Packet) sched.Verdict {
	q := p.q
	if q.Backlog()+uint32(pk.Len()) <= p.limit {
		if !p.unplugIndefinite {
			p.pktsCurrentEpoch++
		}
		return q.EnqueueTail(pk)
	}
	return q.Drop(pk)
}

// Dequeue lets a released packet go; with none left the queue plugs.
func (p *plug) Dequeue() *pkt.Packet {
	if p.throttled {
		return nil
	}
	if !p.unplugIndefinite {
		if p.pktsToRelease == 0 {
			p.throttled = true
			return nil
		}
		p.pktsToRelease--
	}
	return p.q.DequeueHead()
}

func (p *plug) Peek() *pkt.Packet { return p.q.PeekDequeued() }
func (p *plug) Reset()            { p.q.ResetList() }

// Destroy disarms the watchdog.
func (p *plug) Destroy() {
	if p.wd != nil {
		p.wd.Cancel()
	}
}

// Config is struct tc_plug_qopt.
type Config struct {
	Action int32
	Limit  uint32 // bytes
}

// ConfigLen is sizeof(struct tc_plug_qopt).
const ConfigLen = 8

// Decode reads a tc_plug_qopt (at least its size, else EINVAL).
func Decode(b []byte) (Config, error) {
	if len(b) < ConfigLen {
		return Config{}, syscall.EINVAL
	}
	return Config{Action: int32(binary.NativeEndian.Uint32(b)), Limit: binary.NativeEndian.Uint32(b[4:])}, nil
}

// Encode writes it.
func (c Config) Encode() []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, ConfigLen), uint32(c.Action))
	return binary.NativeEndian.AppendUint32(b, c.Limit)
}
