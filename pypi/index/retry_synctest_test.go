package index

import (
	"context"
	"errors"
	"net/http"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pylock/pylock/internal/fakeindex"
)

// TestBackoffVirtualTime checks waiting between retries on a virtual clock
// (testing/synctest), over an in-memory transport to the fake index.
func TestBackoffVirtualTime(t *testing.T) {
	f503, f429, f500 := fakeindex.Fault503, fakeindex.Fault429, fakeindex.Fault500
	httpDate := func() string { return time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat) }
	for _, tc := range []struct {
		name       string
		retryAfter func() string
		faults     []fakeindex.Fault
		opts       Options
		min, max   time.Duration
	}{
		{"retry-after seconds", func() string { return "3" }, []fakeindex.Fault{f503, f429}, Options{},
			6 * time.Second, 6*time.Second + 2*300*time.Millisecond},
		{"retry-after capped", func() string { return "3600" }, []fakeindex.Fault{f503}, Options{MaxRetryAfter: 10 * time.Second},
			10 * time.Second, 11 * time.Second},
		{"retry-after http date", httpDate, []fakeindex.Fault{f503}, Options{},
			3 * time.Second, 4*time.Second + 400*time.Millisecond},
		{"exponential without retry-after", nil, []fakeindex.Fault{f500, f500, f500},
			Options{RetryWaitMin: time.Second, RetryWaitMax: 8 * time.Second},
			(1 + 2 + 4) * time.Second / 2, (1 + 2 + 4) * time.Second},
		{"exponential capped", nil, []fakeindex.Fault{f500, f500, f500, f500, f500},
			Options{RetryWaitMin: time.Second, RetryWaitMax: 3 * time.Second},
			(1 + 2 + 3 + 3 + 3) * time.Second / 2, (1 + 2 + 3 + 3 + 3) * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ra := "0"
				if tc.retryAfter != nil {
					ra = tc.retryAfter()
				}
				h := fakeindex.NewHandler(testIndex(), fakeindex.Options{RetryAfter: ra,
					Script: map[string][]fakeindex.Fault{"/simple/qux/": tc.faults}})
				o := tc.opts
				o.IndexURL, o.NoCache, o.NetrcPath = "http://index.test/simple/", true, os.DevNull
				o.HTTPClient = &http.Client{Transport: fakeindex.Transport(h)}
				c, err := New(o)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				start := time.Now()
				if _, err := c.Project(context.Background(), "qux"); err != nil {
					t.Fatal(err)
				}
				el := time.Since(start)
				if el < tc.min || el > tc.max {
					t.Errorf("waited %v, want [%v, %v]", el, tc.min, tc.max)
				}
				if st := c.Stats(); st.Retries != len(tc.faults) {
					t.Errorf("stats %+v", st)
				}
			})
		})
	}
}

// TestTotalTimeout: a server that keeps answering 503 with a long
// Retry-After is abandoned at TotalTimeout.
func TestTotalTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{FailRate: 1, FailKinds: []fakeindex.Fault{fakeindex.Fault503}, RetryAfter: "60"})
		c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull, Retries: 100,
			MaxRetryAfter: time.Minute, TotalTimeout: 3 * time.Minute, HTTPClient: &http.Client{Transport: fakeindex.Transport(h)}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Project(context.Background(), "qux")
		if err == nil || time.Since(start) > 3*time.Minute+time.Second {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
		t.Log(err)
	})
}

// ctxTransport makes an in-memory transport behave like a network one when
// the request's context ends before the handler answers: the caller gets
// the context's error, not the response the handler wrote afterwards.
type ctxTransport struct{ base http.RoundTripper }

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && req.Context().Err() != nil {
		resp.Body.Close()
		return nil, req.Context().Err()
	}
	return resp, err
}

