package tccli

import (
	"strings"

	"github.com/netsched/netsched/tc"
)

// nschedNetns is the daemon's namespace message (tools/nlshim/PROTOCOL.md).
const nschedNetns = 0x7f20

const netnsUsage = "Usage:\tip netns list\n" +
	"\tip netns add NAME\n" +
	"\tip netns delete NAME\n" +
	"\tip netns exec NAME cmd ...\n" +
	"(netsched ip: namespaces of the netsched daemon; with --kernel, of /run/netns)"

// doNetns is `ip netns`: the daemon's namespaces. A namespace is made when
// a socket first names it, listed and deleted with NSCHED_NETNS, and
// entered by a program run with NETSCHED_NETNS set.
func (t *ipTool) doNetns(argv []string) error {
	if t.kernel {
		return fail(255, "netsched ip: with --kernel use iproute2's ip netns")
	}
	if len(argv) < 1 {
		return t.netnsList()
	}
	w, rest := argv[0], argv[1:]
	switch {
	case tc.Matches(w, "list"), tc.Matches(w, "show"), w == "lst":
		return t.netnsList()
	case tc.Matches(w, "add"):
		if len(rest) < 1 {
			return fail(255, "No netns name specified")
		}
		be, err := t.backend()
		if err != nil {
			return err
		}
		c, err := be.Dial(DialOptions{Namespace: rest[0]})
		if err != nil {
			return fail(1, "Cannot create namespace \"%s\": %v", rest[0], err)
		}
		c.Close()
		return nil
	case tc.Matches(w, "delete"):
		if len(rest) < 1 {
			return fail(255, "No netns name specified")
		}
		b := request(nschedNetns, 0, nil)
		b.U32Raw(2)
		b.Raw(append([]byte(rest[0]), 0))
		b.End()
		if _, err := t.h.talk(b, false, false); err != nil {
			return status(1)
		}
		return nil
	case tc.Matches(w, "exec"):
		if len(rest) < 1 {
			return fail(255, "No netns name specified")
		}
		if len(rest) < 2 {
			return fail(255, "No command specified")
		}
		if t.env.Run == nil {
			return fail(255, "netsched ip: cannot run programs here")
		}
		code := t.env.Run(rest[1:], []string{"NETSCHED_NETNS=" + rest[0]})
		return status(code)
	case tc.Matches(w, "help"):
		return exitMsg(255, "%s", netnsUsage)
	}
	return exitMsg(255, "Command \"%s\" is unknown, try \"ip netns help\".", w)
}

func (t *ipTool) netnsList() error {
	b := request(nschedNetns, 0, nil)
	b.U32Raw(1)
	b.End()
	m, err := t.h.talk(b, true, false)
	if err != nil {
		return status(1)
	}
	if m.Type != nschedNetns {
		return nil
	}
	var out strings.Builder
	for _, name := range strings.Split(string(m.Data), "\x00") {
		if name != "" {
			out.WriteString(name + "\n")
		}
	}
	t.env.Stdout.Write([]byte(out.String()))
	return nil
}
