package index

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/names"
	"golang.org/x/sync/errgroup"
)

// maxLocation is the longest index URL or path accepted.
const maxLocation = 4096

// DefaultIndexURL is used when Options.IndexURL is empty.
const DefaultIndexURL = "https://pypi.org/simple"

// New returns a Client. It validates the options, resolves index
// locations (URLs, local directories, file:// URLs) and creates the cache
// directory; it does no network I/O.
func New(opts Options) (*Client, error) {
	if err := setDefaults(&opts); err != nil {
		return nil, err
	}
	settle() // what earlier clients of this process fetched is on disk
	c := &Client{opts: opts, creds: newCredentials(opts.NetrcPath),
		retryWaitMin: opts.RetryWaitMin, retryWaitMax: opts.RetryWaitMax}
	c.gate.init()
	if !opts.NoCache {
		dir := opts.CacheDir
		if dir == "" {
			dir = os.Getenv("PYLOCK_CACHE_DIR")
		}
		if dir == "" {
			ucd, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("no cache directory (set --cache-dir or PYLOCK_CACHE_DIR): %w", err)
			}
			dir = filepath.Join(ucd, "pylock")
		}
		cache, err := newDiskCache(dir)
		if err != nil {
			return nil, err
		}
		c.cache = cache
	}
	for _, loc := range append(append([]string{opts.IndexURL}, opts.ExtraIndexURLs...), opts.FindLinks...) {
		if len(loc) > maxLocation {
			return nil, fmt.Errorf("index location %q... is %d bytes long (at most %d)", truncate(Redact(loc), 100), len(loc), maxLocation)
		}
	}
	for _, loc := range append([]string{opts.IndexURL}, opts.ExtraIndexURLs...) {
		s, err := c.newIndex(loc)
		if err != nil {
			return nil, RedactError(err, loc)
		}
		c.indexes = append(c.indexes, s)
	}
	for _, loc := range opts.FindLinks {
		s, err := c.newFindLinks(loc)
		if err != nil {
			return nil, RedactError(err, loc)
		}
		c.findLinks = append(c.findLinks, s)
	}
	c.jsonAPI = opts.JSONAPIURL
	if c.jsonAPI == "" {
		c.jsonAPI = deriveJSONAPI(opts.IndexURL)
	}
	base := http.RoundTripper(nil)
	if opts.HTTPClient != nil {
		base = opts.HTTPClient.Transport
	}
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency // the default (2) would defeat keep-alive under fan-out
		t.MaxIdleConns = 4 * opts.Concurrency
		t.DialContext = (&net.Dialer{Timeout: min(opts.Timeout, 10*time.Second), KeepAlive: 30 * time.Second}).DialContext
		base = t
	}
	c.rc = c.newRetryClient(base)
	c.newStreamClient(base)
	return c, nil
}

func setDefaults(o *Options) error {
	if o.IndexURL == "" {
		o.IndexURL = DefaultIndexURL
	}
	switch o.Strategy {
	case "":
		o.Strategy = FirstIndex
	case FirstIndex, UnsafeBestMatch:
	default:
		return fmt.Errorf("unknown index strategy %q (want %q or %q)", o.Strategy, FirstIndex, UnsafeBestMatch)
	}
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	def(&o.Timeout, 15*time.Second)
	def(&o.MaxRetryAfter, 10*time.Second)
	def(&o.TotalTimeout, 5*time.Minute)
	def(&o.RetryWaitMin, 100*time.Millisecond)
	def(&o.RetryWaitMax, 5*time.Second)
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
		if n, err := strconv.Atoi(os.Getenv("PYLOCK_CONCURRENCY")); err == nil && n > 0 {
			o.Concurrency = n
		}
	}
	if o.Retries == 0 {
		if n, err := strconv.Atoi(os.Getenv("PYLOCK_HTTP_RETRIES")); err == nil {
			o.Retries = n
			if n == 0 {
				o.Retries = -1
			}
		}
	}
	switch {
	case o.Retries == 0:
		o.Retries = 5
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 32 << 20
	}
	if o.MaxDownloads <= 0 {
		o.MaxDownloads = 4
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 512 << 20
	}
	if o.UserAgent == "" {
		o.UserAgent = "pylock (+https://github.com/pylock/pylock)"
	}
	return nil
}

// deriveJSONAPI maps ".../simple[/]" to ".../pypi/"; other URLs get none.
func deriveJSONAPI(index string) string {
	u, err := url.Parse(index)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(p, "/simple") {
		return ""
	}
	u.Path = strings.TrimSuffix(p, "simple") + "pypi/"
	return u.String()
}

// Close cancels the Client's background work (Prefetch,
// PrefetchMetadata) and returns once every goroutine it started has
// returned and what it fetched is stored in the cache, then closes idle connections of the transport it made (none
// of an Options.HTTPClient's). Later prefetch calls are dropped;
// everything else (Project, Metadata, Download) stays usable. Close may be
// called more than once. A caller that prefetches must Close before it
// returns, so no fetch outlives it.
func (c *Client) Close() {
	c.bg.close()
	c.stores.Wait()
	if c.opts.HTTPClient == nil {
		c.rc.HTTPClient.CloseIdleConnections()
		c.stream.CloseIdleConnections()
	}
}

