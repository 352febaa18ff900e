package prio

import "syscall"

var (
	errInval = syscall.EINVAL
	errNoMem = syscall.ENOMEM
)
