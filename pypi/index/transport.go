package index

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
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

	actx, idle, stop := t.c.attemptContext(ctx, req, t.timeout)
	defer stop()
	resp, err := t.base.RoundTrip(req.WithContext(actx))
	if err != nil {
		return nil, attemptErr(actx, ctx, err, t.timeout)
	}
	defer resp.Body.Close()
	limit, _ := ctx.Value(limitKey{}).(int64)
	if limit <= 0 {
		limit = 64 << 20
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(idle(resp.Body), limit+1))
	t.c.addBytes(int64(len(body)))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", attemptErr(actx, ctx, err, t.timeout))
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

// errTimeout is wrapped when one attempt got no response, or no body
// bytes, for the read timeout (Options.Timeout).
var errTimeout = errors.New("timeout")

// waitNotice is how long an attempt waits for its response before the
// client reports what it is waiting for (a "waiting" event, repeated
// every waitNotice while the wait goes on).
const waitNotice = 3 * time.Second

// attemptContext derives the context of one attempt: it is cancelled when
// no response headers, or no body bytes, arrived for timeout (a read
// timeout, not a limit on the whole transfer). idle wraps the body so
// that every read restarts the clock; stop releases the timer.
func (c *Client) attemptContext(ctx context.Context, req *http.Request, timeout time.Duration) (actx context.Context, idle func(io.Reader) io.Reader, stop func()) {
	actx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(timeout, func() { cancel(errTimeout) })
	var mu sync.Mutex
	start, got := time.Now(), false
	var notice *time.Timer
	if c.opts.Events != nil {
		u := Redact(req.URL.String())
		var tick func()
		tick = func() {
			mu.Lock()
			defer mu.Unlock()
			if got || actx.Err() != nil {
				return
			}
			c.emit(Event{Kind: "waiting", URL: u, Waited: time.Since(start).Round(time.Second)})
			notice.Reset(waitNotice)
		}
		mu.Lock()
		notice = time.AfterFunc(waitNotice, tick)
		mu.Unlock()
	}
	idle = func(r io.Reader) io.Reader {
		mu.Lock()
		got = true
		mu.Unlock()
		return &idleReader{r: r, timer: timer, d: timeout}
	}
	stop = func() {
		timer.Stop()
		mu.Lock()
		got = true
		if notice != nil {
			notice.Stop()
		}
		mu.Unlock()
		cancel(nil)
	}
	return actx, idle, stop
}

// idleReader restarts a read timeout on every read that returns data.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.d)
	}
	return n, err
}

// attemptErr names a read timeout of one attempt as such (the caller's
// own cancellation is left alone).
func attemptErr(actx, ctx context.Context, err error, timeout time.Duration) error {
	if ctx.Err() == nil && errors.Is(context.Cause(actx), errTimeout) {
		return fmt.Errorf("%w: nothing received for %s", errTimeout, timeout)
	}
	return err
}

// retryKey carries a *retryCounter: retries of one logical request.
type retryKey struct{}

type retryCounter struct {
	n        int
	timeouts int // attempts that timed out
}

// maxTimeouts is how many timed-out attempts a logical request makes
// before giving up (other transient failures get Options.Retries): a
// silent index fails after 2 × Options.Timeout, 30 s by default.
const maxTimeouts = 2

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
		Transport:     &transport{c: c, base: base, sem: semaphore.NewWeighted(int64(c.opts.Concurrency)), timeout: c.opts.Timeout},
		CheckRedirect: checkRedirect,
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

// checkRedirect follows at most 10 redirects, to http(s) URLs only.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing redirect to %s URL", req.URL.Scheme)
	}
	return nil
}

// checkRetry retries transport errors (resets, truncated bodies, timeouts
// of one attempt), 429 and 5xx except 501; never 4xx, oversized bodies,
// certificate errors or a cancelled caller.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var ne net.Error
		if errors.Is(err, errTimeout) || (errors.As(err, &ne) && ne.Timeout()) {
			if rc, ok := ctx.Value(retryKey{}).(*retryCounter); ok {
				rc.timeouts++
				if rc.timeouts >= maxTimeouts {
					return false, err
				}
			}
			return true, nil
		}
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
