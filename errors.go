package pylock

import (
	"errors"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/resolver"
)

// Exit codes shared by every pylock command.
const (
	ExitOK         = 0 // success
	ExitNoSolution = 1 // no resolution exists (or the search budget ran out)
	ExitUsage      = 2 // bad input, bad flag value, unwritable output
	ExitIndex      = 3 // index or network failure
)

// Error is an engine failure with the exit code it maps to. Err's message is
// the user-facing text (file:line for bad input, the requirement chain for a
// conflict, the redacted URL for an index failure).
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usageErr(err error) error { return &Error{Code: ExitUsage, Err: err} }

// indexError marks an error that came from the index client, so that it can
// be told apart from a resolver failure after the resolver has wrapped it.
type indexError struct{ err error }

func (e *indexError) Error() string { return e.err.Error() }
func (e *indexError) Unwrap() error { return e.err }

// ExitCode maps any error returned by this package (or wrapping one) to a
// process exit code: 0 for nil, else 1, 2 or 3 as documented on the
// constants. Unknown errors are usage errors (2).
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return classify(err)
}

// classify picks the exit code for an error that carries no *Error.
func classify(err error) int {
	var ns *resolver.NoSolutionError
	var be *resolver.BudgetError
	var ie *indexError
	switch {
	case errors.As(err, &ns), errors.As(err, &be):
		return ExitNoSolution
	case errors.Is(err, index.ErrNeedsBuild):
		return ExitNoSolution
	case errors.As(err, &ie), errors.Is(err, index.ErrOffline), errors.Is(err, index.ErrNotFound):
		return ExitIndex
	}
	return ExitUsage
}

// wrap attaches the exit code classify picks to err (nil stays nil).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: classify(err), Err: err}
}
