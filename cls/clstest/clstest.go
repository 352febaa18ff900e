// Package clstest is the classifiers' test bench: a schedtest.Bed whose
// configuration is written as tc commands run in-process by netsched's own
// tc (tccli, with the kinds' tc faces) against the bench's engine, and
// packets built by schedtest.Packet sent out of or received on its device.
package clstest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/schedtest"
	"github.com/netsched/netsched/tccli"
)

// Bed is a bench with tc.
type Bed struct {
	*schedtest.Bed
}

// New makes a bench (device eth0 in namespace "bench", up).
func New(t testing.TB) *Bed {
	return &Bed{schedtest.New(t, schedtest.Options{})}
}

// Words splits a command line as a shell would for tc's purposes: spaces
// separate words, single and double quotes group them.
func Words(cmd string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote, in = c, true
		case quote == 0 && (c == ' ' || c == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// Tc runs `tc CMD` (CMD without the leading "tc") and returns its standard
// output; a non-zero exit is an error carrying standard error.
func (b *Bed) Tc(cmd string) (string, error) {
	var out, errb bytes.Buffer
	env := &tccli.Env{
		Stdout:  &out,
		Stderr:  &errb,
		Backend: tccli.Engine(b.E),
		Getenv: func(k string) string {
			if k == "NETSCHED_NETNS" {
				return "bench"
			}
			return ""
		},
	}
	if code := tccli.Tc(Words(cmd), env); code != 0 {
		return out.String(), fmt.Errorf("exit %d: %s", code, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// IP runs `ip CMD` in-process against the bench, as Tc does.
func (b *Bed) IP(cmd string) (string, error) {
	var out, errb bytes.Buffer
	env := &tccli.Env{
		Stdout:  &out,
		Stderr:  &errb,
		Backend: tccli.Engine(b.E),
		Getenv: func(k string) string {
			if k == "NETSCHED_NETNS" {
				return "bench"
			}
			return ""
		},
	}
	if code := tccli.Ip(Words(cmd), env); code != 0 {
		return out.String(), fmt.Errorf("exit %d: %s", code, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// MustTc runs commands, failing the test on the first error.
func (b *Bed) MustTc(cmds ...string) {
	b.T.Helper()
	for _, c := range cmds {
		if _, err := b.Tc(c); err != nil {
			b.T.Fatalf("tc %s: %v", c, err)
		}
	}
}

// Packet builds s into a packet from the bench's pool.
func (b *Bed) Packet(s *schedtest.Packet) *pkt.Packet {
	p := b.Pool.Get()
	s.Build(p)
	return p
}

// Transmit sends a packet built from s out of eth0.
func (b *Bed) Transmit(s *schedtest.Packet) {
	b.Dev.Transmit(b.Packet(s))
}

// Receive hands a packet built from s to eth0's receive path (ingress
// hook) and reports whether it went on to the stack.
func (b *Bed) Receive(s *schedtest.Packet) bool {
	p := b.Packet(s)
	p.InIfindex = b.Dev.Ifindex()
	if !b.Dev.Sched.Receive(p) {
		return false
	}
	p.Free()
	return true
}
