package pylock

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/build"
	"github.com/pylock/pylock/pypi/direct"
	"github.com/pylock/pylock/pypi/index"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/vcs"
	"github.com/pylock/pylock/resolver"
)

// directRefs are the user's direct references, materialised before the
// resolution: each pins its project to the one distribution it names.
type directRefs struct {
	byName map[string]*directRef // canonical name
}

type directRef struct {
	entry reqfile.Entry
	dist  *direct.Dist
	meta  resolver.Metadata
	ver   pep440.Version
}

// loadDirect materialises every entry with a direct reference (in order)
// and returns the requirement each stands for: the project's name (from
// its metadata when the reference did not say), its extras and marker, and
// the reference as URL. Bad references are errors at the entry (exit 2);
// two different references to one project are an error naming both.
func loadDirect(ctx context.Context, r *direct.Resolver, es []reqfile.Entry) (*directRefs, map[int]pep508.Requirement, error) {
	refs := &directRefs{byName: map[string]*directRef{}}
	reqs := map[int]pep508.Requirement{}
	for i, e := range es {
		if e.Direct == nil {
			continue
		}
		d, err := r.Resolve(ctx, e.Direct, e.Requirement.Name)
		if err != nil {
			var pe *reqfile.Error
			if errors.As(err, &pe) {
				return nil, nil, err
			}
			re := e.Errorf("cannot use direct reference")
			re.Text, re.Err = index.Redact(re.Text), err
			var fe *direct.FetchError
			if errors.As(err, &fe) {
				return nil, nil, &Error{Kind: KindIndex, Err: re}
			}
			return nil, nil, re
		}
		name := d.Name()
		if prev, ok := refs.byName[name]; ok {
			if prev.dist.Ref.String() != d.Ref.String() {
				re := e.Errorf("second direct reference to %s", name)
				re.Text = index.Redact(re.Text)
				re.Err = fmt.Errorf("%s:%d already pins it to %s; a project can come from one place only", prev.entry.File, prev.entry.Line, direct.Display(prev.dist.Ref))
				return nil, nil, re
			}
		} else {
			dr, err := newDirectRef(e, d)
			if err != nil {
				return nil, nil, err
			}
			refs.byName[name] = dr
		}
		req := e.Requirement
		req.Name = d.Metadata.Name
		req.Specifier = pep440.SpecifierSet{}
		req.URL = recordedURL(d)
		reqs[i] = req
	}
	return refs, reqs, nil
}

func newDirectRef(e reqfile.Entry, d *direct.Dist) (*directRef, error) {
	v, err := pep440.Parse(d.Metadata.Version)
	if err != nil {
		re := e.Errorf("%s has an invalid version %q", direct.Display(d.Ref), d.Metadata.Version)
		re.Text = index.Redact(re.Text)
		return nil, re
	}
	md := resolver.Metadata{RequiresPython: d.Metadata.RequiresPython, ProvidesExtra: d.Metadata.ProvidesExtra}
	for _, s := range d.Metadata.RequiresDist {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			re := e.Errorf("%s: invalid Requires-Dist %q: %v", direct.Display(d.Ref), s, err)
			re.Text = index.Redact(re.Text)
			return nil, re
		}
		md.RequiresDist = append(md.RequiresDist, r)
	}
	return &directRef{entry: e, dist: d, meta: md, ver: v}, nil
}

func (refs *directRefs) get(name string) *directRef {
	if refs == nil {
		return nil
	}
	return refs.byName[names.Canonicalize(name)]
}

// directProvider pins the direct references' projects to their one
// distribution and serves everything else from the index provider. A
// dependency that is a direct reference the user did not name is an error
// (uv's rule: only first-party requirements may name URLs).
type directProvider struct {
	resolver.Provider
	refs *directRefs
}

// Candidates implements resolver.Provider.
func (p *directProvider) Candidates(ctx context.Context, name string) ([]resolver.Candidate, error) {
	d := p.refs.get(name)
	if d == nil {
		return p.Provider.Candidates(ctx, name)
	}
	fn := direct.Display(d.dist.Ref)
	wheel := false
	if d.dist.Archive != nil {
		fn = d.dist.Archive.Filename()
		wheel = strings.HasSuffix(strings.ToLower(fn), ".whl")
	}
	return []resolver.Candidate{{Version: d.ver, Dists: []resolver.Dist{{
		Filename: fn, Wheel: wheel, Compatible: true, RequiresPython: d.meta.RequiresPython,
	}}}}, nil
}

