package hhf_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/facetest"
)

// Words, errors, text and JSON of hhf as iproute2 6.1 has them
// (qdisc/internal/facetest.Compare).
func TestFaceMatchesIproute2(t *testing.T) {
	facetest.Compare(t, []string{
		"qdisc add dev d0 root handle 1: hhf limit 10 quantum 2000 hh_limit 100 reset_timeout 10ms admit_bytes 20k evict_timeout 2s non_hh_weight 3",
		"-s qdisc show dev d0",
		"-s -j qdisc show dev d0",
		"qdisc change dev d0 root hhf quantum 0",
		"qdisc change dev d0 root hhf reset_timeout x",
		"qdisc change dev d0 root hhf what",
	})
}
