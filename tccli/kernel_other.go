//go:build !linux

package tccli

import "errors"

// Kernel is the kernel back end, which exists on Linux only.
func Kernel() Backend {
	return BackendFunc(func(DialOptions) (Conn, error) {
		return nil, errors.New("the kernel back end needs Linux")
	})
}
