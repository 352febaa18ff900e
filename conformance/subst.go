package conformance

import (
	"fmt"
	"strings"
)

// Names are tdc's substitution values (NAMES in tdc_config.py).
type Names map[string]string

// DefaultNames are tdc_config.py's values, with $TC and $IP where this
// machine has them.
func DefaultNames() Names {
	return Names{
		"TC":         "/usr/sbin/tc",
		"IP":         "/usr/sbin/ip",
		"DEV0":       "v0p0",
		"DEV1":       "v0p1",
		"DEV2":       "",
		"DUMMY":      "dummy1",
		"ETH":        "eth0",
		"BATCH_FILE": "./batch.txt",
		"BATCH_DIR":  "tmp",
		"TIMEOUT":    "24",
		"NS":         "tcut",
		"EBPFDIR":    "./",
	}
}

// ForCase returns the names as tdc.py sets them for one case: the
// namespace gets the case's random number, the devices the case's id
// (run_one_test), and TESTID is the id.
func (n Names) ForCase(id string, random uint32) Names {
	out := Names{}
	for k, v := range n {
		out[k] = v
	}
	out["TESTID"] = id
	out["NS"] = fmt.Sprintf("%s-%d", n["NS"], random)
	for _, k := range []string{"DEV0", "DEV1", "DUMMY"} {
		out[k] = n[k] + "id" + id
	}
	return out
}

// Substitute is Python's string.Template(cmd).safe_substitute(names):
// $NAME and ${NAME} are replaced when known and left alone otherwise,
// $$ is a $, and a $ that starts no name stays.
func (n Names) Substitute(cmd string) string {
	if !strings.Contains(cmd, "$") {
		return cmd
	}
	var b strings.Builder
	for i := 0; i < len(cmd); {
		c := cmd[i]
		if c != '$' || i+1 >= len(cmd) {
			b.WriteByte(c)
			i++
			continue
		}
		rest := cmd[i+1:]
		switch {
		case rest[0] == '$':
			b.WriteByte('$')
			i += 2
		case rest[0] == '{':
			end := strings.IndexByte(rest, '}')
			if end > 1 && isIdent(rest[1:end]) {
				if v, ok := n[rest[1:end]]; ok {
					b.WriteString(v)
				} else {
					b.WriteString(cmd[i : i+2+end])
				}
				i += 2 + end
				continue
			}
			b.WriteByte('$')
			i++
		default:
			l := identLen(rest)
			if l == 0 {
				b.WriteByte('$')
				i++
				continue
			}
			if v, ok := n[rest[:l]]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(cmd[i : i+1+l])
			}
			i += 1 + l
		}
	}
	return b.String()
}

// identLen is the length of the identifier Template's pattern
// ([_a-z][_a-z0-9]*, ASCII, any case) matches at the start of s.
func identLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !alpha && (i == 0 || c < '0' || c > '9') {
			return i
		}
	}
	return len(s)
}

func isIdent(s string) bool { return s != "" && identLen(s) == len(s) }

// nsJoin is what nsPlugin's adjust_command does to a command besides
// prefixing `ip netns exec`: it splits the command on white space and
// joins the words with single spaces (even inside quotes).
func nsJoin(cmd string) string { return strings.Join(strings.Fields(cmd), " ") }
