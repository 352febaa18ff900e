package red

import (
	"syscall"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// qevent is a filter block that sees the packets of one RED event (struct
// tcf_qevent): a shared block, by index, whose filters' verdict can take
// or drop the packet.
type qevent struct {
	index uint32
	block *sched.Block
}

func blockIndexErr() error { return sched.Err(syscall.EINVAL, "Block number may not be zero") }

// init binds the block of the attribute, if any (tcf_qevent_init).
func (e *qevent) init(q *sched.Qdisc, attr *uint32) error {
	if attr == nil {
		return nil
	}
	if *attr == 0 {
		return blockIndexErr()
	}
	e.index = *attr
	e.block = q.Dev().Net().GetBlock(*attr, q)
	return nil
}

// validateChange refuses a new or different block (tcf_qevent_validate_change).
func (e *qevent) validateChange(attr *uint32) error {
	if attr == nil {
		return nil
	}
	if *attr == 0 {
		return blockIndexErr()
	}
	if *attr != e.index {
		return sched.Err(syscall.EINVAL, "Change of blocks is not supported")
	}
	return nil
}

// handle runs the block's filters on p (tcf_qevent_handle): a shot drops
// it (counted), stolen, queued, trapped or redirected takes it; taken
// reports that p is gone, with the private verdict bits.
func (e *qevent) handle(q *sched.Qdisc, p *pkt.Packet) (sched.Verdict, bool) {
	if e.index == 0 {
		return 0, false
	}
	var res sched.Result
	switch e.block.Classify(p, &res) {
	case sched.ActShot:
		q.Qstats.Drops++
		p.Free()
		return sched.Bypass, true
	case sched.ActStolen, sched.ActQueued, sched.ActTrap, sched.ActRedirect:
		// A redirect would leave through another device; netsched's
		// qevents have no device to hand it to, so it is consumed.
		p.Free()
		return sched.Stolen, true
	}
	return 0, false
}

func (e *qevent) dump(b interface{ PutU32(uint16, uint32) }, attr uint16) {
	if e.index != 0 {
		b.PutU32(attr, e.index)
	}
}

func (e *qevent) destroy(q *sched.Qdisc) {
	if e.block != nil {
		q.Dev().Net().PutBlock(e.block)
		e.block = nil
	}
}
