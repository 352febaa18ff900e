// Package netdev holds network namespaces and their devices: names and
// ifindexes, link kinds (loopback, dummy, veth, netdevsim), up and down,
// carrier, queues, MTU and txqueuelen, addresses, and the transmit and
// receive paths that hand packets to and from the scheduler (package sched).
//
// Devices are changed only by the control plane, under its lock; the data
// path reaches a device through Transmit and Receive.
package netdev
