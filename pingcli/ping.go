// Package pingcli is ping's face for netsched: `netsched ping`, and the
// netsched binary invoked as `ping`, behave as iputils' ping in a netsched
// namespace (NETSCHED_SOCKET, NETSCHED_NETNS). The daemon sends the echo
// requests through the device's qdiscs and answers with what happened
// (rtnl/ping.go); this package has ping's options, its output and its exit
// codes (0 when a reply came, 1 when none did, 2 on an error).
package pingcli

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/rtnl"
)

// pingOpts are the options ping was given.
type pingOpts struct {
	req    rtnl.PingRequest
	target string
	quiet  bool
	flood  bool
}

// pingExit is an early end with ping's message and status.
type pingExit struct {
	code  int
	msg   string
	usage bool
}

func (e *pingExit) Error() string { return e.msg }

func pingFail(code int, format string, a ...any) error {
	return &pingExit{code: code, msg: fmt.Sprintf(format, a...)}
}

// pingOptString is iputils' getopt string: every option ping knows.
const pingOptString = "h?4bRT:6F:N:aABc:CdDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:"

// parsePingArgs parses ping's command line as GNU getopt does (options
// may follow the destination; "--" ends them).
func parsePingArgs(args []string, stderr io.Writer) (*pingOpts, error) {
	o := &pingOpts{req: rtnl.DefaultPingRequest()}
	var operands []string
	intervalSet := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			ch := a[j]
			k := strings.IndexByte(pingOptString, ch)
			if k < 0 || ch == ':' {
				return nil, &pingExit{code: 2, msg: fmt.Sprintf("invalid option -- '%c'", ch), usage: true}
			}
			var arg string
			if k+1 < len(pingOptString) && pingOptString[k+1] == ':' {
				switch {
				case j+1 < len(a):
					arg = a[j+1:]
				case i+1 < len(args):
					i++
					arg = args[i]
				default:
					return nil, &pingExit{code: 2, msg: fmt.Sprintf("option requires an argument -- '%c'", ch), usage: true}
				}
				j = len(a)
			}
			if err := o.apply(ch, arg, &intervalSet, stderr); err != nil {
				return nil, err
			}
		}
	}
	if len(operands) == 0 {
		return nil, pingFail(1, "usage error: Destination address required")
	}
	if len(operands) > 1 {
		return nil, pingFail(2, "source routes (more than one destination) are not supported by netsched")
	}
	o.target = operands[0]
	if o.flood && !intervalSet {
		o.req.IntervalMs = 0
	}
	if o.flood {
		o.req.Flags |= rtnl.PING_F_FLOOD
	}
	return o, nil
}

func (o *pingOpts) apply(ch byte, arg string, intervalSet *bool, stderr io.Writer) error {
	switch ch {
	case '4', 'n':
		// IPv4 is all there is, and addresses are never resolved.
	case 'c':
		n, err := pingStrtol(arg, 1, 1<<63-1)
		if err != nil {
			return err
		}
		o.req.Count = uint32(min(n, 1<<32-1))
	case 'f':
		o.flood = true
	case 'i':
		v := pingStrtod(arg, stderr)
		if v > float64((1<<31-1)/1000) {
			return pingFail(2, "bad timing interval: %s", arg)
		}
		o.req.IntervalMs = uint32(max(v, 0) * 1000)
		*intervalSet = true
	case 'I':
		if a, err := netip.ParseAddr(arg); err == nil && a.Is4() {
			o.req.Source = a
		} else if strings.Contains(arg, ":") {
			return pingFail(2, "IPv6 is not supported by netsched ping: %s", arg)
		} else {
			o.req.Device = arg
		}
	case 'q':
		o.quiet = true
	case 'Q':
		tos, err := pingParseTOS(arg)
		if err != nil {
			return err
		}
		o.req.TOS = tos
	case 's':
		n, err := pingStrtol(arg, 0, 1<<31-1)
		if err != nil {
			return err
		}
		o.req.Size = uint32(n)
	case 'w':
		n, err := pingStrtol(arg, 0, 1<<31-1)
		if err != nil {
			return err
		}
		o.req.Deadline = uint32(n)
	case 'W':
		v := pingStrtod(arg, stderr)
		if v > float64((1<<31-1)/1000) {
			return pingFail(2, "bad linger time: %s", arg)
		}
		o.req.LingerMs = uint32(max(v, 0) * 1000)
	case 'h', '?':
		return &pingExit{code: 2, usage: true}
	case 'V':
		return &pingExit{code: 0, msg: "ping from netsched"}
	default:
		return pingFail(2, "option -%c is not supported by netsched ping", ch)
	}
	return nil
}

