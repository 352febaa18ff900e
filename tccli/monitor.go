package tccli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/tc"
)

const monitorUsage = "Usage: tc [-timestamp [-tshort] monitor"

// doMonitor is do_tcmonitor: print every traffic control notification
// until the socket closes, or the messages saved in a file.
func (t *tool) doMonitor(argv []string) error {
	file := ""
	a := tc.NewArgs(argv)
	for a.More() {
		w := a.Next()
		switch {
		case tc.Matches(w, "file"):
			v, err := a.Value()
			if err != nil {
				return err
			}
			file = v
		case tc.Matches(w, "help"):
			return exitMsg(255, "%s", monitorUsage)
		default:
			return exitMsg(255, "Argument \"%s\" is unknown, try \"tc monitor help\".", w)
		}
	}
	p := t.printer(false)
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return exitMsg(255, "Cannot fopen: %s", errnoOf(err))
		}
		defer f.Close()
		return t.monitorFile(p, bufio.NewReader(f))
	}
	be, err := t.backend()
	if err != nil {
		return exitMsg(1, "%v", err)
	}
	c, err := be.Dial(DialOptions{Namespace: t.namespace(), ExtAck: true})
	if err != nil {
		return exitMsg(1, "Cannot open netlink socket: %v", err)
	}
	defer c.Close()
	if err := c.Join(rtnlGroupTC); err != nil {
		return exitMsg(1, "Cannot bind netlink socket: %v", err)
	}
	h := newHandle(c, t.env.Stderr)
	old := t.links.h
	t.links.h = h
	err = t.links.init()
	t.links.h = old
	if err != nil {
		return err
	}
	for {
		d, err := c.Recv()
		if err != nil {
			return exitMsg(2, "netlink receive error %v", err)
		}
		msgs, err := nl.Split(d)
		if err != nil {
			return exitMsg(1, "!!!malformed message")
		}
		for i := range msgs {
			t.acceptTCMsg(p, &msgs[i])
			t.flush(p)
		}
	}
}

// monitorFile reads saved netlink messages (rtnl_from_file).
func (t *tool) monitorFile(p *tc.Printer, r io.Reader) error {
	var hdr [nl.HdrLen]byte
	for {
		n, err := io.ReadFull(r, hdr[:])
		if n == 0 && err == io.EOF {
			return nil
		}
		if err != nil {
			return fail(255, "rtnl-from_file: truncated message")
		}
		h := nl.ParseHeader(hdr[:])
		if h.Len < nl.HdrLen || h.Len > 16384 {
			return fail(255, "!!!malformed message: len=%d", h.Len)
		}
		body := make([]byte, nl.Align(int(h.Len))-nl.HdrLen)
		if _, err := io.ReadFull(r, body); err != nil {
			return fail(255, "rtnl-from_file: truncated message")
		}
		m := &nl.Msg{Header: h, Data: body[:int(h.Len)-nl.HdrLen]}
		t.acceptTCMsg(p, m)
		t.flush(p)
	}
}

// acceptTCMsg prints one notification (accept_tcmsg).
func (t *tool) acceptTCMsg(p *tc.Printer, m *nl.Msg) {
	if t.timestamp > 0 {
		p.Fprintf("%s", timestamp(t.tshort > 0))
	}
	switch m.Type {
	case rtmNewFilter, rtmDelFilter, rtmNewChain, rtmDelChain:
		_ = t.printFilter(p, m)
	case rtmNewClass, rtmDelClass:
		_ = t.printClass(p, m)
	case rtmNewQdisc, rtmDelQdisc:
		_ = t.printQdisc(p, m)
	case rtmGetAction, rtmNewAction, rtmDelAction:
		_ = t.printAction(p, m)
	case nl.NLMSG_ERROR, nl.NLMSG_NOOP, nl.NLMSG_DONE:
	default:
		p.Fprintf("Unknown message: length %08d type %08x flags %08x\n", m.Len, m.Type, m.Flags)
	}
}

// timestamp is print_timestamp.
func timestamp(short bool) string {
	now := time.Now()
	if short {
		return fmt.Sprintf("[%s.%06d] ", now.Format("2006-01-02T15:04:05"), now.Nanosecond()/1000)
	}
	return fmt.Sprintf("Timestamp: %s %d usec\n", now.Format("Mon Jan _2 15:04:05 2006"), now.Nanosecond()/1000)
}

// doExec is tc exec: iproute2's only exec kind is bpf, which netsched
// does not have.
func (t *tool) doExec(argv []string) error {
	if len(argv) == 0 || tc.Matches(argv[0], "help") {
		return fail(255, "Usage: tc exec [ EXEC_TYPE ] [ help | OPTIONS ]\nWhere:\nEXEC_TYPE := { bpf | etc. }\nOPTIONS := ... try tc exec <desired EXEC_KIND> help")
	}
	return fail(255, "netsched tc: exec %s is not supported", argv[0])
}

// loadNames reads the class names of -nm (cls_names_init, lib/names.c).
func (t *tool) loadNames() error {
	path := t.confFile
	if path == "" {
		path = "/etc/iproute2/tc_cls"
	}
	f, err := os.Open(path)
	if err != nil {
		if t.confFile != "" {
			return fail(255, "Can't open class names file: %s", path)
		}
		return nil
	}
	defer f.Close()
	t.names = map[uint32]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimLeft(s.Text(), " \t")
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		id, rest, colon := strings.Cut(fields[0], ":")
		if colon {
			maj, err := strconv.ParseUint(id, 16, 32)
			if err != nil {
				continue
			}
			var min uint64
			if rest != "" {
				if min, err = strconv.ParseUint(rest, 16, 32); err != nil {
					continue
				}
			}
			t.names[uint32(maj<<16|min)] = fields[1]
			continue
		}
		v, err := strconv.ParseInt(id, 10, 32)
		if err != nil {
			continue
		}
		t.names[uint32(v)] = fields[1]
	}
	return nil
}
