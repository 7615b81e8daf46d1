package index

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// ParseMetadata parses RFC 822 style core metadata (METADATA, PKG-INFO or a
// PEP 658 file): "Key: value" header lines, continuation lines starting with
// whitespace, repeated fields, and a body (the description) after the first
// blank line, which is ignored. Keys are case-insensitive. Name and Version
// are required.
func ParseMetadata(data []byte) (*Metadata, error) {
	// Only the header section is copied out of data (the body, the
	// description, is often most of a METADATA file); lines and fields
	// are sub-strings of that copy.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	text := strings.ReplaceAll(string(data[:metadataHeaderEnd(data)]), "\r\n", "\n")
	var fields [][2]string
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if strings.TrimSpace(line) == "" {
			if len(fields) > 0 {
				break // body follows
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, fmt.Errorf("%w: continuation line before any field", ErrInvalidMetadata)
			}
			last := &fields[len(fields)-1]
			if strings.TrimSpace(last[1]) == "" {
				last[1] = strings.TrimSpace(line)
			} else {
				last[1] += " " + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(k, " \t") {
			if len(fields) == 0 {
				return nil, fmt.Errorf("%w: line %q is not a field", ErrInvalidMetadata, truncate(line, 60))
			}
			break // malformed header ends the header section, as in email.parser
		}
		fields = append(fields, [2]string{metadataField(k), strings.TrimSpace(v)})
	}
	m := &Metadata{}
	for _, f := range fields {
		switch f[0] {
		case "metadata-version":
			m.MetadataVersion = f[1]
		case "name":
			m.Name = f[1]
		case "version":
			m.Version = f[1]
		case "requires-dist":
			m.RequiresDist = append(m.RequiresDist, f[1])
		case "requires-python":
			m.RequiresPython = f[1]
		case "provides-extra":
			m.ProvidesExtra = append(m.ProvidesExtra, f[1])
		case "dynamic":
			m.Dynamic = append(m.Dynamic, f[1])
		}
	}
	if m.Name == "" || m.Version == "" {
		return nil, fmt.Errorf("%w: missing Name or Version", ErrInvalidMetadata)
	}
	return m, nil
}

// metadataHeaderEnd returns where the header section of metadata ends at
// the latest: the start of the first blank (whitespace-only) line after a
// non-blank one, or len(data). Lines end at '\n' ("\r\n" included).
func metadataHeaderEnd(data []byte) int {
	seen := false
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			j = len(data) - i
		}
		if len(bytes.TrimSpace(data[i:i+j])) == 0 {
			if seen {
				return i
			}
		} else {
			seen = true
		}
		i += j + 1
	}
	return len(data)
}

// metadataFields are the fields ParseMetadata reads (lower case).
var metadataFields = [...]string{"metadata-version", "name", "version", "requires-dist", "requires-python", "provides-extra", "dynamic"}

// metadataField returns a field name as strings.ToLower would for the
// fields ParseMetadata reads, and "" for the others, without allocating
// for ASCII names.
func metadataField(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 {
			return strings.ToLower(k)
		}
	}
	for _, f := range metadataFields {
		if len(f) == len(k) && hasSuffixFold(k, f) {
			return f
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// staticMetadataError reports why sdist metadata cannot be trusted without
// a build (PEP 643): Metadata-Version below 2.2, or Requires-Dist,
// Requires-Python or Provides-Extra marked Dynamic.
func staticMetadataError(m *Metadata) error {
	maj, min, _ := strings.Cut(m.MetadataVersion, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 2 || (a == 2 && b < 2) {
		return fmt.Errorf("%w: PKG-INFO has Metadata-Version %q (static metadata needs 2.2 or later, PEP 643)", ErrNeedsBuild, m.MetadataVersion)
	}
	for _, d := range m.Dynamic {
		switch strings.ToLower(d) {
		case "requires-dist", "requires-python", "provides-extra":
			return fmt.Errorf("%w: PKG-INFO marks %s as Dynamic", ErrNeedsBuild, d)
		}
	}
	return nil
}

// bestHash returns the strongest verifiable hash of a set.
func bestHash(h map[string]string) (algo, want string) {
	for _, a := range []string{"sha512", "sha384", "sha256", "sha224", "sha1", "md5"} {
		if v, ok := h[a]; ok && v != "" {
			return a, v
		}
	}
	return "", ""
}

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha512":
		return sha512.New()
	case "sha384":
		return sha512.New384()
	case "sha256":
		return sha256.New()
	case "sha224":
		return sha256.New224()
	case "sha1":
		return sha1.New()
	case "md5":
		return md5.New()
	}
	return nil
}

// verifyHashes checks data against the strongest hash the index gave.
func verifyHashes(data []byte, hashes map[string]string) error {
	algo, want := bestHash(hashes)
	if algo == "" {
		return nil
	}
	h := newHash(algo)
	h.Write(data)
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
		return fmt.Errorf("%w: %s is %s, the index says %s", ErrHashMismatch, algo, got, want)
	}
	return nil
}