// pingStrtol is strtol_or_err: a decimal integer in [lo, hi], else exit 1.
func pingStrtol(s string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimLeft(s, " \t"), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, pingFail(1, "invalid argument: '%s'", s)
	}
	if err != nil || n < lo || n > hi {
		return 0, pingFail(1, "invalid argument: '%s': out of range: %d <= value <= %d", s, lo, hi)
	}
	return n, nil
}

// pingStrtod reads a number of seconds as ping's strtod does: trailing
// garbage is warned about and ignored.
func pingStrtod(s string, stderr io.Writer) float64 {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	n := len(s)
	for ; n > 0; n-- {
		if _, err := strconv.ParseFloat(s[:n], 64); err == nil {
			break
		}
	}
	fmt.Fprintf(stderr, "ping: option argument contains garbage: %s\nping: this will become fatal error in the future\n", s[n:])
	v, _ := strconv.ParseFloat(s[:n], 64)
	return v
}

// pingParseTOS is parsetos: hex with 0x, else decimal, at most 255.
func pingParseTOS(s string) (uint8, error) {
	base, digits := 10, s
	if len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, digits = 16, s[2:]
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err != nil && digits != "" {
		return 0, pingFail(2, "bad TOS value: %s", s)
	}
	if n > 255 {
		return 0, pingFail(2, "the decimal value of TOS bits must be in range 0-255: %d", n)
	}
	return uint8(n), nil
}

// Main runs ping with args (without the program name) and returns its
// exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	o, err := parsePingArgs(args, stderr)
	if err != nil {
		var pe *pingExit
		if errors.As(err, &pe) {
			if pe.msg != "" {
				if pe.code == 0 {
					fmt.Fprintln(stdout, pe.msg)
				} else {
					fmt.Fprintln(stderr, "ping: "+pe.msg)
				}
			}
			if pe.usage {
				fmt.Fprint(stderr, pingUsage)
			}
			return pe.code
		}
		fmt.Fprintln(stderr, "ping:", err)
		return 2
	}
	dst, err := netip.ParseAddr(o.target)
	if err != nil || !dst.Is4() {
		fmt.Fprintf(stderr, "ping: %s: Name or service not known\n", o.target)
		return 2
	}
	o.req.Dest = dst
	sock := os.Getenv("NETSCHED_SOCKET")
	if sock == "" {
		fmt.Fprintln(stderr, "ping: NETSCHED_SOCKET is not set: netsched ping needs a netsched daemon")
		return 2
	}
	c, err := pingDial(sock, os.Getenv("NETSCHED_NETNS"))
	if err != nil {
		fmt.Fprintf(stderr, "ping: %s: %v\n", sock, err)
		return 2
	}
	defer c.Close()

	probe := o.req
	probe.Flags |= rtnl.PING_F_PROBE
	ans, err := pingAsk(c, &probe, nil)
	if err != nil {
		fmt.Fprintln(stderr, "ping:", err)
		return 2
	}
	if ans.Errno != 0 {
		fmt.Fprintf(stderr, "ping: %s: %s\n", ans.Where, pingStrerror(ans.Errno))
		return 2
	}
	if ans.Flags&rtnl.PING_F_SRC_ELSEWHERE != 0 {
		fmt.Fprintf(stderr, "ping: Warning: source address might be selected on device other than: %s\n", o.req.Device)
	}
	fmt.Fprintf(stdout, "PING %s (%s) ", o.target, dst)
	if o.req.Device != "" || o.req.Source.IsValid() {
		fmt.Fprintf(stdout, "from %s %s: ", ans.Source, o.req.Device)
	}
	fmt.Fprintf(stdout, "%d(%d) bytes of data.\n", o.req.Size, o.req.Size+28)

	// SIGINT ends the ping early with its statistics, as in iputils.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	ans, err = pingAsk(c, &o.req, sig)
	if err != nil {
		fmt.Fprintln(stderr, "ping:", err)
		return 2
	}
	if ans.Errno != 0 {
		fmt.Fprintf(stderr, "ping: %s: %s\n", ans.Where, pingStrerror(ans.Errno))
		return 2
	}
	return pingPrint(o, &ans, stdout, stderr)
}