// cacheStore stores a cache entry in the background (diskCache.store);
// the first failure is reported as a "warning" event: the run goes on
// without caching that answer.
func (c *Client) cacheStore(path string, data []byte) {
	c.storeq.add(c.cache, path, data, &c.stores, func(err error) {
		c.cacheWarn.Do(func() {
			c.emit(Event{Kind: "warning", Message: scrub(fmt.Sprintf("cannot store in the cache (answers are not cached): %v", err))})
		})
	})
}

// Stats returns counters so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// IndexURLs returns the redacted locations of the configured indexes, in
// search order.
func (c *Client) IndexURLs() []string {
	out := make([]string, len(c.indexes))
	for i, s := range c.indexes {
		out[i] = s.display()
	}
	return out
}

// Prefetch starts fetching project pages in the background (non-blocking).
// Results land in the memo that Project reads; errors are kept for the
// caller that asks.
func (c *Client) Prefetch(names ...string) {
	for _, n := range names {
		c.bg.spawn(func(ctx context.Context) { _, _ = c.Project(ctx, n) })
	}
}

// PrefetchMetadata starts fetching the metadata of files in the background.
func (c *Client) PrefetchMetadata(files ...File) {
	for _, f := range files {
		c.bg.spawn(func(ctx context.Context) { _, _ = c.Metadata(ctx, f) })
	}
}

// Project returns the files of a project (name need not be canonical).
// A missing project wraps ErrNotFound with the project and redacted URL.
func (c *Client) Project(ctx context.Context, name string) (*Project, error) {
	cn := names.Canonicalize(strings.TrimSpace(name))
	if err := names.Validate(cn); err != nil {
		return nil, &Error{Op: "project", Project: name, Err: err}
	}
	return c.projects.do(ctx, cn, func(ctx context.Context) (*Project, error) {
		p, err := c.loadProject(ctx, cn)
		if err == nil {
			c.emit(Event{Kind: "project", Project: cn, URL: p.Index})
		}
		return p, err
	}, func(err error) error {
		return &Error{Op: "project", Project: cn, URL: c.projectURL(cn), Err: fmt.Errorf("%w (waiting for the request in flight)", err)}
	})
}

// projectURL is where the first index lists project cn (redacted): its
// Simple API page, or its directory.
func (c *Client) projectURL(cn string) string {
	if len(c.indexes) == 0 {
		return ""
	}
	if h, ok := c.indexes[0].(*httpIndex); ok {
		page := h.base.JoinPath(cn)
		page.Path += "/"
		return Redact(page.String())
	}
	return c.indexes[0].display() + "/" + cn
}

// source is one place projects are looked up.
type source interface {
	display() string // redacted location
	// files lists a project's files in a new slice, the caller's to
	// modify; a missing project wraps ErrNotFound.
	files(ctx context.Context, project string) ([]File, error)
}

func (c *Client) loadProject(ctx context.Context, cn string) (*Project, error) {
	p := &Project{Name: cn}
	var seen map[string]bool
	add := func(files []File, from string) {
		if seen == nil && len(files) > 0 {
			// The first (usually only) source's slice is ours (see source):
			// filtered in place, a page of hundreds of files is not copied.
			p.Files = files[:0]
			seen = make(map[string]bool, len(files))
		}
		for _, f := range files {
			if f.Reject != "" {
				p.Rejected = append(p.Rejected, Rejection{Filename: f.Filename, Reason: f.Reject})
				continue
			}
			if seen[f.Filename] || distExt(f.Filename) == "" || !filenameMatches(f.Filename, cn) {
				continue
			}
			seen[f.Filename] = true
			f.Index = from
			p.Files = append(p.Files, f)
		}
	}
	results, err := c.searchIndexes(ctx, cn)
	if err != nil {
		return nil, err
	}
	found := false
	status := http.StatusNotFound
	for i, r := range results {
		if errors.Is(r.err, ErrNotFound) {
			var e *Error
			if !errors.As(r.err, &e) || e.Status == 0 {
				status = 0
			}
			continue
		}
		if !found {
			p.Index = c.indexes[i].display()
		}
		found = true
		add(r.files, c.indexes[i].display())
		if c.opts.Strategy == FirstIndex {
			break
		}
	}
	for _, s := range c.findLinks {
		files, err := s.files(ctx, cn)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if len(files) > 0 {
			if !found {
				p.Index = s.display()
			}
			found = true
			add(files, s.display())
		}
	}
	if !found {
		var locs []string
		for _, s := range c.indexes {
			locs = append(locs, s.display())
		}
		for _, s := range c.findLinks {
			locs = append(locs, s.display())
		}
		return nil, &Error{Op: "project", Project: cn, URL: strings.Join(locs, ", "), Status: status, Err: ErrNotFound}
	}
	if len(p.Files) == 0 {
		p.Files = nil // as when nothing was added
	}
	if len(p.Rejected) > 0 {
		msg := fmt.Sprintf("%s on %s: %s", cn, p.Index, describeRejected(p.Rejected))
		if len(p.Files) == 0 {
			return nil, &Error{Op: "project", Project: cn, URL: p.Index, Err: fmt.Errorf("%w: every file was rejected: %s", ErrIndexFault, describeRejected(p.Rejected))}
		}
		c.emit(Event{Kind: "warning", Project: cn, URL: p.Index, Message: scrub(msg)})
	}
	return p, nil
}