// metaCacheName is the content-addressed cache name of a file's metadata.
// Only hex digests are used (callers may build Files from untrusted data).
func metaCacheName(f File) string {
	if a, v := bestHash(f.Hashes); a != "" {
		if v = strings.ToLower(v); isHex(v) {
			return "file-" + a + "-" + v
		}
	}
	if a, v := bestHash(f.CoreMetadataHashes); a != "" {
		if v = strings.ToLower(v); isHex(v) {
			return a + "-" + v
		}
	}
	return ""
}

// Metadata returns the core metadata of a file: PEP 658 file, else wheel
// METADATA via HTTP range requests, else whole download; sdists via PKG-INFO
// (Metadata-Version >= 2.2, Requires-Dist not Dynamic) or ErrNeedsBuild.
// Downloaded metadata and files are checked against the index's hashes
// (metadata read with range requests cannot be: only its name and version
// are checked against the filename). Results, errors included, are
// memoised per file URL; metadata is cached on disk by file hash.
func (c *Client) Metadata(ctx context.Context, f File) (*Metadata, error) {
	return c.metas.do(ctx, stripFragment(f.URL), func(ctx context.Context) (*Metadata, error) {
		return c.loadMetadata(ctx, f)
	}, func(err error) error {
		project, version := splitFilename(f.Filename)
		return &Error{Op: "metadata", Project: project, Version: version, URL: Redact(f.URL),
			Err: fmt.Errorf("%w (waiting for the request in flight)", err)}
	})
}

func stripFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

func (c *Client) loadMetadata(ctx context.Context, f File) (*Metadata, error) {
	project, version := splitFilename(f.Filename)
	mkErr := func(err error) error {
		var e *Error
		if errors.As(err, &e) {
			if e.Project == "" {
				e.Project = project
			}
			if e.Version == "" {
				e.Version = version
			}
			return e
		}
		return &Error{Op: "metadata", Project: project, Version: version, URL: Redact(f.URL), Err: err}
	}
	sdist := !isWheel(f.Filename)
	name := metaCacheName(f)
	if c.cache != nil {
		for i, n := range []string{name, ""} {
			if i == 1 {
				n = unverifiedCacheName(f) // a SHA-256 of the URL: only when the verified entry is missing
			}
			if n == "" {
				continue
			}
			e, _, err := c.cache.read(c.cache.metaPath(n), n)
			if err != nil {
				return nil, mkErr(err)
			}
			if e != nil {
				if m, err := ParseMetadata(e.body); err == nil {
					m.Verified = n == name
					c.countHit(project, f.URL)
					return m, nil
				}
			}
		}
	}
	raw, verified, err := c.fetchMetadata(ctx, f, project, version)
	if err != nil {
		return nil, mkErr(err)
	}
	m, err := ParseMetadata(raw)
	if err != nil {
		return nil, mkErr(err)
	}
	if err := checkIdentity(m, project, version); err != nil {
		return nil, mkErr(err)
	}
	if sdist {
		if err := staticMetadataError(m); err != nil {
			return nil, mkErr(err)
		}
	}
	m.Verified = verified
	if !verified {
		// Not checked against any hash (range requests): cached under this
		// URL and the index's claims about it, never under the file's hash,
		// so it cannot stand in for the file elsewhere.
		name = unverifiedCacheName(f)
	}
	if name != "" && c.cache != nil {
		c.cacheStore(c.cache.metaPath(name), encodeEntry(cacheHeader{Key: name, URL: Redact(stripFragment(f.URL)), Immutable: verified}, raw))
	}
	return m, nil
}

