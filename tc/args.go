package tc

import (
	"fmt"
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

// Rest returns the words not yet taken.
func (a *Args) Rest() []string { return a.words[a.i:] }

// Value takes the argument of option opt, failing as NEXT_ARG does when
// there is none: `Command line is not complete. Try option "help"`.
func (a *Args) Value() (string, error) {
	if !a.More() {
		return "", &UsageError{Msg: "Command line is not complete. Try option \"help\"", Code: 255}
	}
	return a.Next(), nil
}

// Matches is iproute2's matches(): word is a non-empty prefix of full.
func Matches(word, full string) bool {
	return word != "" && len(word) <= len(full) && strings.HasPrefix(full, word)
}

// UsageError is a refusal of the command line itself: the text tc prints to
// standard error and the exit code it returns.
type UsageError struct {
	Msg  string
	Code int
}

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError with exit code 1, tc's code for a bad option.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...), Code: 1}
}
