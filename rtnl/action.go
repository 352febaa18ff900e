package rtnl

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// actionRequest decodes an action message: struct tcamsg and the TCA_ROOT_*
// table (nlmsg_parse_deprecated with no policy).
func (c *Conn) actionRequest(m *nl.Msg) (*sched.Request, error) {
	if len(m.Data) < sched.TcamsgLen {
		return nil, syscall.EINVAL
	}
	r := &sched.Request{Header: m.Header}
	r.Attrs = nl.Parse(m.Data[sched.TcamsgLen:], sched.TCA_ROOT_MAX)
	r.Pid = c.Port
	r.Notify = &notifier{c: c}
	return r, nil
}

// action answers RTM_NEWACTION, RTM_DELACTION and RTM_GETACTION.
func (c *Conn) action(m *nl.Msg) (error, string, bool) {
	r, err := c.actionRequest(m)
	if err != nil {
		return err, "", false
	}
	err = sched.ActionCtl(c.ns.Net, r, c.reply)
	return err, r.Ext.Msg, false
}

func (c *Conn) dumpActions(m *nl.Msg, d *dumper) error {
	r, err := c.actionRequest(m)
	if err != nil {
		return err
	}
	return sched.DumpActions(c.ns.Net, r, d.add)
}