// describeRejected names the first few rejected files and why.
func describeRejected(rs []Rejection) string {
	const show = 3
	var parts []string
	for i, r := range rs {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-show))
			break
		}
		parts = append(parts, fmt.Sprintf("%q (%s)", truncate(r.Filename, 80), r.Reason))
	}
	return fmt.Sprintf("%d file(s) rejected: %s", len(rs), strings.Join(parts, ", "))
}

type indexResult struct {
	files []File
	err   error // nil or wrapping ErrNotFound
}

// searchIndexes asks the indexes for a project: one after the other under
// FirstIndex (stopping at the first that has it, so later indexes never
// see the name), all at once under UnsafeBestMatch. Any failure other than
// "not found" is returned: skipping a failing index could silently take
// the project from a later one.
func (c *Client) searchIndexes(ctx context.Context, cn string) ([]indexResult, error) {
	results := make([]indexResult, len(c.indexes))
	if c.opts.Strategy == FirstIndex {
		for i, s := range c.indexes {
			files, err := s.files(ctx, cn)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			results[i] = indexResult{files, err}
			if err == nil {
				break
			}
		}
		return results, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range c.indexes {
		g.Go(func() error {
			files, err := s.files(gctx, cn)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			results[i] = indexResult{files, err}
			return nil
		})
	}
	return results, g.Wait()
}

// newIndex makes a source for an --index-url / --extra-index-url value: an
// http(s) URL, a file:// URL or a local directory.
func (c *Client) newIndex(loc string) (source, error) {
	u, err := url.Parse(loc)
	if err != nil && isHTTPURL(loc) {
		return nil, fmt.Errorf("index URL %q: %w", Redact(loc), parseError(loc, err))
	}
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if u.Host == "" {
			return nil, fmt.Errorf("index URL %q has no host", Redact(loc))
		}
		c.creds.remember(u)
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		return &httpIndex{c: c, base: u}, nil
	}
	dir, err := localPath(loc)
	if err != nil {
		return nil, fmt.Errorf("index %q: %w", Redact(loc), err)
	}
	if st, err := os.Stat(filepath.Join(dir, "simple")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "simple")
	}
	return &localIndex{c: c, dir: dir}, nil
}

// isHTTPURL reports whether loc starts with http:// or https://.
func isHTTPURL(loc string) bool {
	l := strings.ToLower(loc)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// localPath turns a file:// URL or a path into an absolute directory path.
func localPath(loc string) (string, error) {
	p := loc
	if strings.HasPrefix(loc, "file:") {
		u, err := url.Parse(loc)
		if err != nil {
			return "", cleanNetErr(err)
		}
		p = u.Path
	} else if userinfo(loc) != "" && !strings.Contains(loc, "://") {
		if _, err := os.Stat(loc); err != nil {
			return "", errors.New("not an http(s) URL (no scheme) or an existing directory")
		}
	} else if u, err := url.Parse(loc); err == nil && len(u.Scheme) > 1 {
		return "", fmt.Errorf("unsupported URL scheme %q", u.Scheme)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		if userinfo(loc) != "" {
			return "", errors.New("not an http(s) URL (no scheme) or an existing directory")
		}
		return "", fmt.Errorf("not a URL or an existing directory: %w", unwrapPath(err))
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", abs)
	}
	return abs, nil
}

// httpIndex is a remote Simple API.
type httpIndex struct {
	c    *Client
	base *url.URL // ends in "/", may carry userinfo
}

func (s *httpIndex) display() string { return strings.TrimSuffix(Redact(s.base.String()), "/") }

func (s *httpIndex) files(ctx context.Context, project string) ([]File, error) {
	page := s.base.JoinPath(project) // JoinPath keeps userinfo
	page.Path += "/"
	files, err := s.c.getPage(ctx, getReq{url: page.String(), accept: acceptSimple, cache: true, limit: s.c.opts.MaxBodyBytes,
		op: "project", project: project}, parseRemotePage)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && errors.Is(err, ErrNotFound) {
			e.URL = s.display()
		}
		return nil, err
	}
	if s.base.User == nil {
		return files, nil
	}
	for i := range files {
		f := &files[i]
		if f.Reject != "" {
			continue
		}
		fu, err := url.Parse(f.URL)
		if err == nil && fu.User == nil && strings.EqualFold(fu.Host, s.base.Host) {
			fu.User = s.base.User // credentials kept for fetching (File.URL contract)
			f.URL = fu.String()
		}
	}
	return files, nil
}

// parseRemotePage parses a remote index's page and rejects the files
// without http(s) URLs (a remote page may not point at local files). Its
// result is cached: credentials are added by the caller.
func parseRemotePage(body []byte, ctype string, final *url.URL) ([]File, error) {
	return parsePageFrom(body, ctype, final, true)
}
