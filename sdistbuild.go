package pylock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/pypi/build"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// BuildOptions are the flags that govern metadata of sdists without static
// metadata (uv's names).
type BuildOptions struct {
	NoBuild          bool     // --no-build: never build; such versions stay unusable
	NoBuildPackages  []string // --no-build-package: the same for these projects
	NoBuildIsolation bool     // --no-build-isolation: build in the interpreter's environment
	Python           string   // --python: the interpreter that runs builds ("" = python3 on PATH)
	Jobs             int      // concurrent builds (0 = 2)
	// Log receives one line per package saying where its metadata came
	// from, and build progress (-v); may be nil.
	Log func(string) `json:"-"`
}

// sdistBuilds gets metadata for versions whose sdist has no static
// PKG-INFO: static pyproject.toml first, then a PEP 517 build (package
// build), cached by the sdist's sha256. One instance serves a whole run, so
// a universal lock builds each sdist once for every environment.
type sdistBuilds struct {
	client  *index.Client
	opts    BuildOptions
	noBuild map[string]bool // canonical names; "" = all
	builder *build.Builder

	mu       sync.Mutex
	warnings []string
	calls    map[string]*sdistCall // "name==version": one download and build per run
	logged   map[string]bool       // "name==version" whose index metadata source was logged
}

type sdistCall struct {
	done chan struct{}
	md   *index.Metadata
	err  error
}

// newSdistBuilds makes the run's builder; build requirements are resolved
// against client with the run's --exclude-newer cutoff (zero: none).
func newSdistBuilds(client *index.Client, opts BuildOptions, cacheDir string, excludeNewer time.Time) *sdistBuilds {
	s := &sdistBuilds{client: client, opts: opts, noBuild: map[string]bool{}, calls: map[string]*sdistCall{}, logged: map[string]bool{}}
	if opts.NoBuild {
		s.noBuild[""] = true
	}
	for _, n := range names.CanonicalList(opts.NoBuildPackages) {
		s.noBuild[n] = true
	}
	bcache := ""
	if cacheDir != "" {
		bcache = filepath.Join(cacheDir, "build")
	}
	s.builder = build.New(build.Options{
		Python:      opts.Python,
		NoIsolation: opts.NoBuildIsolation,
		CacheDir:    bcache,
		Jobs:        opts.Jobs,
		Resolver:    &buildEnvResolver{client: client, excludeNewer: excludeNewer},
		Fetch:       s.fetch,
		Log:         opts.Log,
	})
	return s
}

// Builder returns the metadata builder (for local directories and VCS
// checkouts).
func (s *sdistBuilds) Builder() *build.Builder { return s.builder }

func (s *sdistBuilds) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(fmt.Sprintf(format, args...))
	}
}

// Warnings returns the builds that failed (their versions were skipped).
func (s *sdistBuilds) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.warnings...)
}

// errBuildFailed makes a version unusable (resolver.ErrInvalidMetadata;
// also resolver.ErrCannotBuild when its build failed, so explanations say
// "cannot be used") with a one-line reason for explanations; the details
// go to a warning.
type errBuildFailed struct {
	msg   string
	build bool // the build failed (not: the sdist is unreadable)
}

func (e *errBuildFailed) Error() string { return e.msg }
func (e *errBuildFailed) Unwrap() []error {
	if e.build {
		return []error{resolver.ErrInvalidMetadata, resolver.ErrCannotBuild}
	}
	return []error{resolver.ErrInvalidMetadata}
}

// errNoBuild makes a version whose sdist has no static metadata unusable
// under --no-build / --no-build-package (resolver.ErrInvalidMetadata, as
// uv and pip do: an older version with a wheel or static metadata may
// still fit); it still matches index.ErrNeedsBuild.
type errNoBuild struct {
	err  error // the index's ErrNeedsBuild
	flag string
}

func (e *errNoBuild) Error() string {
	why := e.err.Error()
	var ie *index.Error
	if errors.As(e.err, &ie) && ie.Err != nil {
		why = ie.Err.Error() // without the project and URL the explanation already names
	}
	return "its sdist needs a build (" + why + ") and building is disabled by " + e.flag
}

func (e *errNoBuild) Unwrap() []error {
	return []error{e.err, resolver.ErrInvalidMetadata, resolver.ErrCannotBuild} // "cannot be used: its sdist needs a build ..."
}

// used reports whether any version needed its sdist this run (its metadata
// then came from a build or the build cache, not from an index page).
func (s *sdistBuilds) used() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls) > 0
}

