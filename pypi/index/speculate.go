package index

import (
	"context"
	"sync"
)

// Speculative fetches: a resolver's lookahead asks for pages and metadata
// it may never use. Such a fetch is answered from the cache like any other,
// but one that would go to the network waits until either
//
//   - some fetch that a caller needed went to the network (the client's
//     network gate opens: the cache is not enough for this run, so guessing
//     ahead pays), or
//   - a caller that needs the same key joins it (the memo promotes it).
//
// A run whose every needed entry is cached and fresh therefore makes no
// request and opens no connection, even for guesses that an earlier run
// abandoned before they were cached; a cold run opens the gate with its
// first request and speculates as before.

// specFlag marks a context whose fetches are speculative (Speculative).
type specFlag struct{}

// specMarkKey holds the *specMark of the memoised call a fetch serves.
type specMarkKey struct{}

// Speculative returns a context under which Client fetches are guesses: a
// fetch that needs the network waits (see the comment above) until the
// run has needed the network anyway or a caller needs the same result.
// Cancel the context to abandon the waiting guesses.
func Speculative(ctx context.Context) context.Context {
	return context.WithValue(ctx, specFlag{}, true)
}

// specMark is one speculative memoised call: demand is closed when a
// caller that needs its result joins.
type specMark struct {
	once   sync.Once
	demand chan struct{}
}

func (m *specMark) promote() {
	if m != nil {
		m.once.Do(func() { close(m.demand) })
	}
}

func (m *specMark) promoted() bool {
	select {
	case <-m.demand:
		return true
	default:
		return false
	}
}

// callerMark tells how a caller of a memoised call stands: nil for a
// caller that needs the result; the mark of the speculative call it runs
// inside (nested calls share their parent's mark, so that promoting either
// releases both); or, for a fresh speculative caller, a new mark.
func callerMark(ctx context.Context) (m *specMark, speculative bool) {
	if m, ok := ctx.Value(specMarkKey{}).(*specMark); ok {
		if m.promoted() {
			return nil, false
		}
		return m, true
	}
	if ctx.Value(specFlag{}) != nil {
		return &specMark{demand: make(chan struct{})}, true
	}
	return nil, false
}

// netGate is opened by the first needed fetch that goes to the network.
type netGate struct {
	once sync.Once
	ch   chan struct{}
}

func (g *netGate) init() { g.ch = make(chan struct{}) }

// NetworkNeeded returns a channel that is closed once a fetch a caller
// needed (not a speculative one) went to the network: until then every
// answer came from the cache or a local source, and guessing ahead would
// only repeat cache reads the caller makes anyway.
func (c *Client) NetworkNeeded() <-chan struct{} { return c.gate.ch }

func (g *netGate) open() { g.once.Do(func() { close(g.ch) }) }

// awaitNetwork blocks a speculative fetch that needs the network until the
// gate opens, a caller needs it, or ctx ends; then it opens the gate (a
// needed fetch goes to the network from here on).
func (c *Client) awaitNetwork(ctx context.Context) error {
	if m, ok := ctx.Value(specMarkKey{}).(*specMark); ok {
		select {
		case <-c.gate.ch:
		case <-m.demand:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.gate.open()
	return nil
}
