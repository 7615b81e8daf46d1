// Package direct turns a direct reference (reqfile.DirectRef: an archive
// URL or file, a local project directory, a git repository at a revision)
// into the one distribution it names: its core metadata and its PEP 751
// source, ready to be a pinned candidate for the resolver and a lock entry.
//
// Archives are downloaded (or read) once and hash-checked against the
// hashes the user gave ("#sha256=" or --hash); a mismatch is a
// *HashMismatchError. A wheel's metadata is its .dist-info/METADATA. An
// sdist, a directory and a git checkout get theirs from the Tree and Sdist
// hooks (static metadata first, then a PEP 517 build: package build); with
// a nil hook such a reference is an error saying so. Git revisions are
// resolved to full commit ids (package vcs); directories are hashed
// (vcs.TreeHash) so that audit can report a changed tree.
package direct

import (
	"archive/zip"
	"context"
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
	"path/filepath"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/vcs"
	"github.com/pylock/pylock/pypi/wheel"
)

// MetadataFunc returns the core metadata of a source tree (dir) or an sdist
// (path) and where it came from ("PKG-INFO", "pyproject.toml", "PEP 517
// build", ...). key identifies the content, usable as a file name: the
// sdist's sha256 hex, "tree-<hex>" for a directory, "git-<commit>[-<hex>]"
// for a checkout (and its subdirectory).
type MetadataFunc func(ctx context.Context, path, key string) (*index.Metadata, string, error)

// Resolver materialises direct references. Safe for concurrent use when
// its hooks are.
type Resolver struct {
	// Git resolves and checks out repositories (its CacheDir is used).
	Git *vcs.Git
	// CacheDir holds downloaded archives.
	CacheDir string
	// LockDir is the directory local paths are recorded relative to (the
	// lock's directory; "" for the working directory).
	LockDir string
	// Client downloads http(s) archives (credentials from the URL, the
	// index hosts or ~/.netrc; retries; size cap; --offline). Without one,
	// an archive URL is an error.
	Client *index.Client
	// Tree gives the metadata of a source tree (directory or checkout).
	Tree MetadataFunc
	// Sdist gives the metadata of an sdist archive.
	Sdist MetadataFunc
}

// Dist is the distribution a direct reference names.
type Dist struct {
	Ref          *reqfile.DirectRef
	Metadata     *index.Metadata
	MetadataFrom string // "wheel METADATA", or what Tree/Sdist said
	// Exactly one of Archive, VCS and Directory is set: the lock source.
	Archive   *lockfile.Artifact
	VCS       *lockfile.VCSSource
	Directory *lockfile.DirectorySource
	TreeHash  string // directories: vcs.TreeHash of the tree
	LocalPath string // where the files are on disk (archive file, tree)
}

// Name is the project name the metadata gives, canonical.
func (d *Dist) Name() string { return names.Canonicalize(d.Metadata.Name) }

// HashMismatchError is an archive whose bytes do not match a hash the user
// gave.
type HashMismatchError struct {
	Where     string
	Algorithm string
	Want, Got string
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s: %s hash mismatch: the requirement says %s, the file has %s", e.Where, e.Algorithm, e.Want, e.Got)
}

// NameMismatchError is a reference whose project is not the one the
// requirement names ("foo @ ./bar" where ./bar is project baz).
type NameMismatchError struct {
	Where, Want, Got string
}

func (e *NameMismatchError) Error() string {
	return fmt.Sprintf("%s is project %q, but the requirement names %q", e.Where, e.Got, e.Want)
}

// FetchError is a download that failed (network or HTTP status): the
// caller's "index or network failure", not bad input.
type FetchError struct {
	URL string // redacted
	Err error
}

func (e *FetchError) Error() string {
	var ie *index.Error
	switch {
	case errors.Is(e.Err, index.ErrOffline):
		return "downloading " + e.URL + ": no copy in the cache, and --offline forbids downloading it"
	case errors.As(e.Err, &ie):
		return e.Err.Error() // it names the URL
	}
	return "downloading " + e.URL + ": " + e.Err.Error()
}
func (e *FetchError) Unwrap() error { return e.Err }

// ErrNoBuilder is wrapped when a reference needs source metadata and the
// Resolver has no hook for it.
var ErrNoBuilder = errors.New("reading metadata of a source tree or sdist is not available")

