package rtnl

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/netsched/netsched/clock"
	"github.com/netsched/netsched/nl"
)

// BenchmarkRoundTrip measures one request and its answer over the daemon
// socket: what every tc command costs beyond its own work.
func BenchmarkRoundTrip(b *testing.B) {
	sock := filepath.Join(b.TempDir(), "rt.sock")
	srv, err := Listen(New(Options{Clock: clock.NewVirtual()}), sock)
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	uc, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: sock, Net: "unixpacket"})
	if err != nil {
		b.Fatal(err)
	}
	defer uc.Close()
	hb := nl.NewBuilder()
	hb.Begin(NSCHED_HELLO, 0, 0, 0)
	hb.Raw([]byte("rt\x00"))
	hb.End()
	buf := make([]byte, 4096)
	uc.Write(hb.Bytes())
	uc.Read(buf)
	req := nl.NewBuilder()
	req.Begin(RTM_GETLINK, nl.NLM_F_REQUEST|nl.NLM_F_ACK, 1, 0)
	req.Raw(make([]byte, 16))
	req.PutString(IFLA_IFNAME, "nosuchdev")
	req.End()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := uc.Write(req.Bytes()); err != nil {
			b.Fatal(err)
		}
		if _, err := uc.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}
