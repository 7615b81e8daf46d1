package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"
)

// getReq is one logical GET (retries happen below it).
type getReq struct {
	url      string // may carry userinfo
	accept   string
	rangeHdr string
	limit    int64
	cache    bool // HTTP cache semantics (JSON API, find-links pages); others are cached by content elsewhere
	// ownCache marks a response its caller caches itself (project pages,
	// in pages entries): no HTTP entry is read or written, the request
	// carries reval's validators (the caller's stale entry, if any), and
	// the response's cache header comes back in stored (notModified when
	// the index answered 304 to reval).
	ownCache bool
	reval    *cacheHeader
	// for errors
	op, project, version string
}

type getResp struct {
	body   []byte
	final  *url.URL // after redirects, without userinfo
	status int
	header http.Header
	ctype  string
	cached bool
	stored *cacheHeader // the HTTP cache entry's header, when the response is in the cache
	// notModified: the index answered 304 to getReq.reval; stored is then
	// reval refreshed (nil when the answer forbids storing).
	notModified bool
}

func (r *getReq) err(status, retries int, err error) *Error {
	return &Error{Op: r.op, Project: r.project, Version: r.version, URL: Redact(r.url), Status: status, Retries: retries, Err: err}
}

// get performs a GET through the cache: a fresh entry (or any entry when
// offline) answers without a request; a stale one is revalidated with
// If-None-Match / If-Modified-Since.
func (c *Client) get(ctx context.Context, r getReq) (*getResp, error) {
	outer := ctx
	if c.opts.TotalTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.TotalTimeout)
		defer cancel()
	}
	resp, err := c.getCached(ctx, r)
	if err != nil && outer.Err() == nil && ctx.Err() != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Err = fmt.Errorf("gave up after %s (total timeout per request, retries included)", c.opts.TotalTimeout)
		}
	}
	return resp, err
}

func (c *Client) getCached(ctx context.Context, r getReq) (*getResp, error) {
	key := Redact(r.url) + "\x00" + r.accept
	var ent *cacheEntry
	var path string
	if r.cache && c.cache != nil {
		path = c.cache.httpPath(key)
		var corrupt bool
		var err error
		ent, corrupt, err = c.cache.read(path, key)
		if err != nil {
			return nil, r.err(0, 0, err)
		}
		if corrupt {
			c.emit(Event{Kind: "cache-corrupt", Project: r.project, URL: r.url})
		}
		if ent != nil && (c.opts.Offline || (!c.opts.Refresh && ent.fresh(c.cache.now()))) {
			c.countHit(r.project, r.url)
			return entryResp(ent), nil
		}
	}
	if c.opts.Offline {
		return nil, r.err(0, 0, fmt.Errorf("%w: %s", ErrOffline, Redact(r.url)))
	}
	if err := c.awaitNetwork(ctx); err != nil {
		return nil, r.err(0, 0, err)
	}
	hdr := http.Header{}
	if r.accept != "" {
		hdr.Set("Accept", r.accept)
	}
	if r.rangeHdr != "" {
		hdr.Set("Range", r.rangeHdr)
	}
	validators := r.reval
	if ent != nil {
		validators = &ent.hdr
	}
	if validators != nil {
		if validators.ETag != "" {
			hdr.Set("If-None-Match", validators.ETag)
		}
		if validators.LastModified != "" {
			hdr.Set("If-Modified-Since", validators.LastModified)
		}
	}
	resp, body, retries, err := c.do(ctx, r.url, hdr, r.limit)
	if err != nil {
		return nil, r.err(0, retries, err)
	}
	final := resp.Request.URL
	switch {
	case resp.StatusCode == http.StatusNotModified && validators != nil:
		c.mu.Lock()
		c.stats.Revalidated++
		c.mu.Unlock()
		c.emit(Event{Kind: "revalidated", Project: r.project, URL: r.url})
		refreshed := c.revalidated(*validators, resp.Header)
		if ent == nil {
			return &getResp{final: stripUser(final), status: resp.StatusCode, header: resp.Header, notModified: true, stored: refreshed}, nil
		}
		if refreshed != nil {
			ent.hdr = *refreshed
			c.cacheStore(path, encodeEntry(ent.hdr, ent.body))
		}
		return entryResp(ent), nil
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent:
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, r.err(resp.StatusCode, retries, ErrNotFound)
	default:
		return nil, r.err(resp.StatusCode, retries, errStatus)
	}
	out := &getResp{body: body, final: stripUser(final), status: resp.StatusCode, header: resp.Header,
		ctype: resp.Header.Get("Content-Type")}
	if (r.cache || r.ownCache) && c.cache != nil && resp.StatusCode == http.StatusOK {
		if store, maxAge, imm := cachePolicy(resp.Header); store {
			hdr := cacheHeader{Key: key, URL: out.final.String(), ETag: resp.Header.Get("ETag"),
				LastModified: resp.Header.Get("Last-Modified"), Stored: c.cache.now().Unix(), MaxAge: maxAge,
				ContentType: out.ctype, Status: 200, Immutable: imm}
			if r.cache {
				c.cacheStore(path, encodeEntry(hdr, body))
			}
			out.stored = &hdr
		}
	}
	return out, nil
}

// revalidated returns the cache header hdr refreshed by a 304 answer's
// headers h (freshness restarts now; a new max-age or ETag replaces the
// old), or nil when h forbids storing.
func (c *Client) revalidated(hdr cacheHeader, h http.Header) *cacheHeader {
	store, maxAge, _ := cachePolicy(h)
	if !store {
		return nil
	}
	if h.Get("Cache-Control") != "" {
		hdr.MaxAge = maxAge
	}
	if e := h.Get("ETag"); e != "" {
		hdr.ETag = e
	}
	hdr.Stored = c.cache.now().Unix()
	return &hdr
}

func entryResp(e *cacheEntry) *getResp {
	u, _ := url.Parse(e.hdr.URL)
	return &getResp{body: e.body, final: u, status: 200, ctype: e.hdr.ContentType, cached: true, header: http.Header{}, stored: &e.hdr}
}

func (c *Client) countHit(project, u string) {
	c.mu.Lock()
	c.stats.CacheHits++
	c.mu.Unlock()
	c.emit(Event{Kind: "cache-hit", Project: project, URL: u})
}

func stripUser(u *url.URL) *url.URL {
	v := *u
	v.User = nil
	return &v
}

// do sends one logical request (with retries) and returns the buffered body.
func (c *Client) do(ctx context.Context, rawURL string, hdr http.Header, limit int64) (*http.Response, []byte, int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("bad URL %q", Redact(rawURL))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, nil, 0, fmt.Errorf("unsupported URL scheme %q", u.Scheme)
	}
	rc := &retryCounter{}
	ctx = context.WithValue(withLimit(ctx, limit), retryKey{}, rc)
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, 0, cleanNetErr(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	c.creds.apply(req.Request)
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", ctx.Err(), cleanNetErr(err))
		}
		return nil, nil, rc.n, cleanNetErr(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // already buffered by transport
	if err != nil {
		return nil, nil, rc.n, cleanNetErr(err)
	}
	return resp, body, rc.n, nil
}
