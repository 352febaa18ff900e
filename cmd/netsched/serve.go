package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/netsched/netsched/rtnl"
)

func init() {
	register(command{name: "serve", usage: "serve --socket PATH: run the daemon", run: serve})
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	sock := fs.String("socket", "", "path of the daemon's SOCK_SEQPACKET Unix socket")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *sock == "" {
		fmt.Fprintln(os.Stderr, "netsched serve: --socket is required")
		return 2
	}
	e := rtnl.New(rtnl.Options{})
	srv, err := rtnl.Listen(e, *sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netsched serve:", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(); err != nil {
		fmt.Fprintln(os.Stderr, "netsched serve:", err)
		return 1
	}
	os.Remove(*sock)
	return 0
}
