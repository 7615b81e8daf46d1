package index

import (
	"context"
	"sync"
)

// memo runs a function once per key and remembers its result, errors
// included (like cmd/go's par.ErrCache): concurrent callers of a key wait
// for the first one (singleflight) and later callers get the stored result.
// A result spoiled by the first caller's cancellation is forgotten, so a
// caller with a live context computes it afresh. A call started by a
// speculative caller (Speculative) carries a mark that a caller needing
// the result promotes (see speculate.go).
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[V]
}

type memoCall[V any] struct {
	done      chan struct{}
	mark      *specMark // nil unless started speculatively
	v         V
	err       error
	forgotten bool
}

// do returns fn's result for key, computing it once. A caller that waits
// for another's call and whose own context ends first gets
// waitErr(ctx.Err()) (nil waitErr: ctx.Err()), so that its error names
// what it was waiting for as the fetcher's own error would.
func (m *memo[V]) do(ctx context.Context, key string, fn func(context.Context) (V, error), waitErr func(error) error) (V, error) {
	for {
		m.mu.Lock()
		if m.m == nil {
			m.m = map[string]*memoCall[V]{}
		}
		call, ok := m.m[key]
		mark, speculative := callerMark(ctx)
		if !ok {
			call = &memoCall[V]{done: make(chan struct{}), mark: mark}
			m.m[key] = call
			m.mu.Unlock()
			fctx := ctx
			if speculative {
				fctx = context.WithValue(ctx, specMarkKey{}, mark)
			}
			call.v, call.err = fn(fctx)
			if call.err != nil && ctx.Err() != nil {
				m.mu.Lock()
				delete(m.m, key)
				call.forgotten = true
				m.mu.Unlock()
			}
			close(call.done)
			return call.v, call.err
		}
		m.mu.Unlock()
		if !speculative {
			call.mark.promote()
		}
		select {
		case <-call.done:
			if call.forgotten && ctx.Err() == nil {
				continue
			}
			return call.v, call.err
		case <-ctx.Done():
			var zero V
			if waitErr != nil {
				return zero, waitErr(ctx.Err())
			}
			return zero, ctx.Err()
		}
	}
}

// peek returns the stored result of key when its call has finished
// without error.
func (m *memo[V]) peek(key string) (V, bool) {
	m.mu.Lock()
	call, ok := m.m[key]
	m.mu.Unlock()
	var zero V
	if !ok {
		return zero, false
	}
	select {
	case <-call.done:
		if call.err != nil {
			return zero, false
		}
		return call.v, true
	default:
		return zero, false
	}
}
