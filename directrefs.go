package pylock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/direct"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
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
			re := e.Errorf("cannot use %s", e.Direct.String())
			re.Err = err
			return nil, nil, re
		}
		name := d.Name()
		if prev, ok := refs.byName[name]; ok {
			if prev.dist.Ref.String() != d.Ref.String() {
				return nil, nil, e.Errorf("%s is already pinned to %s by %s:%d; a project can come from one place only",
					name, prev.dist.Ref.String(), prev.entry.File, prev.entry.Line)
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
		req.URL = e.Direct.String()
		reqs[i] = req
	}
	return refs, reqs, nil
}

func newDirectRef(e reqfile.Entry, d *direct.Dist) (*directRef, error) {
	v, err := pep440.Parse(d.Metadata.Version)
	if err != nil {
		return nil, e.Errorf("%s has an invalid version %q", d.Ref.String(), d.Metadata.Version)
	}
	md := resolver.Metadata{RequiresPython: d.Metadata.RequiresPython, ProvidesExtra: d.Metadata.ProvidesExtra}
	for _, s := range d.Metadata.RequiresDist {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			return nil, e.Errorf("%s: invalid Requires-Dist %q: %v", d.Ref.String(), s, err)
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
	fn := d.dist.Ref.String()
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
// is left out (PEP 751: a source tree's version is not guaranteed) and its
// tree hash recorded for audit.
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
	}
}
