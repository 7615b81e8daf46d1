package index

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/semaphore"
)

// The HTTP stack, outermost first:
//
//	cache (fetch.go) → retryablehttp (retries, backoff, Retry-After)
//	→ http.Client (redirects) → transport (semaphore, stats, per-attempt
//	timeout, whole body read with a size limit) → base transport (keep-alive)
//
// The semaphore is held only while one attempt is on the wire, never while
// backing off or waiting on other work, so nested fan-out cannot deadlock.
// Reading the body inside RoundTrip turns a truncated body or a reset
// mid-body into a transport error that the retry layer retries.

type limitKey struct{}

func withLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, limitKey{}, n)
}

type transport struct {
	c       *Client
	base    http.RoundTripper
	sem     *semaphore.Weighted
	timeout time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.sem.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	defer t.sem.Release(1)
	t.c.beginRequest(req)
	defer t.c.endRequest()

	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(req.WithContext(actx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit, _ := ctx.Value(limitKey{}).(int64)
	if limit <= 0 {
		limit = 64 << 20
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	t.c.addBytes(int64(len(body)))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("reading body: timeout after %s: %w", t.timeout, err)
		}
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength && req.Method != http.MethodHead {
		return nil, fmt.Errorf("reading body: %w (%d of %d bytes)", io.ErrUnexpectedEOF, len(body), resp.ContentLength)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// retryKey carries a *retryCounter: retries of one logical request.
type retryKey struct{}

type retryCounter struct{ n int }

func (c *Client) newRetryClient(base http.RoundTripper) *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.RetryMax = c.opts.Retries
	rc.RetryWaitMin = c.retryWaitMin
	rc.RetryWaitMax = c.retryWaitMax
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.CheckRetry = c.checkRetry
	rc.Backoff = c.backoff
	rc.HTTPClient = &http.Client{
		Transport: &transport{c: c, base: base, sem: semaphore.NewWeighted(int64(c.opts.Concurrency)), timeout: c.opts.Timeout},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("refusing redirect to %s URL", req.URL.Scheme)
			}
			return nil
		},
	}
	rc.RequestLogHook = func(_ retryablehttp.Logger, req *http.Request, attempt int) {
		if attempt == 0 {
			return
		}
		if rcnt, ok := req.Context().Value(retryKey{}).(*retryCounter); ok {
			rcnt.n++
		}
		c.mu.Lock()
		c.stats.Retries++
		c.mu.Unlock()
		c.emit(Event{Kind: "retry", URL: Redact(req.URL.String())})
	}
	return rc
}

// checkRetry retries transport errors (resets, truncated bodies, timeouts
// of one attempt), 429 and 5xx except 501; never 4xx, oversized bodies,
// certificate errors or a cancelled caller.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var cert *x509.UnknownAuthorityError
		var host x509.HostnameError
		switch {
		case errors.Is(err, ErrTooLarge), errors.As(err, &cert), errors.As(err, &host),
			strings.Contains(err.Error(), "refusing redirect"), strings.Contains(err.Error(), "stopped after 10 redirects"):
			return false, err
		}
		return true, nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return true, nil
	}
	return false, nil
}

// backoff honours Retry-After on 429/503 (capped at MaxRetryAfter, plus up
// to 10% or 50 ms of jitter) and otherwise waits exponentially with jitter:
// a random duration in [d/2, d] for d = min·2^attempt capped at max.
func (c *Client) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			if d > c.opts.MaxRetryAfter {
				d = c.opts.MaxRetryAfter
			}
			j := d / 10
			if j < 50*time.Millisecond {
				j = 50 * time.Millisecond
			}
			return d + rand.N(j)
		}
	}
	d := lo << min(attempt, 30)
	if d > hi || d <= 0 {
		d = hi
	}
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2)
}

// retryAfter parses delay-seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			n = 0
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// Stats bookkeeping.

func (c *Client) beginRequest(req *http.Request) {
	c.mu.Lock()
	c.stats.Requests++
	c.inflight++
	if c.inflight > c.stats.PeakConcurrency {
		c.stats.PeakConcurrency = c.inflight
	}
	c.mu.Unlock()
	c.emit(Event{Kind: "request", URL: Redact(req.URL.String())})
}

func (c *Client) endRequest() {
	c.mu.Lock()
	c.inflight--
	c.mu.Unlock()
}

func (c *Client) addBytes(n int64) {
	c.mu.Lock()
	c.stats.Bytes += n
	c.mu.Unlock()
}

var emitMu sync.Mutex

// emit delivers an event; events are serialised, so the callback needs no
// locking of its own.
func (c *Client) emit(e Event) {
	if c.opts.Events == nil {
		return
	}
	e.URL = Redact(e.URL)
	emitMu.Lock()
	defer emitMu.Unlock()
	c.opts.Events(e)
}
