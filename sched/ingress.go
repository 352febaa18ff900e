package sched

import "github.com/netsched/netsched/pkt"

// IngressClassifier is the ingress side of ingress and clsact: the filter
// block packets arriving on the device run through.
type IngressClassifier interface {
	IngressBlockOf() *Block
}

// Receive runs an arriving packet through the ingress qdisc's filters
// (sch_handle_ingress) and reports whether it goes on to the stack. A
// drop is counted on the ingress qdisc; stolen, queued and trapped packets
// are consumed here; a packet an action took away (TC_ACT_CONSUMED, as
// mirred's redirect does) is no longer ours. As in the kernel, whose data
// starts at the network header there, the length counted excludes the MAC
// header.
func (d *Dev) Receive(p *pkt.Packet) bool {
	t := d.ingress
	if t == nil {
		return true
	}
	q := t.qdisc.Load()
	ic, ok := q.Discipline.(IngressClassifier)
	if !ok {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	p.PktLen = uint32(len(p.Data))
	if p.MACLen > 0 && int(p.MACLen) <= len(p.Data) {
		p.PktLen -= uint32(p.MACLen)
	}
	q.Bstats.Update(p)
	var res Result
	p.AtIngress = true
	p.Dev = d
	v := ic.IngressBlockOf().Classify(p, &res)
	switch v {
	case ActShot:
		q.Qstats.Drops++
		p.Free()
		return false
	case ActStolen, ActQueued, ActTrap:
		p.Free()
		return false
	case ActRedirect, ActConsumed:
		return false
	case ActOK, ActReclassify:
		p.TCIndex = uint16(res.ClassID.Min())
	}
	p.AtIngress = false
	return true
}

// ChangeTxQueueLen tells the qdiscs that follow txqueuelen about a new
// value (dev_qdisc_change_tx_queue_len).
func (d *Dev) ChangeTxQueueLen(n uint32) error {
	for _, t := range d.txq {
		s := t.sleeping
		if c, ok := s.Discipline.(TxQueueLenChanger); ok {
			if err := c.ChangeTxQueueLen(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// EgressClassifier is clsact's egress side: its block sees every packet
// the device transmits, before a TX queue is chosen (sch_handle_egress).
type EgressClassifier interface {
	EgressBlockOf() *Block
}

// egress runs the egress hook of clsact, if any, and reports whether the
// packet goes on to a TX queue (sch_handle_egress): the packet is counted
// on clsact, a drop too; stolen, queued and trapped packets are consumed.
func (d *Dev) egress(p *pkt.Packet) bool {
	t := d.ingress
	if t == nil {
		return true
	}
	q := t.qdisc.Load()
	ec, ok := q.Discipline.(EgressClassifier)
	if !ok || ec.EgressBlockOf() == nil {
		return true
	}
	q.mu.Lock()
	q.Bstats.Update(p)
	var res Result
	v := ec.EgressBlockOf().Classify(p, &res)
	if v == ActShot {
		q.Qstats.Drops++
	}
	q.mu.Unlock()
	switch v {
	case ActShot, ActStolen, ActQueued, ActTrap:
		p.Free()
		return false
	case ActRedirect, ActConsumed:
		return false
	}
	return true
}
