package tccli

import (
	"errors"
	"net"
	"sync"

	"github.com/netsched/netsched/rtnl"
)

// Engine returns the back end that talks to an engine in this process (the
// simulator's): every socket is a privileged rtnl.Conn of the engine.
func Engine(e *rtnl.Engine) Backend {
	return BackendFunc(func(o DialOptions) (Conn, error) {
		c := &engineConn{}
		c.cond = sync.NewCond(&c.mu)
		ns := o.Namespace
		if ns == "" {
			ns = "default"
		}
		c.rc = e.Connect(ns, 0, true, c.notify)
		if o.ExtAck {
			c.rc.SetOption(rtnl.NETLINK_EXT_ACK, 1)
		}
		if o.StrictCheck {
			c.rc.SetOption(rtnl.NETLINK_GET_STRICT_CHK, 1)
		}
		return c, nil
	})
}

type engineConn struct {
	rc *rtnl.Conn

	mu     sync.Mutex // guards queue and closed
	cond   *sync.Cond
	queue  [][]byte
	closed bool
}

// notify is called by the engine under its control lock: it only queues.
func (c *engineConn) notify(b []byte) {
	c.mu.Lock()
	c.queue = append(c.queue, append([]byte(nil), b...))
	c.mu.Unlock()
	c.cond.Broadcast()
}

func (c *engineConn) Send(b []byte) error {
	out := c.rc.Handle(b)
	c.mu.Lock()
	c.queue = append(c.queue, out...)
	c.mu.Unlock()
	c.cond.Broadcast()
	return nil
}

func (c *engineConn) Recv() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) == 0 && !c.closed {
		c.cond.Wait()
	}
	if len(c.queue) == 0 {
		return nil, net.ErrClosed
	}
	b := c.queue[0]
	c.queue = c.queue[1:]
	return b, nil
}

func (c *engineConn) Port() uint32 { return c.rc.Port }

func (c *engineConn) Join(group uint32) error {
	if group == 0 || group > 64 {
		return errors.New("invalid group")
	}
	c.rc.SetOption(rtnl.NETLINK_ADD_MEMBERSHIP, group)
	return nil
}

func (c *engineConn) Close() error {
	c.rc.Close()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cond.Broadcast()
	return nil
}
