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
	return fmt.Sprintf("invalid %s %q: %s at column %d", e.What, e.Input, e.Msg, e.Column())
}
