package index

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"sync"
	"time"

	"crypto/sha256"

	"golang.org/x/sync/semaphore"
)

// Whole-file downloads stream to a temporary file while they are hashed:
// memory use does not grow with the file (a hostile or broken index may
// serve a huge wheel with no Content-Length and no Range support). The
// index's declared size is checked before and during the transfer, at most
// Options.MaxDownloads downloads run at once, and a truncated transfer is
// retried like any transient failure.

// dlFile is a downloaded, verified distribution file in a temporary file;
// Close removes it.
type dlFile struct {
	*os.File
	size   int64
	sha256 string
}

func (d *dlFile) Close() error {
	err := d.File.Close()
	os.Remove(d.Name())
	untrackTemp(d.Name())
	return err
}

// temps are this process's download files in flight; FinishWrites removes
// those still open when the process exits.
var temps struct {
	sync.Mutex
	m map[string]bool
}

func trackTemp(p string) {
	temps.Lock()
	defer temps.Unlock()
	if temps.m == nil {
		temps.m = map[string]bool{}
	}
	temps.m[p] = true
}

func untrackTemp(p string) {
	temps.Lock()
	defer temps.Unlock()
	delete(temps.m, p)
}

func removeTemps() {
	temps.Lock()
	defer temps.Unlock()
	for p := range temps.m {
		os.Remove(p)
	}
	temps.m = nil
}

// tempDir is where downloads are spooled: the cache's tmp directory (on
// the cache's disk), else the system's.
func (c *Client) tempDir() string {
	if c.cache != nil {
		d := c.cache.dir + string(os.PathSeparator) + tmpDir
		if os.MkdirAll(d, 0o755) == nil {
			return d
		}
	}
	return os.TempDir()
}

