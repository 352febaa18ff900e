package sched

import "github.com/netsched/netsched/pkt"

// DequeueInternal takes one packet out of q to trim it to a new limit
// (qdisc_dequeue_internal): a packet held by a peek goes first; then, with
// direct, the head of List with the backlog adjusted, else a real dequeue
// through the kind (which counts it as sent, as in the kernel). The
// caller drops it and tells the parents.
func (q *Qdisc) DequeueInternal(direct bool) *pkt.Packet {
	if p := q.requeued.PopFront(); p != nil {
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
		return p
	}
	if !direct {
		return q.Discipline.Dequeue()
	}
	p := q.List.PopFront()
	if p != nil {
		q.QLen--
		q.Qstats.Backlog -= p.PktLen
	}
	return p
}

// Peeked returns the packet a peek took out and holds, or nil (the head
// of the kernel's gso_skb list).
func (q *Qdisc) Peeked() *pkt.Packet { return q.requeued.Head }

// HoldPeeked keeps a packet a kind's own peek dequeued, counted in the
// qdisc again until DequeuePeeked takes it (what qdisc_peek_dequeued does;
// kinds that must report drops after the packet is held back, as codel and
// fq_codel do, peek this way).
func (q *Qdisc) HoldPeeked(p *pkt.Packet) {
	q.requeued.PushBack(p)
	q.QLen++
	q.Qstats.Backlog += p.PktLen
}