// Resolve materialises ref. name is the project name the requirement gives
// ("" when it gives none, as for "./pkg"); the metadata must agree.
func (r *Resolver) Resolve(ctx context.Context, ref *reqfile.DirectRef, name string) (*Dist, error) {
	var d *Dist
	var err error
	switch ref.Kind {
	case reqfile.RefArchive:
		d, err = r.archive(ctx, ref)
	case reqfile.RefVCS:
		d, err = r.vcs(ctx, ref)
	case reqfile.RefDirectory:
		d, err = r.directory(ctx, ref)
	default:
		err = fmt.Errorf("unknown direct reference kind %q", ref.Kind)
	}
	if err != nil {
		return nil, err
	}
	if name != "" && names.Canonicalize(name) != d.Name() {
		return nil, &NameMismatchError{Where: Display(ref), Want: name, Got: d.Metadata.Name}
	}
	return d, nil
}

func (r *Resolver) vcs(ctx context.Context, ref *reqfile.DirectRef) (*Dist, error) {
	if r.Git == nil {
		return nil, errors.New("git repositories need a vcs.Git")
	}
	commit, err := r.Git.Resolve(ctx, ref.URL, ref.Ref)
	if err != nil {
		return nil, index.RedactError(err, ref.URL)
	}
	dir, err := r.Git.Checkout(ctx, ref.URL, commit, ref.Subdirectory)
	if err != nil {
		return nil, index.RedactError(err, ref.URL)
	}
	key := "git-" + commit
	if ref.Subdirectory != "" {
		sum := sha256.Sum256([]byte(ref.Subdirectory))
		key += "-" + hex.EncodeToString(sum[:6])
	}
	md, from, err := r.tree(ctx, dir, key)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", Display(ref), commit[:12], err)
	}
	return &Dist{Ref: ref, Metadata: md, MetadataFrom: from, LocalPath: dir,
		VCS: &lockfile.VCSSource{Type: ref.VCS, URL: LockURL(ref.URL), RequestedRevision: ref.Ref, CommitID: commit, Subdirectory: ref.Subdirectory}}, nil
}

func (r *Resolver) directory(ctx context.Context, ref *reqfile.DirectRef) (*Dist, error) {
	if err := reqfile.CheckDirect(ref); err != nil {
		return nil, err
	}
	dir := filepath.Join(ref.Path, filepath.FromSlash(ref.Subdirectory))
	th, err := sdist.TreeHash(dir)
	if err != nil {
		return nil, err
	}
	md, from, err := r.tree(ctx, dir, "tree-"+strings.TrimPrefix(th, "sha256:"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref.Path, err)
	}
	return &Dist{Ref: ref, Metadata: md, MetadataFrom: from, TreeHash: th, LocalPath: dir,
		Directory: &lockfile.DirectorySource{Path: r.rel(ref.Path), Editable: ref.Editable, Subdirectory: ref.Subdirectory}}, nil
}

func (r *Resolver) tree(ctx context.Context, dir, key string) (*index.Metadata, string, error) {
	if r.Tree == nil {
		return nil, "", fmt.Errorf("%w (no builder configured)", ErrNoBuilder)
	}
	return r.Tree(ctx, dir, key)
}

