package sfq_test

import (
	"testing"

	"github.com/netsched/netsched/qdisc/internal/facetest"
)

// Words, errors, text and JSON of sfq, SFQRED included, as iproute2 6.1 has
// them (qdisc/internal/facetest.Compare).
func TestFaceMatchesIproute2(t *testing.T) {
	facetest.Compare(t, []string{
		"qdisc add dev d0 root handle 2: sfq",
		"-s qdisc show dev d0",
		"-d qdisc show dev d0",
		"qdisc del dev d0 root",
		"qdisc add dev d0 root handle 3: sfq limit 100 perturb 5 quantum 2k divisor 256 flows 64 depth 20 headdrop redflowlimit 100000 min 8000 max 60000 probability 0.2 ecn harddrop",
		"-s -d qdisc show dev d0",
		"-s -j qdisc show dev d0",
		"qdisc del dev d0 root",
		"qdisc add dev d0 root handle 3: sfq redflowlimit 10000 burst 1",
		"qdisc add dev d0 root handle 3: sfq redflowlimit 10000 min 5000 max 4000",
		"qdisc add dev d0 root handle 3: sfq limit 1",
		"qdisc add dev d0 root handle 3: sfq depth x",
		"qdisc add dev d0 root handle 3: sfq min 100",
		"qdisc add dev d0 root handle 3: sfq redflowlimit 100000 min 8000 max 60000 burst 100",
		"qdisc change dev d0 root sfq limit 10",
	})
}
