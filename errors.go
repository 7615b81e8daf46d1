package pylock

import (
	"errors"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/resolver"
)

// Kind classifies a failure of Resolve; cmd/pylock maps kinds to exit codes.
type Kind int

// The kinds of failure.
const (
	KindUsage      Kind = iota + 1 // bad input, bad option value (also an internal error)
	KindNoSolution                 // no resolution exists, or the search budget ran out
	KindIndex                      // index or network failure
)

// String names the kind ("usage", "no-solution", "index").
func (k Kind) String() string {
	switch k {
	case KindUsage:
		return "usage"
	case KindNoSolution:
		return "no-solution"
	case KindIndex:
		return "index"
	}
	return "unknown"
}

// Error is a pipeline failure of a known Kind. Err's message is the
// user-facing text (file:line for bad input, the requirement chain for a
// conflict, the redacted URL for an index failure).
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usageErr(err error) error { return &Error{Kind: KindUsage, Err: err} }

// indexError marks an error that came from the index client, so that it can
// be told apart from a resolver failure after the resolver has wrapped it.
type indexError struct{ err error }

func (e *indexError) Error() string { return e.err.Error() }
func (e *indexError) Unwrap() error { return e.err }

// KindOf classifies any error returned by this package (or wrapping one):
// the Kind of an *Error in its chain, else what the error is (a
// *resolver.NoSolutionError, an index failure...); unknown errors are
// KindUsage. nil has kind 0.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return classify(err)
}

// classify picks the kind of an error that carries no *Error.
func classify(err error) Kind {
	var ns *resolver.NoSolutionError
	var be *resolver.BudgetError
	var ie *indexError
	switch {
	case errors.As(err, &ns), errors.As(err, &be):
		return KindNoSolution
	case errors.Is(err, index.ErrNeedsBuild):
		return KindNoSolution
	case errors.As(err, &ie), errors.Is(err, index.ErrOffline), errors.Is(err, index.ErrNotFound):
		return KindIndex
	}
	return KindUsage
}

// wrap attaches the kind classify picks to err (nil stays nil).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: classify(err), Err: err}
}
