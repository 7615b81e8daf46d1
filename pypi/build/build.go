package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/sdist"
)

// PinnedFile is one distribution file chosen for a build environment.
// Path (a local file) or URL (fetched with Options.Fetch; file:// URLs are
// read directly) locates it; SHA256 is required and checked before use.
type PinnedFile struct {
	Name     string // project name
	Version  string
	Filename string // e.g. setuptools-65.5.0-py3-none-any.whl
	Path     string
	URL      string
	SHA256   string // hex
}

// EnvResolver pins build requirements for an interpreter. The pipeline
// resolves them against the same indexes as the lock, for python's
// environment; the answer must be the complete set of files to install
// (dependencies included).
type EnvResolver interface {
	ResolveBuildEnv(ctx context.Context, python *Interpreter, reqs []pep508.Requirement) ([]PinnedFile, error)
}

// Options configure a Builder.
type Options struct {
	Python      string        // --python; "" = python3 (then python) on PATH
	NoIsolation bool          // --no-build-isolation: build in the interpreter's own environment
	CacheDir    string        // "" = no cache; built metadata goes to CacheDir/built-metadata
	Jobs        int           // concurrent builds (default 2)
	Resolver    EnvResolver   // required unless NoIsolation
	Timeout     time.Duration // per hook call (default 10m)
	// Fetch copies a pinned file that has only a non-file URL to dst (the
	// builder checks its sha256). nil: such files are an error.
	Fetch func(ctx context.Context, f PinnedFile, dst string) error
	// Log receives progress lines (for -v); may be nil.
	Log func(msg string)
	// ConfigSettings is passed to every hook (PEP 517 config_settings).
	ConfigSettings map[string]string
}

// Result is metadata obtained for a source tree.
type Result struct {
	Metadata *index.Metadata
	Source   Source
}

// Source says where a Result's metadata came from.
type Source string

// Metadata sources.
const (
	SourcePKGINFO          = Source(sdist.SourcePKGINFO)   // static PKG-INFO (PEP 643)
	SourcePyproject        = Source(sdist.SourcePyproject) // static [project] (PEP 621)
	SourceBuild     Source = "PEP 517 build"
	SourceCache     Source = "cached PEP 517 build"
)

// Builder builds metadata. Safe for concurrent use.
type Builder struct {
	opts Options
	sem  *semaphore.Weighted

	interpOnce sync.Once
	interp     *Interpreter
	interpErr  error

	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done chan struct{}
	res  *Result
	err  error
}