// unverifiedCacheName names metadata that no hash vouches for (read with
// range requests): by the file's redacted URL and the hash and size the
// index claims for it.
func unverifiedCacheName(f File) string {
	a, v := bestHash(f.Hashes)
	return "unverified-" + hashKey(Redact(stripFragment(f.URL))+"\x00"+a+":"+strings.ToLower(v)+"\x00"+strconv.FormatInt(f.Size, 10))
}

// checkIdentity rejects metadata that names another project or version
// than the filename (a confused or malicious index).
func checkIdentity(m *Metadata, project, version string) error {
	if names.Canonicalize(m.Name) != project {
		return fmt.Errorf("%w: file is %s but its metadata says Name: %s", ErrInvalidMetadata, project, m.Name)
	}
	if version != "" && !pep440.SameVersion(m.Version, version) {
		return fmt.Errorf("%w: file is version %s but its metadata says Version: %s", ErrInvalidMetadata, version, m.Version)
	}
	return nil
}

// maxMetadataBytes bounds a metadata file, a METADATA or PKG-INFO member,
// and each range response (they are held in memory).
const maxMetadataBytes = 4 << 20

// fetchMetadata returns a file's raw core metadata and whether a hash the
// index published vouches for it (a PEP 658 file with its hash, or a member
// of the whole file with its hash checked).
func (c *Client) fetchMetadata(ctx context.Context, f File, project, version string) ([]byte, bool, error) {
	u, err := url.Parse(f.URL)
	if err != nil {
		return nil, false, fmt.Errorf("bad file URL: %w", err)
	}
	if u.Scheme == "file" {
		return c.localMetadata(f, u)
	}
	if f.CoreMetadata {
		body, err := c.pep658(ctx, f, project, version)
		if !errors.Is(err, ErrNotFound) {
			return body, len(f.CoreMetadataHashes) > 0, err
		}
	}
	if isWheel(f.Filename) {
		return c.wheelMetadata(ctx, f, project, version)
	}
	d, err := c.downloadFile(ctx, f, project, version)
	if err != nil {
		return nil, false, err
	}
	defer d.Close()
	data, err := sdistPKGINFO(f.Filename, d, d.size, c.metaLimit())
	return data, len(f.Hashes) > 0, err
}

func (c *Client) metaLimit() int64 { return min(c.opts.MaxBodyBytes, maxMetadataBytes) }

func (c *Client) pep658(ctx context.Context, f File, project, version string) ([]byte, error) {
	u := stripFragment(f.URL) + ".metadata"
	r, err := c.get(ctx, getReq{url: u, limit: c.metaLimit(), op: "metadata", project: project, version: version})
	if err != nil {
		return nil, err
	}
	if err := verifyHashes(r.body, f.CoreMetadataHashes); err != nil {
		return nil, &Error{Op: "metadata", Project: project, Version: version, URL: Redact(u), Err: err}
	}
	return r.body, nil
}

// wheelMetadata reads .dist-info/METADATA with range requests on the zip
// central directory (unverified: no hash covers a part of a file), falling
// back to a whole, hash-checked download when the server does not do
// ranges, answers with more than maxMetadataBytes, or the archive needs
// more than a few reads.
func (c *Client) wheelMetadata(ctx context.Context, f File, project, version string) ([]byte, bool, error) {
	rr := newRangeReader(ctx, c, f, project, version)
	if err := rr.open(); err == nil {
		data, err := wheelMETADATA(rr, rr.size, project, c.metaLimit())
		if err == nil || rr.full != nil {
			return data, rr.full != nil && len(f.Hashes) > 0, err
		}
		if errors.Is(err, errNotZip) && rr.err == nil {
			return nil, false, err
		}
	} else if ctx.Err() != nil || errors.Is(err, ErrHashMismatch) {
		return nil, false, err
	}
	d, err := c.downloadFile(ctx, f, project, version)
	if err != nil {
		return nil, false, err
	}
	defer d.Close()
	data, err := wheelMETADATA(d, d.size, project, c.metaLimit())
	return data, len(f.Hashes) > 0, err
}

var errNotZip = errors.New("not a valid wheel (zip)")

