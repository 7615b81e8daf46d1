package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// ErrNoHash is wrapped when a file cannot be verified because the index
// (or the lock) gives no hash for it.
var ErrNoHash = errors.New("no hash to verify against")

// VerifyFile downloads f whole (streaming, as for metadata) and checks it
// against its strongest hash and, when known, its size: what pip
// --require-hashes will check at install time, done now. For a wheel whose
// metadata this client read with range requests (unverified), it also
// checks that the METADATA inside the verified file says the same; the
// verified metadata is then cached by the file's hash.
func (c *Client) VerifyFile(ctx context.Context, f File) error {
	project, version := splitFilename(f.Filename)
	mkErr := func(err error) error {
		var e *Error
		if errors.As(err, &e) {
			e.Op = "verify"
			return e
		}
		return &Error{Op: "verify", Project: project, Version: version, URL: Redact(stripFragment(f.URL)), Err: err}
	}
	if a, _ := bestHash(f.Hashes); a == "" {
		return mkErr(fmt.Errorf("%w: %s", ErrNoHash, f.Filename))
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return mkErr(fmt.Errorf("bad file URL: %w", err))
	}
	var r io.ReaderAt
	var size int64
	if u.Scheme == "file" {
		fh, err := os.Open(u.Path)
		if err != nil {
			return mkErr(unwrapPath(err))
		}
		defer fh.Close()
		if size, err = checkLocal(fh, f); err != nil {
			return mkErr(err)
		}
		r = fh
	} else {
		d, err := c.downloadFile(ctx, f, project, version)
		if err != nil {
			return mkErr(err)
		}
		defer d.Close()
		r, size = d, d.size
	}
	if !isWheel(f.Filename) {
		return nil
	}
	used, ok := c.metas.peek(stripFragment(f.URL))
	if !ok || used == nil || used.Verified {
		return nil
	}
	raw, err := wheelMETADATA(r, size, project, c.metaLimit())
	if err != nil {
		return mkErr(err)
	}
	m, err := ParseMetadata(raw)
	if err != nil {
		return mkErr(err)
	}
	if d := metadataDiff(used, m); d != "" {
		return mkErr(fmt.Errorf("%w: the METADATA inside the verified file differs from what range requests returned (%s); the lock may be wrong: re-run without the cache of this index", ErrInvalidMetadata, d))
	}
	if name := metaCacheName(f); name != "" && c.cache != nil {
		if err := c.cache.write(c.cache.metaPath(name), cacheHeader{Key: name, Immutable: true}, raw); err != nil {
			return mkErr(err)
		}
	}
	return nil
}

// checkLocal hashes a local file and checks its hash and size.
func checkLocal(fh *os.File, f File) (int64, error) {
	algo, want := bestHash(f.Hashes)
	h := newHash(algo)
	s := sha256.New()
	n, err := io.Copy(io.MultiWriter(h, s), fh)
	if err != nil {
		return 0, err
	}
	if f.Size >= 0 && n != f.Size {
		return 0, fmt.Errorf("%w: %d bytes, expected %d", ErrHashMismatch, n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
		return 0, fmt.Errorf("%w: %s is %s, expected %s", ErrHashMismatch, algo, got, want)
	}
	return n, nil
}

// metadataDiff names the first dependency-relevant field that differs.
func metadataDiff(a, b *Metadata) string {
	switch {
	case names.Canonicalize(a.Name) != names.Canonicalize(b.Name):
		return "Name"
	case !pep440.SameVersion(a.Version, b.Version):
		return "Version"
	case a.RequiresPython != b.RequiresPython:
		return "Requires-Python"
	case !slices.Equal(a.RequiresDist, b.RequiresDist):
		return "Requires-Dist"
	case !slices.Equal(a.ProvidesExtra, b.ProvidesExtra):
		return "Provides-Extra"
	}
	return ""
}

// VerifyFiles verifies files concurrently (at most Options.MaxDownloads
// downloads at once) and returns every failure, in the order of files.
func (c *Client) VerifyFiles(ctx context.Context, files []File) error {
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.VerifyFile(ctx, f)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