// pingDial connects to the daemon and says HELLO with the namespace.
func pingDial(path, ns string) (*net.UnixConn, error) {
	uc, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, err
	}
	b := nl.NewBuilder()
	b.Begin(rtnl.NSCHED_HELLO, nl.NLM_F_REQUEST, 0, 0)
	b.Raw(append([]byte(ns), 0))
	b.End()
	buf := make([]byte, 64)
	if _, err := uc.Write(b.Bytes()); err == nil {
		var n int
		if n, err = uc.Read(buf); err == nil && (n < nl.HdrLen+4 || nl.ParseHeader(buf).Type != rtnl.NSCHED_HELLO) {
			err = errors.New("the daemon did not answer HELLO")
		}
	}
	if err != nil {
		uc.Close()
		return nil, err
	}
	return uc, nil
}

// pingAsk sends one NSCHED_PING and reads its answer; a signal on sig
// asks the daemon to stop early.
func pingAsk(c *net.UnixConn, req *rtnl.PingRequest, sig <-chan os.Signal) (rtnl.PingAnswer, error) {
	b := nl.NewBuilder()
	b.Begin(rtnl.NSCHED_PING, nl.NLM_F_REQUEST, 1, 0)
	req.Put(b)
	b.End()
	if _, err := c.Write(b.Bytes()); err != nil {
		return rtnl.PingAnswer{}, err
	}
	if sig != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-sig:
				// Any datagram stops the ping.
				stop := nl.NewBuilder()
				stop.Begin(rtnl.NSCHED_PING, nl.NLM_F_REQUEST, 2, 0)
				stop.End()
				_, _ = c.Write(stop.Bytes())
			case <-done:
			}
		}()
	}
	buf := make([]byte, 16<<20)
	n, err := c.Read(buf)
	if err != nil {
		return rtnl.PingAnswer{}, err
	}
	msgs, err := nl.Split(buf[:n])
	if err != nil || len(msgs) == 0 {
		return rtnl.PingAnswer{}, errors.New("malformed answer from the daemon")
	}
	m := msgs[0]
	if m.Type == nl.NLMSG_ERROR {
		errno := syscall.Errno(0)
		if len(m.Data) >= 4 {
			errno = syscall.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
		}
		return rtnl.PingAnswer{}, fmt.Errorf("the daemon refused: %s", pingStrerror(errno))
	}
	return rtnl.ParsePingAnswer(m.Data)
}

// pingStrerror is strerror: C's wording, which Go's mostly shares.
func pingStrerror(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return fmt.Sprintf("errno %d", int(e))
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const pingUsage = `
Usage
  ping [options] <destination>

Options:
  <destination>      ip address (netsched resolves no names)
  -c <count>         stop after <count> replies
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -n                 no dns name resolution
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

Other options of iputils' ping are refused by netsched.
`