// rel returns p relative to the lock's directory, with forward slashes.
func (r *Resolver) rel(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	base := r.LockDir
	if base == "" {
		base = "."
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	rel, err := filepath.Rel(absBase, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

func (r *Resolver) archive(ctx context.Context, ref *reqfile.DirectRef) (*Dist, error) {
	local, filename, where := ref.Path, filepath.Base(ref.Path), ref.Path
	var sums map[string]string
	if ref.URL != "" {
		u, err := url.Parse(ref.URL)
		if err != nil {
			return nil, fmt.Errorf("bad URL %q", index.Redact(ref.URL))
		}
		filename = path.Base(u.Path)
		if p, err := url.PathUnescape(filename); err == nil {
			filename = p
		}
		where = index.Redact(ref.URL)
		if local, sums, err = r.download(ctx, ref, filename); err != nil {
			return nil, err
		}
	} else {
		if err := reqfile.CheckDirect(ref); err != nil {
			return nil, err
		}
		var err error
		if sums, err = checkFile(where, local, ref.Hashes); err != nil {
			return nil, err
		}
	}
	st, err := os.Stat(local)
	if err != nil {
		return nil, err
	}
	a := &lockfile.Artifact{Name: filename, Size: st.Size(), Hashes: map[string]string{"sha256": sums["sha256"]}}
	if ref.URL != "" {
		a.URL = LockURL(ref.URL)
	} else {
		a.Path = r.rel(ref.Path)
	}
	a.Subdirectory = ref.Subdirectory
	d := &Dist{Ref: ref, Archive: a, LocalPath: local}
	if strings.HasSuffix(strings.ToLower(filename), ".whl") {
		if _, err := wheel.ParseFilename(filename); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		d.Metadata, err = wheelMetadata(local)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		d.MetadataFrom = "wheel METADATA"
		return d, nil
	}
	if r.Sdist == nil {
		return nil, fmt.Errorf("%s: %w (no builder configured)", where, ErrNoBuilder)
	}
	d.Metadata, d.MetadataFrom, err = r.Sdist(ctx, local, sums["sha256"])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return d, nil
}

// LockURL is an archive or repository URL as a lock, plan or message may
// show it: without its userinfo (credentials), except a bare user name on
// an ssh URL ("ssh://git@host/x", which names an account, not a secret).
// pip and git find the credentials again in ~/.netrc, a keyring or a git
// credential helper at install time.
func LockURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.User != nil && u.Scheme == "ssh" {
		if _, hasPw := u.User.Password(); !hasPw {
			return raw
		}
	}
	return index.Redact(raw)
}

// Display is ref as messages show it: its URL without credentials.
func Display(ref *reqfile.DirectRef) string {
	if ref.URL == "" {
		return ref.String()
	}
	c := *ref
	c.URL = LockURL(ref.URL)
	return c.String()
}

// download returns a local copy of ref's archive and its hashes. The copy
// lives in the cache, keyed by the URL without credentials. When the user
// pinned a hash and the cached copy matches it, nothing is downloaded (the
// bytes can't differ); otherwise the URL is fetched again (its bytes may
// have changed, and the hashes decide), except offline, where the cached
// copy is used if there is one.
func (r *Resolver) download(ctx context.Context, ref *reqfile.DirectRef, filename string) (string, map[string]string, error) {
	where := index.Redact(ref.URL)
	key := sha256.Sum256([]byte(where))
	dir := filepath.Join(r.CacheDir, "archives", hex.EncodeToString(key[:8]))
	dst := filepath.Join(dir, filepath.Base(filename))
	if len(ref.Hashes) > 0 {
		if sums, err := checkFile(where, dst, ref.Hashes); err == nil {
			return dst, sums, nil
		}
	}
	if r.Client == nil {
		return "", nil, &FetchError{URL: where, Err: errors.New("downloading URLs needs an index client")}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	_, err := r.Client.DownloadURL(ctx, ref.URL, dst)
	if errors.Is(err, index.ErrOffline) && len(ref.Hashes) == 0 {
		if _, serr := os.Stat(dst); serr == nil {
			err = nil // offline: the copy downloaded last time
		}
	}
	if err != nil {
		return "", nil, &FetchError{URL: where, Err: err}
	}
	sums, err := checkFile(where, dst, ref.Hashes)
	if err != nil {
		return "", nil, err
	}
	return dst, sums, nil
}

// checkFile hashes the file at p (streaming) with sha256 and every
// algorithm the user gave, and checks the given "alg:hex" hashes; any match
// of an algorithm's hashes passes it, as in pip.
func checkFile(where, p string, want []string) (map[string]string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	byAlg := map[string][]string{}
	for _, h := range want {
		alg, v, _ := strings.Cut(h, ":")
		byAlg[alg] = append(byAlg[alg], strings.ToLower(v))
	}
	hs := map[string]hash.Hash{"sha256": sha256.New()}
	if len(byAlg["sha384"]) > 0 {
		hs["sha384"] = sha512.New384()
	}
	if len(byAlg["sha512"]) > 0 {
		hs["sha512"] = sha512.New()
	}
	ws := make([]io.Writer, 0, len(hs))
	for _, h := range hs {
		ws = append(ws, h)
	}
	if _, err := io.Copy(io.MultiWriter(ws...), fh); err != nil {
		return nil, err
	}
	got := map[string]string{}
	for alg, h := range hs {
		got[alg] = hex.EncodeToString(h.Sum(nil))
	}
	for _, alg := range []string{"sha256", "sha384", "sha512"} {
		vals := byAlg[alg]
		if len(vals) == 0 {
			continue
		}
		if !slices.Contains(vals, got[alg]) {
			return nil, &HashMismatchError{Where: where, Algorithm: alg, Want: strings.Join(vals, " or "), Got: got[alg]}
		}
	}
	return got, nil
}

// maxMetadata caps a wheel's METADATA file.
const maxMetadata = 16 << 20

// wheelMetadata reads the top-level *.dist-info/METADATA of the wheel at p.
func wheelMetadata(p string) (*index.Metadata, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("not a valid wheel: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dir, file := path.Split(f.Name)
		if file != "METADATA" || strings.Count(dir, "/") != 1 || !strings.HasSuffix(dir, ".dist-info/") {
			continue
		}
		if f.UncompressedSize64 > maxMetadata {
			return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, maxMetadata)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxMetadata))
		rc.Close()
		if err != nil {
			return nil, err
		}
		return index.ParseMetadata(b)
	}
	return nil, errors.New("no .dist-info/METADATA in the wheel")
}
