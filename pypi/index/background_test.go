package index

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// holdTransport never answers: each request blocks until it is cancelled.
// It counts requests started and returned.
type holdTransport struct{ started, returned atomic.Int32 }

func (h *holdTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h.started.Add(1)
	defer h.returned.Add(1)
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// holdClient is a Client whose every request blocks until cancelled.
func holdClient(t *testing.T) (*Client, *holdTransport) {
	h := &holdTransport{}
	c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull,
		HTTPClient: &http.Client{Transport: h}})
	if err != nil {
		t.Fatal(err)
	}
	return c, h
}

// TestCloseJoinsPrefetch: Close cancels the prefetches in flight and
// returns only once their goroutines have; prefetches after Close are
// dropped.
func TestCloseJoinsPrefetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h := holdClient(t)
		c.Prefetch("a", "b")
		c.PrefetchMetadata(File{Filename: "c-1.0-py3-none-any.whl", URL: "http://index.test/files/c-1.0-py3-none-any.whl"})
		synctest.Wait() // every prefetch is blocked in the transport
		if n := h.started.Load(); n != 3 {
			t.Fatalf("%d requests started, want 3", n)
		}
		c.Close()
		if n := h.returned.Load(); n != 3 {
			t.Fatalf("Close returned with %d of 3 prefetches still running", 3-n)
		}
		c.Prefetch("d")
		c.Close() // idempotent
		synctest.Wait()
		if n := h.started.Load(); n != 3 {
			t.Errorf("a prefetch after Close started a request (%d started)", n)
		}
	})
}

// TestWaiterErrorNamesURL: a caller whose deadline passes while it waits
// for another caller's fetch of the same page (here a prefetch) gets an
// error naming the project and URL, as the fetcher's own error would, not
// a bare "context deadline exceeded".
func TestWaiterErrorNamesURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h := holdClient(t)
		defer c.Close()
		c.Prefetch("Sniffio")
		c.PrefetchMetadata(File{Filename: "sniffio-1.3.0-py3-none-any.whl", URL: "http://index.test/files/sniffio-1.3.0-py3-none-any.whl#sha256=00"})
		synctest.Wait() // both fetches are in flight, blocked in the transport
		for _, tc := range []struct {
			name string
			call func(ctx context.Context) error
			want string
		}{
			{"project", func(ctx context.Context) error { _, err := c.Project(ctx, "sniffio"); return err },
				"sniffio: GET http://index.test/simple/sniffio/: context deadline exceeded"},
			{"metadata", func(ctx context.Context) error {
				_, err := c.Metadata(ctx, File{Filename: "sniffio-1.3.0-py3-none-any.whl", URL: "http://index.test/files/sniffio-1.3.0-py3-none-any.whl#sha256=00"})
				return err
			}, "sniffio 1.3.0: GET http://index.test/files/sniffio-1.3.0-py3-none-any.whl"},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := tc.call(ctx)
			cancel()
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v, want an *Error wrapping the deadline and containing %q", tc.name, err, tc.want)
			}
			if n := h.started.Load(); n != 2 {
				t.Errorf("%s: %d requests, want 2 (the waiter must not fetch again)", tc.name, n)
			}
		}
	})
}