// metadata returns the metadata of name==v from its sdist f, after the
// index found no static PKG-INFO (needErr). Concurrent and repeated calls
// share one answer (a cancelled call is not remembered).
func (s *sdistBuilds) metadata(ctx context.Context, name string, v pep440.Version, f index.File, needErr error) (*index.Metadata, error) {
	key := names.Canonicalize(name) + "==" + v.String()
	s.mu.Lock()
	c := s.calls[key]
	if c == nil {
		c = &sdistCall{done: make(chan struct{})}
		s.calls[key] = c
		s.mu.Unlock()
		c.md, c.err = s.load(ctx, name, v, f, needErr)
		if nb := (*errNoBuild)(nil); errors.As(c.err, &nb) {
			s.logf("%s %s: skipped: %v (%s)", names.Canonicalize(name), v, nb, f.Filename)
		}
		if c.err != nil && ctx.Err() != nil {
			s.mu.Lock()
			delete(s.calls, key)
			s.mu.Unlock()
		}
		close(c.done)
	} else {
		s.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			return s.metadata(ctx, name, v, f, needErr) // the first caller (a prefetch) was cancelled, not us
		}
	}
	return c.md, c.err
}

func (s *sdistBuilds) load(ctx context.Context, name string, v pep440.Version, f index.File, needErr error) (*index.Metadata, error) {
	data, err := s.client.Download(ctx, f)
	if err != nil {
		return nil, &indexError{err}
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	cn := names.Canonicalize(name)
	if s.noBuild[""] || s.noBuild[cn] {
		m, src, err := sdist.StaticArchive(f.Filename, bytesReaderAt(data), int64(len(data)))
		if err != nil {
			if errors.Is(err, index.ErrNeedsBuild) {
				flag := "--no-build"
				if !s.noBuild[""] {
					flag = "--no-build-package " + cn
				}
				return nil, &errNoBuild{err: needErr, flag: flag}
			}
			return nil, &errBuildFailed{msg: "its sdist is unreadable: " + err.Error()}
		}
		s.logf("%s %s: metadata from static %s (%s)", cn, v, src, f.Filename)
		return m, nil
	}
	dir, err := os.MkdirTemp("", "pylock-sdist-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, filepath.Base(f.Filename))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nil, err
	}
	res, err := s.builder.SdistMetadata(ctx, path, sha, build.Package{Name: name, Version: v.String()})
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, build.ErrNoInterpreter) {
			return nil, err
		}
		s.mu.Lock()
		s.warnings = append(s.warnings, fmt.Sprintf("skipped %s %s: %v", cn, v, err))
		s.mu.Unlock()
		first, _, _ := strings.Cut(err.Error(), "\n")
		return nil, &errBuildFailed{msg: "its sdist failed to build (" + first + ")", build: true}
	}
	s.logf("%s %s: metadata from %s (%s)", cn, v, describeSource(res.Source), f.Filename)
	return res.Metadata, nil
}

func describeSource(src build.Source) string {
	switch src {
	case build.SourcePKGINFO, build.SourcePyproject:
		return "static " + string(src)
	}
	return string(src)
}

