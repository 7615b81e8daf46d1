package reqfile

import (
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep508"
)

// Error is a problem in an input file. Its message reads
//
//	requirements.txt:3:5: invalid requirement "foo>>1": <reason>
//
// with the position, Msg, the quoted Text (when set; at most
// pep508.MaxQuote characters of it) and Err (when set).
type Error struct {
	File string // file name as given or joined from an include
	Line int    // 1-based line; 0 when unknown
	Col  int    // 1-based byte column; 0 when unknown
	Text string // offending text, quoted in the message; "" to omit
	Msg  string // what is wrong, e.g. "invalid requirement"
	Err  error  // underlying cause, or nil
}

// Error formats the error as file:line:col: message, followed by the
// offending text when there is one.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteString(":" + strconv.Itoa(e.Col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Text != "" {
		b.WriteString(" " + pep508.Excerpt(e.Text, e.Col-1))
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
