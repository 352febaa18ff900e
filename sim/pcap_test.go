package sim_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/netsched/netsched/sim"
)

// writeTrace writes a capture of n UDP frames of size bytes, gap apart,
// from 192.0.2.1:1234 to 192.0.2.2:5678 (addresses of no host in the
// scenario: the replay rewrites them).
func writeTrace(t *testing.T, path string, n, size int, gap time.Duration) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	for i := 0; i < n; i++ {
		b := make([]byte, size)
		binary.BigEndian.PutUint16(b[12:], 0x0800)
		ip := b[14:]
		ip[0], ip[8], ip[9] = 0x45, 64, 17
		binary.BigEndian.PutUint16(ip[2:], uint16(size-14))
		copy(ip[12:], []byte{192, 0, 2, 1})
		copy(ip[16:], []byte{192, 0, 2, 2})
		binary.BigEndian.PutUint16(ip[20:], 1234)
		binary.BigEndian.PutUint16(ip[22:], 5678)
		binary.BigEndian.PutUint16(ip[24:], uint16(size-34))
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(i) * gap), CaptureLength: size, Length: size}
		if err := w.WritePacket(ci, b); err != nil {
			t.Fatal(err)
		}
	}
}

// A pcap trace replays at its recorded times, rewritten to the flow's
// addresses, looping when asked.
func TestPcapReplay(t *testing.T) {
	dir := t.TempDir()
	writeTrace(t, filepath.Join(dir, "trace.pcap"), 100, 500, time.Millisecond)
	scn := fmt.Sprintf(`
duration: 1s
links:
  - {a: a, b: b, rate: 100mbit, delay: 1ms}
traffic:
  - {name: once, type: pcap, file: %q, from: a, to: b}
  - {name: loop, type: pcap, file: %q, from: a, to: b, loop: true, speed: 2}
`, filepath.Join(dir, "trace.pcap"), filepath.Join(dir, "trace.pcap"))
	r := run(t, scn)
	once := flowNamed(t, r, "once")
	if once.SentPackets != 100 || once.RecvPackets != 100 {
		t.Fatalf("once: sent %d recv %d", once.SentPackets, once.RecvPackets)
	}
	// 500 bytes every ms: 4 Mbit/s for the 0.1 s of the trace.
	if once.Delay.Max > 1.1 {
		t.Fatalf("once: delay %+v", once.Delay)
	}
	// Twice as fast, looped: 100 frames per 50 ms, 2000 in a second.
	loop := flowNamed(t, r, "loop")
	if loop.RecvPackets < 1990 || loop.RecvPackets > 2000 {
		t.Fatalf("loop: recv %d", loop.RecvPackets)
	}
	for _, h := range r.Hosts {
		if h.NoSocket+h.NoRoute != 0 {
			t.Fatalf("%+v", h)
		}
	}
}

func TestPcapErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pcap")
	os.WriteFile(bad, []byte("not a capture"), 0o644)
	sc, err := sim.Parse([]byte(fmt.Sprintf(`
duration: 1s
links: [{a: a, b: b}]
traffic: [{type: pcap, file: %q, from: a, to: b}]
`, bad)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.New(sc, sim.Options{}); err == nil {
		t.Fatal("a file that is no capture was accepted")
	}
}
