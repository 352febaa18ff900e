package sim

import (
	"strings"
	"testing"
)

// FuzzParse feeds the scenario parser and the tc line expander: neither
// may panic, whatever the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("duration: 1s\nlinks: [{a: a, b: b}]\n"))
	f.Add([]byte("duration: 1s\nlinks:\n  - a: {host: r, tc: |\n      qdisc add root handle 1: htb\n      class add parent 1: classid 1:1 htb rate 1mbit || x\n    }\n    b: b\n"))
	f.Add([]byte("hosts:\n  - name: r\n    tc:\n      - qdisc add root handle 1: htb\n      - {batch: x}\n"))
	f.Add([]byte("hosts: [{name: r, tc: '{{range $i := seq 1 3}}class add classid 1:{{hex $i}} {{ip \"10.0.0.1\" $i}}\n{{end}}'}]"))
	f.Add([]byte("traffic: [{type: tcp, from: a, to: b, tos: 300}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 || strings.Contains(string(b), "seq") && len(b) > 512 {
			return
		}
		s, err := Parse(b)
		if err != nil {
			return
		}
		s.dir = t.TempDir()
		for _, h := range s.Hosts {
			s.expand(h.TC, "")
		}
		for _, l := range s.Links {
			s.expand(l.A.TC, "eth0")
			s.expand(l.B.TC, "eth0")
		}
	})
}

// The tc line expander: comments, fallbacks, "dev" insertion, templates.
func TestExpand(t *testing.T) {
	s := &Scenario{dir: "."}
	got, err := s.expand(TCBlock{{Text: `
# a comment
tc qdisc add root handle 1: htb default 1   # trailing
class add dev other parent 1: classid 1:1 htb rate 1mbit
qdisc add parent 1:1 fq_codel || qdisc add parent 1:1 pfifo
{{range $i := seq 1 2}}filter add parent 1: u32 match ip dst {{ip "10.0.0.254" $i}}/32 flowid 1:{{hex (add $i 9)}}
{{end}}`}}, "eth1")
	if err != nil {
		t.Fatal(err)
	}
	want := []tcCommand{
		{cmd: "qdisc add dev eth1 root handle 1: htb default 1"},
		{cmd: "class add dev other parent 1: classid 1:1 htb rate 1mbit"},
		{cmd: "qdisc add dev eth1 parent 1:1 fq_codel", fallback: "qdisc add dev eth1 parent 1:1 pfifo", hasElse: true},
		{cmd: "filter add dev eth1 parent 1: u32 match ip dst 10.0.0.255/32 flowid 1:a"},
		{cmd: "filter add dev eth1 parent 1: u32 match ip dst 10.0.1.0/32 flowid 1:b"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
