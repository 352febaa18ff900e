package main

import (
	"os"

	"github.com/netsched/netsched/pingcli"
)

func init() {
	register(command{name: "ping", usage: "ping [-c N] [-W T] [-I DEV] ... ADDR: iputils' ping in a netsched namespace", run: ping})
}

func ping(args []string) int { return pingcli.Main(args, os.Stdout, os.Stderr) }
