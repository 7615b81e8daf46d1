package index

import (
	"context"
	"sync"
)

// background runs a Client's fire-and-forget work (prefetches). Each task
// gets its own cancellable context; close cancels them all and waits for
// every task to return. No context is kept: only the cancel functions of
// the tasks still running.
type background struct {
	mu      sync.Mutex
	closed  bool
	next    uint64
	cancels map[uint64]context.CancelFunc
	wg      sync.WaitGroup
}

// spawn runs fn in a new goroutine unless the group is closed.
func (b *background) spawn(fn func(ctx context.Context)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if b.cancels == nil {
		b.cancels = map[uint64]context.CancelFunc{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	id := b.next
	b.next++
	b.cancels[id] = cancel
	b.wg.Go(func() {
		defer func() {
			b.mu.Lock()
			delete(b.cancels, id)
			b.mu.Unlock()
			cancel()
		}()
		fn(ctx)
	})
}

// close cancels the running tasks, refuses new ones and waits for the
// running ones to return.
func (b *background) close() {
	b.mu.Lock()
	b.closed = true
	for _, cancel := range b.cancels {
		cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
