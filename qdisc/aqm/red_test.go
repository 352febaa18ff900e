package aqm_test

import (
	"math"
	"testing"

	"github.com/netsched/netsched/qdisc/aqm"
)

// RED's marking curve (Floyd and Jacobson 1993, section 7; red.h): with
// the average between min and max, pb = max_P (avg - min)/(max - min),
// and marks are spaced uniformly over [1, 1/pb] packets, so the fraction
// of packets marked is 2 pb/(1 + pb); none below min, all at and above max.
func TestREDCurve(t *testing.T) {
	const min, max, wlog = 30000, 90000, 9
	var p aqm.REDParms
	maxP := aqm.MaxPFromProb(0.1)
	p.Set(min, max, wlog, 0, 10, nil, maxP)
	rnd := aqm.NewRand(1)
	for _, avg := range []uint64{0, 20000, 30000, 45000, 60000, 75000, 89000, 90000, 200000} {
		var v aqm.REDVars
		v.SetVars()
		const n = 200000
		marks := 0
		for i := 0; i < n; i++ {
			if p.Action(&v, avg<<wlog, &rnd) != aqm.REDActionNone {
				marks++
			}
		}
		got := float64(marks) / n
		var want float64
		switch {
		case avg < min:
			want = 0
		case avg >= max:
			want = 1
		default:
			pb := 0.1 * float64(avg-min) / float64(max-min)
			want = 2 * pb / (1 + pb)
		}
		if math.Abs(got-want) > 0.01+want*0.03 {
			t.Errorf("avg %d: marked %.4f of packets, want %.4f", avg, got, want)
		}
	}
}

// The average follows the backlog with weight 2^-Wlog and decays over an
// idle period through the table tc computed.
func TestREDAverage(t *testing.T) {
	var p aqm.REDParms
	stab, clog := aqm.EvalIdleDamping(9, 1000, 1250000)
	p.Set(1000, 3000, 9, 10, uint8(clog), stab[:], 0)
	var v aqm.REDVars
	v.SetVars()
	for i := 0; i < 5000; i++ {
		v.QAvg = p.QAvg(&v, 0, 2000)
	}
	if got := v.QAvg >> 9; got < 1990 || got > 2000 {
		t.Fatalf("average %d after a steady 2000-byte backlog", got)
	}
	// tc computes the table in psched ticks while the kernel indexes it
	// in microseconds, so it decays 15.6 times slower than meant: after a
	// second idle the linear approximation halves the average; after a
	// minute the table's shift takes it near zero.
	v.StartIdle(0)
	if got := p.QAvg(&v, 1e9, 0) >> 9; got != 1000 {
		t.Fatalf("average %d after a second idle, want 1000", got)
	}
	if got := p.QAvg(&v, 60e9, 0) >> 9; got > 10 {
		t.Fatalf("average %d after a minute idle, want it gone", got)
	}
}

// tc's computations as q_red.c gets them for `limit 1M avpkt 1500 min
// 100K max 300K` (bandwidth 10Mbit, probability 0.02): iproute2 6.1 shows
// them as `ewma 6 probability 0.02 Scell_log 17`.
func TestTcREDComputation(t *testing.T) {
	s, err := aqm.ComputeRED("RED", 100*1024, 300*1024, (2*100*1024+300*1024)/(3*1500), 1500, 1250000, 0.02, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if s.Wlog != 6 || s.Plog != 24 || s.ScellLog != 17 {
		t.Fatalf("Wlog %d Plog %d Scell_log %d", s.Wlog, s.Plog, s.ScellLog)
	}
	if s.MaxP != 85899345 {
		t.Fatalf("max_P %d", s.MaxP)
	}
}
