//go:build linux

package tccli

import (
	"os"
	"path/filepath"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Kernel returns the back end that talks to the running kernel through a
// NETLINK_ROUTE socket. A namespace name is a network namespace of
// /run/netns (ip netns add); the socket is made inside it.
func Kernel() Backend { return BackendFunc(dialKernel) }

type kernelConn struct {
	c   *netlink.Conn
	raw syscall.RawConn
	buf []byte
}

func dialKernel(o DialOptions) (Conn, error) {
	cfg := &netlink.Config{}
	if o.Namespace != "" {
		f, err := os.Open(filepath.Join("/run/netns", o.Namespace))
		if err != nil {
			return nil, &NetnsError{Name: o.Namespace, Err: err}
		}
		defer f.Close()
		cfg.NetNS = int(f.Fd())
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, err
	}
	if o.ExtAck {
		// Older kernels may not have it; iproute2 ignores the error too.
		_ = c.SetOption(netlink.ExtendedAcknowledge, true)
	}
	if o.StrictCheck {
		_ = c.SetOption(netlink.GetStrictCheck, true)
	}
	_ = c.SetReadBuffer(1 << 20)
	raw, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	return &kernelConn{c: c, raw: raw, buf: make([]byte, maxDatagram)}, nil
}

// Send and Recv go through the socket's raw connection: the messages must
// reach our parser byte for byte, errors and all, as they reach
// iproute2's.
func (k *kernelConn) Send(b []byte) error {
	var serr error
	err := k.raw.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

func (k *kernelConn) Recv() ([]byte, error) {
	var n int
	var rerr error
	err := k.raw.Read(func(fd uintptr) bool {
		for {
			n, _, rerr = unix.Recvfrom(int(fd), k.buf, unix.MSG_DONTWAIT)
			if rerr != unix.EINTR {
				break
			}
		}
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return append([]byte(nil), k.buf[:n]...), nil
}

func (k *kernelConn) Port() uint32 { return k.c.PID() }

func (k *kernelConn) Join(group uint32) error { return k.c.JoinGroup(group) }

func (k *kernelConn) Close() error { return k.c.Close() }
