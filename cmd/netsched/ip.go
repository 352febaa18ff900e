package main

import "github.com/netsched/netsched/tccli"

func init() {
	register(command{name: "ip", usage: "ip [--kernel] [OPTIONS] OBJECT COMMAND: iproute2's ip (link, address, netns)", run: runIp})
}

func runIp(args []string) int { return tccli.Ip(args, env()) }