// Metadata implements resolver.Provider.
func (p *directProvider) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	md := resolver.Metadata{}
	if d := p.refs.get(name); d != nil {
		md = d.meta
	} else {
		var err error
		if md, err = p.Provider.Metadata(ctx, name, v); err != nil {
			return md, err
		}
	}
	for _, r := range md.RequiresDist {
		if r.URL == "" || p.refs.get(r.Name) != nil {
			continue
		}
		return md, &TransitiveURLError{Package: names.Canonicalize(name), Version: v.String(), Requirement: r.String()}
	}
	return md, nil
}

// NetworkNeeded forwards the index provider's network signal (see
// resolver.NetworkSignaller); nil (no signal) when it has none.
func (p *directProvider) NetworkNeeded() <-chan struct{} {
	if ns, ok := p.Provider.(resolver.NetworkSignaller); ok {
		return ns.NetworkNeeded()
	}
	return nil
}

// Prefetch implements resolver.Provider.
func (p *directProvider) Prefetch(name string, versions ...pep440.Version) {
	if p.refs.get(name) == nil {
		p.Provider.Prefetch(name, versions...)
	}
}

// TransitiveURLError is a dependency's metadata naming a direct reference
// the user did not name.
type TransitiveURLError struct {
	Package, Version, Requirement string
}

func (e *TransitiveURLError) Error() string {
	return fmt.Sprintf("%s %s depends on %q, a direct reference: pylock (like uv) accepts direct references only in your own requirements; add it to them to use it",
		e.Package, e.Version, e.Requirement)
}

// applyDirectSource replaces an index package's files with the source of
// its direct reference (archive, vcs or directory). A directory's version
// is left out (PEP 751: a source tree's version is not guaranteed); its
// tree hash (for audit) and version (for sync) go to [packages.tool.pylock].
func applyDirectSource(pkg *lockfile.Package, d *directRef) {
	pkg.Index, pkg.Wheels, pkg.Sdist = "", nil, nil
	pkg.RequiresPython = d.meta.RequiresPython
	src := d.dist
	switch {
	case src.Archive != nil:
		a := *src.Archive
		pkg.Archive = &a
	case src.VCS != nil:
		pkg.VCS = src.VCS.Table()
	case src.Directory != nil:
		pkg.Directory = src.Directory.Table()
		pkg.Version = ""
		pkg.SetTreeHash(src.TreeHash)
		pkg.SetTreeVersion(src.Metadata.Version)
	}
}

// wrap returns p with the direct references pinned; with none, it still
// refuses direct references in dependencies' metadata.
func (refs *directRefs) wrap(p resolver.Provider) resolver.Provider {
	return &directProvider{Provider: p, refs: refs}
}

// unguard keeps the ABI guard's index look-ups away from the direct
// references' projects: their artifact is not the index's, and asking an
// index about a private project's name would tell that index the name.
func (refs *directRefs) unguard(opts *resolver.Options) {
	inner := opts.Conflicts
	if refs == nil || len(refs.byName) == 0 || inner == nil {
		return
	}
	opts.Conflicts = func(ctx context.Context, name string, v pep440.Version) []resolver.Conflict {
		if refs.get(name) != nil {
			return nil
		}
		return inner(ctx, name, v)
	}
}

// indexOnly returns sol without the packages pinned by direct references.
func (refs *directRefs) indexOnly(sol *resolver.Result) *resolver.Result {
	if refs == nil || len(refs.byName) == 0 {
		return sol
	}
	c := *sol
	c.Packages = nil
	for _, rp := range sol.Packages {
		if refs.get(rp.Name) == nil {
			c.Packages = append(c.Packages, rp)
		}
	}
	return &c
}

// resolveDirect materialises in.direct (downloads, checkouts, metadata) and
// adds the requirements they stand for to in.requirements.
func resolveDirect(ctx context.Context, req Options, in *inputs, iopts index.Options, builds *sdistBuilds) error {
	if len(in.direct) == 0 {
		return nil
	}
	cache := iopts.CacheDir
	if cache == "" {
		ucd, err := os.UserCacheDir()
		if err != nil {
			return usageErr(fmt.Errorf("no cache directory for direct references (set --cache-dir or PYLOCK_CACHE_DIR): %w", err))
		}
		cache = filepath.Join(ucd, "pylock")
	}
	lockDir := "."
	if req.LockPath != "" && req.LockPath != "-" {
		lockDir = filepath.Dir(req.LockPath)
	}
	r := &direct.Resolver{
		Git:      &vcs.Git{CacheDir: filepath.Join(cache, "git")},
		CacheDir: filepath.Join(cache, "direct"),
		LockDir:  lockDir,
		Client:   builds.client,
		Tree:     builds.treeMetadata,
		Sdist:    builds.sdistFileMetadata,
	}
	refs, reqs, err := loadDirect(ctx, r, in.direct)
	if err != nil {
		return err
	}
	in.refs = refs
	for i, e := range in.direct {
		if e.Direct.Kind == reqfile.RefVCS && e.Direct.Editable {
			d := refs.get(reqs[i].Name)
			builds.mu.Lock()
			builds.warnings = append(builds.warnings, editableVCSWarning(e, d.dist))
			builds.mu.Unlock()
		}
	}
	for _, name := range slices.Sorted(maps.Keys(refs.byName)) {
		d := refs.byName[name].dist
		builds.logf("%s %s: metadata from %s (%s)", name, d.Metadata.Version, d.MetadataFrom, direct.Display(d.Ref))
	}
	for i, e := range in.direct {
		in.requirements = append(in.requirements, reqs[i])
		if e.Requirement.Name == "" { // its name is known now, for the "# via" labels
			in.sources = append(in.sources, source{name: reqs[i].NormalizedName(), file: e.File, role: pyinputs.Requirements})
		}
	}
	return nil
}

