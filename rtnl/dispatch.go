package rtnl

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// rtnetlink message types outside traffic control.
const (
	RTM_BASE     = 16
	RTM_NEWLINK  = 16
	RTM_DELLINK  = 17
	RTM_GETLINK  = 18
	RTM_SETLINK  = 19
	RTM_NEWADDR  = 20
	RTM_DELADDR  = 21
	RTM_GETADDR  = 22
	RTM_NEWROUTE = 24
	RTM_DELROUTE = 25
	RTM_GETROUTE = 26
	RTM_MAX      = 0x7f
)

// Private message types of the daemon protocol (tools/nlshim/PROTOCOL.md).
const (
	NSCHED_HELLO   = 0x7f00
	NSCHED_SOCKOPT = 0x7f01
	NSCHED_BIND    = 0x7f02
	NSCHED_PING    = 0x7f10
)

const (
	kindNew = iota
	kindDel
	kindGet
	kindSet
)

// dispatch routes a request (rtnetlink_rcv_msg). dumped is true when the
// answer was a dump, which gets no ACK.
func (c *Conn) dispatch(m *nl.Msg) (err error, warn string, dumped bool) {
	if m.Type == NSCHED_PING {
		return c.ping(m), "", false
	}
	if m.Type == NSCHED_NETNS {
		return c.netns(m), "", false
	}
	if m.Type > RTM_MAX+0x100 {
		return syscall.EOPNOTSUPP, "", false
	}
	if len(m.Data) < 1 {
		// The kernel ignores a request without even a family byte; we
		// answer it, so that no malformed request goes unanswered.
		return syscall.EINVAL, "", false
	}
	kind := int(m.Type-RTM_BASE) & 3
	if kind != kindGet && !c.Privileged {
		return syscall.EPERM, "", false
	}
	if kind == kindGet && m.Flags&nl.NLM_F_DUMP == nl.NLM_F_DUMP {
		d := c.newDumper(m)
		ok, err := c.dump(m, d)
		if !ok {
			return syscall.EOPNOTSUPP, "", false
		}
		d.done(err)
		return nil, "", true
	}
	switch m.Type {
	case RTM_NEWLINK, RTM_SETLINK:
		return c.newLink(m), "", false
	case RTM_DELLINK:
		return c.delLink(m), "", false
	case RTM_GETLINK:
		return c.getLink(m), "", false
	case RTM_NEWADDR:
		return c.newAddr(m), "", false
	case RTM_DELADDR:
		return c.delAddr(m), "", false
	case RTM_NEWROUTE:
		err := c.newRoute(m)
		return err, sched.MsgOf(err), false
	case RTM_DELROUTE:
		err := c.delRoute(m)
		return err, sched.MsgOf(err), false
	case sched.RTM_NEWQDISC, sched.RTM_DELQDISC, sched.RTM_GETQDISC,
		sched.RTM_NEWTCLASS, sched.RTM_DELTCLASS, sched.RTM_GETTCLASS,
		sched.RTM_NEWTFILTER, sched.RTM_DELTFILTER, sched.RTM_GETTFILTER,
		sched.RTM_NEWCHAIN, sched.RTM_DELCHAIN, sched.RTM_GETCHAIN:
		r, err := c.tcRequest(m)
		if err != nil {
			return err, "", false
		}
		err = c.tcDo(r)
		return err, r.Ext.Msg, false
	case sched.RTM_NEWACTION, sched.RTM_DELACTION, sched.RTM_GETACTION:
		return c.action(m)
	}
	return syscall.EOPNOTSUPP, "", false
}

// dump runs the dump handler of a GET type; ok is false for types with
// none.
func (c *Conn) dump(m *nl.Msg, d *dumper) (ok bool, err error) {
	switch m.Type {
	case RTM_GETLINK:
		return true, c.dumpLinks(m, d)
	case RTM_GETADDR:
		return true, c.dumpAddrs(m, d)
	case RTM_GETROUTE:
		return true, c.dumpRoutes(m, d)
	case sched.RTM_GETQDISC:
		return true, c.dumpQdiscs(m, d)
	case sched.RTM_GETTCLASS:
		return true, c.dumpClasses(m, d)
	case sched.RTM_GETTFILTER:
		return true, c.dumpFilters(m, d)
	case sched.RTM_GETCHAIN:
		return true, c.dumpChains(m, d)
	case sched.RTM_GETACTION:
		return true, c.dumpActions(m, d)
	}
	return false, nil
}
