package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/netsched/netsched/nl"
)

// Server serves an Engine on a SOCK_SEQPACKET Unix socket: one connection
// per client netlink socket, one netlink datagram per packet
// (tools/nlshim/PROTOCOL.md).
type Server struct {
	e  *Engine
	ln *net.UnixListener
	wg sync.WaitGroup

	mu    sync.Mutex // guards conns
	conns map[*net.UnixConn]bool
}

// Listen creates the socket at path (removing a stale one) and returns a
// server ready to Serve.
func Listen(e *Engine, path string) (*Server, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, err
	}
	_ = os.Chmod(path, 0o666)
	return &Server{e: e, ln: ln, conns: map[*net.UnixConn]bool{}}, nil
}

// Serve accepts connections until Close.
func (s *Server) Serve() error {
	for {
		uc, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				s.wg.Wait()
				return nil
			}
			return err
		}
		s.mu.Lock()
		s.conns[uc] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(uc)
			s.mu.Lock()
			delete(s.conns, uc)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting and ends every connection.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for uc := range s.conns {
		uc.Close()
	}
	s.mu.Unlock()
	return err
}

// peerCred reads the client's pid and uid (SO_PEERCRED).
func peerCred(uc *net.UnixConn) (pid uint32, uid uint32, err error) {
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var cred *syscall.Ucred
	var cerr error
	err = raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err
	}
	return uint32(cred.Pid), cred.Uid, nil
}

// maxRequest bounds one request datagram (netlink's own limit is close).
const maxRequest = 1 << 20

func (s *Server) serveConn(uc *net.UnixConn) {
	defer uc.Close()
	_ = uc.SetWriteBuffer(4 << 20)
	buf := make([]byte, maxRequest)
	n, err := uc.Read(buf)
	if err != nil || n < nl.HdrLen {
		return
	}
	h := nl.ParseHeader(buf)
	if h.Type != NSCHED_HELLO || int(h.Len) > n {
		return
	}
	ns := nulString(buf[nl.HdrLen:h.Len])
	if ns == "" {
		ns = "default"
	}
	pid, uid, err := peerCred(uc)
	if err != nil {
		return
	}
	// Notifications go through a queue and their own writer, so that a
	// slow listener never holds the control lock; a full queue drops, as
	// a full netlink socket does.
	notes := make(chan []byte, 4096)
	var wmu sync.Mutex // orders answers and notifications on the socket
	done := make(chan struct{})
	go func() {
		for {
			select {
			case b := <-notes:
				wmu.Lock()
				_, _ = uc.Write(b)
				wmu.Unlock()
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	c := s.e.Connect(ns, pid, uid == 0, func(b []byte) {
		cp := append([]byte(nil), b...)
		select {
		case notes <- cp:
		default:
		}
	})
	defer c.Close()
	hello := nl.NewBuilder()
	hello.Begin(NSCHED_HELLO, 0, h.Seq, c.Port)
	hello.U32Raw(c.Port)
	hello.End()
	if _, err := uc.Write(hello.Bytes()); err != nil {
		return
	}
	for {
		n, err := uc.Read(buf)
		if err != nil || n == 0 {
			return
		}
		d := buf[:n]
		if n >= nl.HdrLen {
			switch h := nl.ParseHeader(d); h.Type {
			case NSCHED_PING:
				if !s.ping(uc, c, d, &wmu) {
					return
				}
				continue
			case NSCHED_SOCKOPT:
				if h.Len >= nl.HdrLen+8 {
					c.SetOption(binary.NativeEndian.Uint32(d[16:]), binary.NativeEndian.Uint32(d[20:]))
				}
				continue
			case NSCHED_BIND:
				if h.Len >= nl.HdrLen+4 {
					c.Bind(binary.NativeEndian.Uint32(d[16:]))
				}
				continue
			}
		}
		out := handleSafely(c, d)
		wmu.Lock()
		for _, b := range out {
			if _, err := uc.Write(b); err != nil {
				wmu.Unlock()
				return
			}
		}
		wmu.Unlock()
	}
}

// ping runs an NSCHED_PING request; anything the client sends meanwhile
// (or its hanging up) stops the ping, which then answers what it counted,
// as ping does on SIGINT. It reports whether the connection is still good.
func (s *Server) ping(uc *net.UnixConn, c *Conn, d []byte, wmu *sync.Mutex) bool {
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		var b [256]byte
		_, _ = uc.Read(b[:])
		close(stop)
	}()
	out := c.HandlePing(d, stop)
	// Wake the watcher, whose read has nothing to do any more.
	_ = uc.SetReadDeadline(time.Unix(1, 0))
	<-watched
	_ = uc.SetReadDeadline(time.Time{})
	wmu.Lock()
	defer wmu.Unlock()
	for _, b := range out {
		if _, err := uc.Write(b); err != nil {
			return false
		}
	}
	return true
}

func nulString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// handleSafely is Conn.Handle with a last line of defence: a panic (a bug:
// fuzzing exists to find them) is reported and the request refused with
// EINVAL, so that one bad message never takes the daemon and every other
// client down with it.
func handleSafely(c *Conn, d []byte) (out [][]byte) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "netsched: BUG: panic handling a request: %v\n%s", r, debug.Stack())
			if len(d) >= nl.HdrLen {
				h := nl.ParseHeader(d)
				out = [][]byte{c.ackBytes(&nl.Msg{Header: h}, syscall.EINVAL, "")}
			}
		}
	}()
	return c.Handle(d)
}