// editableVCSWarning tells that "-e git+…" is locked non-editable: PEP 751
// has no editable VCS package (pip would clone it into src/ and install it
// editable; an installer of the lock installs the commit as a copy).
func editableVCSWarning(e reqfile.Entry, d *direct.Dist) string {
	return fmt.Sprintf("%s:%d: %s: PEP 751 has no editable VCS packages: %s is locked as a non-editable git package at commit %s; to edit it, clone the repository and require it as -e ./<clone>",
		e.File, e.Line, direct.Display(e.Direct), d.Name(), d.VCS.CommitID[:12])
}

// recordedURL is the direct reference as a PEP 508 URL for [tool.pylock]
// requirements: the VCS or archive URL, or "file:" and the path relative
// to the lock for local archives and directories.
func recordedURL(d *direct.Dist) string {
	switch {
	case d.VCS != nil, d.Archive != nil && d.Archive.URL != "":
		ref := *d.Ref
		ref.Editable = false
		return direct.Display(&ref)
	case d.Archive != nil:
		return "file:" + d.Archive.Path
	case d.Directory != nil:
		s := "file:" + d.Directory.Path
		if d.Directory.Subdirectory != "" {
			s += "#subdirectory=" + d.Directory.Subdirectory
		}
		return s
	}
	return direct.Display(d.Ref)
}

// explain adds to a no-solution error where each direct reference named in
// it pins its project, since the resolver only says that no other version
// exists.
func (refs *directRefs) explain(err error) error {
	var ns *resolver.NoSolutionError
	if refs == nil || !errors.As(err, &ns) {
		return err
	}
	msg := err.Error()
	var notes []string
	for _, name := range slices.Sorted(maps.Keys(refs.byName)) {
		d := refs.byName[name]
		if strings.Contains(msg, name) {
			notes = append(notes, fmt.Sprintf("%s is pinned to %s by its direct reference %s (%s:%d): no other version of it is considered.",
				name, d.dist.Metadata.Version, direct.Display(d.dist.Ref), d.entry.File, d.entry.Line))
		}
	}
	if len(notes) == 0 {
		return err
	}
	return &Error{Kind: KindNoSolution, Err: fmt.Errorf("%w\n%s", err, strings.Join(notes, "\n"))}
}

// treeMetadata is the metadata of a directory or checkout for a direct
// reference: static, else a PEP 517 build (not with --no-build).
func (s *sdistBuilds) treeMetadata(ctx context.Context, dir, key string) (*index.Metadata, string, error) {
	if s.noBuild[""] {
		m, src, err := sdist.StaticDir(dir)
		if errors.Is(err, index.ErrNeedsBuild) {
			err = fmt.Errorf("%w (building is disabled by --no-build)", err)
		}
		return m, string(src), err
	}
	res, err := s.builder.DirMetadata(ctx, dir, build.Package{}, key)
	if err != nil {
		return nil, "", err
	}
	return res.Metadata, string(res.Source), nil
}

// sdistFileMetadata is the metadata of a local or downloaded sdist of a
// direct reference: static, else a PEP 517 build (not with --no-build).
func (s *sdistBuilds) sdistFileMetadata(ctx context.Context, path, sha string) (*index.Metadata, string, error) {
	if s.noBuild[""] {
		fh, err := os.Open(path)
		if err != nil {
			return nil, "", err
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			return nil, "", err
		}
		m, src, err := sdist.StaticArchive(path, fh, st.Size())
		if errors.Is(err, index.ErrNeedsBuild) {
			err = fmt.Errorf("%w (building is disabled by --no-build)", err)
		}
		return m, string(src), err
	}
	res, err := s.builder.SdistMetadata(ctx, path, sha, build.Package{})
	if err != nil {
		return nil, "", err
	}
	return res.Metadata, string(res.Source), nil
}
