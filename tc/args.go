package tc

import (
	"fmt"
	"io"
	"strings"
)

// Args reads a command line word by word, as iproute2's NEXT_ARG and
// matches() do.
type Args struct {
	words []string
	i     int
	// Dev is the device the command names (for kinds whose defaults depend
	// on it, as iproute2 passes dev to parse_qopt).
	Dev string
	// Stderr receives what a kind prints and reads on after, as
	// iproute2's explain() in the middle of a parse; nil discards it.
	Stderr io.Writer
	// Actions parses the action lists of filters; nil when none are known.
	Actions ActionSyntax
	// Links finds devices by name for kinds that name one (mirred); nil
	// when the front end knows none.
	Links LinkNames
	// Protocol is the filter's protocol as an EtherType in host order (0:
	// none given), for classifiers whose keys follow it (flower's
	// eth_type, as iproute2 passes f_proto).
	Protocol uint16
}

// LinkNames maps device names to indexes and back, as iproute2's
// ll_name_to_index and ll_index_to_name do for the kinds that name
// devices. The front end provides it.
type LinkNames interface {
	// Index returns the device's ifindex, 0 when there is none.
	Index(name string) int32
	// Name returns the device's name, "" when there is none.
	Name(index int32) string
}

// NewArgs returns a reader over words.
func NewArgs(words []string) *Args { return &Args{words: words} }

// More reports whether words remain.
func (a *Args) More() bool { return a.i < len(a.words) }

// Peek returns the next word without taking it ("" at the end).
func (a *Args) Peek() string {
	if a.i < len(a.words) {
		return a.words[a.i]
	}
	return ""
}

// Next takes and returns the next word ("" at the end).
func (a *Args) Next() string {
	w := a.Peek()
	if a.i < len(a.words) {
		a.i++
	}
	return w
}

// Warn prints a line to Stderr without stopping the parse.
func (a *Args) Warn(msg string) {
	if a.Stderr != nil {
		io.WriteString(a.Stderr, msg+"\n")
	}
}

// Rest returns the words not yet taken.
func (a *Args) Rest() []string { return a.words[a.i:] }

// Value takes the argument of option opt, failing as NEXT_ARG does when
// there is none: `Command line is not complete. Try option "help"`.
func (a *Args) Value() (string, error) {
	if !a.More() {
		return "", Incomplete()
	}
	return a.Next(), nil
}

// Matches is iproute2's matches(): word is a non-empty prefix of full.
func Matches(word, full string) bool {
	return word != "" && len(word) <= len(full) && strings.HasPrefix(full, word)
}

// UsageError is a refusal of the command line itself: the text tc prints to
// standard error (nothing when Msg is empty) and the exit code it returns.
// Exit marks the refusals iproute2 makes with exit() rather than by
// returning: in a -batch file they end tc at once, with no "Command
// failed" line and no -force to go on.
type UsageError struct {
	Msg  string
	Code int
	Exit bool
}

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError with exit code 1, tc's code for a bad option.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...), Code: 1}
}

// Exitf builds a UsageError that ends tc with the given code, as a C
// exit(code) after printing the message does (exit(-1) is code 255).
func Exitf(code int, format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...), Code: code & 0xFF, Exit: true}
}

// Incomplete is incomplete_command(): a word wanted its argument.
func Incomplete() error {
	return Exitf(255, "Command line is not complete. Try option \"help\"")
}

// InvArg is invarg(msg, arg): "Error: argument "arg" is wrong: msg".
func InvArg(msg, arg string) error {
	return Exitf(255, "Error: argument \"%s\" is wrong: %s", arg, msg)
}

// DupArg is duparg(key, arg).
func DupArg(key, arg string) error {
	return Exitf(255, "Error: duplicate \"%s\": \"%s\" is the second value.", key, arg)
}

// DupArg2 is duparg2(key, arg).
func DupArg2(key, arg string) error {
	return Exitf(255, "Error: either \"%s\" is duplicate, or \"%s\" is a garbage.", key, arg)
}

// MissArg is missarg(key).
func MissArg(key string) error {
	return Exitf(255, "Error: argument \"%s\" is required", key)
}

// Fail is a refusal that returns -1 from the command (exit code 255)
// after printing the message.
func Fail(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...), Code: 255}
}
