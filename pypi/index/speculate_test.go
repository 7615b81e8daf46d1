package index

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/pylock/pylock/internal/fakeindex"
)

// TestSpeculativeFetchWaitsForTheNetworkGate: a speculative fetch that
// would need the network waits; a caller needing the same key releases
// it; a needed fetch that goes to the network opens the gate for every
// guess; a cancelled guess returns without a request. Cached entries
// answer guesses at once.
func TestSpeculativeFetchWaitsForTheNetworkGate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{})
		cache := t.TempDir()
		c := newBubbleClient(t, h, Options{CacheDir: cache})
		if _, err := c.Project(context.Background(), "qux"); err != nil { // cached for the next client
			t.Fatal(err)
		}
		c = newBubbleClient(t, h, Options{CacheDir: cache})
		h.ResetStats()
		spec := Speculative(context.Background())

		// A cached page answers a guess without the network.
		if _, err := c.Project(spec, "qux"); err != nil {
			t.Fatal(err)
		}
		// An uncached one waits...
		cctx, cancel := context.WithCancel(spec)
		cancelled := make(chan error, 1)
		go func() { _, err := c.Project(cctx, "baz"); cancelled <- err }()
		guess := make(chan error, 1)
		go func() { _, err := c.Project(spec, "foo-bar"); guess <- err }()
		synctest.Wait()
		if n := h.Stats().Requests; n != 0 {
			t.Fatalf("guesses made %d requests before anything needed the network", n)
		}
		// ...until cancelled (no request) or needed.
		cancel()
		if err := <-cancelled; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled guess: %v", err)
		}
		if _, err := c.Project(context.Background(), "foo-bar"); err != nil {
			t.Fatal(err)
		}
		if err := <-guess; err != nil {
			t.Errorf("promoted guess: %v", err)
		}
		if n := h.Stats().Requests; n != 1 {
			t.Errorf("%d requests, want 1 (foo-bar)", n)
		}
		// The gate is open: a new guess goes straight to the network.
		if _, err := c.Project(spec, "baz"); err != nil {
			t.Fatal(err)
		}
		if n := h.Stats().Requests; n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// TestNeededFetchOpensTheGate: a needed fetch that goes to the network
// releases the guesses already waiting.
func TestNeededFetchOpensTheGate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{})
		c := newBubbleClient(t, h, Options{CacheDir: t.TempDir()})
		guess := make(chan error, 1)
		go func() { _, err := c.Project(Speculative(context.Background()), "baz"); guess <- err }()
		synctest.Wait()
		if n := h.Stats().Requests; n != 0 {
			t.Fatalf("%d requests before anything was needed", n)
		}
		if _, err := c.Project(context.Background(), "qux"); err != nil {
			t.Fatal(err)
		}
		if err := <-guess; err != nil {
			t.Fatal(err)
		}
		if n := h.Stats().Requests; n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}
