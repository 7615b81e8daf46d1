package index

import (
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"testing/synctest"
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

// TestCloseJoinsPrefetch: Close cancels the prefetches in flight and
// returns only once their goroutines have; prefetches after Close are
// dropped.
func TestCloseJoinsPrefetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &holdTransport{}
		c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull,
			HTTPClient: &http.Client{Transport: h}})
		if err != nil {
			t.Fatal(err)
		}
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