// New returns a Builder. No interpreter is looked for until a build is
// needed, so static metadata never requires Python.
func New(opts Options) *Builder {
	if opts.Jobs <= 0 {
		opts.Jobs = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	return &Builder{opts: opts, sem: semaphore.NewWeighted(int64(opts.Jobs)), calls: map[string]*call{}}
}

// Package names what is being built, for messages and checks. Name and
// Version may be empty when unknown (a directory); when set, the built
// metadata must agree.
type Package struct {
	Name    string
	Version string
}

func (p Package) String() string {
	switch {
	case p.Name == "":
		return "source tree"
	case p.Version == "":
		return p.Name
	}
	return p.Name + " " + p.Version
}

// Interpreter returns the interpreter builds use (found once).
func (b *Builder) Interpreter(ctx context.Context) (*Interpreter, error) {
	b.interpOnce.Do(func() { b.interp, b.interpErr = FindInterpreter(ctx, b.opts.Python) })
	return b.interp, b.interpErr
}

// DirMetadata returns the metadata of the source tree dir: static metadata
// when there is some (package sdist), else a PEP 517 build, cached by the
// tree's content hash (key overrides that, e.g. "git-<commit>"). The build
// runs in dir itself (backends may write e.g. *.egg-info there), as pip
// and uv do.
func (b *Builder) DirMetadata(ctx context.Context, dir string, pkg Package, key string) (*Result, error) {
	m, src, err := sdist.StaticDir(dir)
	if err == nil {
		return &Result{Metadata: m, Source: Source(src)}, nil
	}
	if !errors.Is(err, index.ErrNeedsBuild) {
		return nil, err
	}
	if key == "" {
		if key, err = treeKey(dir); err != nil {
			return nil, err
		}
	}
	return b.once(ctx, key, pkg, func(ctx context.Context) (*index.Metadata, error) {
		work, err := os.MkdirTemp("", "pylock-build-*")
		if err != nil {
			return nil, err
		}
		return b.build(ctx, work, dir, pkg)
	})
}

// SdistMetadata returns the metadata of an sdist archive at path, whose
// sha256 (hex) the caller has verified: static metadata when there is some,
// else the cached or a fresh build of the unpacked archive.
func (b *Builder) SdistMetadata(ctx context.Context, path, sha256 string, pkg Package) (*Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	m, src, err := sdist.StaticArchive(path, fh, st.Size())
	fh.Close()
	if err == nil {
		return &Result{Metadata: m, Source: Source(src)}, nil
	}
	if !errors.Is(err, index.ErrNeedsBuild) {
		return nil, err
	}
	return b.BuildSdist(ctx, path, sha256, pkg)
}

// BuildSdist skips the static check: it returns cached built metadata or
// unpacks the archive and builds it.
func (b *Builder) BuildSdist(ctx context.Context, path, sha256 string, pkg Package) (*Result, error) {
	if !isHex(sha256) {
		return nil, fmt.Errorf("%s: sdist sha256 %q is not a hex digest", path, sha256)
	}
	return b.once(ctx, "sha256-"+strings.ToLower(sha256), pkg, func(ctx context.Context) (*index.Metadata, error) {
		work, err := os.MkdirTemp("", "pylock-build-*")
		if err != nil {
			return nil, err
		}
		fh, err := os.Open(path)
		if err != nil {
			os.RemoveAll(work)
			return nil, err
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err == nil {
			var root string
			root, err = sdist.Unpack(filepath.Base(path), fh, st.Size(), filepath.Join(work, "src"), sdist.DefaultLimits)
			if err == nil {
				return b.build(ctx, work, root, pkg) // removes work unless the build fails
			}
		}
		os.RemoveAll(work)
		return nil, err
	})
}

// once runs fn for key at most once at a time per Builder, consulting and
// filling the disk cache, and memoises the result (errors included).
func (b *Builder) once(ctx context.Context, key string, pkg Package, fn func(context.Context) (*index.Metadata, error)) (*Result, error) {
	b.mu.Lock()
	c := b.calls[key]
	if c == nil {
		c = &call{done: make(chan struct{})}
		b.calls[key] = c
		b.mu.Unlock()
		c.res, c.err = b.run(ctx, key, pkg, fn)
		if ctx.Err() != nil && c.err != nil {
			b.mu.Lock()
			delete(b.calls, key) // a cancelled build is not a result
			b.mu.Unlock()
		}
		close(c.done)
	} else {
		b.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil && isCtxErr(c.err) && ctx.Err() == nil {
			return b.once(ctx, key, pkg, fn) // the first caller was cancelled, not us
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if err := checkIdentity(c.res.Metadata, pkg); err != nil {
		return nil, err
	}
	return c.res, nil
}

func (b *Builder) run(ctx context.Context, key string, pkg Package, fn func(context.Context) (*index.Metadata, error)) (*Result, error) {
	if m, err := b.cacheGet(key); err != nil {
		return nil, err
	} else if m != nil {
		b.logf("%s: metadata from the build cache (%s)", pkg, key)
		return &Result{Metadata: m, Source: SourceCache}, nil
	}
	if err := b.sem.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	defer b.sem.Release(1)
	start := time.Now()
	m, err := fn(ctx)
	if err != nil {
		return nil, err
	}
	b.logf("%s: metadata from a PEP 517 build in %.1fs", pkg, time.Since(start).Seconds())
	if err := b.cachePut(key, m); err != nil {
		return nil, err
	}
	return &Result{Metadata: m, Source: SourceBuild}, nil
}

func (b *Builder) logf(format string, args ...any) {
	if b.opts.Log != nil {
		b.opts.Log(fmt.Sprintf(format, args...))
	}
}

// checkIdentity rejects built metadata naming another project or version.
func checkIdentity(m *index.Metadata, pkg Package) error {
	if pkg.Name != "" && names.Canonicalize(m.Name) != names.Canonicalize(pkg.Name) {
		return fmt.Errorf("%s: the build produced metadata for %q", pkg, m.Name)
	}
	if pkg.Version != "" && !pep440.SameVersion(m.Version, pkg.Version) {
		return fmt.Errorf("%s: the build produced metadata for version %q", pkg, m.Version)
	}
	return nil
}

func isHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