// fetch downloads a build requirement's file (hash-checked by the index
// client, then again by the builder).
func (s *sdistBuilds) fetch(ctx context.Context, f build.PinnedFile, dst string) error {
	data, err := s.client.Download(ctx, index.File{Filename: f.Filename, URL: f.URL, Hashes: map[string]string{"sha256": f.SHA256}, Size: -1}) // size unknown: the hash decides
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// buildEnvResolver resolves [build-system] requirements against the run's
// indexes, for the build interpreter, wheels only.
type buildEnvResolver struct {
	client       *index.Client
	excludeNewer time.Time

	mu      sync.Mutex
	targets map[string]target.Target
}

func (r *buildEnvResolver) target(ctx context.Context, python string) (target.Target, error) {
	r.mu.Lock()
	t, ok := r.targets[python]
	r.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := target.FromInterpreter(ctx, python)
	if err != nil {
		return t, err
	}
	r.mu.Lock()
	if r.targets == nil {
		r.targets = map[string]target.Target{}
	}
	r.targets[python] = t
	r.mu.Unlock()
	return t, nil
}

// ResolveBuildEnv implements build.EnvResolver.
func (r *buildEnvResolver) ResolveBuildEnv(ctx context.Context, py *build.Interpreter, reqs []pep508.Requirement) ([]build.PinnedFile, error) {
	t, err := r.target(ctx, py.Path)
	if err != nil {
		return nil, err
	}
	p := NewProvider(r.client, t)
	stop := p.StartPrefetch(ctx)
	defer stop()
	sol, err := resolver.Resolve(ctx, p, reqs, resolver.Options{Env: t.Env(), Python: t.Python,
		OnlyBinary: resolver.BinaryPolicy{All: true}, ExcludeNewer: r.excludeNewer})
	if err != nil {
		return nil, err
	}
	var out []build.PinnedFile
	for _, pkg := range sol.Packages {
		rel, err := p.release(ctx, pkg.Name, pkg.Version)
		if err != nil {
			return nil, err
		}
		var pick *file
		for i := range rel.files {
			if rel.files[i].Wheel && rel.files[i].Compatible {
				pick = &rel.files[i]
				break
			}
		}
		if pick == nil {
			return nil, fmt.Errorf("%s %s: no wheel for %s", pkg.Name, pkg.Version, t)
		}
		sha := strings.ToLower(pick.Hashes["sha256"])
		if sha == "" {
			data, err := r.client.Download(ctx, *pick.File)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(data)
			sha = hex.EncodeToString(sum[:])
		}
		out = append(out, build.PinnedFile{Name: pkg.Name, Version: pkg.Version.String(), Filename: pick.Filename, URL: pick.URL, SHA256: sha})
	}
	return out, nil
}

func bytesReaderAt(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// fromSdist is Provider.metadata's fallback when no file of r has static
// metadata: it takes the release's sdist (.tar.gz preferred) to metadata.
func (s *sdistBuilds) fromSdist(ctx context.Context, name string, v pep440.Version, r *release, needErr error) (*index.Metadata, error) {
	for _, f := range r.files {
		if !f.Wheel {
			return s.metadata(ctx, name, v, *f.File, needErr)
		}
	}
	return nil, needErr
}

// EnableBuilds makes p take metadata of sdists without static PKG-INFO
// from static pyproject.toml or a PEP 517 build (s shared by every
// provider of a run).
func (p *Provider) enableBuilds(s *sdistBuilds) { p.builds = s }

type noBuildsKey struct{}

// prefetchContext is the context of a background metadata prefetch of
// name==v. Prefetches may build only the project's newest final release
// (its newest release when it has no final one) — the version the solver
// tries first, so that independent sdists build concurrently — never the
// older versions hinted for backtracking.
func (p *Provider) prefetchContext(ctx context.Context, name string, v pep440.Version) context.Context {
	if p.builds == nil {
		return ctx
	}
	p.mu.Lock()
	pr := p.projects[names.Canonicalize(name)]
	p.mu.Unlock()
	if pr == nil {
		return withoutBuilds(ctx)
	}
	var newest, newestFinal *pep440.Version
	for _, r := range pr.releases {
		if newest == nil || newest.Less(r.version) {
			newest = &r.version
		}
		if !r.version.IsPrerelease() && (newestFinal == nil || newestFinal.Less(r.version)) {
			newestFinal = &r.version
		}
	}
	if newestFinal != nil {
		newest = newestFinal
	}
	if newest == nil || !newest.Equal(v) {
		return withoutBuilds(ctx)
	}
	return ctx
}

// withoutBuilds marks a context whose metadata calls must not download or
// build sdists.
func withoutBuilds(ctx context.Context) context.Context {
	return context.WithValue(ctx, noBuildsKey{}, true)
}

func buildsAllowed(ctx context.Context) bool { return ctx.Value(noBuildsKey{}) == nil }

// noteSource logs (-v) where index metadata came from, once per version
// read (prefetched versions included); s may be nil.
func (s *sdistBuilds) noteSource(name string, v pep440.Version, f file) {
	if s == nil || s.opts.Log == nil {
		return
	}
	key := names.Canonicalize(name) + "==" + v.String()
	s.mu.Lock()
	seen := s.logged[key]
	s.logged[key] = true
	s.mu.Unlock()
	if seen {
		return
	}
	src := "static PKG-INFO"
	switch {
	case f.Wheel && f.CoreMetadata:
		src = "PEP 658 metadata"
	case f.Wheel:
		src = "wheel METADATA"
	}
	s.logf("%s %s: metadata from %s (%s)", names.Canonicalize(name), v, src, f.Filename)
}

// buildCacheDir is the cache directory builds use: the index client's
// (--cache-dir, PYLOCK_CACHE_DIR, else the user cache dir), none with
// --no-cache.
func buildCacheDir(o index.Options) string {
	if o.NoCache {
		return ""
	}
	if o.CacheDir != "" {
		return o.CacheDir
	}
	if d := os.Getenv("PYLOCK_CACHE_DIR"); d != "" {
		return d
	}
	if ucd, err := os.UserCacheDir(); err == nil {
		return filepath.Join(ucd, "pylock")
	}
	return ""
}

// annotate appends the failed builds to a resolution error, since the
// warnings of a failed run are not shown otherwise. The error's kind is
// unchanged.
func (s *sdistBuilds) annotate(err error) error {
	w := s.Warnings()
	if err == nil || len(w) == 0 {
		return err
	}
	return &annotated{err: err, notes: "sdist builds that failed:\n" + strings.Join(w, "\n")}
}

type annotated struct {
	err   error
	notes string
}

func (a *annotated) Error() string { return a.err.Error() + "\n\n" + a.notes }
func (a *annotated) Unwrap() error { return a.err }

// needsBuild returns err, when it wraps index.ErrNeedsBuild (a version
// whose metadata only a build would give, and no build is done), as a
// resolver.ErrNeedsBuild: the resolver skips that version and tries older
// ones instead of stopping. Other errors are returned unchanged.
func needsBuild(err error) error {
	if errors.Is(err, index.ErrNeedsBuild) && !errors.Is(err, resolver.ErrNeedsBuild) {
		return &errNeedsBuild{err}
	}
	return err
}

type errNeedsBuild struct{ err error }

func (e *errNeedsBuild) Error() string   { return e.err.Error() }
func (e *errNeedsBuild) Unwrap() []error { return []error{resolver.ErrNeedsBuild, e.err} }
