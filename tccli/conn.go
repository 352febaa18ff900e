package tccli

import (
	"errors"
	"fmt"
	"io"
)

// Conn is one netlink socket of a back end: whole datagrams out and in,
// exactly the bytes a NETLINK_ROUTE socket carries. The daemon, the
// in-process engine and the kernel all answer through it, so everything
// above (requests, dumps, errors, printing) is shared.
type Conn interface {
	// Send sends one datagram of one or more netlink messages.
	Send(b []byte) error
	// Recv returns the next datagram addressed to the socket: answers
	// and, after Join, notifications. It blocks until one arrives.
	Recv() ([]byte, error)
	// Port is the socket's port id (nl_pid), which answers carry.
	Port() uint32
	// Join subscribes to a multicast group (NETLINK_ADD_MEMBERSHIP).
	Join(group uint32) error
	Close() error
}

// Socket options a client asks for at dial time.
type DialOptions struct {
	// Namespace is the netsched namespace (daemon, in-process) or the
	// named network namespace of /run/netns (kernel); "" is the default.
	Namespace string
	// ExtAck asks for extended acknowledgements (NETLINK_EXT_ACK), as
	// every iproute2 socket does.
	ExtAck bool
	// StrictCheck asks for strict dump checks (NETLINK_GET_STRICT_CHK),
	// as ip does.
	StrictCheck bool
}

// Backend opens netlink sockets.
type Backend interface {
	Dial(o DialOptions) (Conn, error)
}

// BackendFunc adapts a function to Backend.
type BackendFunc func(o DialOptions) (Conn, error)

// Dial calls f.
func (f BackendFunc) Dial(o DialOptions) (Conn, error) { return f(o) }

// ErrNoBackend is returned when neither a daemon socket nor the kernel was
// chosen.
var ErrNoBackend = errors.New("no back end: set NETSCHED_SOCKET to the daemon's socket, or use --kernel")

// Env is what a command runs with: its streams and environment, and how
// it reaches netlink.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (nil: none).
	Getenv func(string) string
	// Backend opens sockets; nil picks one from the environment and
	// flags (see ChooseBackend).
	Backend Backend
	// Faces are the kinds' tc faces; nil means the built-in kinds.
	Faces *Faces
	// Run runs a program (ip netns exec, tc exec); nil refuses.
	Run func(argv []string, env []string) int
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// errorf prints to standard error.
func (e *Env) errorf(format string, args ...any) {
	fmt.Fprintf(e.Stderr, format, args...)
}

// NetnsError is the failure to enter a named network namespace; tc and ip
// report it as iproute2's netns_switch does and exit with 255.
type NetnsError struct {
	Name string
	Err  error
}

func (e *NetnsError) Error() string {
	return fmt.Sprintf("Cannot open network namespace \"%s\": %s", e.Name, errnoOf(e.Err))
}

func (e *NetnsError) Unwrap() error { return e.Err }
