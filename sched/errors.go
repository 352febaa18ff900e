package sched

import (
	"errors"
	"fmt"
	"syscall"
)

// Error is a refusal with the kernel's errno and its extack message.
type Error struct {
	Errno syscall.Errno
	Msg   string // NL_SET_ERR_MSG text; empty when the kernel sets none
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Errno.Error()
	}
	return e.Msg
}

// Unwrap lets errors.Is(err, syscall.EINVAL) work.
func (e *Error) Unwrap() error { return e.Errno }

// Errorf returns an *Error with a formatted message.
func Errorf(errno syscall.Errno, format string, args ...any) error {
	return &Error{Errno: errno, Msg: fmt.Sprintf(format, args...)}
}

// Err returns an *Error with a fixed message (which may be empty).
func Err(errno syscall.Errno, msg string) error { return &Error{Errno: errno, Msg: msg} }

// ErrnoOf extracts the errno of err (EINVAL when it carries none).
func ErrnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return syscall.EINVAL
}

// MsgOf extracts the extack message of err, if any.
func MsgOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// Ext carries the extended acknowledgement of a request that succeeds: a
// warning the kernel would set with NL_SET_ERR_MSG without failing (htb's
// "quantum of class ... is big"), returned in the ACK and, as
// TCA_EXT_WARN_MSG, in the notification.
type Ext struct {
	Msg string
}

// Warn sets the warning text (the last one wins, as in the kernel).
func (x *Ext) Warn(format string, args ...any) {
	if x != nil {
		x.Msg = fmt.Sprintf(format, args...)
	}
}

// ErrnoOf0 is ErrnoOf that maps nil to 0.
func ErrnoOf0(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	return ErrnoOf(err)
}