// wheelMETADATA finds <name>-<version>.dist-info/METADATA at the top level.
func wheelMETADATA(r io.ReaderAt, size int64, project string, limit int64) ([]byte, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if _, ok := r.(*rangeReader); ok && r.(*rangeReader).err != nil {
			return nil, r.(*rangeReader).err
		}
		return nil, fmt.Errorf("%w: %v", errNotZip, err)
	}
	var pick *zip.File
	for _, zf := range zr.File {
		dir, base, ok := strings.Cut(zf.Name, "/")
		if !ok || base != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		dist, _, _ := strings.Cut(strings.TrimSuffix(dir, ".dist-info"), "-")
		if pick == nil || names.Canonicalize(dist) == project {
			pick = zf
		}
	}
	if pick == nil {
		return nil, fmt.Errorf("%w: no .dist-info/METADATA in wheel", ErrInvalidMetadata)
	}
	if int64(pick.UncompressedSize64) > limit {
		return nil, fmt.Errorf("%w: METADATA is %d bytes", ErrTooLarge, pick.UncompressedSize64)
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		if rr, ok := r.(*rangeReader); ok && rr.err != nil {
			return nil, rr.err
		}
		return nil, fmt.Errorf("%w: %v", errNotZip, err)
	}
	return data, nil
}

// sdistPKGINFO extracts <top>/PKG-INFO from an sdist.
func sdistPKGINFO(filename string, ra io.ReaderAt, size int64, limit int64) ([]byte, error) {
	ext := distExt(filename)
	if ext == ".zip" {
		zr, err := zip.NewReader(ra, size)
		if err != nil {
			return nil, fmt.Errorf("%w: bad zip sdist: %v", ErrInvalidMetadata, err)
		}
		for _, zf := range zr.File {
			if isTopPKGINFO(zf.Name) {
				rc, err := zf.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return io.ReadAll(io.LimitReader(rc, limit))
			}
		}
		return nil, fmt.Errorf("%w: no PKG-INFO in sdist", ErrNeedsBuild)
	}
	var r io.Reader = io.NewSectionReader(ra, 0, size)
	switch ext {
	case ".tar.gz", ".tgz":
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%w: bad gzip: %v", ErrInvalidMetadata, err)
		}
		r = gz
	case ".tar.bz2":
		r = bzip2.NewReader(r)
	case ".tar":
	default:
		return nil, fmt.Errorf("%w: cannot read %s sdists", ErrNeedsBuild, ext)
	}
	tr := tar.NewReader(io.LimitReader(r, 16*size+(64<<20)))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: no PKG-INFO in sdist", ErrNeedsBuild)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: bad tar: %v", ErrInvalidMetadata, err)
		}
		if isTopPKGINFO(h.Name) {
			return io.ReadAll(io.LimitReader(tr, limit))
		}
	}
}

func isTopPKGINFO(name string) bool {
	name = strings.TrimPrefix(name, "./")
	dir, base, ok := strings.Cut(name, "/")
	return ok && dir != "" && base == "PKG-INFO"
}

// localMetadata reads metadata of a file:// distribution, hashing the
// file as it is read (never loading it whole).
func (c *Client) localMetadata(f File, u *url.URL) ([]byte, bool, error) {
	p := u.Path
	if f.CoreMetadata {
		if data, err := readFileLimit(p+".metadata", c.metaLimit()); err == nil {
			if err := verifyHashes(data, f.CoreMetadataHashes); err != nil {
				return nil, false, err
			}
			return data, len(f.CoreMetadataHashes) > 0, nil
		}
	}
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("%w: %s", ErrNotFound, path.Base(p))
	}
	if err != nil {
		return nil, false, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, false, err
	}
	if st.Size() > c.opts.MaxFileBytes {
		return nil, false, fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, path.Base(p), c.opts.MaxFileBytes)
	}
	if algo, want := bestHash(f.Hashes); algo != "" {
		h := newHash(algo)
		if _, err := io.Copy(h, fh); err != nil {
			return nil, false, err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
			return nil, false, fmt.Errorf("%w: %s is %s, the index says %s", ErrHashMismatch, algo, got, want)
		}
	}
	var data []byte
	if isWheel(f.Filename) {
		data, err = wheelMETADATA(fh, st.Size(), projectOfFilename(f.Filename), c.metaLimit())
	} else {
		data, err = sdistPKGINFO(f.Filename, fh, st.Size(), c.metaLimit())
	}
	return data, len(f.Hashes) > 0, err
}

func readFileLimit(p string, limit int64) ([]byte, error) {
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path.Base(p))
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, path.Base(p), limit)
	}
	return data, nil
}
