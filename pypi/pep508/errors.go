package pep508

import (
	"fmt"
	"unicode/utf8"
)

// SyntaxError is the error ParseRequirement and ParseMarker return. Pos and
// End are byte offsets into Input of the offending span (End >= Pos).
type SyntaxError struct {
	What  string // "requirement" or "marker"
	Input string
	Pos   int
	End   int
	Msg   string
}

// Column returns the 1-based column (in characters) of Pos.
func (e *SyntaxError) Column() int {
	p := e.Pos
	if p > len(e.Input) {
		p = len(e.Input)
	}
	return utf8.RuneCountInString(e.Input[:p]) + 1
}

// Error names the input and the (1-based, in runes) column of the problem.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid %s %s: %s at column %d", e.What, Excerpt(e.Input, e.Pos), e.Msg, e.Column())
}

// MaxQuote is the most characters of user input an error message quotes.
const MaxQuote = 200

// MaxNameLength is the longest project or extra name accepted (PEP 508
// sets no limit; real names are far shorter, and a huge "name" is an input
// mistake best reported before it reaches the index or a message).
const MaxNameLength = 200

// Excerpt quotes s for an error message (Go %q syntax). Input longer than
// MaxQuote characters is cut to a window of about MaxQuote characters
// around byte offset pos, with "..." marking what was left out and the
// total length, so that a megabyte-long line is never echoed whole.
func Excerpt(s string, pos int) string {
	if utf8.RuneCountInString(s) <= MaxQuote {
		return fmt.Sprintf("%q", s)
	}
	pos = max(0, min(pos, len(s)))
	start := max(0, pos-MaxQuote/2)
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	end := start
	for n := 0; end < len(s) && n < MaxQuote; n++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	out := fmt.Sprintf("%q", s[start:end])
	if start > 0 {
		out = "..." + out
	}
	if end < len(s) {
		out += "..."
	}
	return fmt.Sprintf("%s (%d bytes)", out, len(s))
}
