package tccli

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/netsched/netsched/tc"
)

// getCmdLine reads one command line as iproute2's getcmdline: a '#' starts
// a comment, a backslash before the newline joins the next line. ok is
// false at the end of the input.
func getCmdLine(r *bufio.Reader, lineno *int) (string, bool, error) {
	line, err := r.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", false, nil
	}
	*lineno++
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	for {
		i := strings.Index(line, "\\\n")
		if i < 0 {
			break
		}
		next, err := r.ReadString('\n')
		if err != nil && (err != io.EOF || next == "") {
			return "", false, errMissingContinuation
		}
		*lineno++
		if j := strings.IndexByte(next, '#'); j >= 0 {
			next = next[:j]
		}
		line = line[:i] + next
	}
	return line, true, nil
}

// errMissingContinuation ends a batch as the end of the file does, after
// the message.
var errMissingContinuation = errors.New("Missing continuation line")

// maxArgs is MAX_ARGS of iproute2's utils.h.
const maxArgs = 512

// makeArgs splits a command line into words as iproute2's makeargs: white
// space separates, a word that begins with a quote runs to the same quote.
func makeArgs(line string) ([]string, error) {
	const ws = " \t\r\n"
	var words []string
	i := 0
	for i < len(line) {
		for i < len(line) && strings.IndexByte(ws, line[i]) >= 0 {
			i++
		}
		if i >= len(line) {
			break
		}
		if len(words) >= maxArgs-1 {
			return nil, tc.Exitf(1, "Too many arguments to command")
		}
		if q := line[i]; q == '\'' || q == '"' {
			j := strings.IndexByte(line[i+1:], q)
			if j < 0 {
				return nil, tc.Exitf(1, "Unterminated quoted string")
			}
			words = append(words, line[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(line) && strings.IndexByte(ws, line[j]) < 0 {
			j++
		}
		words = append(words, line[i:j])
		if j >= len(line) {
			break
		}
		i = j + 1
	}
	return words, nil
}

func asErrno(err error) (syscall.Errno, bool) {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e, true
	}
	return 0, false
}
