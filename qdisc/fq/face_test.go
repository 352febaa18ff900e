package fq_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/facetest"
)

// Words, errors, text and JSON of fq as iproute2 6.1 has them
// (qdisc/internal/facetest.Compare).
func TestFaceMatchesIproute2(t *testing.T) {
	facetest.Compare(t, []string{
		"qdisc add dev d0 root handle 1: fq limit 300 flow_limit 20 quantum 3000 initial_quantum 20000 maxrate 10mbit buckets 100 refill_delay 20ms low_rate_threshold 100kbit orphan_mask 511 timer_slack 20us ce_threshold 2ms horizon 2s horizon_cap nopacing",
		"qdisc show dev d0",
		"-s qdisc show dev d0",
		"-j qdisc show dev d0",
		"-s -j qdisc show dev d0",
		"qdisc change dev d0 root fq pacing horizon_drop defrate 1mbit",
		"qdisc show dev d0",
		"qdisc change dev d0 root fq buckets 1000000",
		"qdisc change dev d0 root fq timer_slack 5s",
		"qdisc change dev d0 root fq bogus",
		"qdisc change dev d0 root fq limit",
		"qdisc change dev d0 root fq orphan_mask x",
		"qdisc del dev d0 root",
	})
}
