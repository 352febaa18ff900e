package rtnl

import (
	"encoding/binary"
	"syscall"

	"github.com/netsched/netsched/netdev"
	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
	"github.com/netsched/netsched/tc"
)

const tcmsgLen = 20

func parseTCMsg(b []byte) sched.TCMsg {
	return sched.TCMsg{
		Family:  b[0],
		Ifindex: int32(binary.NativeEndian.Uint32(b[4:])),
		Handle:  tc.Handle(binary.NativeEndian.Uint32(b[8:])),
		Parent:  tc.Handle(binary.NativeEndian.Uint32(b[12:])),
		Info:    binary.NativeEndian.Uint32(b[16:]),
	}
}

// tcRequest decodes a tc message once: tcmsg and TCA_* table, checked
// against rtm_tca_policy (nlmsg_parse_deprecated).
func (c *Conn) tcRequest(m *nl.Msg) (*sched.Request, error) {
	if len(m.Data) < tcmsgLen {
		return nil, syscall.EINVAL
	}
	r := &sched.Request{Header: m.Header, TCM: parseTCMsg(m.Data)}
	r.Attrs = nl.Parse(m.Data[tcmsgLen:], sched.TCA_MAX)
	if err, msg := r.Attrs.Validate(sched.TCAPolicy); err != nil {
		return nil, &sched.Error{Errno: err.(syscall.Errno), Msg: msg}
	}
	r.Pid = c.Port
	r.Notify = &notifier{c: c}
	return r, nil
}

// notifier sends a request's notifications to RTNLGRP_TC and echoes them.
type notifier struct{ c *Conn }

func (n *notifier) Wanted(r *sched.Request) bool {
	return r.Flags&nl.NLM_F_ECHO != 0 || n.c.e.hasListeners(n.c.ns, RTNLGRP_TC)
}

func (n *notifier) Notify(r *sched.Request, fill func(b *nl.Builder) bool) {
	if !n.Wanted(r) {
		return
	}
	b := nl.NewBuilder()
	if !fill(b) || b.Len() == 0 {
		return
	}
	echo := r.Flags&nl.NLM_F_ECHO != 0
	var exclude *Conn
	if echo {
		exclude = n.c
	}
	n.c.e.broadcast(n.c.ns, RTNLGRP_TC, b.Bytes(), exclude)
	if echo {
		n.c.emit(b.Bytes())
	}
}

// reply sends the answer of a single get.
func (c *Conn) reply(fill func(b *nl.Builder) bool) {
	b := nl.NewBuilder()
	if fill(b) && b.Len() > 0 {
		c.emit(b.Bytes())
	}
}

// tcDo runs a qdisc, class, filter or chain request.
func (c *Conn) tcDo(r *sched.Request) error {
	switch r.Type {
	case sched.RTM_NEWTFILTER, sched.RTM_DELTFILTER, sched.RTM_GETTFILTER:
		return sched.FilterCtl(c.ns.Net, c.devByIndex, r, c.reply)
	case sched.RTM_NEWCHAIN, sched.RTM_DELCHAIN, sched.RTM_GETCHAIN:
		return sched.ChainCtl(c.ns.Net, c.devByIndex, r, c.reply)
	}
	dev := c.ns.ByIndex(r.TCM.Ifindex)
	if dev == nil {
		return syscall.ENODEV
	}
	d := dev.Sched
	switch r.Type {
	case sched.RTM_NEWQDISC:
		return d.ModifyQdisc(r)
	case sched.RTM_DELQDISC, sched.RTM_GETQDISC:
		return d.GetQdisc(r, c.reply)
	default:
		return d.ClassCtl(r, c.reply)
	}
}

// devByIndex finds a device's scheduling half by ifindex.
func (c *Conn) devByIndex(i int32) *sched.Dev {
	if d := c.ns.ByIndex(i); d != nil {
		return d.Sched
	}
	return nil
}

func (c *Conn) dumpQdiscs(m *nl.Msg, d *dumper) error {
	var invisible bool
	if len(m.Data) >= tcmsgLen {
		tb := nl.Parse(m.Data[tcmsgLen:], sched.TCA_MAX)
		if err, msg := tb.Validate(sched.TCAPolicy); err != nil {
			return &sched.Error{Errno: err.(syscall.Errno), Msg: msg}
		}
		invisible = tb.Has(sched.TCA_DUMP_INVISIBLE)
	}
	for _, dev := range c.ns.Devices() {
		dev.Sched.DumpQdiscs(invisible, func(q *sched.Qdisc) bool {
			d.add(func(b *nl.Builder) bool {
				return sched.FillQdisc(b, q, q.Parent, c.Port, m.Seq, nl.NLM_F_MULTI, sched.RTM_NEWQDISC, nil)
			})
			return true
		})
	}
	return nil
}

func (c *Conn) dumpClasses(m *nl.Msg, d *dumper) error {
	if len(m.Data) < tcmsgLen {
		return nil
	}
	t := parseTCMsg(m.Data)
	dev := c.ns.ByIndex(t.Ifindex)
	if dev == nil {
		return nil
	}
	dev.Sched.DumpClasses(t.Parent, func(q *sched.Qdisc) bool {
		cf := q.Discipline.(sched.Classful)
		cf.Walk(func(cl sched.Class) bool {
			d.add(func(b *nl.Builder) bool {
				return sched.FillClass(b, q, cl, c.Port, m.Seq, nl.NLM_F_MULTI, sched.RTM_NEWTCLASS, nil)
			})
			return true
		})
		return true
	})
	return nil
}

func (c *Conn) dumpFilters(m *nl.Msg, d *dumper) error {
	if len(m.Data) < tcmsgLen {
		return nil
	}
	r := &sched.Request{Header: m.Header, TCM: parseTCMsg(m.Data)}
	r.Attrs = nl.Parse(m.Data[tcmsgLen:], sched.TCA_MAX)
	r.Pid = c.Port
	return sched.DumpFilters(c.ns.Net, c.devByIndex, r, d.add)
}

func (c *Conn) dumpChains(m *nl.Msg, d *dumper) error {
	if len(m.Data) < tcmsgLen {
		return nil
	}
	r := &sched.Request{Header: m.Header, TCM: parseTCMsg(m.Data)}
	r.Attrs = nl.Parse(m.Data[tcmsgLen:], sched.TCA_MAX)
	r.Pid = c.Port
	return sched.DumpChains(c.ns.Net, c.devByIndex, r, d.add)
}

var _ = netdev.IFF_UP