// newBubbleClient returns a client of h over an in-memory transport, for
// use inside a synctest bubble (it is closed when the test ends).
func newBubbleClient(t *testing.T, h http.Handler, o Options) *Client {
	t.Helper()
	o.IndexURL, o.NetrcPath = "http://index.test/simple/", os.DevNull
	if o.CacheDir == "" {
		o.NoCache = true
	}
	o.HTTPClient = &http.Client{Transport: ctxTransport{fakeindex.Transport(h)}}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestPerRequestTimeoutRetried: an attempt that gets no answer is abandoned
// after Options.Timeout and retried; the retry succeeds.
func TestPerRequestTimeoutRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{Script: map[string][]fakeindex.Fault{"/simple/qux/": {fakeindex.FaultHang}}})
		const timeout = 100 * time.Millisecond
		c := newBubbleClient(t, h, Options{Timeout: timeout, RetryWaitMin: time.Second, RetryWaitMax: time.Second})
		start := time.Now()
		p, err := c.Project(context.Background(), "qux")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Files) == 0 {
			t.Errorf("no files: %+v", p)
		}
		// The hung attempt ends at the timeout, the retry waits [0.5 s, 1 s].
		if el := time.Since(start); el < timeout+time.Second/2 || el > timeout+time.Second {
			t.Errorf("took %v, want the %v timeout plus one backoff", el, timeout)
		}
		if st := c.Stats(); st.Retries != 1 || st.Requests != 2 {
			t.Errorf("stats %+v", st)
		}
		if log := h.Log(); len(log) != 2 || log[0].Fault != fakeindex.FaultHang || log[1].Status != 200 {
			t.Errorf("server log %+v", log)
		}
	})
}

// TestContextCancel: a caller's deadline ends a slow fetch with
// context.DeadlineExceeded at the deadline, not when the server answers,
// and the cancelled result is not memoised.
func TestContextCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{Latency: 2 * time.Second})
		c := newBubbleClient(t, h, Options{})
		const deadline = 50 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		_, err := c.Project(ctx, "qux")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		if el := time.Since(start); el != deadline {
			t.Errorf("returned after %v, want %v", el, deadline)
		}
		if st := c.Stats(); st.Retries != 0 {
			t.Errorf("a cancelled fetch was retried: %+v", st)
		}
		h.SetOptions(func(o *fakeindex.Options) { o.Latency = 0 })
		if _, err := c.Project(context.Background(), "qux"); err != nil {
			t.Fatalf("after cancel: %v", err)
		}
		if n := h.Stats().Requests; n != 2 {
			t.Errorf("%d server requests, want 2 (the cancelled fetch, then a fresh one)", n)
		}
	})
}

// TestConcurrencyBoundAndMemo: 40 projects fetched by 40 goroutines (plus
// two Prefetch calls) at Concurrency 4 take exactly 40 requests, never more
// than 4 in flight, and on a virtual clock with 20 ms latency exactly
// 10 rounds of 20 ms: the bound is reached, not just respected.
func TestConcurrencyBoundAndMemo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		idx, all := manyProjects(40)
		const latency = 20 * time.Millisecond
		h := fakeindex.NewHandler(idx, fakeindex.Options{Latency: latency})
		c := newBubbleClient(t, h, Options{Concurrency: 4})
		start := time.Now()
		c.Prefetch(all...)
		c.Prefetch(all...)
		projectsAtOnce(t, c, all)
		if el := time.Since(start); el != 10*latency {
			t.Errorf("took %v, want %v (40 requests, 4 at a time)", el, 10*latency)
		}
		st := c.Stats()
		if st.Requests != 40 || st.PeakConcurrency != 4 || h.Stats().PeakConcurrency != 4 {
			t.Errorf("client %+v server peak %d", st, h.Stats().PeakConcurrency)
		}
	})
}

// TestDefaultConcurrency: without Options.Concurrency a client keeps
// DefaultConcurrency requests in flight (100 projects at 20 ms: 2 rounds
// of 64 and 36), and PYLOCK_CONCURRENCY sets another bound (10: 10
// rounds).
func TestDefaultConcurrency(t *testing.T) {
	for _, tc := range []struct {
		env    string
		peak   int
		rounds time.Duration
	}{
		{"", DefaultConcurrency, 2},
		{"10", 10, 10},
		{"not a number", DefaultConcurrency, 2},
	} {
		t.Run("PYLOCK_CONCURRENCY="+tc.env, func(t *testing.T) {
			t.Setenv("PYLOCK_CONCURRENCY", tc.env)
			synctest.Test(t, func(t *testing.T) {
				idx, all := manyProjects(100)
				const latency = 20 * time.Millisecond
				h := fakeindex.NewHandler(idx, fakeindex.Options{Latency: latency})
				c := newBubbleClient(t, h, Options{})
				start := time.Now()
				projectsAtOnce(t, c, all)
				if el := time.Since(start); el != tc.rounds*latency {
					t.Errorf("took %v, want %v", el, tc.rounds*latency)
				}
				if st := c.Stats(); st.Requests != 100 || st.PeakConcurrency != tc.peak {
					t.Errorf("client %+v, want peak %d", st, tc.peak)
				}
			})
		})
	}
}

// projectsAtOnce fetches the pages of names, each from its own goroutine,
// and waits for them all.
func projectsAtOnce(t *testing.T, c *Client, names []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Project(context.Background(), n); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