// downloadFile fetches a whole distribution file into a temporary file and
// checks its size and strongest hash against what the index declared.
func (c *Client) downloadFile(ctx context.Context, f File, project, version string) (*dlFile, error) {
	u := stripFragment(f.URL)
	mkErr := func(status, retries int, err error) error {
		return &Error{Op: "download", Project: project, Version: version, URL: Redact(u), Status: status, Retries: retries, Err: err}
	}
	if f.Size > c.opts.MaxFileBytes {
		return nil, mkErr(0, 0, fmt.Errorf("%w: the index says %d bytes (limit %d)", ErrTooLarge, f.Size, c.opts.MaxFileBytes))
	}
	if c.opts.Offline {
		return nil, mkErr(0, 0, fmt.Errorf("%w: %s", ErrOffline, Redact(u)))
	}
	if err := c.dlSem.Acquire(ctx, 1); err != nil {
		return nil, mkErr(0, 0, err)
	}
	defer c.dlSem.Release(1)
	if c.opts.TotalTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.TotalTimeout)
		defer cancel()
	}
	rc := &retryCounter{}
	ctx = context.WithValue(ctx, retryKey{}, rc)
	for attempt := 0; ; attempt++ {
		d, resp, err := c.downloadAttempt(ctx, u, f)
		if err == nil {
			return d, nil
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		var retry bool
		switch {
		case errors.Is(err, ErrHashMismatch), errors.Is(err, ErrTooLarge), errors.Is(err, ErrNotFound):
		case resp != nil:
			retry, _ = c.checkRetry(ctx, resp, nil)
		default:
			retry, _ = c.checkRetry(ctx, nil, err)
		}
		if !retry || attempt >= c.opts.Retries {
			if errors.Is(err, ErrNotFound) || errors.Is(err, errStatus) {
				return nil, mkErr(status, rc.n, err)
			}
			return nil, mkErr(0, rc.n, cleanNetErr(err))
		}
		rc.n++
		c.mu.Lock()
		c.stats.Retries++
		c.mu.Unlock()
		c.emit(Event{Kind: "retry", Project: project, URL: u})
		wait := c.backoff(c.retryWaitMin, c.retryWaitMax, attempt, resp)
		select {
		case <-ctx.Done():
			return nil, mkErr(0, rc.n, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// errTruncated marks a transfer that ended early (retried).
var errTruncated = errors.New("transfer ended early")

// downloadAttempt makes one GET and spools the body. The response is
// returned (body closed) for the retry decision.
func (c *Client) downloadAttempt(ctx context.Context, rawURL string, f File) (*dlFile, *http.Response, error) {
	pu, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("bad URL %q", Redact(rawURL))
	}
	if pu.Scheme != "http" && pu.Scheme != "https" {
		return nil, nil, fmt.Errorf("unsupported URL scheme %q", pu.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pu.String(), nil)
	if err != nil {
		return nil, nil, cleanNetErr(err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	c.creds.apply(req)
	actx, idle, stop := c.attemptContext(ctx, req, c.opts.Timeout)
	defer stop()
	c.beginRequest(req)
	defer c.endRequest()
	resp, err := c.stream.Do(req.WithContext(actx))
	if err != nil {
		return nil, nil, attemptErr(actx, ctx, cleanNetErr(err), c.opts.Timeout)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, resp, ErrNotFound
	default:
		return nil, resp, errStatus
	}
	limit := c.opts.MaxFileBytes
	if f.Size >= 0 {
		limit = min(limit, f.Size)
		if resp.ContentLength >= 0 && resp.ContentLength != f.Size {
			return nil, nil, fmt.Errorf("%w: the server sends %d bytes, the index says %d", ErrHashMismatch, resp.ContentLength, f.Size)
		}
	}
	if resp.ContentLength > limit {
		return nil, nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, resp.ContentLength, limit)
	}
	tmp, err := os.CreateTemp(c.tempDir(), ".dl-*")
	if err != nil {
		return nil, nil, fmt.Errorf("download: %w", err)
	}
	trackTemp(tmp.Name())
	d := &dlFile{File: tmp}
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()
	algo, want := bestHash(f.Hashes)
	s256 := sha256.New()
	var best hash.Hash
	ws := []io.Writer{tmp, s256}
	if algo != "" && algo != "sha256" {
		best = newHash(algo)
		ws = append(ws, best)
	}
	n, err := io.Copy(io.MultiWriter(ws...), io.LimitReader(idle(resp.Body), limit+1))
	c.addBytes(n)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, errTimeout) && !errors.Is(context.Cause(actx), errTimeout) {
			return nil, nil, fmt.Errorf("%w after %d bytes: %v", errTruncated, n, cleanNetErr(err))
		}
		return nil, nil, fmt.Errorf("reading body: %w", attemptErr(actx, ctx, err, c.opts.Timeout))
	}
	if n > limit {
		if f.Size >= 0 && n > f.Size && f.Size < c.opts.MaxFileBytes {
			return nil, nil, fmt.Errorf("%w: more than the %d bytes the index says", ErrHashMismatch, f.Size)
		}
		return nil, nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, nil, fmt.Errorf("%w: %d of %d bytes", errTruncated, n, resp.ContentLength)
	}
	if f.Size >= 0 && n != f.Size {
		return nil, nil, fmt.Errorf("%w: %d bytes, the index says %d", ErrHashMismatch, n, f.Size)
	}
	d.size, d.sha256 = n, hex.EncodeToString(s256.Sum(nil))
	if algo != "" {
		got := d.sha256
		if best != nil {
			got = hex.EncodeToString(best.Sum(nil))
		}
		if got != want {
			return nil, nil, fmt.Errorf("%w: %s is %s, the index says %s", ErrHashMismatch, algo, got, want)
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	ok = true
	return d, nil, nil
}

// newStreamClient is the HTTP client of whole-file downloads: the same
// base transport and redirect rules as the buffered client, no buffering.
func (c *Client) newStreamClient(base http.RoundTripper) {
	c.dlSem = semaphore.NewWeighted(int64(c.opts.MaxDownloads))
	c.stream = &http.Client{Transport: base, CheckRedirect: checkRedirect}
}

// Download returns the bytes of a distribution file (an sdist to build),
// checked against the index's strongest hash and declared size: file://
// URLs are read from disk, others stream through downloadFile's bounded,
// verified temporary file. Its size is bounded by Options.MaxFileBytes.
func (c *Client) Download(ctx context.Context, f File) ([]byte, error) {
	project, version := splitFilename(f.Filename)
	if u, err := url.Parse(f.URL); err == nil && u.Scheme == "file" {
		data, err := readFileLimit(u.Path, c.opts.MaxFileBytes)
		if err == nil {
			err = verifyHashes(data, f.Hashes)
		}
		if err != nil {
			return nil, &Error{Op: "download", Project: project, Version: version, URL: Redact(f.URL), Err: err}
		}
		return data, nil
	}
	d, err := c.downloadFile(ctx, f, project, version)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	data, err := io.ReadAll(d)
	if err != nil {
		return nil, &Error{Op: "download", Project: project, Version: version, URL: Redact(stripFragment(f.URL)), Err: err}
	}
	return data, nil
}

// Fetched is a file DownloadURL stored: its size and sha256 (hex).
type Fetched struct {
	Size   int64
	SHA256 string
}

// DownloadURL downloads an arbitrary http(s) URL (a direct reference's
// archive, not a file an index listed) to dst, through the same machinery
// as index files: credentials from the URL's userinfo, the index URLs' hosts
// or ~/.netrc (sent as an Authorization header, never in a message), retries
// of transient failures, the Options.MaxFileBytes cap, a streaming
// temporary file and redacted errors. The caller checks the bytes against
// the hashes it knows (it may know several per algorithm). With
// Options.Offline it fails with ErrOffline. dst is replaced atomically.
func (c *Client) DownloadURL(ctx context.Context, rawURL, dst string) (Fetched, error) {
	u := stripFragment(rawURL)
	f := File{URL: u, Size: -1}
	if pu, err := url.Parse(u); err == nil {
		f.Filename = path.Base(pu.Path)
	}
	project, version := splitFilename(f.Filename)
	d, err := c.downloadFile(ctx, f, project, version)
	if err != nil {
		return Fetched{}, err
	}
	defer d.Close()
	tmp := dst + ".part"
	out, err := os.Create(tmp)
	if err == nil {
		_, err = io.Copy(out, d)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return Fetched{}, &Error{Op: "download", Project: project, Version: version, URL: Redact(u), Err: err}
	}
	return Fetched{Size: d.size, SHA256: d.sha256}, nil
}
