package tccli

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/netsched/netsched/nl"
)

// Private message types of the daemon protocol (tools/nlshim/PROTOCOL.md).
const (
	nschedHello   = 0x7f00
	nschedSockopt = 0x7f01
	nschedBind    = 0x7f02
)

// SOL_NETLINK options.
const (
	netlinkAddMembership = 1
	netlinkExtAck        = 11
	netlinkGetStrictChk  = 12
)

// maxDatagram bounds a received datagram: the daemon packs dump parts into
// datagrams of about 16 KiB; an answer to a request is one message.
const maxDatagram = 1 << 20

// Daemon returns the back end that talks to `netsched serve` on its
// SOCK_SEQPACKET socket at path.
func Daemon(path string) Backend {
	return BackendFunc(func(o DialOptions) (Conn, error) { return dialDaemon(path, o) })
}

type daemonConn struct {
	uc   *net.UnixConn
	port uint32
	buf  []byte
}

func dialDaemon(path string, o DialOptions) (Conn, error) {
	uc, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, err
	}
	c := &daemonConn{uc: uc, buf: make([]byte, maxDatagram)}
	b := nl.NewBuilder()
	b.Begin(nschedHello, nl.NLM_F_REQUEST, 0, 0)
	b.Raw(append([]byte(o.Namespace), 0))
	b.End()
	if _, err := uc.Write(b.Bytes()); err != nil {
		uc.Close()
		return nil, err
	}
	n, err := uc.Read(c.buf)
	if err != nil {
		uc.Close()
		return nil, err
	}
	if n < nl.HdrLen+4 || nl.ParseHeader(c.buf).Type != nschedHello {
		uc.Close()
		return nil, fmt.Errorf("daemon at %s did not answer HELLO", path)
	}
	c.port = binary.NativeEndian.Uint32(c.buf[nl.HdrLen:])
	if o.ExtAck {
		if err := c.sockopt(netlinkExtAck, 1); err != nil {
			uc.Close()
			return nil, err
		}
	}
	if o.StrictCheck {
		if err := c.sockopt(netlinkGetStrictChk, 1); err != nil {
			uc.Close()
			return nil, err
		}
	}
	return c, nil
}

func (c *daemonConn) sockopt(opt, val uint32) error {
	b := nl.NewBuilder()
	b.Begin(nschedSockopt, nl.NLM_F_REQUEST, 0, 0)
	b.U32Raw(opt)
	b.U32Raw(val)
	b.End()
	_, err := c.uc.Write(b.Bytes())
	return err
}

func (c *daemonConn) Send(b []byte) error {
	_, err := c.uc.Write(b)
	return err
}

func (c *daemonConn) Recv() ([]byte, error) {
	n, err := c.uc.Read(c.buf)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), c.buf[:n]...), nil
}

func (c *daemonConn) Port() uint32 { return c.port }

func (c *daemonConn) Join(group uint32) error { return c.sockopt(netlinkAddMembership, group) }

func (c *daemonConn) Close() error { return c.uc.Close() }
